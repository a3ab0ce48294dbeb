"""How sure the model is, token by token, and what the sampler would draw if asked again.

For each token of an answer, from its learning-mode trace:

- **entropy** H of the model's raw distribution (in nats): 0 when one token has all the
  probability, larger as it spreads;
- **effective candidates** e^H: how many equally likely tokens would spread as much (1: sure;
  e^H = 20 is as unsure as a fair choice among 20);
- **surprisal** of the chosen token, -ln p: 0 for a certain token, about 2.3 for a 1-in-10
  choice, 4.6 for 1-in-100. A high surprisal where the entropy is low is a token the sampler
  chose against the model's strong preference.

"Draw N times" repeats the last draw of one step: the same final distribution (after every
stage and the temperature) sampled ``n`` times with a seed, counted per token, beside the
probabilities it was drawn from, so one sees that a 30% token comes out about 30 times in 100,
and sometimes 22 or 38.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from samantha.core.trace import TokenStep

MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Certainty:
    step: int
    entropy: float  # nats
    effective: float  # e^H
    surprisal: float  # -ln p of the chosen token (inf when p is 0)


def certainty(steps: Sequence[TokenStep]) -> list[Certainty]:
    """Each step's entropy, effective number of candidates and surprisal."""
    return [Certainty(s.step, s.entropy, math.exp(s.entropy),
                      -math.log(s.p) if s.p > 0 else math.inf) for s in steps]


@dataclass(frozen=True)
class Draws:
    """``n`` draws from one step's final distribution: per token, its probability and count."""

    n: int
    rows: tuple[tuple[int, float, int], ...]  # (token id, probability, times drawn)


def draws(step: TokenStep, n: int = 100, seed: int = 0) -> Draws:
    """Draw ``n`` tokens from ``step``'s final distribution with ``seed`` (most likely first).
    The distribution is the trace's final survivors (its top ones, renormalised when the trace
    kept fewer than survived)."""
    if not 1 <= n <= MAX_DRAWS:
        raise ValueError(f"draw 1 to {MAX_DRAWS} times, not {n}")
    if not step.final:
        raise ValueError("this step kept no final distribution to draw from")
    ids = np.array([s.id for s in step.final])
    p = np.array([s.p for s in step.final], dtype=np.float64)
    p = p / p.sum()
    counts = np.bincount(np.random.default_rng(seed).choice(len(ids), size=n, p=p),
                         minlength=len(ids))
    return Draws(n, tuple((int(i), float(q), int(c)) for i, q, c in zip(ids, p, counts)))
