"""llama.cpp's ``llama-server``, through its native ``POST /completion`` stream.

Our chain maps onto its own almost stage for stage (``samplers`` sets the same order:
penalties, top-k, typical, top-p, min-p, temperature); tail-free sampling is gone from
llama.cpp, so a tail-free setting in effect is reported and left out. Its penalties also look
at the prompt (ours look at the answer only). The prompt is rendered with the server's chat
template (``/apply-template``), or with our plain format when the model has none (llama-server
then shows a ChatML template whose markers the model does not know), and checked
against the slot's context with the server's tokenizer before anything is generated.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterator, Sequence

from samantha.core.answer_events import FinishReason
from samantha.core.backend_specs import MAX_SLOTS, BackendError, BackendInfo, BackendSpec
from samantha.core.chat import Message, plain_prompt
from samantha.core.engine import Cancel
from samantha.core.errors import PromptTooLongError
from samantha.core.remote import RemoteEnd, RemoteStep, RemoteToken, in_effect, not_honoured
from samantha.core.remote_limits import StreamWatch, WatchedStream
from samantha.core.settings import Settings
from samantha.engines.http_slices import Stopped
from samantha.engines.openai_http import models_of
from samantha.engines.remote_http import (
    Http,
    Lines,
    WrongShape,
    json_list,
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

SUPPORTED = ("repeat_penalty", "presence_penalty", "frequency_penalty", "penalty_last_n",
             "top_k", "typical_p", "top_p", "min_p", "temperature", "dry_multiplier",
             "dry_base", "dry_allowed_length", "dry_penalty_last_n", "dry_sequence_breakers",
             "top_n_sigma", "xtc_probability", "xtc_threshold", "dynatemp_range",
             "dynatemp_exponent", "mirostat", "mirostat_tau", "mirostat_eta", "logit_bias",
             "min_keep", "samplers", "grammar", "json_schema")
NAMES = {"penalties": "penalties", "dry": "dry", "top-n-sigma": "top_n_sigma", "top-k": "top_k",
         "typical": "typ_p", "top-p": "top_p", "min-p": "min_p", "xtc": "xtc",
         "temperature": "temperature"}  # ours -> llama.cpp's (it has no tail-free)
PASSED = ("dry_multiplier", "dry_base", "dry_allowed_length", "dry_penalty_last_n",
          "dry_sequence_breakers", "top_n_sigma", "xtc_probability", "xtc_threshold",
          "dynatemp_range", "dynatemp_exponent", "mirostat", "mirostat_tau", "mirostat_eta",
          "min_keep", "grammar")  # the same names in llama-server's request
NOTES = {"tfs_z": "llama.cpp has removed tail-free sampling"}
CHATML_MARK = "<|im_start|>"
FINISH: dict[str, FinishReason] = {"eos": "stop", "word": "stop", "limit": "length"}
SERVER = "a llama-server"
CONTEXT = 'a whole number of tokens ("n_ctx")'
TOKENS = 'an object with a list of "tokens"'
IDS = 'a list of token ids ("tokens")'
BYTES = 'a list of bytes, 0 to 255 ("bytes")'


class LlamaServer:
    kind = "llama-server"

    def __init__(self, spec: BackendSpec, http: Http | None = None) -> None:
        self.spec = spec
        self.http = http or Http(spec)
        self._props: dict[str, Any] | None = None
        self._own_template: bool | None = None

    def close(self) -> None:
        self.http.close()

    @property
    def props(self) -> dict[str, Any]:
        if self._props is None:
            answer = self.http.get("/props")
            with shaped_answer(self.spec, "/props", SERVER):
                self._props = json_object(answer, "an object (the server's properties)")
        return self._props

    def models(self, cancel: Cancel | None = None) -> list[str]:
        answer = self.http.get("/v1/models", watch=watch_of(cancel, self.spec))
        with shaped_answer(self.spec, "/v1/models", SERVER):
            return [m["id"] for m in models_of(answer)]

    def n_ctx(self) -> int | None:
        with shaped_answer(self.spec, "/props", SERVER):
            settings = json_object(self.props.get("default_generation_settings"),
                                   'an object ("default_generation_settings")', null_ok=True)
            return (json_whole(settings.get("n_ctx"), CONTEXT)
                    or json_whole(self.props.get("n_ctx"), CONTEXT))

    def capacity(self) -> int | None:
        """Its slots (``total_slots`` of ``/props``; more than 4,096 is not believed)."""
        with shaped_answer(self.spec, "/props", SERVER):
            slots = json_whole(self.props.get("total_slots"), 'a whole number ("total_slots")')
        return slots if slots is not None and 0 < slots <= MAX_SLOTS else None

    def check(self) -> BackendInfo:
        health = self.http.status("/health")
        notes = () if health == 200 else (f"/health answered {health}: not ready yet",)
        template = self.has_template()
        with shaped_answer(self.spec, "/props", SERVER):
            slots = json_whole(self.props.get("total_slots"), 'a whole number ("total_slots")')
        return BackendInfo(
            kind=self.kind, models=tuple(self.models()), n_ctx=self.n_ctx(),
            slots=slots, supports=SUPPORTED,
            learning="top candidates with raw probabilities (greedy), or the survivors of its "
                     "whole chain with their probabilities (sampling); no per-stage counts",
            notes=(*notes, "chat template: the model's own" if template
                   else "no chat template: Samantha's plain format"))

    def not_honoured(self, settings: Settings) -> list[str]:
        out = not_honoured(settings, SUPPORTED, self.kind, NOTES)
        if "penalty_last_n" in in_effect(settings).stages:
            out.append("the penalties of llama-server also look at the prompt's last "
                       "penalty_last_n tokens (Samantha's look at the answer only)")
        return out

    def request(self, prompt: str, settings: Settings, trace_top: int) -> dict[str, Any]:
        """The body of ``POST /completion`` for our settings."""
        effect = in_effect(settings)
        stages = effect.stages
        body: dict[str, Any] = {
            "prompt": prompt, "stream": True, "cache_prompt": True, "return_tokens": True,
            "n_predict": settings.max_tokens or -1, "seed": settings.seed,
            "stop": list(settings.stop),
            "samplers": [NAMES[n] for n in settings.samplers if n in NAMES],
            "top_k": stages.get("top_k", 0), "typical_p": stages.get("typical_p", 1.0),
            "top_p": stages.get("top_p", 1.0), "min_p": stages.get("min_p", 0.0),
            "temperature": 0.0 if effect.greedy else stages["temperature"],
            "repeat_penalty": stages.get("repeat_penalty", 1.0),
            "presence_penalty": stages.get("presence_penalty", 0.0),
            "frequency_penalty": stages.get("frequency_penalty", 0.0),
            "repeat_last_n": stages.get("penalty_last_n", 0),
        }
        body.update({name: stages[name] for name in PASSED if name in stages})
        if "logit_bias" in stages:  # false bans a token in llama-server
            body["logit_bias"] = [[k, False if v == -math.inf else v]
                                  for k, v in stages["logit_bias"]]
        if "json_schema" in stages:
            body["json_schema"] = json.loads(stages["json_schema"])
        if trace_top:
            body["n_probs"] = trace_top
            body["post_sampling_probs"] = not effect.greedy
        return body

    def has_template(self, watch: StreamWatch | None = None) -> bool:
        """Does the model have a chat template of its own? llama-server shows ChatML when it
        has none; a ChatML template whose markers are not tokens of the model is that."""
        if self._own_template is None:
            with shaped_answer(self.spec, "/props", SERVER):
                template = json_text(self.props.get("chat_template"), 'text ("chat_template")')
            own = bool(template)
            if CHATML_MARK in template:
                own = len(self.tokenize(CHATML_MARK, watch, add_special=False)) == 1
            self._own_template = own
        return self._own_template

    def tokenize(self, content: str, watch: StreamWatch | None,
                 add_special: bool) -> list[Any]:
        """The tokens of ``content`` by the server's tokenizer (``POST /tokenize``)."""
        body = {"content": content, "parse_special": True}
        answer = self.http.post("/tokenize", {**body, "add_special": True} if add_special
                                else body, watch=watch)
        with shaped_answer(self.spec, "/tokenize", SERVER):
            return json_list(json_object(answer, TOKENS).get("tokens"), TOKENS)

    def render(self, messages: Sequence[Message], watch: StreamWatch | None = None
               ) -> tuple[str, tuple[str, ...]]:
        if not self.has_template(watch):
            plain = plain_prompt(messages)
            return plain.text, plain.stop
        rendered = self.http.post("/apply-template",
                                  {"messages": [m.to_dict() for m in messages]}, watch=watch)
        expected = 'an object with the rendered "prompt" as text'
        with shaped_answer(self.spec, "/apply-template", SERVER):
            prompt = json_object(rendered, expected).get("prompt")
            if not isinstance(prompt, str):
                raise WrongShape(rendered, expected)
        return prompt, ()

    def stream(self, model: str, messages: Sequence[Message], settings: Settings,
               cancel: Cancel, trace_top: int = 0
               ) -> tuple[tuple[str, ...], Iterator[RemoteToken | RemoteEnd]]:
        watch = StreamWatch(cancel, self.spec.limits, self.spec.name)
        try:
            prompt, stops = self.render(messages, watch)
            n_ctx = self.n_ctx()
            if n_ctx:
                counted = len(self.tokenize(prompt, watch, add_special=True))
                if counted >= n_ctx:
                    raise PromptTooLongError(counted, n_ctx)
        except Stopped:
            return (), WatchedStream(iter(()), watch)
        body = self.request(prompt, settings, trace_top)
        body["stop"] = [*body["stop"], *stops]  # the server stops there too, and says its timings
        greedy = not body.get("post_sampling_probs", False)
        return stops, WatchedStream(self._tokens(self.http.lines("/completion", body, watch),
                                                 greedy), watch)

    def _tokens(self, lines: Lines, greedy: bool) -> Iterator[RemoteToken | RemoteEnd]:
        try:
            with shaped_stream(self.spec, "/completion"):
                for line in lines:
                    chunk = sse_data(line)
                    if chunk is None:
                        continue
                    if "error" in chunk:
                        raise BackendError(f"llama-server: {chunk['error']}")
                    yield from _chunk_tokens(chunk, greedy)
                    if chunk.get("stop"):
                        yield _end(chunk)
                        return
        finally:
            lines.close()


