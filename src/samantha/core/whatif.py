"""Learning mode's "what if": what another chain would keep from the same scores, without
generating again.

While an answer is generated, :class:`RecentLogits` keeps the raw logits of the last few tokens
(and the answer's tokens before each, which the penalties and DRY look at). :func:`what_if`
runs a fresh chain with other settings on one of them and returns what each stage kept, as
learning mode shows it. A stored trace has only its top-N candidates; :func:`what_if_stored`
runs the chain on those, and says that the rest of the vocabulary is unknown.

When the other chain leaves one candidate, :func:`one_left` says which stage cut the list to
one and what to write to keep more (the default settings keep one at four stages: tail-free 0,
typical 0, top-p 0 and min-p 1, then temperature 0 picks it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import numpy as np

from samantha.core.candidates import Candidates, StageView
from samantha.core.errors import SettingsError
from samantha.core.sampler_chain import Pick, SamplerChain
from samantha.core.settings import Settings, coerce
from samantha.core.trace import TokenStep

KEEP = 8  # how many tokens' logits stay in memory (262,144 logits are a megabyte)
#: The stages a setting of ours makes keep one candidate: (stage, setting, keeps one with it)
#: (with min_keep above 1 none of them keeps fewer than min_keep).
KEEPS_ONE: tuple[tuple[str, str, Callable[[Settings], bool]], ...] = (
    ("top-k", "top_k", lambda s: s.top_k == 1),
    ("tail-free", "tfs_z", lambda s: s.tfs_z <= 0 and s.min_keep <= 1),
    ("typical", "typical_p", lambda s: s.typical_p <= 0 and s.min_keep <= 1),
    ("top-p", "top_p", lambda s: s.top_p <= 0 and s.min_keep <= 1),
    ("min-p", "min_p", lambda s: s.min_p >= 1 and s.min_keep <= 1),
    ("temperature", "temperature", lambda s: s.temperature <= 0),
)
#: A value of each of those settings that always keeps more than one candidate: the filters
#: switched off, top-k at 40, temperature at 1 (the model's own probabilities).
MORE: Mapping[str, float] = MappingProxyType({
    "top_k": 40, "tfs_z": 1.0, "typical_p": 1.0, "top_p": 1.0, "min_p": 0.0, "temperature": 1.0})


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


def _result(chain: SamplerChain, pick: Pick, settings: Settings, top: int, partial: bool) -> WhatIf:
    survivors = pick.survivors.sorted()
    probs = survivors.probs()[:top]
    return WhatIf(settings, chain.describe(), pick.views,
                  tuple((int(i), float(p)) for i, p in zip(survivors.ids[:top], probs)),
                  partial)


@dataclass(frozen=True)
class OneLeft:
    """Where a what-if's list came down to one candidate, and what would keep more."""

    stage: str  # the first stage that left one, e.g. "tail-free"
    setting: str  # its setting as it was, e.g. "tfs_z=0" ("" for a stage of no setting)
    changes: tuple[str, ...]  # what to write to keep more, e.g. ("tfs_z=1", "typical_p=1")


def one_left(other: WhatIf) -> OneLeft | None:
    """Which stage of ``other`` cut the candidates to one (None when more than one is left):
    that stage's setting and the changes that keep more, its own and those of the stages after
    it that would keep one anyway (see :data:`MORE`)."""
    views = other.views
    cut = next((i for i, view in enumerate(views) if view.kept == 1), None)
    if cut is None or len(other.final) > 1:
        return None
    known = {stage: (name, keeps) for stage, name, keeps in KEEPS_ONE}
    stage = views[cut].name.replace("dynamic-temperature", "temperature")
    setting = f"{known[stage][0]}={getattr(other.settings, known[stage][0]):g}" \
        if stage in known else ""
    changes = []
    for at, view in enumerate(views[cut:]):
        name, keeps = known.get(view.name.replace("dynamic-", ""), ("", None))
        if keeps is not None and (at == 0 or keeps(other.settings)):
            changes.append(f"{name}={MORE[name]:g}")
    return OneLeft(stage, setting, tuple(changes))
