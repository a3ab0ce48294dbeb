"""The sampler chain: how the next token is picked from the model's scores.

The chain is a list of small stages, in the order users see in the UI::

    penalties -> top-k -> tail-free -> typical -> top-p -> min-p -> temperature -> draw

Each stage takes the surviving candidates (token ids and their scores, called logits) and returns
the ones it keeps. A stage whose setting switches it off passes its input through unchanged. The
semantics follow llama.cpp's classic samplers, including tail-free sampling, which llama.cpp
has since removed. Temperature 0 makes the last step greedy: the best remaining candidate wins.

Reading order for the curious: :class:`Candidates`, then the stages, then :class:`SamplerChain`.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import DTypeLike

from samantha.core.errors import NothingAllowed
from samantha.core.settings import Settings


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


class Penalties:
    """Repeat, presence and frequency penalties over the last ``window`` accepted tokens."""

    name = "penalties"

    def __init__(self, repeat: float, presence: float, frequency: float, window: int) -> None:
        self.repeat, self.presence, self.frequency = repeat, presence, frequency
        self.recent: deque[int] = deque(maxlen=max(window, 0))

    @property
    def active(self) -> bool:
        return self.recent.maxlen != 0 and (
            self.repeat != 1.0 or self.presence != 0.0 or self.frequency != 0.0
        )

    def accept(self, token: int) -> None:
        if self.recent.maxlen:
            self.recent.append(token)

    def apply(self, cands: Candidates) -> Candidates:
        """Penalise the recent tokens among the candidates (usually the whole vocabulary, in
        id order; after a grammar or another stage, any subset)."""
        if not self.active or not self.recent:
            return cands
        logits = cands.logits if cands.owned else np.array(cands.logits, copy=True)
        where = None
        if not cands.whole:  # find the recent tokens among the candidates, in one pass
            found = np.flatnonzero(np.isin(cands.ids, np.fromiter(self.recent, dtype=np.int64)))
            where = {int(cands.ids[i]): int(i) for i in found}
        for token, count in Counter(self.recent).items():
            at = token if where is None else where.get(token, -1)
            if 0 <= at < len(logits):
                logits[at] = self.penalised(logits[at], count)
        return Candidates(cands.ids, logits, cands.is_sorted, cands.whole, cands.owned)

    def penalised(self, value: np.floating, count: int) -> np.float32:
        """The score of a token seen ``count`` times among the recent ones."""
        value = value * self.repeat if value <= 0 else value / self.repeat
        return np.float32(value - count * self.frequency - self.presence)


class TopK:
    """Keep the ``k`` highest-scoring candidates; ``k <= 0`` keeps all."""

    name = "top-k"

    def __init__(self, k: int) -> None:
        self.k = k

    @property
    def active(self) -> bool:
        return self.k > 0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active:
            return cands
        if self.k < len(cands):
            cands = cands.take(top_indices(cands.logits, self.k))
            cands.is_sorted = False
        return cands.sorted()


ROWS = 16  # top_indices sees a vocabulary as this many rows


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


class TailFree:
    """Tail-free sampling (classic llama.cpp): cut where the curvature of the sorted
    probabilities has added up to ``z``. ``z >= 1`` switches it off; ``z = 0`` keeps one."""

    name = "tail-free"

    def __init__(self, z: float) -> None:
        self.z = z

    @property
    def active(self) -> bool:
        return self.z < 1.0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active or len(cands) <= 2:
            return cands
        cands = cands.sorted()
        curvature = np.abs(np.diff(cands.probs(), n=2))
        total = curvature.sum()
        if total > 1e-6:
            curvature = curvature / total
        else:
            curvature = np.full(len(curvature), 1.0 / len(curvature))
        cumulative = np.cumsum(curvature)
        over = np.flatnonzero((cumulative > self.z) & (np.arange(len(cumulative)) >= 1))
        keep = int(over[0]) if len(over) else len(cands)
        return cands.take(slice(0, keep))


class Typical:
    """Locally typical sampling: keep the candidates whose surprise (-log p) is nearest to the
    distribution's entropy, until their probabilities add up to more than ``p``."""

    name = "typical"

    def __init__(self, p: float) -> None:
        self.p = p

    @property
    def active(self) -> bool:
        return self.p < 1.0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active:
            return cands
        cands = cands.sorted()
        probs = cands.probs()
        with np.errstate(divide="ignore", invalid="ignore"):
            surprise = -np.log(probs)
        entropy = float(np.nansum(probs * np.where(probs > 0, surprise, 0.0)))
        order = np.argsort(np.abs(surprise - entropy), kind="stable")
        cumulative = np.cumsum(probs[order])
        over = np.flatnonzero(cumulative > self.p)
        keep = int(over[0]) + 1 if len(over) else len(cands)
        return Candidates(cands.ids[order[:keep]], cands.logits[order[:keep]], is_sorted=False)


