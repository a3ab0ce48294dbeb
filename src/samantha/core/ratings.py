"""The sums a leaderboard shows: a mean with its bootstrap interval, and ratings from pairwise
votes (Bradley–Terry), with theirs.

A mean of a few judged scores says little without its spread: :func:`mean_interval` resamples the
scores with replacement and takes the middle ``level`` of the resampled means (the percentile
bootstrap). With few scores every resample is enumerated, so the interval is exact and the same on
every computer; with more, ``rounds`` resamples are drawn from a seeded generator.

:func:`bradley_terry` turns votes "A beat B" (or a tie, half a win each) into strengths ``p`` such
that A beats B with probability ``p_A / (p_A + p_B)``: the maximum-likelihood fit, found by
Hunter's MM iteration (2004). A model that never lost would have no finite strength, so every
pair that met also counts ``prior`` tie(s) (half a win each way): the fit then always exists,
and the prior's pull fades as votes add up. Strengths are shown as Elo-like ratings
(``1000 + 400 log10 p``, the geometric mean of the strengths at 1000).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np

#: Resamples enumerated instead of drawn when there are at most this many (n ** n of them).
EXACT_RESAMPLES = 50_000
Outcome = Literal["a", "b", "tie"]


@dataclass(frozen=True)
class Interval:
    """A value and the interval around it (``low <= high``; the value may fall outside only
    when the resampled values are all on one side, which the mean never is)."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Vote:
    """One judgement of two answers to the same prompt: ``a`` won, ``b`` won, or a tie."""

    a: str
    b: str
    outcome: Outcome


def quantiles(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float]:
    """The values cutting off ``(1 - level) / 2`` at each end (linear between neighbours)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    tail = (1 - level) / 2
    low, high = np.quantile(np.asarray(values, dtype=np.float64), [tail, 1 - tail])
    return float(low), float(high)


def mean_interval(values: Sequence[float], level: float = 0.95, rounds: int = 2000,
                  seed: int = 0) -> Interval:
    """The mean of ``values`` and its percentile-bootstrap interval at ``level``: exact (every
    resample) when there are at most :data:`EXACT_RESAMPLES` of them, else over ``rounds``
    resamples drawn with ``seed``."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise ValueError("no values to average")
    n = int(data.size)
    if n ** n <= EXACT_RESAMPLES:
        picks = np.array(list(itertools.product(range(n), repeat=n)), dtype=np.int64)
    else:
        picks = np.random.default_rng(seed).integers(0, n, size=(rounds, n))
    low, high = quantiles(data[picks].mean(axis=1), level)
    return Interval(float(data.mean()), low, high)


def bradley_terry(votes: Sequence[Vote], prior: float = 1.0, tolerance: float = 1e-12,
                  max_iterations: int = 10_000) -> dict[str, float]:
    """Each model's strength (geometric mean 1) from ``votes``; see the module's docstring."""
    if prior <= 0:
        raise ValueError(f"prior must be above 0 (ties added to every pair), not {prior}")
    names = sorted({v.a for v in votes} | {v.b for v in votes})
    index = {name: i for i, name in enumerate(names)}
    wins = np.zeros((len(names), len(names)))  # wins[i, j]: i over j, a tie half each way
    for vote in votes:
        if vote.a == vote.b:
            raise ValueError(f"a vote compares {vote.a!r} with itself")
        i, j = index[vote.a], index[vote.b]
        share = {"a": 1.0, "b": 0.0, "tie": 0.5}[vote.outcome]
        wins[i, j] += share
        wins[j, i] += 1.0 - share
    met = (wins + wins.T) > 0
    wins += np.where(met, prior / 2, 0.0)
    games = wins + wins.T
    total = wins.sum(axis=1)
    p = np.ones(len(names))
    for _ in range(max_iterations):
        pairs = p[:, None] + p[None, :]
        new = total / np.where(met, games / pairs, 0.0).sum(axis=1)
        new /= math.exp(float(np.log(new).mean()))
        done = float(np.max(np.abs(np.log(new) - np.log(p)))) < tolerance
        p = new
        if done:
            break
    return {name: float(p[index[name]]) for name in names}


def elo(strength: float) -> float:
    """A strength on the Elo-like scale people read (1000: the geometric mean)."""
    return 1000.0 + 400.0 * math.log10(strength)


def ratings(votes: Sequence[Vote], level: float = 0.95, rounds: int = 1000, seed: int = 0,
            prior: float = 1.0) -> dict[str, Interval]:
    """Each model's Elo-like rating and its interval: the fit on all votes, and the middle
    ``level`` of the fits on ``rounds`` resamples of the votes (drawn with ``seed``; a model
    missing from a resample leaves it out for that model)."""
    if not votes:
        return {}
    fit = bradley_terry(votes, prior)
    rng = np.random.default_rng(seed)
    seen: dict[str, list[float]] = {name: [] for name in fit}
    for _ in range(rounds):
        sample = [votes[i] for i in rng.integers(0, len(votes), size=len(votes))]
        for name, strength in bradley_terry(sample, prior).items():
            seen[name].append(elo(strength))
    return {name: Interval(elo(fit[name]), *quantiles(seen[name], level)) for name in fit}


def win_shares(votes: Sequence[Vote]) -> Mapping[str, float]:
    """Each model's share of its games won (a tie half), for a table beside the ratings."""
    won: dict[str, float] = {}
    played: dict[str, int] = {}
    for vote in votes:
        share = {"a": 1.0, "b": 0.0, "tie": 0.5}[vote.outcome]
        for name, got in ((vote.a, share), (vote.b, 1.0 - share)):
            won[name] = won.get(name, 0.0) + got
            played[name] = played.get(name, 0) + 1
    return {name: won[name] / played[name] for name in sorted(won)}
