"""The candidates for the next token, and what every sampler stage has in common.

A stage takes the surviving candidates (token ids and their scores, called logits) and returns the
ones it keeps; a stage whose setting switches it off passes its input through. The stages live
by what they do:

- :mod:`samantha.core.stages_scores` change scores (penalties, logit bias, temperature,
  dynamic temperature; DRY in :mod:`samantha.core.stages_dry`);
- :mod:`samantha.core.stages_filters` cut the list (top-k, tail-free, typical, top-p, min-p,
  top-n-sigma, XTC);
- :mod:`samantha.core.stages_draws` choose the token (the draw, mirostat).

:mod:`samantha.core.sampler_chain` puts them in the order the settings give. Reading order for the
curious: :class:`Candidates`, then a stage of each module, then the chain. Learning mode's view of
a stage (:class:`StageView`) is made here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import DTypeLike


@dataclass
class Candidates:
    """Token ids with their logits. ``is_sorted`` means ordered by logit, highest first."""

    ids: np.ndarray
    logits: np.ndarray
    is_sorted: bool = False
    whole: bool = False  # every token of the vocabulary, in id order (position == id)
    owned: bool = False  # ``logits`` is the chain's own scratch copy: stages may change it

    @classmethod
    def full(cls, logits: np.ndarray, ids: np.ndarray | None = None) -> "Candidates":
        """Every token of the vocabulary; pass ``ids`` (``arange(n)``) to reuse one array."""
        return cls(np.arange(len(logits)) if ids is None else ids, logits, whole=True)

    def __len__(self) -> int:
        return len(self.ids)

    def sorted(self) -> "Candidates":
        if self.is_sorted:
            return self
        order = np.argsort(-self.logits, kind="stable")
        return Candidates(self.ids[order], self.logits[order], True)

    def take(self, index: np.ndarray | slice) -> "Candidates":
        return Candidates(self.ids[index], self.logits[index], self.is_sorted)

    def probs(self) -> np.ndarray:
        """Softmax of the logits of the survivors (float64, sums to 1)."""
        return softmax(self.logits)


class Buffers:
    """Arrays of a vocabulary's size reused from token to token, by name: a fresh megabyte
    per token costs more (page faults) than the arithmetic done in it."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def like(self, name: str, array: np.ndarray, dtype: DTypeLike = np.float32) -> np.ndarray:
        buffer = self._arrays.get(name)
        if buffer is None or buffer.shape != array.shape or buffer.dtype != dtype:
            buffer = self._arrays[name] = np.empty(array.shape, dtype=dtype)
        return buffer


def softmax(logits: np.ndarray) -> np.ndarray:
    top = float(np.max(logits))
    if top == -np.inf:  # every one banned: equally impossible (the draw refuses them)
        return np.full(len(logits), 1.0 / len(logits))
    shifted = np.asarray(logits, dtype=np.float64) - top
    weights = np.exp(shifted)
    return weights / float(weights.sum())


class Stage(Protocol):
    """One step of the chain. ``active`` is False when its setting switches it off."""

    name: str

    @property
    def active(self) -> bool: ...

    def apply(self, cands: Candidates) -> Candidates: ...


ROWS = 16  # top_indices sees a vocabulary as this many rows
SMALL = 4096  # a stage's view of at most this many candidates is computed directly


def top_indices(logits: np.ndarray, k: int) -> np.ndarray:
    """Where the ``k`` highest logits are (``k < len(logits)``), in no particular order.

    A whole vocabulary (262,144 logits) is read as ``ROWS`` rows and each column's best is taken
    (one fast pass); the ``k`` best columns hold the ``k`` best logits (each of those columns
    has a logit at least as high as the k-th best column, so the k-th best logit is too), and
    only their ``ROWS * k`` logits are partitioned: three times faster than partitioning all,
    and exact (ties at the k-th place may be broken differently)."""
    n = len(logits)
    columns = n // ROWS
    if columns < 4 * k:
        return np.argpartition(logits, n - k)[n - k:]
    best = logits[: ROWS * columns].reshape(ROWS, columns).max(axis=0)
    chosen = np.argpartition(best, columns - k)[columns - k:]
    where = (np.arange(ROWS)[:, None] * columns + chosen).ravel()
    if ROWS * columns < n:  # the few left over are always in
        where = np.concatenate([where, np.arange(ROWS * columns, n)])
    inner = np.argpartition(logits[where], len(where) - k)[len(where) - k:]
    return where[inner]


@dataclass(frozen=True)
class StageCount:
    """How many candidates were left after a stage (``active`` False: the stage was off)."""

    name: str
    kept: int
    active: bool = True


@dataclass(frozen=True)
class StageView:
    """The candidates after one stage, most likely first, as many as learning mode shows:
    ``(id, p)`` with the probabilities renormalised over all ``kept`` survivors of the stage
    (temperature's reshaping included). The chosen token is always among them, last if it is
    not among the most likely."""

    name: str
    kept: int
    survivors: tuple[tuple[int, float], ...]


def stage_view(name: str, cands: Candidates, top: int, chosen: int,
               buffers: Buffers | None = None) -> StageView:
    """The ``top`` most likely of ``cands`` (and ``chosen``, wherever it is), probabilities
    over all of them."""
    n = len(cands)
    if not n:
        return StageView(name, 0, ())
    if n <= SMALL:
        return _small_view(name, cands, top, chosen)
    shown = top_indices(cands.logits, top) if top < n else np.arange(n)
    shown = shown[np.argsort(-cands.logits[shown], kind="stable")]
    best = float(cands.logits[shown[0]])
    if best == -np.inf:
        weights, total = np.ones(len(shown)), float(n)
    else:
        scores = np.asarray(cands.logits, dtype=np.float32)  # exp in float32: 10x faster
        spare = (buffers or Buffers()).like("view", scores)
        np.subtract(scores, np.float32(best), out=spare)
        total = float(np.exp(spare, out=spare).sum(dtype=np.float64))
        weights = np.exp(np.asarray(cands.logits[shown], dtype=np.float64) - best)
    out = [(int(cands.ids[i]), float(w) / total) for i, w in zip(shown, weights)]
    if chosen not in {token for token, _ in out}:
        at = chosen if cands.whole else np.flatnonzero(cands.ids == chosen)
        if np.size(at):
            logit = float(np.ravel(cands.logits[at])[0])
            out.append((chosen, (np.exp(logit - best) / total) if best > -np.inf else 0.0))
    return StageView(name, n, tuple(out))


def _small_view(name: str, cands: Candidates, top: int, chosen: int) -> StageView:
    """:func:`stage_view` of a few candidates (after a filter): in float64, few steps."""
    logits = np.asarray(cands.logits, dtype=np.float64)
    shown = (np.arange(min(top, len(logits))) if cands.is_sorted else
             np.argsort(-logits, kind="stable")[:top])
    best = logits[shown[0]]
    if best == -np.inf:
        probs = np.full(len(logits), 1.0 / len(logits))
    else:
        weights = np.exp(logits - best)
        probs = weights / weights.sum()
    ids = cands.ids[shown].tolist()
    out = list(zip(ids, probs[shown].tolist()))
    if chosen not in ids:
        at = np.flatnonzero(cands.ids == chosen)
        if len(at):
            out.append((chosen, float(probs[at[0]]) if best > -np.inf else 0.0))
    return StageView(name, len(logits), tuple(out))


def seeded_generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))
