"""The OpenAI-compatible adapter against recorded answers of vLLM, LM Studio and
llama-cpp-python's server (see ``recorded/README.md``), served by ``httpx.MockTransport``."""

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
from samantha.core.errors import PromptTooLongError
from samantha.core.remote import generate_remote
from samantha.core.settings import STOCHASTIC, Settings
from samantha.engines.openai_http import OpenAICompatible, choice_tokens
from samantha.engines.remote_http import Http

RECORDED = Path(__file__).parent / "recorded"
MESSAGES = [Message("system", "Answer briefly."), Message("user", "What is the capital?")]
SAMPLING = STOCHASTIC.replace(typical_p=1.0, max_tokens=64, seed=7, stop=("###",))
Route = tuple[int, Any]  # status and a recorded file name, JSON, bytes, a stream or an error


def recorded(name: str) -> bytes:
    return (RECORDED / name).read_bytes()


class Server:
    """A backend that answers from recordings, keeping every request it was sent."""

    def __init__(self, routes: dict[str, Route | list[Route]]) -> None:
        self.routes = {k: (v if isinstance(v, list) else [v]) for k, v in routes.items()}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answers = self.routes.get(f"{request.method} {request.url.path}")
        if not answers:
            return httpx.Response(404, content=recorded("fastapi_404.json"))
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(body, httpx.TransportError):
            raise body
        if isinstance(body, str):
            return httpx.Response(status, content=recorded(body))
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        if isinstance(body, httpx.SyncByteStream):
            return httpx.Response(status, stream=body)
        return httpx.Response(status, json=body)

    def bodies(self, path: str = "/v1/chat/completions") -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path]


class Lines(httpx.SyncByteStream):
    """A streamed body: some recorded lines, then ``after`` (break off, hang, or end)."""

    def __init__(self, name: str, keep: int, after: Callable[[Lines], None] | None = None):
        self.lines = [line + b"\n\n" for line in recorded(name).split(b"\n") if line][:keep]
        self.after = after
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        yield from self.lines
        if self.after is not None:
            self.after(self)

    def close(self) -> None:
        self.closed.set()


def broken(_: Lines) -> None:
    raise httpx.ReadError("Connection reset by peer")


def hanging(stream: Lines) -> None:
    stream.closed.wait(10)  # a server still thinking, until the connection is closed


def adapter(server: Server, api_key_env: str | None = None) -> OpenAICompatible:
    spec = BackendSpec("lab", "http://lab:8000", "openai", api_key_env)
    return OpenAICompatible(spec, Http(spec, transport=httpx.MockTransport(server)))


def vllm(chat: Route | list[Route] = (200, "vllm_chat_logprobs.sse")) -> Server:
    return Server({"GET /v1/models": (200, "vllm_models.json"),
                   "POST /v1/chat/completions": chat})


def run(backend: OpenAICompatible, settings: Settings = SAMPLING, trace_top: int = 0,
        cancel: threading.Event | None = None, stop_after: int = 0
        ) -> tuple[list[TokenEvent], GenerationResult]:
    cancel = cancel or threading.Event()
    model = backend.models()[0]
    stops, stream = backend.stream(model, MESSAGES, settings, cancel, trace_top)
    events: list[TokenEvent] = []
    for event in generate_remote(stream, settings, cancel, stops):
        if isinstance(event, GenerationResult):
            return events, event
        events.append(event)
        if stop_after and len(events) == stop_after:
            cancel.set()
    raise AssertionError("no GenerationResult")


# -- dialects and check -----------------------------------------------------------------------
@pytest.mark.parametrize(("models", "dialect"), [
    ("vllm_models.json", "vllm"), ("llama_cpp_python_models.json", "llama-cpp-python"),
    ("lmstudio_models.json", "lm-studio"), ("generic_models.json", "generic")])
def test_check_finds_the_dialect_from_owned_by(models: str, dialect: str) -> None:
    info = adapter(Server({"GET /v1/models": (200, models)})).check()
    assert info.kind == "openai"
    assert f"dialect: {dialect}" in info.notes
    assert info.models == tuple(m["id"] for m in json.loads(recorded(models))["data"])
    assert "top_logprobs" in info.learning and "without token ids" in info.learning
    assert ("top_k" in info.supports) == (dialect != "generic")


def test_check_reports_vllms_context_and_others_say_it_is_unknown() -> None:
    assert adapter(vllm()).check().n_ctx == 32768
    info = adapter(Server({"GET /v1/models": (200, "lmstudio_models.json")})).check()
    assert info.n_ctx is None
    assert any("not told by this API" in note for note in info.notes)


# -- request bodies ---------------------------------------------------------------------------
def sent_body(server: Server, settings: Settings, trace_top: int = 0) -> dict[str, Any]:
    backend = adapter(server)
    run(backend, settings, trace_top)
    return server.bodies()[-1]


