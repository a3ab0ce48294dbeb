"""Remote backends end to end: the real llama-server (built by `make llama-server`) on
127.0.0.1 serving the real default model, driven through the Workbench and the CLI."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from support.llama_server import LlamaServer

from samantha.core.answer_events import AnswerRestarted, GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendSpec
from samantha.core.chain import ChainConfig
from samantha.core.chat import Message
from samantha.core.control import RunControl
from samantha.core.errors import InputError
from samantha.core.generation import Ask
from samantha.core.settings import DETERMINISTIC, STOCHASTIC, Settings
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e

COUNT = "Count from 1 to 300: 1, 2, 3, 4,"


@pytest.fixture(scope="module")
def servers(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    logs = tmp_path_factory.mktemp("llama-server")
    started = [LlamaServer(default_model_path, slots=2, log=logs / f"{i}.log") for i in (1, 2)]
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def bench(tmp_path: Path, session_home: Path, servers) -> Workbench:
    """A Workbench of its own home (the default model linked in), knowing both servers."""
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    for model in (session_home / "models").glob("*.gguf"):
        os.link(model, home / "models" / model.name)
    bench = Workbench(home)
    for name, server in zip(("one", "two"), servers):
        bench.remotes.save(BackendSpec(name, server.url, "llama-server"))
    yield bench
    bench.close()


def answer(bench: Workbench, model: str, settings: Settings, prompt: str = "Say hello.",
           trace_top: int = 0, cancel=None) -> tuple[list[TokenEvent], GenerationResult]:
    events = list(bench.generate(Ask([Message("user", prompt)], settings, model, trace_top),
                                 cancel))
    return [e for e in events if isinstance(e, TokenEvent)], events[-1]


def test_check_finds_the_kind_the_model_and_the_context(bench: Workbench, servers) -> None:
    info = bench.remotes.check(BackendSpec("any", servers[0].url))  # kind auto
    assert info.kind == "llama-server" and info.models == ("default",)
    assert info.n_ctx == 1024 and info.slots == 2
    assert "no chat template: Samantha's plain format" in info.notes


def test_a_greedy_answer_streams_with_its_token_ids_and_backend(bench: Workbench) -> None:
    tokens, result = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=8))
    assert result.finish_reason in ("length", "stop") and 0 < result.tokens <= 8
    assert result.text == "".join(t.text for t in tokens) and result.text.strip()
    assert all(t.token_id >= 0 for t in tokens)
    assert result.answered_by == "default@one"
    assert result.timings == {} or "predicted_per_second" in result.timings


def test_mapped_settings_have_their_effect(bench: Workbench) -> None:
    """The survivors of llama-server's chain (post-sampling probabilities) show each filter."""
    base = STOCHASTIC.replace(max_tokens=6, seed=5, repeat_penalty=1.0)

    def survivors(**changes) -> list[int]:
        tokens, _ = answer(bench, "default@one", base.replace(**changes), COUNT, trace_top=50)
        return [t.trace.stages[0].kept for t in tokens]

    assert max(survivors(top_k=3, top_p=1.0, min_p=0.0)) <= 3
    assert max(survivors(top_k=0, top_p=1.0, min_p=0.0)) == 50  # nothing cut: the list is full
    assert min(survivors(top_k=0, top_p=0.5, min_p=0.0)) < 50  # cut where the model is sure
    assert min(survivors(top_k=0, top_p=1.0, min_p=0.0, typical_p=0.3)) < 50
    tokens, _ = answer(bench, "default@one", base.replace(top_k=0, top_p=1.0, min_p=0.5), COUNT,
                       trace_top=50)
    for token in tokens:
        best = max(c.p for c in token.trace.candidates)
        assert all(c.p >= 0.5 * best * 0.999 for c in token.trace.candidates)
    same = [answer(bench, "default@one", base.replace(temperature=1.5, top_k=0, top_p=1.0,
                                                      min_p=0.0))[1].text for _ in range(2)]
    assert same[0] == same[1]  # the seed is sent
    other = answer(bench, "default@one", base.replace(temperature=1.5, top_k=0, top_p=1.0,
                                                      min_p=0.0, seed=6))[1].text
    assert other != same[0]
    plain = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=30), COUNT)[1].text
    for penalty in ({"repeat_penalty": 1.8}, {"presence_penalty": 1.5},
                    {"frequency_penalty": 1.5}):
        changed = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=30, **penalty),
                         COUNT)[1].text
        assert changed != plain, penalty
    _, stopped = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=40,
                                                                    stop=(" 7",)), COUNT)
    assert stopped.finish_reason == "stop" and " 7" not in stopped.text and "6" in stopped.text