def _chunk_tokens(chunk: dict[str, Any], greedy: bool) -> Iterator[RemoteToken]:
    """The tokens of one chunk (JSON of another shape raises :class:`WrongShape`)."""
    probs = json_objects(chunk.get("completion_probabilities"),
                         'a list of objects (the tokens, "completion_probabilities")')
    if probs:
        for entry in probs:
            yield RemoteToken(_text(entry), _id(entry.get("id")), _step(entry, greedy))
        return
    raw = chunk.get("tokens")
    ids = [] if raw is None else [_id(t) for t in json_list(raw, IDS)]
    content = json_text(chunk.get("content"), 'text ("content")')
    if len(ids) <= 1:
        if content or ids:
            yield RemoteToken(content, ids[0] if ids else None)
        return
    yield RemoteToken(content, ids[0])  # several tokens in one chunk: text on the first
    for token in ids[1:]:
        yield RemoteToken("", token)


def _end(chunk: dict[str, Any]) -> RemoteEnd:
    """The last chunk: why it ended, the prompt's tokens and the server's timings."""
    reason = json_text(chunk.get("stop_type"), 'text ("stop_type")')
    evaluated = json_whole(chunk.get("tokens_evaluated"), 'a whole number ("tokens_evaluated")')
    return RemoteEnd(FINISH.get(reason, "stop"), evaluated or 0,
                     json_numbers(chunk.get("timings"), 'an object of numbers ("timings")'))