def test_vllm_body_maps_our_chain_with_its_own_names() -> None:
    body = sent_body(vllm(), SAMPLING)
    assert body["model"] == "Qwen/Qwen2.5-0.5B-Instruct"
    assert body["messages"] == [m.to_dict() for m in MESSAGES]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert {k: body[k] for k in ("temperature", "top_p", "top_k", "min_p",
                                 "repetition_penalty", "presence_penalty",
                                 "frequency_penalty", "max_tokens", "seed", "stop")} == {
        "temperature": 0.8, "top_p": 0.95, "top_k": 40, "min_p": 0.05,
        "repetition_penalty": 1.1, "presence_penalty": 0.0, "frequency_penalty": 0.0,
        "max_tokens": 64, "seed": 7, "stop": ["###"]}
    assert not {"repeat_penalty", "typical_p", "tfs_z", "logprobs"} & body.keys()


def test_llama_cpp_python_body_switches_its_own_defaults_off() -> None:
    server = Server({"GET /v1/models": (200, "llama_cpp_python_models.json"),
                     "POST /v1/chat/completions": (200, "llama_cpp_python_chat_logprobs.sse")})
    body = sent_body(server, Settings(temperature=0.7, top_k=0, tfs_z=1.0, typical_p=1.0,
                                      top_p=1.0, min_p=0.0, seed=3))
    assert body["repeat_penalty"] == 1.0  # its server would use 1.1
    assert (body["top_k"], body["top_p"], body["min_p"], body["temperature"]) == (0, 1.0, 0.0,
                                                                                   0.7)
    assert "repetition_penalty" not in body and "typical_p" not in body


def test_generic_body_has_only_the_openai_settings_and_four_stops() -> None:
    server = Server({"GET /v1/models": (200, "generic_models.json"),
                     "POST /v1/chat/completions": (200, "vllm_chat_logprobs.sse")})
    body = sent_body(server, SAMPLING.replace(stop=("a1", "b2", "c3", "d4", "e5")))
    assert not {"top_k", "min_p", "repeat_penalty", "repetition_penalty"} & body.keys()
    assert body["stop"] == ["a1", "b2", "c3", "d4"]
    assert body["top_p"] == 0.95


@pytest.mark.parametrize("greedy", [
    Settings(seed=1),  # the deterministic preset: temperature 0
    SAMPLING.replace(top_p=0.0), SAMPLING.replace(min_p=1.0), SAMPLING.replace(top_k=1)])
def test_a_chain_that_keeps_one_candidate_is_sent_as_temperature_zero(greedy: Settings) -> None:
    body = sent_body(vllm(), greedy)
    assert (body["temperature"], body["top_p"], body["top_k"], body["min_p"]) == (0.0, 1.0,
                                                                                   -1, 0.0)


def test_max_tokens_zero_is_left_to_the_backend_and_learning_asks_for_logprobs() -> None:
    body = sent_body(vllm(), SAMPLING.replace(max_tokens=0), trace_top=3)
    assert "max_tokens" not in body
    assert (body["logprobs"], body["top_logprobs"]) == (True, 3)


def test_more_than_twenty_candidates_are_refused_before_anything_is_sent() -> None:
    server = vllm()
    with pytest.raises(BackendError, match="top_logprobs is at most 20 on"):
        run(adapter(server), trace_top=21)
    assert server.bodies() == []


# -- not honoured -----------------------------------------------------------------------------
def test_greedy_with_typical_sampling_still_reports_typical_p() -> None:
    greedy_typical = Settings(typical_p=0.5, tfs_z=1.0, seed=1)  # typical may drop the best
    body = sent_body(vllm(), greedy_typical)
    assert (body["temperature"], body["top_k"]) == (0.0, 40)
    notes = adapter(vllm()).not_honoured(greedy_typical)
    assert [n.split(" = ")[0] for n in notes] == ["typical_p"]


def test_typical_p_on_vllm_is_reported_with_why() -> None:
    notes = adapter(vllm()).not_honoured(SAMPLING.replace(typical_p=0.9))
    assert ("typical_p = 0.9 is not supported by openai (vllm) and is left out (vLLM has no "
            "locally typical sampling)") in notes
    assert any("temperature before top_p" in n for n in notes)


@pytest.mark.parametrize("models", ["vllm_models.json", "llama_cpp_python_models.json",
                                    "lmstudio_models.json", "generic_models.json"])
def test_tail_free_sampling_is_reported_on_every_dialect(models: str) -> None:
    notes = adapter(Server({"GET /v1/models": (200, models)})).not_honoured(
        SAMPLING.replace(tfs_z=0.5))
    assert any(n.startswith("tfs_z = 0.5 is not supported by openai (") for n in notes)