def test_learning_mode_labels_what_the_backend_gives(bench: Workbench) -> None:
    tokens, _ = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=4), trace_top=5)
    step = tokens[0].trace
    assert len(step.candidates) == 5 and step.rank == 1 and step.stages[0].kept == 1
    assert "raw probabilities" in step.source and 0 < step.p <= 1
    sampled, _ = answer(bench, "default@one", STOCHASTIC.replace(max_tokens=4, seed=1),
                        trace_top=5)
    assert "after its whole chain" in sampled[0].trace.source
    assert all(0 < c.p <= 1 for t in sampled for c in t.trace.candidates)


def test_stop_all_closes_the_stream_at_once(bench: Workbench) -> None:
    control = RunControl()
    seen = []
    started = time.monotonic()
    for event in bench.generate(Ask([Message("user", COUNT)],
                                    DETERMINISTIC.replace(max_tokens=600), "default@one"),
                                control):
        if isinstance(event, TokenEvent):
            seen.append(event)
            if len(seen) == 5:
                control.stop_run()
                stopped = time.monotonic()
    assert isinstance(event, GenerationResult) and event.finish_reason == "cancelled"
    assert event.tokens == 5 and time.monotonic() - stopped < 2
    assert time.monotonic() - started < 60


def test_a_feedback_chain_mixes_the_embedded_model_and_the_server(bench: Workbench) -> None:
    config = ChainConfig(prompts="Write one word.\nWrite another word.", feedback=True,
                         models=("default", "default@two"),
                         settings=DETERMINISTIC.replace(max_tokens=6))
    run = bench.start_run(config)
    list(run)
    record = bench.store.get_run(run.id)
    assert [c.status for c in record.cycles] == ["done"] * 4
    assert [c.answered_by for c in record.cycles] == [None, None, "default@two", "default@two"]
    remote = record.cycles[2]
    assert remote.messages[-2] == {"role": "assistant", "content": record.cycles[1].response}
    assert remote.timings and remote.timings["predicted_n"] >= 1


def test_settings_a_backend_cannot_honour_are_told_and_stored(bench: Workbench) -> None:
    config = ChainConfig(prompts="Hi.", models=("default@one",),
                         settings=STOCHASTIC.replace(tfs_z=0.5, max_tokens=2))
    run = bench.start_run(config)
    events = list(run)
    notes = bench.store.get_run(run.id).notes
    assert any("tfs_z = 0.5 is not supported by llama-server" in n for n in notes)
    assert any("look at the prompt" in n for n in notes)
    assert set(events[0].skipped) == set(notes)


def test_fan_out_spreads_cycles_over_two_servers_in_plan_order(bench: Workbench) -> None:
    prompts = "\n".join(f"Write the number {n} in words." for n in range(1, 7))
    config = ChainConfig(prompts=prompts, models=("default@*",), concurrency=2,
                         settings=DETERMINISTIC.replace(max_tokens=8))
    run = bench.start_run(config)
    events = list(run)
    record = bench.store.get_run(run.id)
    assert [c.number for c in record.cycles] == [1, 2, 3, 4, 5, 6]
    assert [c.item for c in record.cycles] == [1, 2, 3, 4, 5, 6]
    assert {c.answered_by for c in record.cycles} == {"default@one", "default@two"}
    assert all(c.status == "done" and c.response for c in record.cycles)
    starts = [e.cycle.number for e in events if type(e).__name__ == "CycleStarted"]
    assert starts == [1, 2, 3, 4, 5, 6]  # told in plan order whatever finished first
    # each server's slots read from its /props (-np 2), the cycles and their count kept
    status = {s.name: s for s in bench.remotes.placement.status()}
    assert [(status[n].slots, status[n].busy, status[n].state) for n in ("one", "two")] == \
        [(2, 0, "up"), (2, 0, "up")]
    assert status["one"].cycles + status["two"].cycles == 6
    # (The answers are not compared with one server's: llama-server reuses the cache of what
    # a slot served before, and the batches that makes change a greedy answer on a near tie.)


