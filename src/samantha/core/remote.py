"""Remote backends, the pure part: the adapters' protocol, the sampling settings in effect, and
the token loop over a backend's stream (their names and addresses are
:mod:`samantha.core.backend_specs`).

A backend adapter (``samantha.engines``) turns its wire format into :class:`RemoteToken` and
:class:`RemoteEnd` values; :func:`generate_remote` turns those into the same
:class:`TokenEvent` / :class:`GenerationResult` stream as the local engine, with our stop
strings, the loop guard, Stop / Next and learning mode's pace, so the runner, the history and
the front ends cannot tell the two apart.
"""

from __future__ import annotations

import math
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol, Sequence

from samantha.core.answer_events import FinishReason, GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendInfo, BackendSpec
from samantha.core.candidates import StageCount
from samantha.core.chat import Message
from samantha.core.engine import Cancel
from samantha.core.generation import NeverCancel, Pacer, StopScanner, resolve_seed
from samantha.core.loopguard import LoopGuard
from samantha.core.prompt_format import COMPLETION, PLAIN
from samantha.core.remote_limits import (
    END_GRACE_SECONDS,
    StreamLimits,
    WatchedStream,
)
from samantha.core.setting_lists import DEFAULT_ORDER
from samantha.core.settings import Settings
from samantha.core.trace import Candidate, Survivor, TokenStep


class RemoteBackend(Protocol):
    """One backend kind's adapter (``samantha.engines``): its wire format, nothing more."""

    spec: BackendSpec

    def check(self) -> BackendInfo: ...

    def models(self, cancel: Cancel | None = None) -> list[str]:
        """The models it serves (``cancel``: Stop gives up the wait, raising a
        :class:`BackendError`)."""

    def capacity(self) -> int | None:
        """How many answers it computes at once, when it says (None: it does not)."""

    def not_honoured(self, settings: Settings) -> list[str]: ...

    def stream(self, model: str, messages: Sequence[Message], settings: Settings,
               cancel: Cancel, trace_top: int = 0
               ) -> tuple[tuple[str, ...], Iterator["RemoteToken | RemoteEnd"]]:
        """Stop strings of its prompt format, and the stream of one answer (raises
        :class:`BackendError` or :class:`PromptTooLongError` before the first token)."""

    def close(self) -> None: ...


# -- the settings in effect ----------------------------------------------------------------------
@dataclass(frozen=True)
class InEffect:
    """The stages of our chain that change the answer, with their values, in chain order.
    ``greedy``: the chain ends on the best remaining candidate (no random draw)."""

    greedy: bool
    stages: dict[str, Any] = field(default_factory=dict)


def in_effect(settings: Settings) -> InEffect:
    """Which of our stages act, as our chain applies them (see ``core/stages_filters.py``). A filter
    that keeps one candidate makes the answer greedy; then only the penalties matter, and
    typical sampling with what comes before it (it may keep a candidate that is not the best)."""
    s = settings
    stages: dict[str, Any] = dict(beyond_the_classics(s))
    if s.penalty_last_n != 0 and (s.repeat_penalty != 1.0 or s.presence_penalty != 0.0
                                  or s.frequency_penalty != 0.0):
        stages.update(repeat_penalty=s.repeat_penalty, presence_penalty=s.presence_penalty,
                      frequency_penalty=s.frequency_penalty, penalty_last_n=s.penalty_last_n)
    before_typical_one = s.top_k == 1 or (s.tfs_z <= 0.0 and s.top_k != 2)
    typical = s.typical_p < 1.0 and not before_typical_one
    greedy = (before_typical_one or s.top_p <= 0.0 or s.min_p >= 1.0 or s.temperature <= 0.0)
    if greedy and not typical:
        return InEffect(True, stages)
    if s.top_k > 0:
        stages["top_k"] = s.top_k
    if s.tfs_z < 1.0:
        stages["tfs_z"] = s.tfs_z
    if typical:
        stages["typical_p"] = s.typical_p
    if greedy:
        return InEffect(True, stages)
    if s.top_p < 1.0:
        stages["top_p"] = s.top_p
    if s.min_p > 0.0:
        stages["min_p"] = s.min_p
    stages["temperature"] = s.temperature
    return InEffect(False, stages)


