"""Ollama, through its native ``POST /api/chat`` stream (one JSON object per line), with the
model's own chat template.

Ollama takes nearly all of our chain as ``options``; tail-free sampling is gone from it, so a
tail-free setting in effect is reported and left out. Learning mode gets the top candidates'
raw probabilities as text (``top_logprobs``, 0–20, Ollama 0.12.11 or later): no token ids, no
survivor counts. The backend's own counts and timings (``prompt_eval_count``, ``eval_count``,
``eval_duration`` …) come with the last line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from samantha.core.answer_events import FinishReason
from samantha.core.backend_specs import BackendError, BackendInfo, BackendInputError, BackendSpec
from samantha.core.chat import Message
from samantha.core.engine import Cancel
from samantha.core.remote import RemoteEnd, RemoteToken, in_effect, not_honoured
from samantha.core.remote_limits import StreamWatch, WatchedStream
from samantha.core.settings import Settings
from samantha.engines.http_slices import Stopped
from samantha.engines.openai_http import (
    MAX_TOP,
    MISSING_MODEL,
    explained,
    split_pieces,
    step_of,
    with_first,
)
from samantha.engines.remote_http import (
    Http,
    Lines,
    WrongShape,
    json_line,
    json_object,
    json_objects,
    json_text,
    json_whole,
    shaped_answer,
    shaped_stream,
    watch_of,
)

PATH = "/api/chat"
LOGPROBS_SINCE = (0, 12, 11)
SUPPORTED = ("repeat_penalty", "presence_penalty", "frequency_penalty", "penalty_last_n",
             "top_k", "typical_p", "top_p", "min_p", "temperature")
NOTES = {"tfs_z": "Ollama has removed tail-free sampling"}
FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length"}
NS = 1e-9
SERVER = "an Ollama server"
TAGS = 'an object whose "models" lists the models, each an object with its "name" as text'
LINE = "a JSON object (one line of the answer)"


class Ollama:
    kind = "ollama"

    def __init__(self, spec: BackendSpec, http: Http | None = None) -> None:
        self.spec = spec
        self.http = http or Http(spec)

    def close(self) -> None:
        self.http.close()

    def models(self, cancel: Cancel | None = None) -> list[str]:
        tags = self.http.get("/api/tags", watch=watch_of(cancel, self.spec))
        names = []
        with shaped_answer(self.spec, "/api/tags", SERVER):
            for entry in json_objects(json_object(tags, TAGS).get("models"), TAGS):
                names.append(json_text(entry.get("name"), TAGS))
                if not names[-1]:
                    raise WrongShape(entry, TAGS)
        return names

    def version(self) -> str | None:
        """Ollama's version (``GET /api/version``), None when it does not say."""
        try:
            answer = json_object(self.http.get("/api/version"), "an object")
            return json_text(answer.get("version"), "text") or None
        except BackendError:  # a WrongShape too: the version is only shown
            return None

    def capacity(self) -> int | None:
        """Not told (Ollama's OLLAMA_NUM_PARALLEL): declare ``slots`` for it."""
        return None

    def check(self) -> BackendInfo:
        models = tuple(self.models())
        version = self.version()
        learning = ("top N candidates with raw probabilities (top_logprobs), as text without "
                    "token ids; no survivor counts")
        notes = [f"version: {version or 'unknown'}", "chat template: the model's own",
                 "a prompt longer than n_ctx is cut by Ollama itself (its log says so)"]
        if version and _older(version, LOGPROBS_SINCE):
            learning = "no probabilities: Ollama gives them from 0.12.11 on"
            notes.append(f"Ollama {version} gives no probabilities: update it for learning "
                         "mode")
        return BackendInfo(kind=self.kind, models=models, supports=SUPPORTED,
                           learning=learning, notes=tuple(notes))

    def not_honoured(self, settings: Settings) -> list[str]:
        out = not_honoured(settings, SUPPORTED, self.kind, NOTES)
        stages = in_effect(settings).stages
        engine = "models that run on Ollama's own engine (newer ones, such as Gemma 3)"
        if "typical_p" in stages:
            out.append(f"typical_p = {stages['typical_p']}: {engine} may ignore it (those on "
                       "Ollama's llama.cpp runner honour it)")
        if stages.get("penalty_last_n", 64) != 64:
            out.append(f"penalty_last_n = {stages['penalty_last_n']}: {engine} may look at "
                       "the last 64 tokens whatever it says")
        return out

    def request(self, model: str, messages: Sequence[Message], settings: Settings,
                trace_top: int) -> dict[str, Any]:
        """The body of ``POST /api/chat`` for our settings. Every option is sent, neutral
        when not in effect: a model's Modelfile may set its own defaults."""
        if trace_top > MAX_TOP:
            raise BackendInputError(
                f"top_logprobs is at most {MAX_TOP} on Ollama backends such as "
                f"{self.spec.name}, and learning mode asked for {trace_top} candidates: show "
                f"{MAX_TOP} or fewer, or use a llama-server backend, which gives more.")
        effect = in_effect(settings)
        stages = effect.stages
        options: dict[str, Any] = {
            "num_predict": settings.max_tokens or -1,
            "temperature": 0.0 if effect.greedy else stages["temperature"],
            "top_k": stages.get("top_k", 0), "top_p": stages.get("top_p", 1.0),
            "min_p": stages.get("min_p", 0.0), "typical_p": stages.get("typical_p", 1.0),
            "repeat_penalty": stages.get("repeat_penalty", 1.0),
            "repeat_last_n": stages.get("penalty_last_n", 0),
            "presence_penalty": stages.get("presence_penalty", 0.0),
            "frequency_penalty": stages.get("frequency_penalty", 0.0),
        }
        if settings.n_ctx:
            options["num_ctx"] = settings.n_ctx
        if settings.seed is not None:
            options["seed"] = settings.seed
        if settings.stop:
            options["stop"] = list(settings.stop)
        body: dict[str, Any] = {"model": model, "messages": [m.to_dict() for m in messages],
                                "stream": True, "options": options}
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
        try:  # send it now: a refusal is raised before the first token
            first = next(lines, None)
        except Stopped:
            return (), WatchedStream(iter(()), watch)
        except BackendError as exc:
            raise self._explained(exc, settings, model) from None
        if first is None and not watch.is_set():
            raise BackendError(f"Backend {self.spec.name} closed its stream without sending "
                               "anything. Try again, and check Ollama's log.")
        said = _error_in(first)
        if said:
            lines.close()
            raise self._explained(self._stopped({"error": said}), settings, model)
        source = (f"ollama: raw probabilities of the top {trace_top} (top_logprobs); no token "
                  "ids, no survivor counts") if trace_top else None
        return (), WatchedStream(self._tokens(first, lines, watch, source, settings.max_tokens),
                                 watch)

    def _explained(self, exc: BackendError, settings: Settings, model: str) -> Exception:
        name = self.spec.name
        if MISSING_MODEL.search(str(exc)):
            return BackendInputError(f"Backend {name} does not have the model {model!r}: `ollama "
                                f"pull {model}` on that machine fetches it; `samantha backends "
                                f"check {name}` lists the models it has.")
        return explained(exc, name, settings.max_tokens, model)

    def _stopped(self, chunk: dict[str, Any]) -> BackendError:
        return BackendError(f"Backend {self.spec.name} stopped with an error: "
                            f"{chunk['error']}")

    def _tokens(self, first: str | None, lines: Lines, cancel: Cancel,
                source: str | None,
                max_tokens: int) -> Iterator[RemoteToken | RemoteEnd]:
        try:
            with shaped_stream(self.spec, PATH):
                for line in with_first(first, lines):
                    chunk = json_line(line, LINE)
                    if chunk.get("error"):
                        raise explained(self._stopped(chunk), self.spec.name, max_tokens)
                    yield from chunk_tokens(chunk, source)
                    if chunk.get("done"):
                        yield end_of(chunk)
                        return
            if not cancel.is_set():
                raise BackendError(f"The stream from backend {self.spec.name} ended before "
                                   "its last line (done). What it wrote so far is kept; check "
                                   "Ollama's log.")
        finally:
            lines.close()


