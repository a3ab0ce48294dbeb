"""The Ollama adapter against recorded ``/api/*`` answers (see ``recorded/README.md``), served
by ``httpx.MockTransport``."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendSpec
from samantha.core.chat import Message
from samantha.core.remote import generate_remote
from samantha.core.remote_limits import StreamLimits
from samantha.core.settings import STOCHASTIC, Settings
from samantha.engines.ollama import Ollama
from samantha.engines.remote_http import Http

RECORDED = Path(__file__).parent / "recorded"
MESSAGES = [Message("user", "What is the capital of France?")]
SAMPLING = STOCHASTIC.replace(typical_p=0.95, max_tokens=64, seed=11, stop=("###",),
                              n_ctx=2048, penalty_last_n=32)


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


class Server:
    """An Ollama that answers from recordings, keeping every request it was sent."""

    def __init__(self, chat: tuple[int, Any] = (200, "ollama_chat_logprobs.ndjson"),
                 **routes: tuple[int, Any]) -> None:
        self.routes = {"GET /api/tags": (200, "ollama_tags.json"),
                       "GET /api/version": (200, "ollama_version.json"),
                       "POST /api/chat": chat, **routes}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(f"{request.method} {request.url.path}")
        if answer is None:
            return httpx.Response(404, text="404 page not found")
        status, body = answer
        if isinstance(body, httpx.SyncByteStream):
            return httpx.Response(status, stream=body)
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        if isinstance(body, str):
            return httpx.Response(status, content=recorded(body))
        return httpx.Response(status, json=body)

    def body(self) -> dict[str, Any]:
        return json.loads([r for r in self.requests if r.url.path == "/api/chat"][-1].content)


class Lines(httpx.SyncByteStream):
    """Some recorded lines, then ``after`` (break off, or hang until closed)."""

    def __init__(self, keep: int, after: Callable[[Lines], None]) -> None:
        self.lines = recorded("ollama_chat_logprobs.ndjson").splitlines(keepends=True)[:keep]
        self.after = after
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        yield from self.lines
        self.after(self)

    def close(self) -> None:
        self.closed.set()


def adapter(server: Server, api_key_env: str | None = None) -> Ollama:
    spec = BackendSpec("box", "http://box:11434", "ollama", api_key_env)
    return Ollama(spec, Http(spec, transport=httpx.MockTransport(server)))


def run(backend: Ollama, settings: Settings = SAMPLING, trace_top: int = 0,
        stop_after: int = 0) -> tuple[list[TokenEvent], GenerationResult]:
    cancel = threading.Event()
    stops, stream = backend.stream("gemma3:270m", MESSAGES, settings, cancel, trace_top)
    events: list[TokenEvent] = []
    for event in generate_remote(stream, settings, cancel, stops):
        if isinstance(event, GenerationResult):
            return events, event
        events.append(event)
        if stop_after and len(events) == stop_after:
            cancel.set()
    raise AssertionError("no GenerationResult")


def test_models_and_check() -> None:
    backend = adapter(Server())
    assert backend.models() == ["gemma3:270m", "llama3.2:1b"]
    info = backend.check()
    assert info.kind == "ollama" and info.models == ("gemma3:270m", "llama3.2:1b")
    assert "version: 0.13.1" in info.notes
    assert "tfs_z" not in info.supports and "typical_p" in info.supports
    assert "top_logprobs" in info.learning


def test_an_ollama_older_than_0_12_11_is_said_to_give_no_probabilities() -> None:
    info = adapter(Server(**{"GET /api/version": (200, {"version": "0.12.3"})})).check()
    assert info.learning.startswith("no probabilities")
    assert any("update it for learning mode" in note for note in info.notes)


# -- the request ------------------------------------------------------------------------------
def test_options_carry_our_whole_chain() -> None:
    server = Server()
    run(adapter(server), SAMPLING, trace_top=3)
    body = server.body()
    assert body["model"] == "gemma3:270m" and body["stream"] is True
    assert body["messages"] == [m.to_dict() for m in MESSAGES]
    assert (body["logprobs"], body["top_logprobs"]) == (True, 3)
    assert body["options"] == {
        "num_ctx": 2048, "num_predict": 64, "temperature": 0.8, "top_k": 40, "top_p": 0.95,
        "min_p": 0.05, "typical_p": 0.95, "repeat_penalty": 1.1, "repeat_last_n": 32,
        "presence_penalty": 0.0, "frequency_penalty": 0.0, "seed": 11, "stop": ["###"]}


def test_greedy_zero_context_and_no_limit() -> None:
    server = Server(chat=(200, "ollama_chat.ndjson"))
    run(adapter(server), Settings(n_ctx=0, max_tokens=0, seed=5))
    options = server.body()["options"]
    assert options["temperature"] == 0.0 and options["num_predict"] == -1
    assert "num_ctx" not in options and "stop" not in options
    assert (options["repeat_penalty"], options["repeat_last_n"]) == (1.0, 0)
    assert "logprobs" not in server.body()


def test_greedy_keeps_typical_sampling_and_what_comes_before_it() -> None:
    server = Server()
    run(adapter(server), Settings(typical_p=0.5, tfs_z=1.0, top_k=40, seed=2))
    options = server.body()["options"]
    assert (options["temperature"], options["typical_p"], options["top_k"]) == (0.0, 0.5, 40)
    assert (options["top_p"], options["min_p"]) == (1.0, 0.0)


def test_more_than_twenty_candidates_are_refused() -> None:
    server = Server()
    with pytest.raises(BackendError, match="top_logprobs is at most 20 on Ollama"):
        run(adapter(server), trace_top=25)
    assert not [r for r in server.requests if r.url.path == "/api/chat"]


def test_tail_free_sampling_and_engine_caveats_are_reported() -> None:
    notes = adapter(Server()).not_honoured(SAMPLING.replace(tfs_z=0.5))
    assert notes[0] == ("tfs_z = 0.5 is not supported by ollama and is left out (Ollama has "
                        "removed tail-free sampling)")
    assert any(n.startswith("typical_p = 0.95: models that run on Ollama's own engine")
               for n in notes)
    assert any(n.startswith("penalty_last_n = 32") for n in notes)
    assert adapter(Server()).not_honoured(Settings()) == []


# -- the stream -------------------------------------------------------------------------------
def test_the_stream_becomes_our_events_with_ollamas_counts_and_timings() -> None:
    events, result = run(adapter(Server()))
    assert [e.text for e in events] == ["Paris", " is", " the", " capital", "."]
    assert result.text == "Paris is the capital." and result.tokens == 5
    assert (result.finish_reason, result.prompt_tokens) == ("stop", 18)
    timings = result.timings
    assert (timings["prompt_n"], timings["predicted_n"]) == (18, 6)
    assert timings["predicted_per_second"] == pytest.approx(6 / 0.066857)
    assert timings["prompt_ms"] == pytest.approx(52.611)
    assert timings["predicted_ms"] == pytest.approx(66.857)
    assert all(e.trace is None for e in events)


def test_learning_steps_carry_the_top_candidates_and_the_rank() -> None:
    events, _ = run(adapter(Server()), trace_top=3)
    the = events[2].trace
    assert the is not None
    assert [c.piece for c in the.candidates] == [" a", " the", " in"]
    assert the.rank == 2 and the.p == pytest.approx(0.3)
    assert the.candidates[0].p == pytest.approx(math.exp(-0.91629073))
    assert {c.id for c in the.candidates} == {-1} and the.final == ()
    assert the.source.startswith("ollama: raw probabilities of the top 3 (top_logprobs)")
    assert [e.trace.rank for e in events if e.trace] == [1, 1, 2, 1, 1]


def test_a_length_limit_is_reported_as_length() -> None:
    _, result = run(adapter(Server(chat=(200, "ollama_chat.ndjson"))), SAMPLING)
    assert (result.text, result.finish_reason, result.prompt_tokens) == ("One, two, three",
                                                                          "length", 21)
    assert result.timings["predicted_per_second"] == pytest.approx(100.0)


def test_our_stop_string_ends_the_answer() -> None:
    _, result = run(adapter(Server()), SAMPLING.replace(stop=(" capital",)))
    assert (result.text, result.finish_reason) == ("Paris is the", "stop")


def test_a_stream_that_breaks_off_keeps_the_text_so_far() -> None:
    def broken(_: Lines) -> None:
        raise httpx.RemoteProtocolError("peer closed connection without sending complete "
                                        "message body (incomplete chunked read)")

    _, result = run(adapter(Server(chat=(200, Lines(3, broken)))))
    assert result.text == "Paris is the" and result.finish_reason == "error"
    assert "broke off" in (result.error or "")


def test_an_error_line_in_the_stream_ends_the_answer_with_it() -> None:
    lines = recorded("ollama_chat.ndjson").splitlines()[:2]
    error = b'{"error":"an error was encountered while running the model: unexpected EOF"}'
    body = b"\n".join([*lines, error]) + b"\n"
    _, result = run(adapter(Server(chat=(200, body))))
    assert (result.text, result.finish_reason) == ("One,", "error")
    assert result.error == ("Backend box stopped with an error: an error was encountered while "
                            "running the model: unexpected EOF")


def test_a_model_that_was_loaded_instead_of_answering_is_an_error() -> None:
    load = {"model": "gemma3:270m", "created_at": "2025-12-01T10:22:00Z",
            "message": {"role": "assistant", "content": ""}, "done": True,
            "done_reason": "load"}
    _, result = run(adapter(Server(chat=(200, load))))
    assert result.finish_reason == "error" and "'load'" in (result.error or "")


def test_cancel_closes_the_stream_while_ollama_is_still_thinking() -> None:
    body = Lines(2, lambda stream: stream.closed.wait(10) and None)
    started = time.perf_counter()
    events, result = run(adapter(Server(chat=(200, body))), stop_after=2)
    assert len(events) == 2 and result.finish_reason == "cancelled"
    assert time.perf_counter() - started < 3 and body.closed.is_set()


# -- refusals ---------------------------------------------------------------------------------
def test_a_model_ollama_does_not_have_says_how_to_pull_it() -> None:
    with pytest.raises(BackendError, match=r"`ollama pull gemma3:270m` on that machine"):
        run(adapter(Server(chat=(404, "ollama_model_404.json"))))


def test_a_server_of_another_kind_is_named_as_such() -> None:
    server = Server()
    server.routes.pop("GET /api/tags")
    with pytest.raises(BackendError, match=r"has no /api/tags \(404.*backends check box"):
        adapter(server).check()


def test_a_key_is_asked_for_when_the_server_wants_one() -> None:
    server = Server(**{"GET /api/tags": (401, {"error": "unauthorized"})})
    with pytest.raises(BackendError, match="wants a key: add the backend again"):
        adapter(server).models()


class LongLine(Lines):
    """Some recorded lines, then one of ``size`` bytes that never ends."""

    def __init__(self, keep: int, size: int) -> None:
        super().__init__(keep, lambda _: None)
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        yield from self.lines
        yield b'{"message": {"role": "assistant", "content": "'
        for _ in range(self.size // 1024):
            yield b"x" * 1024


def test_a_line_past_line_bytes_ends_the_answer_and_keeps_the_text_before_it() -> None:
    spec = BackendSpec("box", "http://box:11434", "ollama", None, StreamLimits(line_bytes=4096))
    server = Server(chat=(200, LongLine(3, 64 * 1024)))
    backend = Ollama(spec, Http(spec, transport=httpx.MockTransport(server)))
    _, result = run(backend)
    assert (result.text, result.tokens, result.finish_reason) == ("Paris is the", 3, "error")
    assert result.error.startswith("The answer from backend box was cut at line_bytes = 4096 "
                                   "bytes (the limit of one streamed line); what it wrote "
                                   "before that line is kept.")


def test_a_huge_tag_list_is_refused_before_it_is_parsed() -> None:
    spec = BackendSpec("box", "http://box:11434", "ollama", None, StreamLimits(body_bytes=4096))
    server = Server(**{"GET /api/tags": (200, b'{"models": [' + b" " * 8192 + b"]}")})
    with pytest.raises(BackendError, match=r"Backend box's answer to /api/tags was refused at "
                                           r"body_bytes = 4096 bytes"):
        Ollama(spec, Http(spec, transport=httpx.MockTransport(server))).models()