def test_a_killed_server_fails_its_cycle_and_retry_moves_it(bench: Workbench,
                                                           default_model_path: Path,
                                                           tmp_path: Path) -> None:
    doomed = LlamaServer(default_model_path, log=tmp_path / "doomed.log")
    try:
        bench.remotes.save(BackendSpec("doomed", doomed.url, "llama-server"))
        config = ChainConfig(prompts=COUNT + "\nSay hi.", models=("default@doomed",),
                             settings=DETERMINISTIC.replace(max_tokens=400))
        run = bench.start_run(config)
        for event in run:
            if isinstance(event, TokenEvent) and event.index == 3:
                doomed.kill()
        record = bench.store.get_run(run.id)
        first, second = record.cycles
        assert first.status == "failed" and "doomed" in first.error and first.response
        assert second.status == "failed" and "cannot be reached" in second.error
        assert record.status == "finished"  # the run went on
    finally:
        doomed.stop()

    again = LlamaServer(default_model_path, log=tmp_path / "again.log")
    try:
        bench.remotes.save(BackendSpec("doomed", again.url, "llama-server"))
        config = ChainConfig(prompts=COUNT, models=("default@*",), retry_on_other=True,
                             settings=DETERMINISTIC.replace(max_tokens=60))
        for _ in range(5):  # so the doomed one answers first
            bench.remotes.placement.take([("one", "default")])
            bench.remotes.placement.take([("two", "default")])
        restarted = []
        run = bench.start_run(config)
        for event in run:
            if isinstance(event, TokenEvent) and event.index == 3 and not restarted:
                again.kill()
            if isinstance(event, AnswerRestarted):
                restarted.append(event)
        (cycle,) = bench.store.get_run(run.id).cycles
        assert len(restarted) == 1 and cycle.status == "done"
        assert cycle.answered_by in ("default@one", "default@two") and cycle.tokens == 60
    finally:
        again.stop()


def test_errors_that_teach(bench: Workbench, samantha_home_cli) -> None:
    from samantha.core.errors import InputError

    with pytest.raises(InputError, match="does not serve 'gemma'; it serves default"):
        bench.start_run(ChainConfig(prompts="Hi.", models=("gemma@one",)))
    with pytest.raises(InputError, match="No backend named 'nowhere'"):
        bench.start_run(ChainConfig(prompts="Hi.", models=("default@nowhere",)))
    bench.remotes.save(BackendSpec("closed", "http://127.0.0.1:9", "llama-server"))
    with pytest.raises(BackendError, match="cannot be reached") as unreachable:
        bench.start_run(ChainConfig(prompts="Hi.", models=("default@closed",)))
    assert not isinstance(unreachable.value, InputError)  # a failure on the way, not the input
    out = samantha_home_cli(bench.home, "run", "--prompts", "Hi.", "-m", "default@closed")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "samantha backends check closed" in out.stderr


def test_the_cli_adds_checks_and_runs_on_a_backend(bench: Workbench, servers,
                                                  samantha_home_cli) -> None:
    home = bench.home
    added = samantha_home_cli(home, "backends", "add", "lab", servers[0].url)
    assert added.returncode == 0 and "Added backend lab (llama-server)" in added.stdout
    checked = json.loads(samantha_home_cli(home, "backends", "check", "lab", "--json").stdout)
    assert checked["kind"] == "llama-server" and checked["models"] == ["default"]
    ran = samantha_home_cli(home, "run", "--prompts", "Say hi.", "-m", "@lab", "--max-tokens",
                            "4", "--json")
    last = json.loads(ran.stdout.splitlines()[-1])
    assert ran.returncode == 0 and last["status"] == "finished"
    finished = [json.loads(line) for line in ran.stdout.splitlines()
                if '"cycle_finished"' in line]
    assert finished[0]["answered_by"] == "default@lab"
    removed = samantha_home_cli(home, "backends", "remove", "lab")
    assert removed.returncode == 0
    assert "lab" not in samantha_home_cli(home, "backends", "list").stdout


