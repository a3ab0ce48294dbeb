"""More of llama.cpp's sampler stages, beside the classic ones in :mod:`samantha.core.sampling`.

Each stage works like those: ``name``, an ``active`` property (False when its setting switches it
off) and ``apply(cands)`` returning the candidates it keeps. Those with memory also have
``accept(token)`` (fed with each token of the answer) and ``reset()``.

- :class:`LogitBias` adds fixed amounts to chosen tokens' scores (``-inf`` bans a token).
- :class:`~samantha.core.stages_dry.Dry` penalises the token that would continue a repetition.
- :class:`Xtc` sometimes removes the most likely candidates, for more surprising text.
- :class:`TopNSigma` keeps the candidates whose score is near the best one's.
- :class:`DynamicTemperature` picks the temperature from how unsure the model is.
- :class:`Mirostat` and :class:`MirostatV2` replace the filters and the draw: they keep the text's
  surprise near a target by adjusting their own cut-off, ``mu``, after every token.
- :class:`TopPKeep`, :class:`MinPKeep`, :class:`TypicalKeep`: top-p, min-p and typical that never
  keep fewer than ``min_keep`` candidates (llama.cpp's ``min_keep``).

Semantics follow llama.cpp's ``src/llama-sampler.cpp``; random stages have their own seeded
generator, so a run is reproducible.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from samantha.core.sampling import Candidates, MinP, Temperature, TopK, TopP, Typical
from samantha.core.stages_dry import Dry, dry_breakers, shift_logits

__all__ = [
    "Dry", "DynamicTemperature", "LogitBias", "MinPKeep", "Mirostat", "MirostatV2", "TopNSigma",
    "TopPKeep", "TypicalKeep", "Xtc", "dry_breakers",
]


def _generator(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


class LogitBias:
    """Add ``biases[id]`` to the score of token ``id`` (llama.cpp's ``logit-bias``).

    A bias of ``-inf`` bans the token: its probability becomes 0, so it is never drawn. Banned
    tokens stay in the list (as in llama.cpp), so that positions still equal ids for the
    penalties that follow; the filters drop them. Ids that are not candidates are ignored."""

    name = "logit-bias"

    def __init__(self, biases: Mapping[int, float]) -> None:
        self.biases = {int(token): float(bias) for token, bias in biases.items()}
        self._ids = np.fromiter(self.biases, dtype=np.int64, count=len(self.biases))
        self._deltas = np.fromiter(self.biases.values(), dtype=np.float64,
                                   count=len(self.biases))

    @property
    def active(self) -> bool:
        return bool(self.biases)

    def apply(self, cands: Candidates) -> Candidates:
        if not self.active:
            return cands
        return shift_logits(cands, self._ids, self._deltas)


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
        self.rng = _generator(seed)

    @property
    def active(self) -> bool:
        return self.probability > 0.0 and self.threshold <= 0.5

    def reset(self) -> None:
        """Start the generator again from the seed."""
        self.rng = _generator(self.seed)

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


class DynamicTemperature:
    """Temperature that follows the model's uncertainty (llama.cpp's ``temp-ext``, "dynatemp").

    With ``range > 0`` the temperature goes from ``temp - range`` (not below 0) when the model is
    sure (entropy 0) to ``temp + range`` when every candidate is equally likely: the entropy of
    the candidates, divided by its largest possible value, raised to ``exponent``. With
    ``range <= 0`` it is the plain :class:`~samantha.core.sampling.Temperature` (``temp <= 0``
    keeps only the best candidate).

    The temperature is computed in float32, step by step as llama.cpp does: when one token
    dominates, it can come out as exactly 0, and then only the best candidate is kept (a tiny
    temperature in float64 would instead divide the scores into infinities)."""

    def __init__(self, temp: float, range: float = 0.0, exponent: float = 1.0) -> None:
        self.temp, self.range, self.exponent = temp, range, exponent
        self.name = "dynamic-temperature" if range > 0 else "temperature"

    @property
    def active(self) -> bool:
        return not (self.temp == 1.0 and self.range <= 0)

    def apply(self, cands: Candidates) -> Candidates:
        if self.range <= 0:
            return Temperature(self.temp).apply(cands)
        if len(cands) <= 1 or np.max(cands.logits) == -np.inf:  # all banned: the draw refuses
            return cands
        return Temperature(self.temperature_for(cands)).apply(cands)

    def temperature_for(self, cands: Candidates) -> float:
        """The temperature this stage uses on these candidates (``range > 0``)."""
        f32 = np.float32
        temp, delta = f32(self.temp), f32(self.range)
        low, high = max(f32(0.0), temp - delta), temp + delta
        max_entropy = -_logf(f32(1.0) / f32(len(cands)))
        probs = _softmax_f32(cands)
        probs = probs[probs > 0]
        entropy = -_sum_f32(probs * _logf(probs))
        normalised = f32(entropy / max_entropy)
        power = f32(float(normalised) ** float(f32(self.exponent)))  # powf, correctly rounded
        return float(low + (high - low) * power)


def _logf(x: np.ndarray | np.float32) -> np.ndarray:
    """float32 log, correctly rounded (as the C library's logf), not numpy's faster float32
    one, which can be a unit in the last place off."""
    return np.log(np.asarray(x, dtype=np.float64)).astype(np.float32)


def _sum_f32(values: np.ndarray) -> np.float32:
    """A float32 sum added one by one in order, as a C loop does (numpy's ``sum`` adds in
    pairs and rounds differently)."""
    return np.cumsum(values, dtype=np.float32)[-1] if len(values) else np.float32(0.0)


def _softmax_f32(cands: Candidates) -> np.ndarray:
    """llama.cpp's softmax: float32, best first (the order in which it adds)."""
    logits = np.sort(np.asarray(cands.logits, dtype=np.float32))[::-1]
    with np.errstate(invalid="ignore"):  # -inf - -inf when all are banned: NaN, as in C
        weights: np.ndarray = np.exp((logits - logits[0]).astype(np.float64)).astype(np.float32)
    return weights / _sum_f32(weights)


class _MirostatBase:
    """What both Mirostats share: ``mu``, the draw and the learning step.

    Use: ``kept = m.apply(cands)`` keeps the candidates whose surprise fits ``mu`` (this count is
    what learning mode shows), then ``m.pick(kept)`` draws one of them and moves ``mu``;
    ``m.sample(cands)`` does both. In llama.cpp only logit bias and temperature run before it."""

    name = "mirostat"

    def __init__(self, tau: float, eta: float, seed: int) -> None:
        self.tau, self.eta, self.seed = tau, eta, seed
        self.reset()

    @property
    def active(self) -> bool:
        return True

    def reset(self) -> None:
        """``mu`` back to ``2 * tau`` and the generator back to its seed."""
        self.mu = 2.0 * self.tau
        self.rng = _generator(self.seed)

    def apply(self, cands: Candidates) -> Candidates:
        raise NotImplementedError

    def pick(self, kept: Candidates) -> int:
        """Draw one of ``kept`` (what :meth:`apply` returned) in proportion to its probability,
        then move ``mu`` by ``eta`` times how much more surprising it was than ``tau``."""
        probs = kept.probs()
        cumulative = np.cumsum(probs)
        at = int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right"))
        at = min(at, len(kept) - 1)
        surprise = -np.log2(probs[at])  # in bits
        self.mu -= self.eta * float(surprise - self.tau)
        return int(kept.ids[at])

    def sample(self, cands: Candidates) -> int:
        return self.pick(self.apply(cands))


class Mirostat(_MirostatBase):
    """Mirostat 1 (llama.cpp's ``mirostat``): keeps the top k candidates, k worked out from ``mu``
    and the Zipf exponent estimated on the ``m`` most likely candidates; ``tau`` is the target
    surprise in bits, ``eta`` the learning rate, ``n_vocab`` the model's vocabulary size."""

    name = "mirostat"

    def __init__(self, tau: float, eta: float, n_vocab: int, seed: int, m: int = 100) -> None:
        self.n_vocab, self.m = n_vocab, m
        super().__init__(tau, eta, seed)

    def apply(self, cands: Candidates) -> Candidates:
        if len(cands) <= 1:
            return cands
        return TopK(self.estimate_k(cands)).apply(cands)

    def estimate_k(self, cands: Candidates) -> int:
        """How many candidates to keep for the current ``mu`` (at least 1).

        Fits the Zipf exponent ``s`` of the ``m`` best probabilities (``p_i`` falls like
        ``1 / i ** s``), then takes the k whose expected surprise is ``mu``. A k too large for a
        32-bit int wraps to 1 in llama.cpp (undefined behaviour in C++); here it keeps all."""
        probs = cands.probs()
        n = len(probs)
        head = np.sort(probs[np.argpartition(-probs, min(self.m, n) - 1)[:self.m]])[::-1]
        count = max(min(self.m - 1, n - 1), 0)
        rank = np.arange(count, dtype=np.float64)
        with np.errstate(all="ignore"):  # a degenerate estimate gives nan or inf, handled below
            t = np.log((rank + 2) / (rank + 1))
            b = np.log(head[:count] / head[1:count + 1])
            s_hat = (t * b).sum() / (t * t).sum()  # the Zipf exponent
            epsilon = s_hat - 1
            two_mu, vocab = np.float64(2.0) ** self.mu, np.float64(self.n_vocab)
            k = (epsilon * two_mu / (1 - vocab ** -epsilon)) ** (1 / s_hat)
        if np.isnan(k):
            return 1
        return int(max(1, min(k, n)))


class MirostatV2(_MirostatBase):
    """Mirostat 2 (llama.cpp's ``mirostat-v2``): keeps the most likely candidates whose surprise
    (``-log2 p``) is at most ``mu`` (at least one); ``tau`` is the target surprise in bits and
    ``eta`` the learning rate."""

    name = "mirostat-v2"

    def apply(self, cands: Candidates) -> Candidates:
        if len(cands) <= 1:
            return cands
        probs = cands.probs()
        with np.errstate(divide="ignore"):
            keep = np.flatnonzero(-np.log2(probs) <= self.mu)
        if not len(keep):
            keep = np.array([int(np.argmax(probs))])  # the best one, always
        return cands.take(keep)


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
    the order :class:`~samantha.core.sampling.Typical` uses."""
    probs = cands.probs()
    with np.errstate(divide="ignore", invalid="ignore"):
        surprise = -np.log(probs)
    entropy = float(np.nansum(probs * np.where(probs > 0, surprise, 0.0)))
    return np.argsort(np.abs(surprise - entropy), kind="stable")