def beyond_the_classics(s: Settings) -> dict[str, Any]:
    """The settings in effect beyond the predecessor's chain: DRY, XTC, top-n-sigma, dynamic
    temperature, mirostat, logit bias, min_keep, another order, a grammar."""
    out: dict[str, Any] = {}
    if s.dry_multiplier != 0.0 and s.dry_penalty_last_n != 0:
        out.update(dry_multiplier=s.dry_multiplier, dry_base=s.dry_base,
                   dry_allowed_length=s.dry_allowed_length,
                   dry_penalty_last_n=s.dry_penalty_last_n,
                   dry_sequence_breakers=list(s.dry_sequence_breakers))
    if s.top_n_sigma > 0.0 and s.temperature > 0.0:
        out["top_n_sigma"] = s.top_n_sigma
    if s.xtc_probability > 0.0 and s.xtc_threshold <= 0.5:
        out.update(xtc_probability=s.xtc_probability, xtc_threshold=s.xtc_threshold)
    if s.dynatemp_range > 0.0 and s.temperature > 0.0:
        out.update(dynatemp_range=s.dynatemp_range, dynatemp_exponent=s.dynatemp_exponent)
    if s.mirostat:
        out.update(mirostat=s.mirostat, mirostat_tau=s.mirostat_tau,
                   mirostat_eta=s.mirostat_eta)
    if s.logit_bias:
        out["logit_bias"] = [[k, v] for k, v in s.logit_bias]
    if s.min_keep > 1:
        out["min_keep"] = s.min_keep
    if s.samplers != DEFAULT_ORDER:
        out["samplers"] = list(s.samplers)
    if s.grammar:
        out["grammar"] = s.grammar
    if s.json_schema:
        out["json_schema"] = s.json_schema
    return out


def not_honoured(settings: Settings, supported: Sequence[str], backend: str,
                 notes: dict[str, str] | None = None) -> list[str]:
    """One sentence per setting in effect that this backend cannot honour."""
    effect = in_effect(settings)
    notes = notes or {}
    missing = [name for name in effect.stages if name not in supported]
    said = [f"{name} = {_short(effect.stages[name])} is not supported by {backend} and is left "
            f"out ({notes.get(name, 'answers may differ from the local engine')})"
            for name in missing if COMPANIONS.get(name) not in missing]
    if settings.prompt_format in (COMPLETION, PLAIN):
        said.append(f"prompt_format = {settings.prompt_format} is not supported by {backend}: "
                    "it is sent chat messages, and its server applies the model's template")
    return said


#: Settings that go with another one: said once, with it.
COMPANIONS = {"dry_base": "dry_multiplier", "dry_allowed_length": "dry_multiplier",
              "dry_penalty_last_n": "dry_multiplier", "dry_sequence_breakers": "dry_multiplier",
              "xtc_threshold": "xtc_probability", "dynatemp_exponent": "dynatemp_range",
              "mirostat_tau": "mirostat", "mirostat_eta": "mirostat"}


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- the token loop --------------------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteToken:
    """One generated token as a backend streamed it. ``token_id`` None: the backend does not
    say (OpenAI-style APIs give only text). ``step``: learning mode's record, when asked."""

    text: str
    token_id: int | None = None
    step: "RemoteStep | None" = None


@dataclass(frozen=True)
class RemoteEnd:
    """The end of the stream: why, and the backend's own counts and timings."""

    finish_reason: FinishReason
    prompt_tokens: int = 0
    timings: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class RemoteStep:
    """What a backend says about one token: its probability and the top candidates (id None
    when it gives no ids); ``final``, the survivors of its chain with their probabilities when
    it says; ``source``, what these numbers are, shown with them."""

    p: float
    top: tuple[tuple[int | None, str, float], ...]
    final: tuple[tuple[int | None, float], ...] | None = None
    source: str = ""
    chain: str = "backend chain"  # the name its survivor count is shown under


def pseudo_id(text: str) -> int:
    """A stable stand-in id for a token known only by its text (for the loop guard)."""
    return -1 - zlib.crc32(text.encode("utf-8"))


