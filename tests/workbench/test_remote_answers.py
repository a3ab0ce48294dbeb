"""One answer from a remote backend (workbench/remote_answers.py): the least busy backend
serving the model answers; with ``retry`` (``--retry-on-other``) a backend that refuses or
whose stream breaks hands the answer to another one, and the answer says so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.core.answer_events import AnswerRestarted, GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendInputError, BackendSpec, RemoteRef
from samantha.core.chain import ChainConfig
from samantha.core.chat import Message
from samantha.core.generation import Ask
from samantha.core.remote import RemoteEnd, RemoteToken
from samantha.core.settings import Settings
from samantha.workbench import backends
from samantha.workbench.backends import Remotes, write_backends
from samantha.workbench.facade import Workbench
from samantha.workbench.remote_answers import remote_answer

MESSAGES = (Message("user", "Name a colour."),)
WORDS = ("Blue", ",", " like", " the", " sea", ".")


def exactly(text: str) -> str:
    return f"^{re.escape(text)}$"


def refused(name: str) -> str:
    return f"Backend {name} is not ready (503: Loading model); try again in a moment."


def broke(name: str) -> str:
    return f"The stream from backend {name} broke off: ReadError: reset."


def missing(name: str) -> str:
    return f"Backend {name} does not serve the model 'gemma'."


def every(*reasons: tuple[str, str]) -> str:
    """The error of an answer that every backend failed: each backend and why, in turn."""
    names = ", ".join(name for name, _ in reasons)
    return (f"Every backend serving gemma failed ({names}). "
            + " ".join(f"{name}: {why}" for name, why in reasons))


class Scripted:
    """A backend adapter that answers ``WORDS``, refuses before its first token ("refuse"; as
    an input error: "missing"), or sends two words and then breaks ("break")."""

    kind = "openai"

    def __init__(self, spec: BackendSpec, behaviour: str) -> None:
        self.name, self.behaviour = spec.name, behaviour
        self.streams = 0
        self.closed = False

    def models(self, cancel: Any = None) -> list[str]:
        return ["gemma"]

    def not_honoured(self, settings: Settings) -> list[str]:
        return []

    def capacity(self) -> int | None:
        return None

    def stream(self, model: str, messages: Any, settings: Settings, cancel: Any,
               trace_top: int = 0) -> tuple[tuple[str, ...], Iterator[Any]]:
        self.streams += 1
        if self.behaviour == "refuse":
            raise BackendError(refused(self.name))
        if self.behaviour == "missing":
            raise BackendInputError(missing(self.name))

        def tokens() -> Iterator[RemoteToken | RemoteEnd]:
            for word in WORDS[:2] if self.behaviour == "break" else WORDS:
                yield RemoteToken(word)
            if self.behaviour == "break":
                raise BackendError(broke(self.name))
            yield RemoteEnd("stop", 5, {"predicted_n": len(WORDS)})

        return (), tokens()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def backends_of(home: Path, monkeypatch: pytest.MonkeyPatch):
    """Backends a, b, c... in the data home, each behaving as told; returns their adapters."""
    adapters: dict[str, Scripted] = {}

    def make(**behaviours: str) -> dict[str, Scripted]:
        write_backends(home, {name: BackendSpec(name, f"http://{name}:1", "openai")
                              for name in behaviours})
        monkeypatch.setattr(backends, "open_adapter", lambda spec: adapters.setdefault(
            spec.name, Scripted(spec, behaviours[spec.name])))
        return adapters

    return make


def answer(remotes: Remotes, retry: bool, model: str = "gemma@*") -> list[Any]:
    ref = RemoteRef(*model.split("@"))
    return list(remote_answer(remotes, ref, Ask(MESSAGES, Settings(max_tokens=20)), None,
                              retry=retry))


def shape(events: list[Any]) -> list[Any]:
    """The events in short: token texts, ("restarted", reason, backend), the result's text,
    who answered and its error."""
    out: list[Any] = []
    for event in events:
        if isinstance(event, TokenEvent):
            out.append(event.text)
        elif isinstance(event, AnswerRestarted):
            out.append(("restarted", event.reason, event.backend))
        else:
            assert isinstance(event, GenerationResult)
            out.append((event.text, event.answered_by, event.error))
    return out


def test_the_answer_says_which_backend_answered(backends_of, home: Path) -> None:
    backends_of(a="answer")
    events = answer(Remotes(home), retry=False, model="gemma@a")
    assert shape(events) == [*WORDS, ("Blue, like the sea.", "gemma@a", None)]
    result = events[-1]
    assert (result.finish_reason, result.prompt_tokens, result.timings) == (
        "stop", 5, {"predicted_n": 6})


def test_without_retry_a_refusal_is_the_answers_error(backends_of, home: Path) -> None:
    adapters = backends_of(a="refuse", b="answer")
    with pytest.raises(BackendError, match=exactly(refused("a"))):
        answer(Remotes(home), retry=False)
    assert (adapters["a"].streams, adapters["b"].streams) == (1, 0)  # b serves it, unasked


def test_without_retry_a_broken_stream_keeps_what_came(backends_of, home: Path) -> None:
    backends_of(a="break", b="answer")
    assert shape(answer(Remotes(home), retry=False)) == [
        "Blue", ",", ("Blue,", "gemma@a", broke("a"))]


def test_a_refusal_moves_the_answer_to_another_backend(backends_of, home: Path) -> None:
    adapters = backends_of(a="refuse", b="answer")
    assert shape(answer(Remotes(home), retry=True)) == [
        ("restarted", refused("a"), "b"), *WORDS, ("Blue, like the sea.", "gemma@b", None)]
    assert (adapters["a"].streams, adapters["b"].streams) == (1, 1)


def test_a_broken_stream_starts_the_answer_again_elsewhere(backends_of, home: Path) -> None:
    backends_of(a="break", b="answer")
    assert shape(answer(Remotes(home), retry=True)) == [
        "Blue", ",", ("restarted", broke("a"), "b"), *WORDS,
        ("Blue, like the sea.", "gemma@b", None)]


def test_each_failing_backend_is_tried_once_in_turn(backends_of, home: Path) -> None:
    adapters = backends_of(a="refuse", b="break", c="answer")
    assert shape(answer(Remotes(home), retry=True)) == [
        ("restarted", refused("a"), "b"), "Blue", ",", ("restarted", broke("b"), "c"), *WORDS,
        ("Blue, like the sea.", "gemma@c", None)]
    assert [adapters[n].streams for n in "abc"] == [1, 1, 1]


def test_when_every_backend_refuses_the_error_names_each_and_why(backends_of,
                                                                  home: Path) -> None:
    """It used to be b's refusal alone: the message naming them all was never reached."""
    backends_of(a="refuse", b="refuse")
    events: list[Any] = []
    with pytest.raises(BackendError) as raised:
        for event in remote_answer(Remotes(home), RemoteRef("gemma", "*"),
                                   Ask(MESSAGES, Settings()), None, retry=True):
            events.append(event)
    assert shape(events) == [("restarted", refused("a"), "b")]  # a's reason was told
    assert str(raised.value) == every(("a", refused("a")), ("b", refused("b")))
    assert type(raised.value) is BackendError and "\n" not in str(raised.value)