def _id(value: Any) -> int | None:
    return json_whole(value, "a whole number (a token id)")


def _text(entry: dict[str, Any]) -> str:
    raw = entry.get("bytes")
    if raw:
        values = json_list(raw, BYTES)
        if not all(type(b) is int and 0 <= b < 256 for b in values):
            raise WrongShape(raw, BYTES)
        return bytes(values).decode("utf-8", errors="replace")
    return json_text(entry.get("token"), 'text ("token")')


def _step(entry: dict[str, Any], greedy: bool) -> RemoteStep:
    if greedy:  # raw softmax over the whole vocabulary; greedy keeps the best one
        top = tuple((_id(c.get("id")), _text(c), _exp(_number(c, "logprob")))
                    for c in _candidates(entry, "top_logprobs"))
        return RemoteStep(_exp(_number(entry, "logprob", 0.0)), top,
                          final=((_id(entry.get("id")), 1.0),), chain="llama-server (greedy)",
                          source="llama-server: raw probabilities of the top candidates; "
                                 "greedy, so one survivor; no per-stage counts")
    top = tuple((_id(c.get("id")), _text(c), _p(_number(c, "prob")))
                for c in _candidates(entry, "top_probs"))
    return RemoteStep(_p(_number(entry, "prob", 0.0)), top,
                      final=tuple((i, p) for i, _, p in top), chain="llama-server chain",
                      source="llama-server: probabilities after its whole chain (the "
                             "survivors, as many as shown at most); no raw scores, no "
                             "per-stage counts")


def _candidates(entry: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return json_objects(entry.get(key), f'a list of objects (the candidates, "{key}")')


def _number(entry: dict[str, Any], key: str, missing: float | None = None) -> float:
    """The number under ``key``; when there is none, ``missing`` (None: it must be there)."""
    value = json_number(entry.get(key), f'a number ("{key}")')
    if value is None:
        if missing is None:
            raise WrongShape(entry, f'an object with a number "{key}"')
        return missing
    return value


def _exp(logprob: float) -> float:
    """A probability from a log-probability (0 for -inf; 1 at most)."""
    return math.exp(min(logprob, 0.0)) if logprob > -1e30 else 0.0


def _p(prob: float) -> float:
    return min(max(prob, 0.0), 1.0)
