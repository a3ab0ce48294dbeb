"""OpenAI batch files end to end: a run written as an input file, answered by a simulated
vLLM ``run-batch`` or by Samantha's own backends (simulated servers on 127.0.0.1), and read
back into the history as that run's cycles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.sim_batch import run_batch
from support.sim_servers import Farm

from samantha.core.backend_specs import BackendSpec
from samantha.core.batchfile import BatchFileError, read_answers
from samantha.core.chain import ChainConfig
from samantha.core.errors import InputError
from samantha.core.settings import STOCHASTIC
from samantha.workbench.backends import write_backends
from samantha.workbench.batches import export_batch, import_batch
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e

PROMPTS = "Name a colour.\nName a fruit.\nName a river."
WORDS = 6


def chain(**changes) -> ChainConfig:
    return ChainConfig(prompts=PROMPTS, models=("qwen@*", "llama@*"), responses=2,
                       settings=STOCHASTIC.replace(max_tokens=WORDS), **changes)


def answers(path: Path):
    return read_answers(path.read_text().splitlines())


def test_a_run_goes_out_as_a_batch_file_and_comes_back_as_its_cycles(home: Path,
                                                                    tmp_path: Path) -> None:
    bench = Workbench(home)
    source, target = tmp_path / "batch.jsonl", tmp_path / "answers.jsonl"
    exported = export_batch(bench, chain(), source)
    assert exported.requests == 12  # 2 models x 2 rounds x 3 prompts
    lines = [json.loads(line) for line in source.read_text().splitlines()]
    assert [line["custom_id"] for line in lines] == [
        f"samantha-run-{exported.run_id}-cycle-{n}" for n in range(1, 13)]
    assert {line["body"]["model"] for line in lines} == {"qwen", "llama"}
    assert lines[0]["body"]["messages"][-1] == {"role": "user", "content": "Name a colour."}
    seeds = [line["body"]["seed"] for line in lines]
    assert len(set(seeds)) == 12  # each cycle's own seed, as the run would use it
    assert bench.store.get_run(exported.run_id).status == "interrupted"

    failing = f"samantha-run-{exported.run_id}-cycle-5"
    run_batch(source, target, fail=(failing,), only=8)  # a first part, in another order
    first = import_batch(bench, answers(target))
    assert (first.done, first.failed, first.missing, first.status) == (7, 1, 4, "interrupted")
    run_batch(source, target)  # all of it, cycle 5 included
    second = import_batch(bench, answers(target))
    assert (second.done, second.already, second.missing, second.status) == (4, 8, 0,
                                                                             "finished")
    record = bench.store.get_run(exported.run_id)
    assert record.status == "finished" and [c.number for c in record.cycles] == list(
        range(1, 13))
    whole = "".join(f"w{i} " for i in range(WORDS))
    assert [(c.status, c.response) for c in record.cycles if c.number != 5] == [
        ("done", whole)] * 11
    fifth = next(c for c in record.cycles if c.number == 5)
    assert fifth.status == "failed" and "the engine died" in fifth.error
    assert record.cycles[0].answered_by == "qwen@batch" and record.cycles[0].tokens == WORDS
    assert record.cycles[0].settings["seed"] == seeds[0]
    with pytest.raises(InputError, match="is finished: its answers were recorded already"):
        import_batch(bench, answers(target))


def test_what_cannot_be_a_batch_is_refused(home: Path, tmp_path: Path) -> None:
    bench = Workbench(home)
    with pytest.raises(InputError, match="cycles that do not depend on each other"):
        export_batch(bench, chain(feedback=True), tmp_path / "b.jsonl")
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text(json.dumps({"custom_id": "request-1", "error": None, "response": {
        "status_code": 200, "body": {"choices": [{"message": {"content": "hi"}}]}}}) + "\n")
    with pytest.raises(BatchFileError, match="not 'request-1'"):
        import_batch(bench, answers(foreign))


def samantha(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "samantha", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "SAMANTHA_HOME": str(home)})


def test_the_cli_exports_answers_with_its_backends_and_imports(home: Path,
                                                               tmp_path: Path) -> None:
    source, target = tmp_path / "batch.jsonl", tmp_path / "answers.jsonl"
    with Farm(4, slots=2, seconds_per_token=0.002) as farm:
        write_backends(home, {s.name: BackendSpec(s.name, s.url, "openai")
                              for s in farm.servers})
        out = samantha(home, "run", "--prompts", PROMPTS, "-m", "sim@*", "--responses", "4",
                       "--max-tokens", str(WORDS), "--export-batch", str(source))
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith(f"Run 1: 12 requests written to {source}.")
        assert "samantha batch import answers.jsonl" in out.stderr
        ran = samantha(home, "batch", "run", str(source), "-m", "sim@*", "--concurrency", "8",
                       "-o", str(target))
        assert ran.returncode == 0, ran.stderr
        assert "12/12 answered" in ran.stderr
        assert sum(s.answered for s in farm.servers) == 12
        assert all(s.answered for s in farm.servers)  # spread over the four
    imported = samantha(home, "batch", "import", str(target), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"event": "batch_imported", "run_id": 1, "done": 12,
                                           "failed": 0, "already": 0, "missing": 0,
                                           "status": "finished"}
    shown = json.loads(samantha(home, "history", "show", "1", "--json").stdout)
    whole = "".join(f"w{i} " for i in range(WORDS))
    assert [c["response"] for c in shown["cycles"]] == [whole] * 12
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"custom_id": "x", "body": {"model": "m", "messages": '
                   '[{"role": "user", "content": "a"}], "tools": []}}\n')
    refused = samantha(home, "batch", "run", str(bad), "-o", str(tmp_path / "o.jsonl"))
    assert refused.returncode == 2
    assert "The batch input bad.jsonl, line 1: tools cannot be run here" in refused.stderr


def test_what_the_batch_did_not_answer_is_resumed_on_samanthas_backends(home: Path,
                                                                          tmp_path: Path
                                                                          ) -> None:
    """Half the answers came back (with gaps, in another order): `history resume` runs the
    other cycles on the backends, and keeps the imported ones as they were."""
    source, target = tmp_path / "batch.jsonl", tmp_path / "answers.jsonl"
    with Farm(2, slots=2, seconds_per_token=0.002, models=("qwen", "llama")) as farm:
        write_backends(home, {s.name: BackendSpec(s.name, s.url, "openai")
                              for s in farm.servers})
        bench = Workbench(home)
        exported = export_batch(bench, chain(), source)
        run_batch(source, target, only=6)
        imported = {json.loads(line)["custom_id"] for line in target.read_text().splitlines()}
        assert import_batch(bench, answers(target)).missing == 6
        list(bench.resume_run(exported.run_id))
        assert sum(s.answered for s in farm.servers) == 6  # only those without an answer
    record = bench.store.get_run(exported.run_id)
    assert record.status == "finished" and [c.number for c in record.cycles] == list(
        range(1, 13))
    whole = "".join(f"w{i} " for i in range(WORDS))
    assert all(c.status == "done" and c.response == whole for c in record.cycles)
    by_batch = {f"samantha-run-{exported.run_id}-cycle-{c.number}" for c in record.cycles
                if c.answered_by.endswith("@batch")}
    assert by_batch == imported


def test_a_missing_or_too_large_batch_file_is_one_line(home: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import samantha.cli.batch as batch_cli
    from samantha.cli import cli

    runner = CliRunner()
    missing = runner.invoke(cli, ["batch", "import", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "No batch file" in missing.output
    big = tmp_path / "big.jsonl"
    big.write_text("{}\n" * 10)
    monkeypatch.setattr(batch_cli, "FILE_BYTES", 16)
    refused = runner.invoke(cli, ["batch", "run", str(big), "-o", str(tmp_path / "o.jsonl")])
    assert refused.exit_code == 2 and "big.jsonl is larger than" in refused.output
    assert "Traceback" not in refused.output