def test_every_backend_tried_is_named_in_turn_however_it_failed(backends_of,
                                                                home: Path) -> None:
    backends_of(a="refuse", b="break", c="missing")
    with pytest.raises(BackendError) as raised:
        answer(Remotes(home), retry=True)
    assert str(raised.value) == every(("a", refused("a")), ("b", broke("b")),
                                      ("c", missing("c")))
    assert not isinstance(raised.value, BackendInputError)  # a failure on the way: exit 1


def test_when_each_backend_refuses_the_request_itself_it_is_an_input_error(backends_of,
                                                                           home: Path) -> None:
    backends_of(a="missing", b="missing")
    with pytest.raises(BackendInputError, match=exactly(every(("a", missing("a")),
                                                               ("b", missing("b"))))):
        answer(Remotes(home), retry=True)


def test_when_every_stream_breaks_the_answer_ends_naming_each(backends_of,
                                                               home: Path) -> None:
    backends_of(a="break", b="break")
    assert shape(answer(Remotes(home), retry=True)) == [
        "Blue", ",", ("restarted", broke("a"), "b"), "Blue", ",",
        ("Blue,", "gemma@b", every(("a", broke("a")), ("b", broke("b"))))]


def test_a_single_backend_has_nowhere_to_go(backends_of, home: Path) -> None:
    backends_of(a="refuse")
    with pytest.raises(BackendError, match=exactly(refused("a"))):
        answer(Remotes(home), retry=True, model="gemma@a")