class TopP:
    """Nucleus sampling: keep the best candidates until their probabilities reach ``p``."""

    name = "top-p"

    def __init__(self, p: float) -> None:
        self.p = p

    @property
    def active(self) -> bool:
        return self.p < 1.0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active:
            return cands
        cands = cands.sorted()
        cumulative = np.cumsum(cands.probs())
        over = np.flatnonzero(cumulative >= self.p)
        keep = int(over[0]) + 1 if len(over) else len(cands)
        return cands.take(slice(0, keep))


class MinP:
    """Drop candidates less likely than ``p`` times the most likely one."""

    name = "min-p"

    def __init__(self, p: float) -> None:
        self.p = p

    @property
    def active(self) -> bool:
        return self.p > 0.0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active or not len(cands):
            return cands
        floor = np.max(cands.logits) + np.log(self.p)
        return cands.take(np.flatnonzero(cands.logits >= floor))


class Temperature:
    """Divide the logits by ``t``. ``t <= 0`` keeps only the best candidate (greedy), and so
    does a ``t`` so small that the best score divided by it is past the largest float32 (its
    limit as ``t`` goes to 0; llama.cpp's scores become infinite there and its probabilities
    NaN)."""

    name = "temperature"

    def __init__(self, t: float) -> None:
        self.t = t

    @property
    def active(self) -> bool:
        return self.t != 1.0

    def apply(self, cands: Candidates) -> Candidates:
        if self.t <= 0.0 or _overflows(cands.logits, self.t):
            best = int(np.argmax(cands.logits))
            if cands.logits[best] == -np.inf:  # every one banned: none may be chosen
                return cands.take(slice(0, 0))
            return cands.take(slice(best, best + 1))
        if self.t == 1.0:
            return cands
        return Candidates(cands.ids, cands.logits / np.float32(self.t), cands.is_sorted)


def _overflows(logits: np.ndarray, t: float) -> bool:
    """Whether dividing the best finite score by ``t`` (in float32) gives infinity."""
    if t >= 1.0 or not len(logits):
        return False
    top = np.float32(np.max(logits))
    with np.errstate(over="ignore"):
        return bool(np.isfinite(top) and np.isinf(top / np.float32(t)))


class Draw:
    """Pick one survivor at random, in proportion to its probability, from a seeded generator."""

    name = "draw"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def pick(self, cands: Candidates) -> int:
        if not len(cands) or np.max(cands.logits) == -np.inf:
            raise NothingAllowed("No candidate is left to choose from: the grammar allows no "
                                 "token here, or every candidate was banned (a logit bias of "
                                 "-inf). Check that the grammar can go on from what was "
                                 "written, or ban fewer tokens.")
        if len(cands) == 1:
            return int(cands.ids[0])
        cumulative = np.cumsum(cands.probs())
        at = int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right"))
        return int(cands.ids[min(at, len(cands) - 1)])


def _typical_sees_one_or_none(settings: Settings) -> bool:
    """Every filter but typical keeps the best-scoring candidate, so a greedy chain ends on the
    argmax unless typical sampling sees more than one candidate. It sees one when top-k keeps one,
    or when tail-free at z = 0 does (it cuts only lists of three or more)."""
    off = settings.typical_p >= 1.0
    top_k_one = settings.top_k == 1
    tail_free_one = settings.tfs_z <= 0.0 and settings.top_k != 2
    return off or top_k_one or tail_free_one


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
