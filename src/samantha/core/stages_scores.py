"""The stages that change the candidates' scores and keep every candidate: the repeat
penalties, a logit bias (``-inf`` bans a token), the temperature and the dynamic temperature
(DRY, the penalty on repeated sequences, is in :mod:`samantha.core.stages_dry`).

The semantics follow llama.cpp's samplers (see :mod:`samantha.core.candidates` for what a stage
is).
"""

from __future__ import annotations

from collections import Counter, deque
from typing import Mapping

import numpy as np

from samantha.core.candidates import Candidates
from samantha.core.stages_dry import shift_logits


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


class DynamicTemperature:
    """Temperature that follows the model's uncertainty (llama.cpp's ``temp-ext``, "dynatemp").

    With ``range > 0`` the temperature goes from ``temp - range`` (not below 0) when the model is
    sure (entropy 0) to ``temp + range`` when every candidate is equally likely: the entropy of
    the candidates, divided by its largest possible value, raised to ``exponent``. With
    ``range <= 0`` it is the plain :class:`~samantha.core.stages_filters.Temperature` (``temp <= 0``
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
