"""OpenAI-compatible servers (vLLM, LM Studio, llama-cpp-python's ``llama_cpp.server`` and
any other) through ``POST /v1/chat/completions``, streamed, with the server's own chat
template.

The OpenAI API knows only temperature, top_p and the presence and frequency penalties; most
servers accept a few of llama.cpp's settings beside them. Which ones is a matter of dialect,
found from ``owned_by`` in ``GET /v1/models``, and every setting in effect that the dialect
cannot take is reported by :meth:`OpenAICompatible.not_honoured`. Learning mode gets the top
candidates' raw probabilities (``top_logprobs``, at most 20) as text: no token ids, no
survivor counts. A model's context size is not known through this API, so a prompt that is
too long is found out when the server refuses it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from samantha.core.answer_events import FinishReason
from samantha.core.backend_specs import (
    MAX_SLOTS,
    BackendError,
    BackendInfo,
    BackendInputError,
    BackendSpec,
)
from samantha.core.chat import Message
from samantha.core.engine import Cancel
from samantha.core.errors import PromptTooLongError
from samantha.core.remote import RemoteEnd, RemoteStep, RemoteToken, in_effect, not_honoured
from samantha.core.remote_limits import StreamWatch, WatchedStream
from samantha.core.settings import Settings
from samantha.engines.http_slices import Stopped
from samantha.engines.remote_http import (
    Http,
    Lines,
    WrongShape,
    error_message,
    json_number,
    json_numbers,
    json_object,
    json_objects,
    json_text,
    json_whole,
    shaped_answer,
    shaped_stream,
    sse_data,
    watch_of,
)

PATH = "/v1/chat/completions"
MAX_TOP = 20  # the OpenAI API's limit on top_logprobs
DIALECTS = {"vllm": "vllm", "me": "llama-cpp-python", "organization_owner": "lm-studio"}
OPENAI = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
SUPPORTED: dict[str, tuple[str, ...]] = {
    "vllm": (*OPENAI, "top_k", "min_p", "repeat_penalty"),
    "llama-cpp-python": (*OPENAI, "top_k", "min_p", "repeat_penalty"),
    "lm-studio": (*OPENAI, "top_k", "min_p", "repeat_penalty"),
    "generic": OPENAI,
}
REPEAT_KEY = {"vllm": "repetition_penalty"}  # the others call it repeat_penalty
TOP_K_OFF = {"vllm": -1}  # the others switch top_k off with 0
PENALTIES = ("repeat_penalty", "presence_penalty", "frequency_penalty")
NEUTRAL = {"repeat_penalty": 1.0, "presence_penalty": 0.0, "frequency_penalty": 0.0}
NOTES = {
    "tfs_z": "tail-free sampling is not part of this API",
    "typical_p": "locally typical sampling is not part of this API",
    "top_k": "the OpenAI API has no top_k",
    "min_p": "the OpenAI API has no min_p",
    "repeat_penalty": "the OpenAI API has only presence_penalty and frequency_penalty",
    "penalty_last_n": "the penalties look at the whole answer",
}
DIALECT_NOTES: dict[str, dict[str, str]] = {
    "vllm": {"typical_p": "vLLM has no locally typical sampling",
             "penalty_last_n": "vLLM's penalties look at the whole answer, its "
                               "repetition_penalty at the prompt too"},
    "llama-cpp-python": {
        "typical_p": "its server's request model drops typical_p",
        "tfs_z": "its server's request model drops tfs_z",
        "penalty_last_n": "the penalties look at the server's last --last_n_tokens_size "
                          "tokens, 64 unless it was started with another number"},
}
FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length", "eos": "stop"}
CONTEXT = re.compile(r"maximum context length is (\d+)", re.IGNORECASE)
PROMPT = re.compile(r"(\d+) in the messages|has (\d+) input tokens", re.IGNORECASE)
CONTEXT_WORDS = re.compile(r"context (length|window|size)|exceeds? the context|context overflow",
                           re.IGNORECASE)
MISSING_MODEL = re.compile(r"model\b.*\b(does not exist|not found)", re.IGNORECASE)
SERVER = "an OpenAI-compatible server"
MODELS = 'an object whose "data" lists the models, each an object with its "id" as text'
CHOICES = 'a list of objects (the "choices" of a chunk)'
USAGE = 'an object of counts ("usage")'
REASON = 'text ("finish_reason")'


class OpenAICompatible:
    kind = "openai"

    def __init__(self, spec: BackendSpec, http: Http | None = None) -> None:
        self.spec = spec
        self.http = http or Http(spec)
        self._dialect: str | None = None

    def close(self) -> None:
        self.http.close()

    def listing(self, cancel: Cancel | None = None) -> list[dict[str, Any]]:
        """``GET /v1/models``: the served models (and, on the way, the dialect)."""
        answer = self.http.get("/v1/models", watch=watch_of(cancel, self.spec))
        with shaped_answer(self.spec, "/v1/models", SERVER):
            data = models_of(answer)
        owners = [str(m.get("owned_by", "")) for m in data]
        self._dialect = next((DIALECTS[o] for o in owners if o in DIALECTS), "generic")
        return data

    def models(self, cancel: Cancel | None = None) -> list[str]:
        return [str(m["id"]) for m in self.listing(cancel)]

    @property
    def dialect(self) -> str:
        """vllm, llama-cpp-python, lm-studio or generic (asked once)."""
        if self._dialect is None:
            self.listing()
        return self._dialect or "generic"

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.dialect})"

    def capacity(self) -> int | None:
        """Its slots, when it says as llama-server does (``total_slots`` of ``/props``: servers
        built on llama.cpp); None when it does not (declare ``slots`` for it)."""
        if self.http.status("/props") != 200:
            return None
        answer = self.http.get("/props")
        slots = answer.get("total_slots") if isinstance(answer, dict) else None
        return slots if isinstance(slots, int) and not isinstance(slots, bool) and \
            0 < slots <= MAX_SLOTS else None

    def check(self) -> BackendInfo:
        listing = self.listing()
        contexts = {m.get("max_model_len") for m in listing} - {None}
        n_ctx = contexts.pop() if len(contexts) == 1 else None
        return BackendInfo(
            kind=self.kind, models=tuple(str(m["id"]) for m in listing), n_ctx=n_ctx,
            supports=SUPPORTED[self.dialect],
            learning="top N candidates with raw probabilities (top_logprobs), as text "
                     "without token ids; no survivor counts",
            notes=(f"dialect: {self.dialect}", "chat template: the server's own",
                   "context size: " + (f"{n_ctx} tokens" if n_ctx else
                                       "not told by this API; a prompt too long is reported "
                                       "when the server refuses it")))

    def not_honoured(self, settings: Settings) -> list[str]:
        dialect = self.dialect
        supported = (*SUPPORTED[dialect], *moot(settings, SUPPORTED[dialect]))
        out = not_honoured(settings, supported, self.label,
                           {**NOTES, **DIALECT_NOTES.get(dialect, {})})
        stages = in_effect(settings).stages
        if dialect == "vllm" and "temperature" in stages and ({"top_p", "min_p"} & set(stages)):
            out.append("vLLM applies the temperature before top_p and min_p (Samantha after "
                       "them), so they keep other candidates than the local engine would")
        return out

    def request(self, model: str, messages: Sequence[Message], settings: Settings,
                trace_top: int) -> dict[str, Any]:
        """The body of ``POST /v1/chat/completions`` for our settings, in this dialect. Every
        setting the dialect knows is sent, neutral when not in effect: servers have their own
        defaults (llama-cpp-python's repeat_penalty is 1.1). A greedy chain is temperature 0."""
        if trace_top > MAX_TOP:
            raise BackendInputError(
                f"top_logprobs is at most {MAX_TOP} on OpenAI-compatible backends such as "
                f"{self.spec.name}, and learning mode asked for {trace_top} candidates: show "
                f"{MAX_TOP} or fewer, or use a llama-server backend, which gives more.")
        dialect = self.dialect
        effect = in_effect(settings)
        stages = effect.stages
        body: dict[str, Any] = {
            "model": model, "messages": [m.to_dict() for m in messages], "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 0.0 if effect.greedy else stages["temperature"],
            "top_p": stages.get("top_p", 1.0),
            "presence_penalty": stages.get("presence_penalty", 0.0),
            "frequency_penalty": stages.get("frequency_penalty", 0.0),
        }
        if "top_k" in SUPPORTED[dialect]:
            body["top_k"] = stages.get("top_k", TOP_K_OFF.get(dialect, 0))
            body["min_p"] = stages.get("min_p", 0.0)
            body[REPEAT_KEY.get(dialect, "repeat_penalty")] = stages.get("repeat_penalty", 1.0)
        if settings.max_tokens:
            body["max_tokens"] = settings.max_tokens
        if settings.seed is not None:
            body["seed"] = settings.seed
        if settings.stop:  # the OpenAI API takes four; ours end the answer all the same
            body["stop"] = list(settings.stop[:4] if dialect == "generic" else settings.stop)
        if trace_top:
            body["logprobs"] = True
            body["top_logprobs"] = trace_top
        return body

    def stream(self, model: str, messages: Sequence[Message], settings: Settings,
               cancel: Cancel, trace_top: int = 0
               ) -> tuple[tuple[str, ...], Iterator[RemoteToken | RemoteEnd]]:
        body = self.request(model, messages, settings, trace_top)
        watch = StreamWatch(cancel, self.spec.limits, self.spec.name)
        lines = self.http.lines(PATH, body, watch)
        try:
            first = self._first_line(lines, body, settings, watch)
        except Stopped:
            return (), WatchedStream(iter(()), watch)
        source = (f"{self.label}: raw probabilities of the top {trace_top} (top_logprobs); "
                  "no token ids, no survivor counts") if trace_top else None
        return (), WatchedStream(self._tokens(first, lines, watch, source, settings.max_tokens),
                                 watch)

    def _first_line(self, lines: Lines, body: dict[str, Any], settings: Settings,
                    watch: StreamWatch) -> str | None:
        """Send the request and wait for its first line, so that a refusal is raised here,
        before the first token (and another backend can be tried)."""
        try:
            first = next(lines, None)
        except BackendError as exc:
            raise explained(exc, self.spec.name, settings.max_tokens, body["model"]) from None
        if first is None and not watch.is_set():
            raise self._silent(body, settings, watch)
        chunk = _error_chunk(first)
        if chunk is not None:
            lines.close()
            raise self._stopped(chunk, settings.max_tokens)
        return first

    def _stopped(self, chunk: dict[str, Any], max_tokens: int) -> Exception:
        """An error sent inside the stream (LM Studio and vLLM do), explained."""
        said = error_message(json.dumps(chunk))
        return explained(BackendError(f"Backend {self.spec.name} stopped with an error: {said}"),
                         self.spec.name, max_tokens)

    def _silent(self, body: dict[str, Any], settings: Settings,
                watch: StreamWatch) -> Exception:
        """Why a stream ended before its first line: llama-cpp-python's server answers 200
        and closes the stream when the prompt does not fit (leaving that connection broken),
        so the same request, not streamed and for one token, is sent again to hear why."""
        probe = {k: v for k, v in body.items() if k != "stream_options"}
        for attempt in range(2):  # the first may meet the broken connection
            try:
                self.http.post(PATH, {**probe, "stream": False, "max_tokens": 1}, watch=watch)
            except Stopped:
                raise
            except BackendError as exc:
                out = explained(exc, self.spec.name, settings.max_tokens, body["model"])
                if out is not exc or attempt:
                    return out
                continue
            break
        return BackendError(
            f"Backend {self.spec.name} closed its stream without sending anything, though the "
            "same request without streaming works. Try again, and check the server's log.")

    def _tokens(self, first: str | None, lines: Lines, cancel: Cancel,
                source: str | None,
                max_tokens: int) -> Iterator[RemoteToken | RemoteEnd]:
        finish: str | None = None
        usage: dict[str, Any] = {}
        try:
            with shaped_stream(self.spec, PATH):
                for line in with_first(first, lines):
                    if line.startswith("data:") and line[5:].strip() == "[DONE]":
                        break
                    chunk = sse_data(line)
                    if chunk is None:
                        continue
                    if chunk.get("error"):
                        raise self._stopped(chunk, max_tokens)
                    if "usage" in chunk:  # after the finish, or with each chunk
                        usage = json_numbers(chunk["usage"], USAGE) or usage
                    for choice in json_objects(chunk.get("choices"), CHOICES):
                        yield from choice_tokens(choice, source)
                        finish = json_text(choice.get("finish_reason"), REASON) or finish
            if finish is None:
                if cancel.is_set():
                    return
                raise BackendError(f"The stream from backend {self.spec.name} ended without a "
                                   "finish reason. What it wrote so far is kept; check the "
                                   "server's log.")
            yield end_of(finish, usage)
        finally:
            lines.close()


def _error_chunk(line: str | None) -> dict[str, Any] | None:
    """The line's chunk when it reports an error (a line that is not JSON is left to the
    stream, which says so)."""
    try:
        chunk = sse_data(line) if line is not None else None
    except BackendError:
        return None
    return chunk if chunk is not None and chunk.get("error") else None


def with_first(first: str | None, lines: Iterator[str]) -> Iterator[str]:
    """The line read ahead, then the rest."""
    if first is not None:
        yield first
    yield from lines


def moot(settings: Settings, supported: Sequence[str]) -> tuple[str, ...]:
    """Settings in effect that cannot change this answer here, so need not be honoured: a
    neutral penalty (the penalties are in effect together), and penalty_last_n when no
    penalty that acts is sent."""
    stages = in_effect(settings).stages
    neutral = tuple(n for n in PENALTIES if n in stages and stages[n] == NEUTRAL[n])
    acting = [n for n in PENALTIES if n in stages and n not in neutral and n in supported]
    return (*neutral, *(() if acting else ("penalty_last_n",)))


def models_of(answer: Any) -> list[dict[str, Any]]:
    """The entries of a ``/v1/models`` answer, checked: each has its id as text, and vLLM's
    ``max_model_len``, when there, is a whole number."""
    listed = json_objects(json_object(answer, MODELS).get("data"), MODELS)
    for entry in listed:
        if not json_text(entry.get("id"), MODELS):
            raise WrongShape(entry, MODELS)
        json_whole(entry.get("max_model_len"), 'a whole number of tokens ("max_model_len")')
    return listed


def choice_tokens(choice: dict[str, Any], source: str | None) -> Iterator[RemoteToken]:
    """The tokens of one streamed choice: one per ``logprobs.content`` entry when there are
    any, else the delta's text as one token; with learning steps when ``source`` says what
    their numbers are (learning mode only). JSON of another shape raises
    :class:`WrongShape`."""
    delta = json_object(choice.get("delta"), 'an object ("delta")', null_ok=True)
    text = json_text(delta.get("content"), 'text (the "content" of a "delta")')
    logprobs = json_object(choice.get("logprobs"), 'an object ("logprobs")', null_ok=True)
    entries = json_objects(logprobs.get("content"),
                           'a list of objects (the tokens, "logprobs.content")')
    if not entries:
        if text:
            yield RemoteToken(text)
        return
    for piece, entry in zip(split_pieces(text, entries), entries):
        yield RemoteToken(piece, None, step_of(entry, source) if source else None)


def split_pieces(text: str, entries: Sequence[dict[str, Any]]) -> list[str]:
    """The text of each token of a chunk: their own texts when they make up the chunk's
    text, else all of it on the first (the server held part of a character back)."""
    pieces = [json_text(e.get("token"), 'text (a token\'s "token")') for e in entries]
    if "".join(pieces) == text:
        return pieces
    return [text] + [""] * (len(entries) - 1)


def step_of(entry: dict[str, Any], source: str) -> RemoteStep:
    candidates = json_objects(entry.get("top_logprobs"),
                              'a list of objects (the candidates, "top_logprobs")')
    top = tuple((None, json_text(c.get("token"), 'text (a candidate\'s "token")'),
                 prob(c.get("logprob"))) for c in candidates)
    return RemoteStep(prob(entry.get("logprob")), top, final=None, source=source)


def prob(logprob: Any) -> float:
    """A probability from a log-probability (0 for a missing one or -inf; 1 at most)."""
    value = json_number(logprob, 'a number (a "logprob")')
    if value is None:
        return 0.0
    return math.exp(min(value, 0.0)) if value > -1e30 else 0.0


def end_of(finish: str, usage: dict[str, Any]) -> RemoteEnd:
    """The end: why, with the server's counts when it sent usage (vLLM does; llama-cpp-python
    ignores include_usage)."""
    if finish == "abort":
        return RemoteEnd("error", error="The backend aborted the answer (it may be shutting "
                                        "down or overloaded); what it wrote so far is kept.")
    timings = {k: usage[u] for k, u in (("prompt_n", "prompt_tokens"),
                                         ("predicted_n", "completion_tokens")) if u in usage}
    return RemoteEnd(FINISH.get(finish, "stop"), int(usage.get("prompt_tokens") or 0), timings)


def explained(exc: BackendError, name: str, max_tokens: int, model: str = "") -> Exception:
    """A refusal turned into what it means and what to do: the prompt too long for the
    context (with the server's counts when it gives them), max_tokens too large, a model the
    server does not have; anything else unchanged."""
    said = str(exc)
    context, prompt = CONTEXT.search(said), PROMPT.search(said)
    if context and prompt:
        n_ctx, counted = int(context.group(1)), int(next(g for g in prompt.groups() if g))
        if counted >= n_ctx:
            return PromptTooLongError(counted, n_ctx)
        return BackendInputError(
            f"The prompt ({counted} tokens) and max_tokens {max_tokens} do not fit together in "
            f"the {n_ctx} tokens of the context on backend {name}: lower max_tokens to "
            f"{n_ctx - counted} or less, or set it to 0 to let the backend use what is left.")
    if CONTEXT_WORDS.search(said):
        return BackendInputError(
            f"The prompt is too long for the context of the model on backend {name} ({said}). "
            "Shorten the prompt or the previous response, or give the model a larger context "
            "on the server (vLLM --max-model-len, LM Studio's context length when loading, "
            "llama-cpp-python --n_ctx, Ollama's n_ctx setting).")
    if "logits_all" in said:
        return BackendInputError(f"Backend {name} cannot give the probabilities learning mode "
                            f"shows ({said}): start llama-cpp-python's server with "
                            "--logits_all true, or leave learning mode.")
    if model and MISSING_MODEL.search(said):
        return BackendInputError(f"Backend {name} does not serve the model {model!r}: `samantha "
                            f"backends check {name}` lists the models it serves.")
    return exc
