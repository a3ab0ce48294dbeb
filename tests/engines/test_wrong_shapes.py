"""The three backend adapters against servers on 127.0.0.1 that send JSON of the wrong shape
(real sockets, ``tests/support/hostile_http.py``): a list where an object goes, text where a
number goes, a token id that is not a whole number. Each is one line naming the backend, the
path, what came and what was expected; in a stream the tokens before it are kept, the way a
broken stream keeps them. Before, each of these was an AttributeError, a TypeError, a KeyError
or an OverflowError out of the adapter."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support.hostile_http import SSE, Connection, Handler, HostileServer

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendSpec
from samantha.core.chat import Message
from samantha.core.remote import RemoteBackend, generate_remote
from samantha.core.settings import Settings
from samantha.engines.llama_server import LlamaServer
from samantha.engines.ollama import Ollama
from samantha.engines.openai_http import OpenAICompatible

pytestmark = pytest.mark.timeout(60)
MESSAGES = [Message("user", "Hi.")]
NDJSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n"
CHUNK = "a JSON object (one chunk of the answer)"
LINE = "a JSON object (one line of the answer)"
PROPS = {"chat_template": "", "default_generation_settings": {"n_ctx": 4096}, "total_slots": 1}


def sse(data: Any) -> bytes:
    return b"data: " + (data if isinstance(data, bytes) else json.dumps(data).encode()) + b"\n\n"


def ndjson(data: Any) -> bytes:
    return (data if isinstance(data, bytes) else json.dumps(data).encode()) + b"\n"


# Each kind: its stream's path, its first token ("a0 ") as a line, and how a line is written.
KINDS: dict[str, tuple[str, bytes, bytes, Callable[[Any], bytes]]] = {
    "openai": ("/v1/chat/completions", SSE,
               sse({"choices": [{"index": 0, "delta": {"content": "a0 "}}]}), sse),
    "ollama": ("/api/chat", NDJSON, ndjson({"message": {"content": "a0 "}, "done": False}),
               ndjson),
    "llama-server": ("/completion", SSE, sse({"content": "a0 ", "tokens": [5]}), sse),
}


def one_token_then(kind: str, line: Any) -> Handler:
    """The first token, then ``line`` (JSON, or bytes as they are), then the end."""
    _, head, first, write = KINDS[kind]

    def handler(connection: Connection) -> None:
        connection.send(head + first + write(line))
    return handler


def json_answer(data: Any) -> Handler:
    return lambda connection: connection.json(json.dumps(data).encode())


@pytest.fixture
def serve() -> Iterator[Callable[[str, dict[str, Handler]], RemoteBackend]]:
    """An adapter of ``kind`` on a server of ``routes`` (llama-server's /props and /tokenize
    answer unless given); the servers stop after the test."""
    started: list[HostileServer] = []

    def start(kind: str, routes: dict[str, Handler]) -> RemoteBackend:
        if kind == "llama-server":
            routes = {"GET /props": json_answer(PROPS),
                      "POST /tokenize": json_answer({"tokens": [1, 2, 3]}), **routes}
        started.append(HostileServer(routes))
        spec = BackendSpec("evil", started[-1].url, kind)
        adapters: dict[str, Callable[[BackendSpec], RemoteBackend]] = {
            "openai": OpenAICompatible, "ollama": Ollama, "llama-server": LlamaServer}
        return adapters[kind](spec)
    yield start
    for server in started:
        server.stop()


def answer(backend: RemoteBackend, trace_top: int = 0) -> GenerationResult:
    settings = Settings(max_tokens=0, seed=1)
    cancel = threading.Event()
    stops, stream = backend.stream("hostile", MESSAGES, settings, cancel, trace_top)
    for event in generate_remote(stream, settings, cancel, stops, loop_guard=False):
        if isinstance(event, GenerationResult):
            return event
        assert isinstance(event, TokenEvent)
    raise AssertionError("no GenerationResult")


@pytest.mark.parametrize("kind, line, found, expected", [
    ("openai", [1, 2], "a list ([1, 2])", CHUNK),
    ("openai", b"{not json", "a line that is not JSON ('{not json')", CHUNK),
    ("openai", {"choices": {"index": 0}}, 'an object ({"index": 0})',
     'a list of objects (the "choices" of a chunk)'),
    ("openai", {"choices": [{"delta": "a1 "}]}, 'text ("a1 ")', 'an object ("delta")'),
    ("openai", {"choices": [{"delta": {"content": 5}}]}, "the number 5",
     'text (the "content" of a "delta")'),
    ("openai", {"choices": [{"delta": {}, "finish_reason": ["stop"]}]}, 'a list (["stop"])',
     'text ("finish_reason")'),
    ("openai", {"choices": [], "usage": [3]}, "a list ([3])", 'an object of counts ("usage")'),
    ("openai", {"choices": [{"delta": {"content": "x"}, "logprobs": {"content": [
        {"token": "x", "logprob": "high", "top_logprobs": []}]}}]}, 'text ("high")',
     'a number (a "logprob")'),
    ("ollama", [1], "a list ([1])", LINE),
    ("ollama", {"message": "hi", "done": False}, 'text ("hi")', 'an object ("message")'),
    ("ollama", {"message": {"content": "x"}, "logprobs": {"token": "x"}},
     'an object ({"token": "x"})', 'a list of objects (the tokens, "logprobs")'),
    ("ollama", {"done": True, "done_reason": "stop", "eval_count": "12"}, 'text ("12")',
     'a whole number ("eval_count")'),
    ("ollama", {"done": True, "prompt_eval_count": -1}, "the number -1",
     'a whole number ("prompt_eval_count")'),
    ("llama-server", "a1 ", 'text ("a1 ")', CHUNK),
    ("llama-server", {"content": "x", "tokens": [1.5]}, "the number 1.5",
     "a whole number (a token id)"),
    ("llama-server", {"content": "x", "tokens": "ab"}, 'text ("ab")',
     'a list of token ids ("tokens")'),
    ("llama-server", {"completion_probabilities": [
        {"id": 3, "token": "x", "bytes": [300], "logprob": -0.1, "top_logprobs": []}]},
     "a list ([300])", 'a list of bytes, 0 to 255 ("bytes")'),
    ("llama-server", {"completion_probabilities": [
        {"id": 3, "token": "x", "logprob": -0.1, "top_logprobs": [{"id": 3, "token": "x"}]}]},
     'an object ({"id": 3, "token": "x"})', 'an object with a number "logprob"'),
    ("llama-server", {"content": "", "stop": True, "stop_type": "eos", "timings": [1]},
     "a list ([1])", 'an object of numbers ("timings")'),
], ids=["openai: a list", "openai: not JSON", "openai: choices an object",
        "openai: delta text", "openai: content a number", "openai: finish a list",
        "openai: usage a list", "openai: logprob text", "ollama: a list",
        "ollama: message text", "ollama: logprobs an object", "ollama: count text",
        "ollama: count below 0", "llama-server: text", "llama-server: id 1.5",
        "llama-server: tokens text", "llama-server: bytes past 255",
        "llama-server: candidate without logprob", "llama-server: timings a list"])
def test_a_chunk_of_the_wrong_shape_ends_the_answer_keeping_its_text(
        serve, kind: str, line: Any, found: str, expected: str) -> None:
    path = KINDS[kind][0]
    result = answer(serve(kind, {f"POST {path}": one_token_then(kind, line)}), trace_top=2
                    if kind == "openai" else 0)
    assert (result.text, result.finish_reason) == ("a0 ", "error")
    assert result.error == (
        f"Backend evil sent {found} in its stream from {path}, where {expected} was expected. "
        "What it wrote so far is kept; check the server's log.")


@pytest.mark.parametrize("routes, said", [
    ({"POST /tokenize": json_answer([1, 2, 3])},
     '/tokenize with a list ([1, 2, 3]), where an object with a list of "tokens" was expected'),
    ({"GET /props": json_answer({**PROPS, "chat_template": "{{ x }}"}),
      "POST /apply-template": json_answer({"text": "Hi."})},
     '/apply-template with an object ({"text": "Hi."}), where an object with the rendered '
     '"prompt" as text was expected'),
], ids=["tokenize a list", "no prompt"])
def test_llama_server_answers_of_the_wrong_shape_are_refused_before_any_token(
        serve, routes: dict[str, Handler], said: str) -> None:
    backend = serve("llama-server", routes)
    with pytest.raises(BackendError) as refused:
        answer(backend)
    assert str(refused.value) == (f"Backend evil answered {said}. Is {backend.spec.url} a "
                                  "llama-server, and the one you meant?")


def test_numbers_out_of_their_range_are_brought_into_it(serve) -> None:
    """A log-probability above 0 (exp(1000) overflowed) is a probability of 1; timings that
    are not numbers are left out, the others kept."""
    openai = serve("openai", {"POST /v1/chat/completions": one_token_then("openai", {
        "choices": [{"delta": {"content": "b"}, "finish_reason": "stop", "logprobs": {
            "content": [{"token": "b", "logprob": 1000, "top_logprobs": [
                {"token": "b", "logprob": 1000}]}]}}]})})
    result = answer(openai, trace_top=1)
    assert (result.text, result.finish_reason, result.error) == ("a0 b", "stop", None)
    llama = serve("llama-server", {"POST /completion": one_token_then("llama-server", {
        "content": "", "stop": True, "stop_type": "limit", "tokens_evaluated": 3,
        "timings": {"predicted_n": 1, "note": "fast", "predicted_ms": float("inf")}})})
    result = answer(llama)
    assert (result.text, result.finish_reason, result.prompt_tokens) == ("a0 ", "length", 3)
    assert result.timings == {"predicted_n": 1}


def test_an_ollama_version_of_the_wrong_shape_is_unknown(serve) -> None:
    backend = serve("ollama", {"GET /api/tags": json_answer({"models": [{"name": "g"}]}),
                               "GET /api/version": json_answer(["0.13.0"])})
    assert "version: unknown" in backend.check().notes
    no_version = serve("ollama", {"GET /api/version": json_answer({})})
    assert no_version.version() is None  # not the text "None"