def test_generic_reports_what_the_openai_api_lacks_and_nothing_moot() -> None:
    backend = adapter(Server({"GET /v1/models": (200, "generic_models.json")}))
    notes = backend.not_honoured(SAMPLING)
    assert {n.split(" = ")[0] for n in notes} == {"top_k", "min_p", "repeat_penalty"}
    assert backend.not_honoured(Settings()) == []  # greedy: top_k 40 changes nothing
    window = backend.not_honoured(Settings(presence_penalty=0.5))
    assert window == [("penalty_last_n = 64 is not supported by openai (generic) and is left "
                       "out (the penalties look at the whole answer)")]


def test_llama_cpp_python_says_where_its_penalty_window_comes_from() -> None:
    backend = adapter(Server({"GET /v1/models": (200, "llama_cpp_python_models.json")}))
    notes = backend.not_honoured(SAMPLING.replace(typical_p=0.9))
    assert any("--last_n_tokens_size" in n for n in notes)
    assert any(n.startswith("typical_p = 0.9") and "drops typical_p" in n for n in notes)


# -- the stream -------------------------------------------------------------------------------
def test_a_vllm_stream_becomes_our_events_and_result() -> None:
    events, result = run(adapter(vllm()))
    assert [e.text for e in events] == ["The", " capital", " is", " lovely", " Paris", "."]
    assert result.text == "The capital is lovely Paris."
    assert (result.tokens, result.finish_reason, result.prompt_tokens) == (6, "stop", 31)
    assert result.timings == {"prompt_n": 31, "predicted_n": 6}
    assert result.token_ids == ()  # text only: no ids
    assert all(e.trace is None for e in events)


def test_learning_steps_carry_the_top_candidates_and_the_rank() -> None:
    events, _ = run(adapter(vllm()), trace_top=3)
    lovely = events[3].trace
    assert lovely is not None
    assert [c.piece for c in lovely.candidates] == [" Paris", " lovely", " a"]
    assert {c.id for c in lovely.candidates} == {-1}
    assert lovely.rank == 2 and lovely.p == pytest.approx(0.1)
    assert lovely.candidates[0].p == pytest.approx(math.exp(-0.2231436))
    assert lovely.final == () and lovely.stages == ()
    assert lovely.source == ("openai (vllm): raw probabilities of the top 3 (top_logprobs); "
                             "no token ids, no survivor counts")
    assert [e.trace.rank for e in events if e.trace] == [1, 1, 1, 2, 1, 1]
    assert events[5].trace.piece == "." and events[5].trace.p == pytest.approx(0.98)


def test_the_recorded_llama_cpp_python_stream_ends_on_length_without_usage() -> None:
    server = Server({"GET /v1/models": (200, "llama_cpp_python_models.json"),
                     "POST /v1/chat/completions": (200, "llama_cpp_python_chat_logprobs.sse")})
    events, result = run(adapter(server), Settings(max_tokens=5, seed=3), trace_top=3)
    assert result.text == "\n<</SYS>>" and result.tokens == 5
    assert result.finish_reason == "length" and result.prompt_tokens == 0
    assert [len(e.trace.candidates) for e in events if e.trace] == [3] * 5


def test_a_stop_string_ends_the_answer_there() -> None:
    server = Server({"GET /v1/models": (200, "llama_cpp_python_models.json"),
                     "POST /v1/chat/completions": (200, "llama_cpp_python_chat_stop.sse")})
    _, result = run(adapter(server), Settings(max_tokens=12, seed=1, stop=("SYS",)))
    assert (result.text, result.finish_reason) == ("\n<</", "stop")
    assert server.bodies()[0]["stop"] == ["SYS"]
    _, ours = run(adapter(vllm()), SAMPLING.replace(stop=(" is",)))  # our scanner, too
    assert (ours.text, ours.finish_reason) == ("The capital", "stop")


def test_text_held_back_by_the_server_stays_as_it_sent_it() -> None:
    """A chunk whose text is not its tokens' texts (part of a character held back, a stop
    string cut off): the answer is the server's text, the steps are still one per token."""
    entries = [{"token": "bytes:\\xc3", "logprob": -0.1, "top_logprobs": []},
               {"token": "bytes:\\xa9", "logprob": -0.2, "top_logprobs": []}]
    tokens = list(choice_tokens({"delta": {"content": "é"}, "logprobs": {"content": entries}},
                                "source"))
    assert [t.text for t in tokens] == ["é", ""]
    assert [t.step.p for t in tokens if t.step] == [pytest.approx(math.exp(-0.1)),
                                                    pytest.approx(math.exp(-0.2))]
    cut = list(choice_tokens({"delta": {"content": ""}, "logprobs": {"content": entries[:1]}},
                             "source"))
    assert [t.text for t in cut] == [""]


