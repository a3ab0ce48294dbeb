"""The token loop: prompt in, tokens out, through our sampler chain.

This is where a generation starts and ends: the prompt is checked against the context window,
evaluated once, then each step samples a token, turns it into text (holding back half characters
and possible stop strings) and feeds it back to the model.
"""

from __future__ import annotations

import codecs
import dataclasses
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

import numpy as np

from samantha.core.answer_events import FinishReason, GenerationResult, TokenEvent
from samantha.core.chat import Message
from samantha.core.engine import Cancel, ModelSession
from samantha.core.errors import NothingAllowed, PromptTooLongError
from samantha.core.lens import Inside
from samantha.core.loopguard import LoopGuard
from samantha.core.sampler_chain import Constraint, SamplerChain
from samantha.core.settings import SEED_MAX, Settings
from samantha.core.trace import TokenStep, display_piece, make_step


class Pacer(Protocol):
    """Learning mode's pace: ``wait_turn()`` returns when the next token may be generated."""

    def wait_turn(self) -> None: ...


class Memory(Protocol):
    """Keeps the raw logits of a step, with the answer's tokens before it."""

    def remember(self, step: int, logits: np.ndarray, before: Sequence[int]) -> None: ...

    def forget(self) -> None: ...


@dataclass(frozen=True)
class Ask:
    """One answer asked of a model, as one value through every layer (the way llama.cpp passes
    ``common_params_sampling``): what the model reads, how its tokens are chosen, and what is
    kept of them. The live collaborators (Stop, the pace) travel beside it."""

    messages: Sequence[Message]  # kept as a tuple
    settings: Settings
    model: str = "default"
    trace_top: int = 0  # learning mode: candidates kept per token (0: no trace)
    loop_guard: bool = True  # end an answer that has started repeating itself
    memory: Memory | None = None  # keeps the raw logits of the last tokens (for what-if)
    forced: Sequence[int] = ()  # the answer starts with these tokens (a branch); a tuple
    layers: str = ""  # learning mode's layer view (core.lens): "", "cheap" or "full"

    def __post_init__(self) -> None:
        object.__setattr__(self, "messages", tuple(self.messages))
        object.__setattr__(self, "forced", tuple(self.forced))

    def replace(self, **changes: Any) -> "Ask":
        return dataclasses.replace(self, **changes)


class NeverCancel:
    def is_set(self) -> bool:
        return False