@pytest.fixture
def samantha_home_cli():
    import subprocess
    import sys

    def call(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "samantha", *args], text=True,
                              capture_output=True, timeout=300,
                              env={**os.environ, "SAMANTHA_HOME": str(home)})
    return call


def test_two_runs_at_once_share_the_servers(bench: Workbench) -> None:
    results: dict[int, list[str]] = {}

    def one_run(i: int) -> None:
        config = ChainConfig(prompts=f"Write the number {i}.", models=("default@*",),
                             settings=DETERMINISTIC.replace(max_tokens=6))
        run = bench.start_run(config)
        list(run)
        results[i] = [c.status for c in bench.store.get_run(run.id).cycles]

    threads = [threading.Thread(target=one_run, args=(i,)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == {1: ["done"], 2: ["done"]}


def test_a_chain_file_brings_its_own_backends(bench: Workbench, servers, tmp_path: Path,
                                              samantha_home_cli) -> None:
    chain = tmp_path / "chain.toml"
    chain.write_text(f'prompts = "Say hi."\nmodels = ["default@side"]\n'
                     f'[settings]\nmax_tokens = 4\n[backends]\nside = "{servers[1].url}"\n',
                     encoding="utf-8")
    ran = samantha_home_cli(bench.home, "run", str(chain), "--json")
    assert ran.returncode == 0, ran.stderr
    finished = [json.loads(line) for line in ran.stdout.splitlines()
                if '"cycle_finished"' in line]
    assert finished[0]["answered_by"] == "default@side"
    assert "side" not in (bench.home / "backends.json").read_text()  # not added for good
    stored = bench.store.get_run(bench.store.latest_run_id()).config["backends"]
    assert stored == {"side": {"url": servers[1].url, "kind": "auto"}}  # a rerun finds it


def test_a_prompt_too_long_for_the_servers_context_is_refused(bench: Workbench) -> None:
    from samantha.core.errors import PromptTooLongError

    with pytest.raises(PromptTooLongError, match="context window holds 1024"):
        answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=4), "word " * 1500)


