"""Writing a run into the history as its events go by (workbench/recorder.py), event by event
on a real SQLite file: the text of the cycle in progress saved as it grows, an answer started
again on another backend, a URL model downloaded during its cycle, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from samantha.core.answer_events import AnswerRestarted, GenerationResult, TokenEvent
from samantha.core.chain import ChainConfig
from samantha.core.chat import Message
from samantha.core.plan import Cycle
from samantha.core.promptscript import PromptItem
from samantha.core.remote import RemoteStep, RemoteToken, remote_step
from samantha.core.run_events import CycleFailed, CycleFinished, CycleStarted, RunEvent, RunFinished
from samantha.core.settings import Settings
from samantha.store import CycleRecord, RunStore
from samantha.workbench.facade import Workbench
from samantha.workbench.liveness import this_process
from samantha.workbench.recorder import RunRecorder

SETTINGS = Settings(max_tokens=8)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    with RunStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def recorder(store: RunStore, flush_seconds: float = 3600.0,
             files: dict[str, tuple[Path | None, str | None]] | None = None) -> RunRecorder:
    run_id = store.start_run({"prompts": "hi"}, this_process())
    known = files if files is not None else {}
    return RunRecorder(store, run_id, lambda model: known.get(model, (None, None)),
                       flush_seconds)


def cycle(number: int = 1, model: str = "m.gguf") -> Cycle:
    return Cycle(number, model, 1, 1, number, PromptItem("hi"))


def started(number: int = 1, model: str = "m.gguf") -> CycleStarted:
    return CycleStarted(cycle(number, model), "hi", (Message("user", "hi"),), SETTINGS)


def tokens(text: str, top: int = 0) -> list[TokenEvent]:
    """A token per character; with ``top``, each with a learning-mode trace of ``top``
    candidates."""
    out = []
    for index, char in enumerate(text):
        step = RemoteStep(0.5, tuple((None, c, 0.5 / (i + 1)) for i, c in enumerate(
            char * top))) if top else None
        trace = remote_step(index, RemoteToken(char, None, step), 0.01) if step else None
        out.append(TokenEvent(index, ord(char), char, trace))
    return out


def result(text: str, error: str | None = None, **more) -> GenerationResult:
    return GenerationResult(text, len(text), 4, 0.5, "error" if error else "stop", SETTINGS,
                            error, **more)


def stored(rec: RunRecorder, number: int = 1) -> CycleRecord:
    return next(c for c in rec.store.get_run(rec.run_id).cycles if c.number == number)


def play(rec: RunRecorder, *events: RunEvent) -> None:
    for event in events:
        rec.record(event)


def test_the_text_so_far_is_saved_at_most_every_flush_seconds(store: RunStore) -> None:
    often = recorder(store, flush_seconds=0.0)
    play(often, started(), *tokens("abc"))
    assert (stored(often).status, stored(often).response, stored(often).tokens) == (
        "running", "abc", 3)
    seldom = recorder(store, flush_seconds=3600.0)
    play(seldom, started(), *tokens("abc"))
    assert (stored(seldom).response, stored(seldom).tokens) == ("", 0)  # not yet
    seldom.interrupted("let go before its end")  # what it had is kept
    assert (stored(seldom).status, stored(seldom).response, stored(seldom).tokens) == (
        "interrupted", "abc", 3)
    run = store.get_run(seldom.run_id)
    assert (run.status, run.stop_reason) == ("interrupted", "let go before its end")


def test_an_answer_started_again_elsewhere_keeps_only_its_second_try(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(model="gemma@*"), *tokens("Bro", top=2),
         AnswerRestarted("The stream from backend a broke off.", "b"), *tokens("Blue", top=3),
         CycleFinished(cycle(model="gemma@*"), result("Blue", answered_by="gemma@b",
                                                      timings={"predicted_n": 4})))
    done = stored(rec)
    assert (done.status, done.response, done.answered_by, done.timings) == (
        "done", "Blue", "gemma@b", {"predicted_n": 4})
    trace = store.get_trace(done.id)
    assert [s["piece"] for s in trace] == ["B", "l", "u", "e"]  # not the first try's steps


def test_an_answer_let_go_after_a_restart_keeps_the_second_try_only(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(model="gemma@*"), *tokens("Bro"), AnswerRestarted("refused", "b"),
         *tokens("Bl"))
    rec.interrupted("let go before its end")
    assert (stored(rec).response, stored(rec).tokens) == ("Bl", 2)


def test_a_url_model_downloaded_during_its_cycle_gets_its_file(store: RunStore,
                                                               tmp_path: Path) -> None:
    url = "https://huggingface.co/org/repo/resolve/main/m.gguf"
    files: dict[str, tuple[Path | None, str | None]] = {}
    rec = recorder(store, files=files)
    play(rec, started(model=url), *tokens("ok"))
    assert (stored(rec).model_path, stored(rec).model_sha256) == (None, None)
    files[url] = (tmp_path / "m.gguf", "ab" * 32)  # the download finished meanwhile
    play(rec, CycleFinished(cycle(model=url), result("ok")))
    assert (stored(rec).model_path, stored(rec).model_sha256) == (str(tmp_path / "m.gguf"),
                                                                  "ab" * 32)


def test_a_local_model_is_stored_with_its_file_when_the_cycle_starts(store: RunStore,
                                                                     tmp_path: Path) -> None:
    rec = recorder(store, files={"m.gguf": (tmp_path / "m.gguf", "cd" * 32)})
    play(rec, started())
    assert (stored(rec).model_path, stored(rec).model_sha256) == (str(tmp_path / "m.gguf"),
                                                                  "cd" * 32)


def test_a_cycle_that_never_generated_fails_without_prompt_tokens(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(), CycleFailed(cycle(), "The model did not load.", skipped_cycles=3))
    failed = stored(rec)
    assert (failed.status, failed.error, failed.prompt_tokens, failed.response,
            failed.finish_reason, failed.skipped_cycles) == (
        "failed", "The model did not load.", 0, "", "error", 3)


def test_a_broken_generation_keeps_its_text_and_error(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(), *tokens("abc"), CycleFinished(cycle(), result("abc", "It broke.")),
         CycleFailed(cycle(), "It broke.", skipped_cycles=1))
    failed = stored(rec)
    assert (failed.status, failed.response, failed.error, failed.prompt_tokens,
            failed.skipped_cycles) == ("failed", "abc", "It broke.", 4, 1)


def test_the_run_ends_with_its_status_and_reason(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(), CycleFinished(cycle(), result("ok")),
         RunFinished("stopped", "stopped by the user", 1))
    run = store.get_run(rec.run_id)
    assert (run.status, run.stop_reason, [c.status for c in run.cycles]) == (
        "stopped", "stopped by the user", ["done"])


def test_a_run_that_broke_is_failed_with_the_errors_name(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(), *tokens("a"))
    error = RuntimeError("the engine crashed")
    assert rec.failed(error) is error  # raised as it was
    run = store.get_run(rec.run_id)
    assert (run.status, run.stop_reason) == ("failed", "RuntimeError: the engine crashed")


def test_a_run_that_broke_fails_its_cycle_in_progress_keeping_its_text(store: RunStore) -> None:
    """It used to stay "running" for ever, its text lost (not yet flushed)."""
    rec = recorder(store)  # flushes once an hour: nothing of cycle 2 is stored yet
    play(rec, started(1), *tokens("ok"), CycleFinished(cycle(1), result("ok")),
         started(2), *tokens("hal"))
    rec.failed(RuntimeError("boom"))
    done, broken = store.get_run(rec.run_id).cycles
    assert (done.status, done.response, done.error) == ("done", "ok", None)
    assert (broken.status, broken.response, broken.tokens, broken.finish_reason,
            broken.error) == ("failed", "hal", 3, "error", "RuntimeError: boom")
    assert broken.finished_at is not None and broken.seconds >= 0


def test_a_run_that_broke_between_cycles_leaves_them_as_they_were(store: RunStore) -> None:
    rec = recorder(store)
    play(rec, started(), *tokens("ok"), CycleFinished(cycle(), result("ok")))
    rec.failed(RuntimeError("boom"), "it broke")
    run = store.get_run(rec.run_id)
    assert (run.status, run.stop_reason) == ("failed", "it broke")
    assert [(c.status, c.response, c.error) for c in run.cycles] == [("done", "ok", None)]


def test_a_chain_run_broken_by_an_error_fails_its_cycle_too(fake_workbench: Workbench) -> None:
    run = fake_workbench.start_run(ChainConfig("one\ntwo", models=("fake.gguf",)))
    events = iter(run)
    first = next(e for e in events if isinstance(e, TokenEvent))
    with pytest.raises(RuntimeError, match="^boom$"):
        events.throw(RuntimeError("boom"))
    record = fake_workbench.store.get_run(run.id)
    assert (record.status, record.stop_reason) == ("failed", "RuntimeError: boom")
    assert [(c.status, c.response, c.error) for c in record.cycles] == [
        ("failed", first.text, "RuntimeError: boom")]


def test_a_verdict_read_becomes_the_judges_votes(tmp_path) -> None:
    """The winner over each other contestant, in the order they were shown; a tie ties every
    two; an unread verdict, or contestants recorded before a resume, give no vote."""
    from samantha.core.plan import Cycle
    from samantha.core.promptscript import PromptItem
    from samantha.core.run_events import VerdictGiven
    from samantha.core.verdict import Verdict
    from samantha.store import RunStore
    from samantha.workbench.recorder import RunRecorder

    with RunStore(tmp_path / "h.sqlite") as store:
        run_id = store.start_run({"prompts": "x"})
        recorder = RunRecorder(store, run_id, lambda model: (None, None))
        ids = {n: store.start_cycle(run_id, number=n, model="m", model_path=None,
                                    model_sha256=None, round=1, item=n, prompt="p",
                                    messages=[], settings={}, random_overrides=None)
               for n in (1, 2, 3, 4)}
        recorder.cycle_ids.update(ids)
        names = ("AI 1", "AI 2", "AI 3")
        judge = Cycle(4, "judge", 1, 1, 4, PromptItem("j", verdict=names))

        def verdict(winner: str | None) -> VerdictGiven:
            read = Verdict(names, winner, tuple((n, 5) for n in names), "why") if winner \
                else Verdict(names, problem="cut off")
            return VerdictGiven(judge, read, (1, 2, 3))

        recorder.record(verdict("AI 2"))
        assert [(v.first_cycle, v.second_cycle, v.winner, v.voter) for v in store.votes()] == [
            (ids[1], ids[2], "second", "judge"), (ids[2], ids[3], "first", "judge")]
        recorder.record(verdict("tie"))
        assert [v.winner for v in store.votes()][2:] == ["tie"] * 3
        recorder.record(verdict(None))
        recorder.record(VerdictGiven(judge, Verdict(names, "AI 1", (), "x"), (3,)))
        assert len(store.votes()) == 5
