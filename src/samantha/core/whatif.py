"""Learning mode's "what if": what another chain would keep from the same scores, without
generating again.

While an answer is generated, :class:`RecentLogits` keeps the raw logits of the last few tokens
(and the answer's tokens before each, which the penalties and DRY look at). :func:`what_if`
runs a fresh chain with other settings on one of them and returns what each stage kept, as
learning mode shows it. A stored trace has only its top-N candidates; :func:`what_if_stored`
runs the chain on those, and says that the rest of the vocabulary is unknown.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from samantha.core.errors import SettingsError
from samantha.core.sampler_chain import SamplerChain
from samantha.core.sampling import Candidates, StageView
from samantha.core.settings import Settings, coerce
from samantha.core.trace import TokenStep

KEEP = 8  # how many tokens' logits stay in memory (262,144 logits are a megabyte)


@dataclass(frozen=True)
class Remembered:
    logits: np.ndarray  # a copy of the raw logits of this step
    before: tuple[int, ...]  # the answer's tokens before this step


class RecentLogits:
    """The raw logits of the last ``keep`` steps of one answer, by step (1-based).

    Generation writes each step into one of ``keep`` arrays made once (a fresh megabyte per
    token costs page faults); :meth:`get` copies, so a what-if computed on another thread
    never reads an array being overwritten."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._slots: list[np.ndarray] = []
        self._steps: OrderedDict[int, int] = OrderedDict()  # step -> its slot
        self._answer: Sequence[int] = ()
        self._lock = threading.Lock()

    def remember(self, step: int, logits: np.ndarray, answer: Sequence[int]) -> None:
        """Keep ``logits``, the scores of ``step``; ``answer``: the answer's tokens, read when
        asked (only appended to, so its first ``step - 1`` are the tokens before the step)."""
        with self._lock:
            if len(self._steps) >= self.keep:
                slot = self._steps.popitem(last=False)[1]
            else:
                slot = len(self._steps)
            if slot == len(self._slots):  # the slots are made one by one, as steps come
                self._slots.append(np.empty_like(logits))
            elif self._slots[slot].shape != logits.shape or self._slots[slot].dtype != logits.dtype:
                self._slots[slot] = np.empty_like(logits)
            np.copyto(self._slots[slot], logits)
            self._steps[step] = slot
            self._answer = answer

    def forget(self) -> None:
        """A new answer begins: the steps of the last one no longer apply."""
        with self._lock:
            self._steps.clear()
            self._answer = ()

    def get(self, step: int) -> Remembered | None:
        with self._lock:
            slot = self._steps.get(step)
            if slot is None:
                return None
            return Remembered(self._slots[slot].copy(), tuple(self._answer[: step - 1]))

    @property
    def steps(self) -> list[int]:
        with self._lock:
            return list(self._steps)


@dataclass(frozen=True)
class WhatIf:
    """What the other chain keeps: each active stage's survivors, and the final ones.
    ``partial``: computed over the stored top-N only (the tail is unknown)."""

    settings: Settings
    chain: str  # logits -> ... -> draw
    views: tuple[StageView, ...]
    final: tuple[tuple[int, float], ...]  # the survivors before the draw, most likely first
    partial: bool = False


def parse_what_if(text: str, base: Settings) -> Settings:
    """``"top_p=0.5,min_p=0.1"`` -> ``base`` with those values (checked as everywhere)."""
    changes = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise SettingsError(f"what-if: {part!r} is not NAME=VALUE; write e.g. "
                                "\"top_p=0.5,min_p=0.1\".")
        name = name.strip().replace("-", "_")
        changes[name] = coerce(name, value)
    return base.replace(**changes)


def what_if(logits: np.ndarray, before: Sequence[int], settings: Settings, top: int,
            breakers: Mapping[int, tuple[tuple[int, ...], ...]] | None = None,
            n_vocab: int = 0) -> WhatIf:
    """The chain with ``settings`` on these raw logits, after the answer's tokens ``before``
    (a logit bias given as text must be token ids by now; no grammar: its state is the
    answer's). The draw is seeded as the answer's, so a greedy chain picks what it would."""
    chain = _chain(settings, before, breakers, n_vocab)
    return _result(chain, chain.pick(logits, views=top), settings, top, partial=False)


def what_if_stored(step: TokenStep, before: Sequence[int], settings: Settings,
                   top: int) -> WhatIf:
    """The chain with ``settings`` on a stored step's top-N raw candidates: exact for what
    those candidates do among themselves; every token beyond them is unknown."""
    ids = np.array([c.id for c in step.candidates], dtype=np.int64)
    logits = np.array([c.logit for c in step.candidates], dtype=np.float32)
    chain = _chain(settings, before, None, 0)
    pick = chain.pick_among(Candidates(ids, logits), views=top)
    return _result(chain, pick, settings, top, partial=True)


def _chain(settings: Settings, before: Sequence[int],
           breakers: Mapping[int, tuple[tuple[int, ...], ...]] | None,
           n_vocab: int) -> SamplerChain:
    chain = SamplerChain(settings, settings.seed or 0, None, breakers, n_vocab)
    for token in before:
        chain.accept(int(token))
    return chain


def _result(chain: SamplerChain, pick, settings: Settings, top: int, partial: bool) -> WhatIf:
    survivors = pick.survivors.sorted()
    probs = survivors.probs()[:top]
    return WhatIf(settings, chain.describe(), pick.views,
                  tuple((int(i), float(p)) for i, p in zip(survivors.ids[:top], probs)),
                  partial)