def test_a_server_that_wants_a_key(bench: Workbench, default_model_path: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    locked = LlamaServer(default_model_path, log=tmp_path / "locked.log",
                         extra=["--api-key", "sesame"])
    try:
        bench.remotes.save(BackendSpec("locked", locked.url, "llama-server"))
        with pytest.raises(InputError, match="add the backend again with --api-key-env"):
            answer(bench, "default@locked", DETERMINISTIC.replace(max_tokens=2))
        bench.remotes.save(BackendSpec("locked", locked.url, "llama-server", "LOCKED_KEY"))
        with pytest.raises(InputError, match="LOCKED_KEY, which is not set"):
            answer(bench, "default@locked", DETERMINISTIC.replace(max_tokens=2))
        monkeypatch.setenv("LOCKED_KEY", "sesame")
        bench.remotes.forget("locked")
        _, result = answer(bench, "default@locked", DETERMINISTIC.replace(max_tokens=2))
        assert result.tokens == 2
        assert "sesame" not in (bench.home / "backends.json").read_text()
    finally:
        locked.stop()


def test_a_model_with_a_chat_template_gets_the_servers_rendering(bench: Workbench,
                                                                tiny_model: Path,
                                                                tmp_path: Path) -> None:
    """/apply-template renders as the local engine does; a model without a template (the
    default, above) gets the plain format instead of llama-server's ChatML stand-in."""
    from samantha.engines.llama_server import LlamaServer as Adapter

    server = LlamaServer(tiny_model, alias="tiny", n_ctx=256, log=tmp_path / "tiny.log")
    try:
        adapter = Adapter(BackendSpec("tiny", server.url, "llama-server"))
        messages = [Message("system", "Be brief."), Message("user", "hello world")]
        assert adapter.has_template()
        rendered, stops = adapter.render(messages)
        local = bench.session(str(tiny_model), 256).render_chat(messages)
        assert rendered == local.text and stops == ()
        assert rendered.startswith("<|im_start|>system\nBe brief.<|im_end|>")
        adapter.close()
        plain = Adapter(BackendSpec("one", bench.remotes.specs()["one"].url, "llama-server"))
        assert not plain.has_template()
        assert plain.render(messages)[0] == "Be brief.\n\nUser: hello world\nAssistant:"
        plain.close()
    finally:
        server.stop()


def test_the_newer_stages_reach_the_server(bench: Workbench) -> None:
    prompt = "Write a sentence about the sea."
    plain = answer(bench, "default@one", DETERMINISTIC.replace(max_tokens=12), prompt)[1].text
    assert " sea" in plain
    banned = answer(bench, "default@one", DETERMINISTIC.replace(
        max_tokens=12, logit_bias="' sea'=-inf"), prompt)[1].text
    assert " sea" not in banned
    loop = "Say: yes yes yes yes yes yes"
    greedy = DETERMINISTIC.replace(max_tokens=40)
    looping = list(bench.generate(Ask([Message("user", loop)], greedy, "default@one",
                                      loop_guard=False)))[-1].text
    dry = list(bench.generate(Ask([Message("user", loop)], greedy.replace(dry_multiplier=2.0),
                                  "default@one", loop_guard=False)))[-1].text
    assert looping.lower().count("yes") > dry.lower().count("yes")
    tokens, _ = answer(bench, "default@one", STOCHASTIC.replace(
        max_tokens=4, seed=1, samplers="top-k,temperature", top_k=3), COUNT, trace_top=20)
    assert max(t.trace.stages[0].kept for t in tokens) <= 3
    assert bench.remotes.adapter("one").not_honoured(
        STOCHASTIC.replace(dry_multiplier=0.8, tfs_z=0.5))[0].startswith("tfs_z")


def test_a_judge_on_the_servers_scores_in_form_several_at_once(bench: Workbench) -> None:
    """Judging fans out like any cycle: ``default@*`` on both servers, two judgements in
    progress at once, each held to the rubric's schema by the server's own grammar."""
    from samantha.core.rubric import seed_rubric
    from samantha.workbench.judging import JudgeRequest, judge_run

    run = bench.start_run(ChainConfig(prompts="Name a fruit.\nName a colour.",
                                      models=("default",),
                                      settings=DETERMINISTIC.replace(max_tokens=12)))
    for _ in run:
        pass
    rubric = seed_rubric()
    judged = list(judge_run(bench, JudgeRequest(run.id, ("default@*",), rubric,
                                                concurrency=2)))
    assert [j.done for j in judged] == [1, 2]
    stored = bench.store.judgements(run.id)
    assert [j.judge for j in stored] == ["default@*"] * 2
    assert all(j.problem is None and list(j.scores) == [c.key for c in rubric.criteria]
               for j in stored), [(j.problem, j.answer) for j in stored]


def test_a_batch_file_is_answered_by_the_servers_and_read_back(bench: Workbench,
                                                               tmp_path: Path) -> None:
    """A run written as a batch file, answered by both llama-servers (`samantha batch run`),
    then recorded as that run's cycles."""
    from samantha.core.batchfile import read_answers, read_requests
    from samantha.workbench.batches import export_batch, import_batch, run_batch

    config = ChainConfig(prompts="Say one colour.\nSay one fruit.", models=("default@*",),
                         responses=2, settings=DETERMINISTIC.replace(max_tokens=6))
    source = tmp_path / "batch.jsonl"
    exported = export_batch(bench, config, source)
    requests = read_requests(source.read_text().splitlines())
    assert [r.model for r in requests] == ["default"] * 4
    lines = list(run_batch(bench, requests, "default@*", concurrency=2))
    done = import_batch(bench, read_answers(lines))
    assert (done.done, done.failed, done.status) == (4, 0, "finished")
    record = bench.store.get_run(exported.run_id)
    assert all(c.status == "done" and c.response and 0 < c.tokens <= 6 for c in record.cycles)
    assert {c.answered_by for c in record.cycles} <= {"default@one", "default@two"}