def test_a_stop_closes_the_connection_without_waiting_for_the_server() -> None:
    body = Lines("vllm_chat_logprobs.sse", 4, hanging)
    started = time.perf_counter()
    _, result = run(adapter(vllm((200, body))), SAMPLING.replace(stop=(" capital",)))
    assert (result.text, result.finish_reason) == ("The", "stop")
    assert time.perf_counter() - started < 3 and body.closed.is_set()


def test_a_stream_that_breaks_off_keeps_the_text_so_far() -> None:
    _, result = run(adapter(vllm((200, Lines("vllm_chat_logprobs.sse", 3, broken)))))
    assert result.text == "The capital" and result.tokens == 2
    assert result.finish_reason == "error" and "broke off" in (result.error or "")


def test_a_stream_that_ends_without_a_finish_reason_is_an_error() -> None:
    _, result = run(adapter(vllm((200, Lines("vllm_chat_logprobs.sse", 4)))))
    assert result.text == "The capital is" and result.finish_reason == "error"
    assert "without a finish reason" in (result.error or "")


def test_cancel_closes_the_stream_while_the_server_is_still_thinking() -> None:
    body = Lines("vllm_chat_logprobs.sse", 3, hanging)
    started = time.perf_counter()
    events, result = run(adapter(vllm((200, body))), stop_after=2)
    assert len(events) == 2 and result.finish_reason == "cancelled"
    assert time.perf_counter() - started < 3
    assert body.closed.is_set()


# -- refusals ---------------------------------------------------------------------------------
def test_a_key_is_asked_for_when_the_server_wants_one(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendError, match="wants a key: add the backend again with "
                                           "--api-key-env"):
        adapter(Server({"GET /v1/models": (401, "vllm_401.json")})).check()
    monkeypatch.setenv("LAB_KEY", "sk-test")
    server = vllm()
    assert adapter(server, "LAB_KEY").check().models == ("Qwen/Qwen2.5-0.5B-Instruct",)
    assert server.requests[0].headers["Authorization"] == "Bearer sk-test"


def test_a_server_of_another_kind_is_named_as_such() -> None:
    with pytest.raises(BackendError, match=r"has no /v1/models \(404.*backends check lab"):
        adapter(Server({})).check()


def test_a_model_the_server_does_not_have_is_named() -> None:
    backend = adapter(vllm((404, "vllm_model_404.json")))
    with pytest.raises(BackendError, match="does not serve the model 'Qwen/Qwen2.5-0.5B"):
        run(backend)


def test_a_prompt_too_long_for_vllm_gives_the_counts() -> None:
    with pytest.raises(PromptTooLongError) as caught:
        run(adapter(vllm((400, "vllm_context_400.json"))))
    assert (caught.value.prompt_tokens, caught.value.n_ctx) == (2246, 2048)


def test_max_tokens_too_large_for_vllm_says_how_far_to_lower_it() -> None:
    with pytest.raises(BackendError, match="lower max_tokens to 2017 or less, or set it to 0"):
        run(adapter(vllm((400, "vllm_max_tokens_400.json"))), SAMPLING.replace(max_tokens=4000))


def test_an_empty_llama_cpp_python_stream_is_explained_by_asking_again() -> None:
    """As the real server does: 200 and an empty stream, then the connection it leaves
    broken, then the reason on a new one."""
    reset = httpx.ReadError("[Errno 104] Connection reset by peer")
    server = Server({"GET /v1/models": (200, "llama_cpp_python_models.json"),
                     "POST /v1/chat/completions": [(200, b""), (0, reset), (400,
                                                   "llama_cpp_python_context_400.json")]})
    with pytest.raises(PromptTooLongError) as caught:
        run(adapter(server))
    assert (caught.value.prompt_tokens, caught.value.n_ctx) == (1510, 1024)
    probe = server.bodies()[2]
    assert (probe["stream"], probe["max_tokens"]) == (False, 1)
    assert "stream_options" not in probe


def test_learning_mode_on_a_server_without_logits_says_how_to_start_it() -> None:
    server = Server({"GET /v1/models": (200, "llama_cpp_python_models.json"),
                     "POST /v1/chat/completions": [(200, b""), (500,
                                                   "llama_cpp_python_logits_all_500.json")]})
    with pytest.raises(BackendError, match="--logits_all true"):
        run(adapter(server), trace_top=3)


def test_an_error_inside_lm_studios_stream_is_raised_before_the_first_token() -> None:
    server = Server({"GET /v1/models": (200, "lmstudio_models.json"),
                     "POST /v1/chat/completions": (200, "lmstudio_context_error.sse")})
    with pytest.raises(BackendError, match="prompt is too long for the context of the model "
                                           "on backend lab"):
        run(adapter(server))
