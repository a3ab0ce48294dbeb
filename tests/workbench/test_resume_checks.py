"""The checks behind resuming (workbench/resume.py), one at a time: which runs may be resumed
and each refusal's sentence, and what the finished cycles of an interrupted run hand the runner
(``past_cycles``). tests/workbench/test_resume.py resumes whole runs through the facade."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from samantha.core.errors import InputError
from samantha.core.records import CodeRunRecord, CycleRecord, RunRecord
from samantha.core.runner import PastCycle
from samantha.store import RunOwner, RunStore
from samantha.workbench.liveness import this_process
from samantha.workbench.resume import NotResumableError, past_cycles, resumable_run

HOST = socket.gethostname()
CODE = "Here:\n```python\nprint(6 * 7)\n```\n"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    with RunStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_run_on_another_computer_is_left_to_it(store: RunStore) -> None:
    run = store.start_run({}, RunOwner("lab.example", 4321, None))
    with pytest.raises(NotResumableError) as refused:
        resumable_run(store, run)
    assert str(refused.value) == (
        f"Run {run} is running in process 4321 on lab.example: another computer: resume it "
        "there if it ends before the run.")
    assert isinstance(refused.value, InputError)  # the CLI exits 2
    assert store.get_run(run).status == "running"  # not touched


@pytest.mark.parametrize("owned", [True, False], ids=["its process ended", "no owner"])
def test_a_running_run_whose_process_ended_is_marked_and_resumable(store: RunStore,
                                                                    owned: bool) -> None:
    owner = RunOwner(HOST, dead_pid(), None) if owned else None
    run = store.start_run({}, owner)
    record = resumable_run(store, run)
    assert record.status == "interrupted" and record.finished_at
    said = f"its process (pid {owner.pid} on {HOST})" if owner else "its process"
    assert record.stop_reason == f"{said} ended before the run did"
    assert store.get_run(run).status == "interrupted"


def test_a_run_another_process_resumed_a_moment_ago_is_refused(store: RunStore,
                                                               monkeypatch) -> None:
    run = store.start_run({}, RunOwner(HOST, dead_pid(), None))
    marked = store.interrupt_if_owned

    def resumed_meanwhile(run_id: int, owner: Any, reason: str) -> bool:
        # Between our look and our mark, another process marked the run and resumed it.
        store.interrupt_run(run_id, reason)
        assert store.claim_run(run_id, this_process(), None)
        return marked(run_id, owner, reason)  # no longer its owner: changes nothing

    monkeypatch.setattr(store, "interrupt_if_owned", resumed_meanwhile)
    with pytest.raises(NotResumableError) as refused:
        resumable_run(store, run)
    assert str(refused.value) == f"Run {run} is running again (resumed by another process)."
    assert store.run_owner(run) == this_process()


@pytest.mark.parametrize("status", ["finished", "failed", "stopped"])
def test_only_an_interrupted_run_resumes(store: RunStore, status: str) -> None:
    run = store.start_run({}, this_process())
    store.finish_run(run, status, "whatever")
    with pytest.raises(NotResumableError) as refused:
        resumable_run(store, run)
    assert str(refused.value) == (f"Run {run} is {status}, not interrupted: nothing to resume; "
                                  f"`samantha history rerun {run}` runs it again.")


def test_an_interrupted_run_is_given_as_it_is(store: RunStore) -> None:
    run = store.start_run({"prompts": "x"}, this_process())
    store.interrupt_run(run, "let go before its end")
    record = resumable_run(store, run)
    assert (record.id, record.status, record.stop_reason, record.config) == (
        run, "interrupted", "let go before its end", {"prompts": "x"})


# -- what the finished cycles hand the runner --------------------------------------------------
def cycle(number: int, status: str, response: str = "", prompt_tokens: int = 0,
          skipped: int | None = None) -> CycleRecord:
    return CycleRecord(
        id=100 + number, run_id=1, number=number, model="m", model_path=None,
        model_sha256=None, round=1, item=number, prompt="p", messages=[], settings={},
        random_overrides=None, response=response, tokens=len(response),
        prompt_tokens=prompt_tokens, seconds=0.1, finish_reason=None, error=None,
        status=status, started_at="", finished_at=None, skipped_cycles=skipped)


def run_of(*cycles: CycleRecord) -> RunRecord:
    return RunRecord(1, "", None, "interrupted", None, {}, list(cycles))


def code_run(cycle_number: int, **fields: Any) -> CodeRunRecord:
    values: dict[str, Any] = dict(
        id=1, run_id=1, cycle_id=100 + cycle_number, code="print(6 * 7)", dropped=[],
        stdout="42\n", stderr="", exit_status=0, seconds=0.2, timed_out=False, limit=None,
        work_dir="runs/1/cycle-1", files=["runs/1/cycle-1/out.csv"], figures=[],
        created_at="")
    return CodeRunRecord(**{**values, **fields})


def test_cycles_are_replayed_up_to_the_first_unfinished_one() -> None:
    record = run_of(cycle(1, "done", "Amor.", 9), cycle(2, "done", "Vida.", 12),
                    cycle(3, "interrupted", "Ok th", 20), cycle(4, "done", "Later.", 7))
    done, discard_from = past_cycles(record, [], auto_run_code=False)
    assert done == {1: PastCycle("Amor."), 2: PastCycle("Vida.")}
    assert discard_from == 3  # generated again, and every stored cycle after it


def test_a_run_whose_cycles_all_ended_discards_nothing() -> None:
    done, discard_from = past_cycles(run_of(cycle(1, "done", "A", 3), cycle(2, "failed", "", 0,
                                                                             skipped=0)),
                                     [], auto_run_code=False)
    assert discard_from is None and done == {1: PastCycle("A"), 2: PastCycle(None)}


@pytest.mark.parametrize("failed, past", [
    # it never generated (its model did not load): no answer; it skipped 3 cycles
    (cycle(1, "failed", "", 0, skipped=3), PastCycle(None, skips_rest=True)),
    # its generation broke half-way: what it wrote is fed on
    (cycle(1, "failed", "abc", 14, skipped=2), PastCycle("abc", skips_rest=True)),
    (cycle(1, "failed", "abc", 14, skipped=0), PastCycle("abc", skips_rest=False)),
    # stored before skipped_cycles was: a broken generation always skipped the rest
    (cycle(1, "failed", "abc", 14, skipped=None), PastCycle("abc", skips_rest=True)),
    (cycle(1, "failed", "", 0, skipped=None), PastCycle(None, skips_rest=False)),
], ids=["no generation", "broken generation", "nothing skipped", "old broken", "old no answer"])
def test_a_failed_cycle_is_replayed_as_it_failed(failed: CycleRecord, past: PastCycle) -> None:
    assert past_cycles(run_of(failed), [], auto_run_code=False) == ({1: past}, None)


def test_with_auto_run_code_an_answer_whose_code_did_not_run_is_generated_again() -> None:
    record = run_of(cycle(1, "done", CODE, 5), cycle(2, "done", CODE, 5))
    done, discard_from = past_cycles(record, [code_run(1)], auto_run_code=True)
    assert list(done) == [1] and discard_from == 2  # the process ended while 2's code ran
    assert past_cycles(record, [code_run(1)], auto_run_code=False)[1] is None  # no code to run
    prose = run_of(cycle(1, "done", "No code here.", 5))
    assert past_cycles(prose, [], auto_run_code=True) == ({1: PastCycle("No code here.")},
                                                          None)


def test_a_code_run_is_handed_back_as_the_runner_saw_it() -> None:
    stored = code_run(1, stdout="partial", stderr="Killed", exit_status=-9, timed_out=True,
                      limit="the time limit of 30 s", figures=["runs/1/cycle-1/fig-1.png"],
                      isolation="bubblewrap", isolation_note="no network")
    done, _ = past_cycles(run_of(cycle(1, "done", CODE, 5)), [stored], auto_run_code=True)
    code = done[1].code
    assert (code.stdout, code.stderr, code.exit_status, code.timed_out, code.limit) == (
        "partial", "Killed", -9, True, "the time limit of 30 s")
    assert code.work_dir == Path("runs/1/cycle-1") and not code.cancelled
    assert code.files == (Path("runs/1/cycle-1/out.csv"),)
    assert code.figures == (Path("runs/1/cycle-1/fig-1.png"),)
    assert (code.isolation, code.isolation_note) == ("bubblewrap", "no network")
    older = code_run(1, isolation=None, isolation_note=None, cycle_id=None)  # not of a cycle
    done, _ = past_cycles(run_of(cycle(1, "done", CODE, 5)), [older], auto_run_code=False)
    assert done[1].code is None


def test_an_old_code_run_without_isolation_reads_back_as_unknown() -> None:
    stored = code_run(1, isolation=None, isolation_note=None)
    done, _ = past_cycles(run_of(cycle(1, "done", CODE, 5)), [stored], auto_run_code=False)
    assert (done[1].code.isolation, done[1].code.isolation_note) == ("", "")
