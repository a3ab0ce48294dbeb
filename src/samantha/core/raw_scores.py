"""Learning mode's one pass over the vocabulary per token.

A traced token needs the softmax of its raw logits over the whole vocabulary (the candidates'
probabilities, the entropy), and each stage that works on the whole vocabulary needs one too
(its view). On the CPUs this runs on, ``exp`` over 262,144 scores costs about a millisecond,
more than choosing the token. So the raw softmax is summed once (:class:`RawScores`), and a
stage that changed only a few scores (the penalties, a logit bias, DRY) gets its view from
those sums and the scores it changed (:class:`Changed`), exactly up to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from samantha.core.candidates import Buffers, Candidates, StageView, top_indices

SPARE = 128  # best raw tokens kept beyond those shown: room for the scores a stage changed
CHUNK = 1 << 15  # scores summed at a time (128 KB: the core's cache keeps the work)
CANCELLED = 1e-9  # a changed stage whose sum falls below this share of the raw one is summed


@dataclass(frozen=True)
class RawScores:
    """The raw logits of one token and their softmax's sums: ``total`` is the sum of
    ``exp(x - best)``, ``weighted`` the sum of ``exp(x - best) * (x - best)``; ``top`` the ids
    of the highest scores, highest first."""

    logits: np.ndarray  # not changed while this is used (the engine's row for this token)
    best: float
    total: float
    weighted: float
    top: np.ndarray

    @classmethod
    def of(cls, logits: np.ndarray, count: int, buffers: Buffers) -> "RawScores":
        n = len(logits)
        top = top_indices(logits, count) if count < n else np.arange(n)
        top = top[np.argsort(-logits[top], kind="stable")]
        best = float(logits[top[0]])
        if best == -np.inf:  # every one banned: equally impossible
            return cls(logits, best, float(n), 0.0, top)
        total = weighted = 0.0
        shift = np.float32(best)
        spare = buffers.like("shifted", logits[:CHUNK]), buffers.like("weights", logits[:CHUNK])
        for start in range(0, n, CHUNK):  # a chunk at a time: the buffers stay in the cache
            part = logits[start: start + CHUNK]
            shifted = np.subtract(part, shift, out=spare[0][: len(part)])
            weights = np.exp(shifted, out=spare[1][: len(part)])  # the costly pass
            total += float(weights.sum())  # float32 summed pairwise: as exact as the weights
            weighted += float(weights @ shifted)
        return cls(logits, best, total, weighted, top)

    def p(self, logit: float) -> float:
        """The probability of a score among these (the softmax over the whole vocabulary)."""
        if self.best == -np.inf:
            return 1.0 / self.total
        return math.exp(float(logit) - self.best) / self.total

    @property
    def entropy(self) -> float:
        """Of the raw distribution, in nats."""
        if self.best == -np.inf:
            return math.log(self.total)
        return max(math.log(self.total) - self.weighted / self.total, 0.0)


@dataclass(frozen=True)
class Changed:
    """What a whole-vocabulary stage did to a few raw scores: ``ids`` and their new
    ``logits``; ``total``: the sum of ``exp(x - raw best)`` over the stage's scores."""

    kept: int
    ids: tuple[int, ...]
    logits: tuple[float, ...]
    total: float

    @classmethod
    def between(cls, raw: RawScores, cands: Candidates, room: int) -> "Changed | None":
        """The scores ``cands`` (the whole vocabulary, after a stage) changed from ``raw``;
        None when too many changed for the view to come from the raw sums."""
        if raw.best == -np.inf or not cands.whole:
            return None
        ids = np.flatnonzero(cands.logits != raw.logits)
        return cls._of(raw, ids, cands.logits[ids], len(cands), room)

    @classmethod
    def among(cls, raw: RawScores, ids: np.ndarray, logits: np.ndarray, kept: int,
              room: int) -> "Changed | None":
        """The same for a stage that ran on the tokens ``ids`` only (their scores after it:
        ``logits``), every other token of the ``kept`` left as it was."""
        if raw.best == -np.inf:
            return None
        where = np.flatnonzero(logits != raw.logits[ids])
        return cls._of(raw, ids[where], logits[where], kept, room)

    @classmethod
    def _of(cls, raw: RawScores, ids: np.ndarray, logits: np.ndarray, kept: int,
            room: int) -> "Changed | None":
        if len(ids) > room or len(ids) >= kept:
            return None
        new = np.asarray(logits, dtype=np.float64)
        if len(ids) and new.max() - raw.best > 600:  # exp would overflow: sum them all
            return None
        old = np.asarray(raw.logits[ids], dtype=np.float64)
        total = raw.total - float(np.exp(old - raw.best).sum()) + \
            float(np.exp(new - raw.best).sum())
        if total <= raw.total * CANCELLED:  # the sum lost to cancellation
            return None
        return cls(kept, tuple(ids.tolist()), tuple(new.tolist()), total)

    def view(self, name: str, raw: RawScores, top: int, chosen: int) -> StageView:
        """As :func:`samantha.core.candidates.stage_view` would show the stage's scores."""
        changed = dict(zip(self.ids, self.logits))
        kept = [(int(i), float(raw.logits[i])) for i in raw.top.tolist() if i not in changed]
        scores = sorted([*kept[:top], *changed.items()], key=lambda item: (-item[1], item[0]))
        out = [(token, math.exp(score - raw.best) / self.total) for token, score in scores[:top]]
        if chosen not in {token for token, _ in out} and 0 <= chosen < self.kept:
            score = changed.get(chosen, float(raw.logits[chosen]))
            out.append((chosen, math.exp(score - raw.best) / self.total))
        return StageView(name, self.kept, tuple(out))