def busy(remotes: Remotes) -> dict[str, int]:
    return {s.name: s.busy for s in remotes.placement.status()}


def test_the_backend_with_most_room_answers_and_its_count_goes_back(backends_of,
                                                                    home: Path) -> None:
    backends_of(a="answer", b="answer")
    remotes = Remotes(home)
    assert remotes.placement.take([("a", "gemma")]) == ("a", "gemma")  # a cycle on a
    assert answer(remotes, retry=False)[-1].answered_by == "gemma@b"
    events = remote_answer(remotes, RemoteRef("gemma", "*"), Ask(MESSAGES, Settings()), None)
    next(events)
    assert busy(remotes) == {"a": 1, "b": 1}  # counted while it answers
    events.close()  # let go half-way (Stop, a closed tab)
    assert busy(remotes) == {"a": 1, "b": 0}
    assert [s.state for s in remotes.placement.status()] == ["busy", "up"]  # 1 slot each


def test_a_failed_backend_is_not_left_counted_busy_and_is_benched(backends_of,
                                                                  home: Path) -> None:
    backends_of(a="refuse", b="break")
    remotes = Remotes(home)
    with pytest.raises(BackendError):
        answer(remotes, retry=False, model="gemma@a")
    assert [s.state for s in remotes.placement.status()] == ["benched"]
    # a is benched: b is asked first, then a all the same (nothing else is left)
    with pytest.raises(BackendError, match=exactly(every(("b", broke("b")),
                                                         ("a", refused("a"))))):
        answer(remotes, retry=True)
    assert busy(remotes) == {"a": 0, "b": 0}
    assert [(s.name, s.state, s.failed) for s in remotes.placement.status()] == [
        ("a", "benched", 2), ("b", "benched", 1)]


def test_an_input_error_does_not_bench_the_backend(backends_of, home: Path) -> None:
    backends_of(a="missing")
    remotes = Remotes(home)
    with pytest.raises(BackendError):
        answer(remotes, retry=False, model="gemma@a")
    assert [(s.state, s.failed, s.busy) for s in remotes.placement.status()] == [("up", 0, 0)]


def test_a_chain_cycle_no_backend_could_answer_is_stored_naming_each(
        backends_of, fake_workbench: Workbench) -> None:
    backends_of(a="refuse", b="refuse")
    run = fake_workbench.start_run(ChainConfig("Name a colour.", models=("gemma@*",),
                                               retry_on_other=True))
    list(run)
    (cycle,) = fake_workbench.store.get_run(run.id).cycles
    assert (cycle.status, cycle.error) == ("failed", every(("a", refused("a")),
                                                           ("b", refused("b"))))


def test_a_chain_cycle_moved_to_another_backend_keeps_only_its_answer(
        backends_of, fake_workbench: Workbench) -> None:
    backends_of(a="break", b="answer")
    run = fake_workbench.start_run(ChainConfig("Name a colour.", models=("gemma@*",),
                                               retry_on_other=True))
    events = list(run)
    assert [e.backend for e in events if isinstance(e, AnswerRestarted)] == ["b"]
    (cycle,) = fake_workbench.store.get_run(run.id).cycles
    assert (cycle.status, cycle.response, cycle.answered_by, cycle.tokens) == (
        "done", "Blue, like the sea.", "gemma@b", len(WORDS))


def test_the_command_line_says_where_the_answer_starts_again(backends_of,
                                                             fake_workbench: Workbench) -> None:
    backends_of(a="refuse", b="answer")
    result = CliRunner().invoke(cli, ["run", "--prompts", "Name a colour.", "-m", "gemma@*",
                                      "--retry-on-other"], obj=fake_workbench)
    assert result.exit_code == 0, result.output
    assert f"[{refused('a')} Starting the answer again on b.]" in result.stderr
    assert "Blue, like the sea." in result.stdout and "answered by gemma@b" in result.stdout
