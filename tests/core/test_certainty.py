"""How sure the model is (entropy, e^H, surprisal) and "draw N times", against values written
out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from samantha.core.certainty import certainty, draws
from samantha.core.trace import Survivor, TokenStep


def step(p: float, entropy: float, final=((5, 0.5), (7, 0.3), (9, 0.2))) -> TokenStep:
    return TokenStep(step=1, token_id=5, piece="a", rank=1, logit=1.0, p=p, entropy=entropy,
                     candidates=(), stages=(), final=tuple(Survivor(i, q) for i, q in final))


def test_entropy_effective_candidates_and_surprisal() -> None:
    (sure, unsure, impossible) = certainty([step(1.0, 0.0), step(0.1, math.log(20)),
                                            step(0.0, 1.0)])
    assert (sure.effective, sure.surprisal) == (1.0, 0.0)
    assert unsure.effective == pytest.approx(20.0)
    assert unsure.surprisal == pytest.approx(math.log(10))
    assert impossible.surprisal == math.inf


def test_draws_count_each_token_with_the_seed() -> None:
    seen = draws(step(0.5, 1.0), n=1000, seed=4)
    assert [r[0] for r in seen.rows] == [5, 7, 9] and sum(r[2] for r in seen.rows) == 1000
    picks = np.random.default_rng(4).choice(3, size=1000, p=[0.5, 0.3, 0.2])
    assert [r[2] for r in seen.rows] == np.bincount(picks, minlength=3).tolist()
    assert draws(step(0.5, 1.0), n=1000, seed=4) == seen  # reproducible
    renormalised = draws(step(0.5, 1.0, final=((5, 0.2), (7, 0.2))), n=10)
    assert [r[1] for r in renormalised.rows] == [0.5, 0.5]
    with pytest.raises(ValueError, match="draw 1 to 100000 times"):
        draws(step(0.5, 1.0), n=0)
    with pytest.raises(ValueError, match="no final distribution"):
        draws(step(0.5, 1.0, final=()), n=10)
