"""The stages that cut the list of candidates: top-k, tail-free, typical, top-p, min-p
(llama.cpp's classic filters, tail-free included though llama.cpp has since removed it),
top-n-sigma and XTC, and the variants of top-p, min-p and typical that keep ``min_keep``
candidates.

The semantics follow llama.cpp's samplers (see :mod:`samantha.core.candidates` for what a stage
is).
"""

from __future__ import annotations

import numpy as np

from samantha.core.candidates import Candidates, seeded_generator, top_indices
from samantha.core.settings import Settings


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


def _typical_sees_one_or_none(settings: Settings) -> bool:
    """Every filter but typical keeps the best-scoring candidate, so a greedy chain ends on the
    argmax unless typical sampling sees more than one candidate. It sees one when top-k keeps one,
    or when tail-free at z = 0 does (it cuts only lists of three or more)."""
    off = settings.typical_p >= 1.0
    top_k_one = settings.top_k == 1
    tail_free_one = settings.tfs_z <= 0.0 and settings.top_k != 2
    return off or top_k_one or tail_free_one


class Xtc:
    """Exclude top choices (llama.cpp's ``xtc``): with chance ``probability`` for each token,
    remove every candidate whose probability is at least ``threshold``, except the least likely
    of them, so the model takes a less obvious (but still good) path.

    Nothing happens when fewer than two candidates reach the threshold, or when removing would
    leave fewer than ``min_keep``. ``threshold > 0.5`` or ``probability <= 0`` switch it off."""

    name = "xtc"

    def __init__(self, probability: float, threshold: float, min_keep: int = 0,
                 seed: int = 0) -> None:
        self.probability, self.threshold = probability, threshold
        self.min_keep, self.seed = min_keep, seed
        self.rng = seeded_generator(seed)

    @property
    def active(self) -> bool:
        return self.probability > 0.0 and self.threshold <= 0.5

    def reset(self) -> None:
        """Start the generator again from the seed."""
        self.rng = seeded_generator(self.seed)

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active or len(cands) < 2:
            return cands
        if self.rng.random() > self.probability:  # one chance per token, as in llama.cpp
            return cands
        probs = cands.probs()
        above = np.flatnonzero(probs >= self.threshold)  # the top choices
        drop = len(above) - 1  # all of them but the least likely
        if drop <= 0 or len(cands) - drop < self.min_keep:
            return cands
        keep = probs < self.threshold
        keep[above[np.argmin(probs[above])]] = True
        return cands.take(np.flatnonzero(keep))


class TopNSigma:
    """Keep the candidates whose score (logit) is at most ``n`` standard deviations below the best
    score, the spread measured over the candidates left (llama.cpp's ``top-n-sigma``).

    Scores of ``-inf`` (banned tokens) do not count in the spread and are dropped. ``n <= 0``
    switches it off (llama.cpp PR #13345: it used to mean greedy)."""

    name = "top-n-sigma"

    def __init__(self, n: float) -> None:
        self.n = n

    @property
    def active(self) -> bool:
        return self.n > 0.0

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active or len(cands) <= 1:
            return cands
        logits = np.asarray(cands.logits, dtype=np.float64)
        counted = logits[logits != -np.inf]
        if not len(counted):
            return cands
        floor = counted.max() - self.n * counted.std()  # population deviation, as llama.cpp
        return cands.take(np.flatnonzero(logits >= floor))


class TopPKeep(TopP):
    """Top-p that keeps at least ``min_keep`` candidates (llama.cpp's ``top_p(p, min_keep)``)."""

    def __init__(self, p: float, min_keep: int = 0) -> None:
        super().__init__(p)
        self.min_keep = min_keep

    def apply(self, cands: Candidates) -> Candidates:
        return _at_least_the_best(super().apply(cands), cands, self.active, self.min_keep)


class MinPKeep(MinP):
    """Min-p that keeps at least ``min_keep`` candidates (llama.cpp's ``min_p(p, min_keep)``):
    when fewer pass, the ``min_keep`` best are kept."""

    def __init__(self, p: float, min_keep: int = 0) -> None:
        super().__init__(p)
        self.min_keep = min_keep

    def apply(self, cands: Candidates) -> Candidates:
        kept = super().apply(cands)
        if self.min_keep <= 1:  # as MinP: p above 1 keeps none
            return kept
        return _at_least_the_best(kept, cands, self.active, self.min_keep)


class TypicalKeep(Typical):
    """Typical sampling that keeps at least ``min_keep`` candidates (llama.cpp's
    ``typical(p, min_keep)``): the ``min_keep`` most typical when fewer reach ``p``."""

    def __init__(self, p: float, min_keep: int = 0) -> None:
        super().__init__(p)
        self.min_keep = min_keep

    def apply(self, cands: Candidates) -> Candidates:
        kept = super().apply(cands)
        floor = min(self.min_keep, len(cands))
        if not self.active or len(kept) >= floor:
            return kept
        cands = cands.sorted()
        order = _typical_order(cands)[:floor]
        return Candidates(cands.ids[order], cands.logits[order], is_sorted=False)


def _at_least_the_best(kept: Candidates, cands: Candidates, active: bool,
                       min_keep: int) -> Candidates:
    """What a filter that keeps the best kept, or the ``min_keep`` best when it kept fewer."""
    floor = min(min_keep, len(cands))
    if not active or len(kept) >= floor:
        return kept
    return cands.sorted().take(slice(0, floor))


def _typical_order(cands: Candidates) -> np.ndarray:
    """Positions from most to least typical: surprise (-log p) nearest to the entropy first, in
    the order :class:`~samantha.core.stages_filters.Typical` uses."""
    probs = cands.probs()
    with np.errstate(divide="ignore", invalid="ignore"):
        surprise = -np.log(probs)
    entropy = float(np.nansum(probs * np.where(probs > 0, surprise, 0.0)))
    return np.argsort(np.abs(surprise - entropy), kind="stable")