class StopScanner:
    """Releases generated text, holding back what could still become a stop string. A stop
    made only of whitespace (the paragraph end of a completion, a user's "\\n") counts only
    once the answer has begun: a model often starts with a blank line."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(s for s in stops if s)
        self.pending = ""
        self.stopped = False
        self.begun = False  # some text other than whitespace was released

    def feed(self, text: str) -> str:
        """Add text; return what can be shown now. Sets ``stopped`` when a stop string appears."""
        if not self.stops:  # nothing to look for, nothing held back
            return text
        self.pending += text
        hits = [i for i in (self._find(s) for s in self.stops) if i >= 0]
        if hits:
            self.stopped = True
            out, self.pending = self.pending[: min(hits)], ""
            return out
        keep = self._held_back()
        out = self.pending[: len(self.pending) - keep]
        self.pending = self.pending[len(out):]
        self.begun = self.begun or bool(out.strip())
        return out

    def _find(self, stop: str) -> int:
        """Where ``stop`` first counts in ``pending`` (-1: nowhere yet)."""
        at = self.pending.find(stop)
        if stop.strip():
            return at
        while at >= 0 and not (self.begun or self.pending[:at].strip()):
            at = self.pending.find(stop, at + 1)
        return at

    def flush(self) -> str:
        out, self.pending = self.pending, ""
        return out

    def _held_back(self) -> int:
        """Length of the longest tail of ``pending`` that starts some stop string."""
        best = 0
        for stop in self.stops:
            for size in range(min(len(stop) - 1, len(self.pending)), best, -1):
                if self.pending.endswith(stop[:size]):
                    best = size
                    break
        return best


def resolve_seed(settings: Settings) -> Settings:
    """Settings with a concrete seed: the given one, or a fresh random one (shown and stored)."""
    if settings.seed is not None:
        return settings
    return settings.with_seed(secrets.randbelow(SEED_MAX + 1))


def looked_inside(trace: TokenStep, inside: Inside,
                  piece: Callable[[int], bytes]) -> TokenStep:
    """The step with what each layer would say and where attention went, and the text of every
    token they name (so a stored trace reads alone, as its candidates do)."""
    seen = inside.look(trace.token_id, [c.id for c in trace.candidates])
    attended = inside.attend()
    named = set() if seen is None else {i for view in seen.layers for i, _ in view.top}
    named |= set() if attended is None else set(attended.tokens.values())
    named -= {c.id for c in trace.candidates} | set(trace.pieces)
    pieces = {**trace.pieces, **{i: display_piece(piece(i)) for i in sorted(named)}}
    return dataclasses.replace(trace, layers=seen, attention=attended, pieces=pieces)


def generate(
    session: ModelSession,
    prompt_tokens: Sequence[int],
    settings: Settings,
    cancel: Cancel | None = None,
    extra_stops: Sequence[str] = (),
    trace_top: int = 0,
    pacer: Pacer | None = None,
    loop_guard: bool = True,
    constraint: Constraint | None = None,
    breakers: Mapping[int, tuple[tuple[int, ...], ...]] | None = None,
    memory: Memory | None = None,
    forced: Sequence[int] = (),
    inside: Inside | None = None,
) -> Iterator[TokenEvent | GenerationResult]:
    """Yield a :class:`TokenEvent` per generated token, then one :class:`GenerationResult`.

    With ``trace_top`` > 0 (learning mode) every event carries a :class:`TokenStep` with that
    many candidates. ``pacer`` paces the tokens (learning mode's delay or step by step). With
    ``loop_guard`` an answer that has started repeating itself ends with finish reason
    ``repetition`` (see :mod:`samantha.core.loopguard`); the tokens chosen are the same.
    ``constraint`` (a grammar) allows only the tokens that follow it; ``breakers`` are DRY's
    sequence breakers in token ids. ``memory`` keeps each step's raw logits for a while
    (learning mode's what-if; see :class:`samantha.core.whatif.RecentLogits`). ``forced``
    starts the answer with these tokens (a branch: the answer so far, then the candidate
    chosen instead): all but the last are read with the prompt, the last is taken at its step
    (traced as if chosen there); the chain sees them all as the answer's. ``inside`` adds to
    each traced step what each layer would say (:mod:`samantha.core.lens`).
    Raises :class:`PromptTooLongError` before evaluating anything if the prompt cannot fit.
    """
    cancel = cancel or NeverCancel()
    settings = resolve_seed(settings)
    n_prompt = len(prompt_tokens)
    if n_prompt >= session.n_ctx:
        raise PromptTooLongError(n_prompt, session.n_ctx, settings.n_ctx)
    room = session.n_ctx - n_prompt
    limit = min(settings.max_tokens, room) if settings.max_tokens > 0 else room

    # the penalties and DRY see the answer only; a logit bias must be token ids by now
    chain = SamplerChain(settings, settings.seed or 0, constraint, breakers, session.n_vocab)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    scanner = StopScanner((*settings.stop, *extra_stops))
    guard = LoopGuard() if loop_guard else None
    text: list[str] = []
    ids: list[int] = []
    reason: FinishReason = "length"
    error: str | None = None
    head, chosen = list(forced[:-1]), (int(forced[-1]) if len(forced) else None)
    started = time.perf_counter()
    try:
        evaluated = time.perf_counter()
        logits = session.prefill([*prompt_tokens, *head], cancel)
        evaluating = time.perf_counter() - evaluated
        for token in head:  # the answer so far, as it was: nothing to choose
            chain.accept(token)
            ids.append(token)
            visible = scanner.feed(decoder.decode(session.piece(token)))
            text.append(visible)
            if guard is not None:
                guard.add(token)
            yield TokenEvent(len(ids) - 1, token, visible, None)
        while True:
            if pacer is not None:
                pacer.wait_turn()
            turn = time.perf_counter()
            if logits is None or cancel.is_set():
                reason = "cancelled"
                break
            if len(ids) >= limit:
                reason = "length"
                break
            force = chosen if len(ids) == len(head) else None
            try:
                pick = None
                if trace_top:
                    pick = chain.pick(logits, views=trace_top, chosen=force)
                    token = pick.token
                else:
                    token = chain.sample(logits) if force is None else force
            except NothingAllowed:
                if constraint is None:
                    raise
                reason = "stop"  # the grammar goes no further: the answer is as complete as
                break  # it can be
            if session.is_end(token):
                reason = "stop"
                break
            chain.accept(token)
            ids.append(token)
            visible = scanner.feed(decoder.decode(session.piece(token)))
            text.append(visible)
            trace = None
            if memory is not None:
                memory.remember(len(ids), logits, ids)
            if pick is not None:
                took = evaluating + time.perf_counter() - turn
                trace = make_step(len(ids), logits, pick, trace_top, session.vocab_piece, took,
                                  chain.buffers)
                if inside is not None:
                    trace = looked_inside(trace, inside, session.vocab_piece)
            yield TokenEvent(len(ids) - 1, token, visible, trace)
            if scanner.stopped:
                reason = "stop"
                break
            if guard is not None and guard.add(token):
                reason = "repetition"
                break
            if len(ids) < limit:
                evaluated = time.perf_counter()
                logits = session.advance(token)
                evaluating = time.perf_counter() - evaluated
    except Exception as exc:  # the engine failed: keep what was generated, report the error
        reason, error = "error", f"{type(exc).__name__}: {exc}"
    if not scanner.stopped:
        tail = scanner.feed(decoder.decode(b"", final=True))
        tail += "" if scanner.stopped else scanner.flush()
        text.append(tail)
    yield GenerationResult(
        text="".join(text),
        tokens=len(ids),
        prompt_tokens=n_prompt,
        seconds=time.perf_counter() - started,
        finish_reason=reason,
        settings=settings,
        error=error,
        token_ids=tuple(ids),
    )
