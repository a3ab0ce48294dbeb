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

from samantha.core.backend_specs import BackendError, BackendInfo, BackendSpec
from samantha.core.chat import Message, plain_prompt
from samantha.core.engine import Cancel
from samantha.core.errors import PromptTooLongError
from samantha.core.events import FinishReason
from samantha.core.remote import RemoteEnd, RemoteStep, RemoteToken, in_effect, not_honoured
from samantha.core.remote_limits import StreamWatch, WatchedStream
from samantha.core.settings import Settings
from samantha.engines.http_slices import Stopped
from samantha.engines.remote_http import Http, Lines, sse_data, watch_of

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
            self._props = self.http.get("/props")
        return self._props

    def models(self, cancel: Cancel | None = None) -> list[str]:
        return [m["id"] for m in self.http.get("/v1/models", watch=watch_of(cancel, self.spec))
                .get("data", [])]

    def n_ctx(self) -> int | None:
        settings = self.props.get("default_generation_settings", {})
        return settings.get("n_ctx") or self.props.get("n_ctx")

    def check(self) -> BackendInfo:
        health = self.http.status("/health")
        notes = () if health == 200 else (f"/health answered {health}: not ready yet",)
        template = self.has_template()
        return BackendInfo(
            kind=self.kind, models=tuple(self.models()), n_ctx=self.n_ctx(),
            slots=self.props.get("total_slots"), supports=SUPPORTED,
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
            template = self.props.get("chat_template") or ""
            own = bool(template)
            if CHATML_MARK in template:
                marker = self.http.post("/tokenize", {"content": CHATML_MARK,
                                                      "parse_special": True}, watch=watch)["tokens"]
                own = len(marker) == 1
            self._own_template = own
        return self._own_template

    def render(self, messages: Sequence[Message], watch: StreamWatch | None = None
               ) -> tuple[str, tuple[str, ...]]:
        if not self.has_template(watch):
            plain = plain_prompt(messages)
            return plain.text, plain.stop
        rendered = self.http.post("/apply-template",
                                  {"messages": [m.to_dict() for m in messages]}, watch=watch)
        return rendered["prompt"], ()

    def stream(self, model: str, messages: Sequence[Message], settings: Settings,
               cancel: Cancel, trace_top: int = 0
               ) -> tuple[tuple[str, ...], Iterator[RemoteToken | RemoteEnd]]:
        watch = StreamWatch(cancel, self.spec.limits, self.spec.name)
        try:
            prompt, stops = self.render(messages, watch)
            n_ctx = self.n_ctx()
            if n_ctx:
                counted = len(self.http.post("/tokenize", {
                    "content": prompt, "add_special": True, "parse_special": True},
                    watch=watch)["tokens"])
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
            for line in lines:
                chunk = sse_data(line)
                if chunk is None:
                    continue
                if "error" in chunk:
                    raise BackendError(f"llama-server: {chunk['error']}")
                yield from self._chunk_tokens(chunk, greedy)
                if chunk.get("stop"):
                    yield RemoteEnd(FINISH.get(chunk.get("stop_type", ""), "stop"),
                                    chunk.get("tokens_evaluated", 0), chunk.get("timings", {}))
                    return
        finally:
            lines.close()

    def _chunk_tokens(self, chunk: dict[str, Any], greedy: bool) -> Iterator[RemoteToken]:
        probs = chunk.get("completion_probabilities")
        if probs:
            for entry in probs:
                yield RemoteToken(_text(entry), entry.get("id"), _step(entry, greedy))
            return
        ids = chunk.get("tokens") or []
        content = chunk.get("content", "")
        if len(ids) <= 1:
            if content or ids:
                yield RemoteToken(content, ids[0] if ids else None)
            return
        yield RemoteToken(content, ids[0])  # several tokens in one chunk: text on the first
        for token in ids[1:]:
            yield RemoteToken("", token)


def _text(entry: dict[str, Any]) -> str:
    raw = entry.get("bytes")
    if raw:
        return bytes(raw).decode("utf-8", errors="replace")
    return entry.get("token", "")


def _step(entry: dict[str, Any], greedy: bool) -> RemoteStep:
    if greedy:  # raw softmax over the whole vocabulary; greedy keeps the best one
        top = tuple((c.get("id"), _text(c), _exp(c["logprob"]))
                    for c in entry.get("top_logprobs", []))
        return RemoteStep(_exp(entry.get("logprob", 0.0)), top,
                          final=((entry.get("id"), 1.0),), chain="llama-server (greedy)",
                          source="llama-server: raw probabilities of the top candidates; "
                                 "greedy, so one survivor; no per-stage counts")
    top = tuple((c.get("id"), _text(c), float(c["prob"])) for c in entry.get("top_probs", []))
    return RemoteStep(float(entry.get("prob", 0.0)), top,
                      final=tuple((i, p) for i, _, p in top), chain="llama-server chain",
                      source="llama-server: probabilities after its whole chain (the "
                             "survivors, as many as shown at most); no raw scores, no "
                             "per-stage counts")


def _exp(logprob: float) -> float:
    return math.exp(logprob) if logprob > -1e30 else 0.0