def chunk_tokens(chunk: dict[str, Any], source: str | None) -> Iterator[RemoteToken]:
    """The tokens of one line: one per ``logprobs`` entry when there are any, else the
    message's text as one token; with learning steps when ``source`` says what their numbers
    are (learning mode only). A thinking model's ``thinking`` text is not part of the
    answer. JSON of another shape raises :class:`WrongShape`."""
    message = json_object(chunk.get("message"), 'an object ("message")', null_ok=True)
    text = json_text(message.get("content"), 'text (the "content" of a "message")')
    entries = json_objects(chunk.get("logprobs"), 'a list of objects (the tokens, "logprobs")')
    if not entries:
        if text:
            yield RemoteToken(text)
        return
    for piece, entry in zip(split_pieces(text, entries), entries):
        yield RemoteToken(piece, None, step_of(entry, source) if source else None)


def end_of(chunk: dict[str, Any]) -> RemoteEnd:
    """The last line: why it ended, and Ollama's counts and durations as timings."""
    reason = json_text(chunk.get("done_reason"), 'text ("done_reason")') or "stop"
    prompt_tokens = _count(chunk, "prompt_eval_count") or 0
    if reason not in FINISH:  # "load", "unload": the model was (un)loaded, nothing written
        return RemoteEnd("error", prompt_tokens,
                         error=f"Ollama ended the answer with done_reason {reason!r}: the "
                               "model was loaded or unloaded instead. Try again.")
    return RemoteEnd(FINISH[reason], prompt_tokens, timings(chunk))


def timings(chunk: dict[str, Any]) -> dict[str, float]:
    """Ollama's counts and nanosecond durations in llama-server's terms (ms, per second)."""
    out: dict[str, float] = {}
    for prefix, count, duration in (("prompt", "prompt_eval_count", "prompt_eval_duration"),
                                    ("predicted", "eval_count", "eval_duration")):
        n, ns = _count(chunk, count), _count(chunk, duration)
        if n is not None:
            out[f"{prefix}_n"] = n
        if ns:
            out[f"{prefix}_ms"] = ns * NS * 1000
            if n is not None:
                out[f"{prefix}_per_second"] = n / (ns * NS)
    for name, key in (("load_ms", "load_duration"), ("total_ms", "total_duration")):
        ns = _count(chunk, key)
        if ns:
            out[name] = ns * NS * 1000
    return out


def _count(chunk: dict[str, Any], key: str) -> int | None:
    """A count or a duration in nanoseconds of the last line (None when it does not say)."""
    return json_whole(chunk.get(key), f'a whole number ("{key}")')


def _error_in(line: str | None) -> str | None:
    """The error a line reports, if it is one (a line that is not JSON is left to the
    stream, which says so)."""
    try:
        data = json.loads(line) if line is not None else None
    except ValueError:
        return None
    return str(data["error"]) if isinstance(data, dict) and data.get("error") else None


def _older(version: str, than: tuple[int, ...]) -> bool:
    """True when a version such as ``0.12.3`` (or ``0.13.0-rc1``) is older than ``than``."""
    parts = []
    for part in version.split("-")[0].split(".")[:3]:
        if not part.isdigit():
            return False  # a build we cannot read: assume it is recent
        parts.append(int(part))
    return tuple(parts) < than