def remote_step(index: int, token: RemoteToken, seconds: float) -> TokenStep | None:
    """A learning-mode record from a backend's probabilities. Logits are unknown: the
    log-probability stands in (it orders the candidates the same); the entropy is that of the
    top candidates shown, a lower bound."""
    info = token.step
    if info is None:
        return None
    chosen = token.token_id if token.token_id is not None else -1
    top = sorted(info.top, key=lambda c: -c[2])
    rank = next((i + 1 for i, c in enumerate(top)
                 if (c[0] == chosen if chosen >= 0 else c[1] == token.text)), len(top) + 1)
    entropy = -sum(p * math.log(p) for _, _, p in top if p > 0)
    stages: tuple[StageCount, ...] = ()
    final: tuple[Survivor, ...] = ()
    if info.final is not None:
        stages = (StageCount(info.chain, len(info.final)),)
        final = tuple(Survivor(-1 if i is None else i, p) for i, p in info.final)
    return TokenStep(
        step=index + 1, token_id=chosen, piece=token.text, rank=rank, logit=_log(info.p),
        p=info.p, entropy=max(entropy, 0.0),
        candidates=tuple(Candidate(-1 if i is None else i, piece, _log(p), p)
                         for i, piece, p in top),
        stages=stages, final=final, seconds=seconds,
        source=info.source)


def _log(p: float) -> float:
    return math.log(p) if p > 0 else -math.inf


def generate_remote(stream: Iterator[RemoteToken | RemoteEnd], settings: Settings,
                    cancel: Cancel | None = None, extra_stops: Sequence[str] = (),
                    pacer: Pacer | None = None, loop_guard: bool = True,
                    started: float | None = None) -> Iterator[TokenEvent | GenerationResult]:
    """Yield a :class:`TokenEvent` per streamed token, then one :class:`GenerationResult`.
    Closing ``stream`` (on a stop, a loop, Stop / Next) closes the connection at once.

    max_tokens is counted here, whatever the server does: the answer ends on "length" at
    that many tokens (the server gets a moment to send its counts when ``stream`` is a
    :class:`WatchedStream`); its text is cut at the answer_bytes limit."""
    cancel = cancel or NeverCancel()
    settings = resolve_seed(settings)
    started = time.perf_counter() if started is None else started
    watch = stream.watch if isinstance(stream, WatchedStream) else None
    limits = watch.limits if watch is not None else StreamLimits()
    scanner = StopScanner((*settings.stop, *extra_stops))
    guard = LoopGuard() if loop_guard else None
    text: list[str] = []
    ids: list[int] = []
    size = 0
    full = False  # max_tokens reached: only the server's end may still come
    end = RemoteEnd("length")
    last = time.perf_counter()
    try:
        for item in stream:
            if isinstance(item, RemoteEnd):
                end = item
                break
            if full:  # a token past max_tokens: ours ends here
                break
            if pacer is not None:
                waited = time.perf_counter()
                pacer.wait_turn()
                if watch is not None:
                    watch.paused(time.perf_counter() - waited)
            if cancel.is_set():
                end = RemoteEnd("cancelled")
                break
            size += len(item.text.encode("utf-8"))
            if size > limits.answer_bytes:
                end = RemoteEnd("error", error=limits.met(
                    "answer_bytes", "The answer was cut", "what came before is kept"))
                break
            token_id = item.token_id if item.token_id is not None else pseudo_id(item.text)
            ids.append(token_id)
            visible = scanner.feed(item.text)
            text.append(visible)
            now = time.perf_counter()
            yield TokenEvent(len(ids) - 1, token_id, visible, remote_step(len(ids) - 1, item,
                                                                          now - last))
            last = now
            if scanner.stopped:
                end = RemoteEnd("stop", end.prompt_tokens, end.timings)
                break
            if guard is not None and guard.add(token_id):
                end = RemoteEnd("repetition", end.prompt_tokens, end.timings)
                break
            if settings.max_tokens and len(ids) >= settings.max_tokens:
                if watch is None:
                    break
                full = True
                watch.finish_within(END_GRACE_SECONDS)
            if watch is not None:
                watch.heard()
        else:
            if cancel.is_set() and not full:
                end = RemoteEnd("cancelled")
    except BackendError as exc:  # a broken stream: keep what was generated
        end = RemoteEnd("length") if full else RemoteEnd("error", error=str(exc))
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    if not scanner.stopped:
        text.append(scanner.flush())
    yield GenerationResult(
        text="".join(text), tokens=len(ids), prompt_tokens=end.prompt_tokens,
        seconds=time.perf_counter() - started, finish_reason=end.finish_reason,
        settings=settings, error=end.error,
        token_ids=tuple(i for i in ids if i >= 0), timings=dict(end.timings))
