"""The leaderboard's sums against computations by hand: the exact bootstrap interval of a mean,
and Bradley–Terry strengths against an independent fit of the same likelihood."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from samantha.core.ratings import (
    Interval,
    Vote,
    bradley_terry,
    elo,
    mean_interval,
    ratings,
    win_shares,
)


def by_hand_quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between the two ranks around ``q * (N - 1)``."""
    h = q * (len(sorted_values) - 1)
    low = math.floor(h)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (h - low) * (sorted_values[high] - sorted_values[low])


def test_a_few_scores_get_the_exact_bootstrap_interval() -> None:
    scores = [1.0, 2.0, 4.0]
    means = sorted(sum(pick) / 3 for pick in itertools.product(scores, repeat=3))  # 27
    assert len(means) == 27
    got = mean_interval(scores, level=0.9)
    assert got == Interval(7 / 3, by_hand_quantile(means, 0.05), by_hand_quantile(means, 0.95))
    # h = 0.05 * 26 = 1.3: between the 2nd and 3rd smallest means, both (1 + 1 + 2) / 3
    assert got.low == pytest.approx(4 / 3) and got.high == pytest.approx(10 / 3)
    assert mean_interval(scores, level=0.9, seed=99) == got  # exact: no draw at all


def test_many_scores_get_a_seeded_interval_that_narrows_with_more_of_them() -> None:
    rng = np.random.default_rng(5)
    few, many = rng.integers(1, 11, size=20).tolist(), rng.integers(1, 11, size=400).tolist()
    a, b = mean_interval(few, seed=3), mean_interval(few, seed=3)
    assert a == b and a.low < a.value < a.high
    wide, narrow = a.high - a.low, mean_interval(many).high - mean_interval(many).low
    assert narrow < wide / 3  # about sqrt(20) times narrower


def test_one_score_is_its_own_interval_and_none_is_refused() -> None:
    assert mean_interval([3.0]) == Interval(3.0, 3.0, 3.0)
    with pytest.raises(ValueError, match="no values"):
        mean_interval([])
    with pytest.raises(ValueError, match="level"):
        mean_interval([1.0, 2.0], level=1.5)


def votes(table: dict[tuple[str, str], tuple[int, int, int]]) -> list[Vote]:
    """(a, b) -> (a's wins, b's wins, ties) as votes."""
    out = []
    for (a, b), (won, lost, tied) in table.items():
        out += [Vote(a, b, "a")] * won + [Vote(a, b, "b")] * lost + [Vote(a, b, "tie")] * tied
    return out


def test_two_models_have_the_closed_form_odds() -> None:
    p = bradley_terry(votes({("gemma", "smollm2"): (7, 2, 2)}), prior=1.0)
    # a tie is half a win each way, the prior one more tie: 7 + 1 + 0.5 against 2 + 1 + 0.5
    assert p["gemma"] / p["smollm2"] == pytest.approx(8.5 / 3.5, rel=1e-9)
    assert p["gemma"] * p["smollm2"] == pytest.approx(1.0)


def reference_fit(table: dict[tuple[str, str], tuple[int, int, int]], prior: float
                  ) -> dict[str, float]:
    """The same likelihood maximised another way: Newton's method on log-strengths."""
    names = sorted({n for pair in table for n in pair})
    k = len(names)
    w = np.zeros((k, k))
    for (a, b), (won, lost, tied) in table.items():
        i, j = names.index(a), names.index(b)
        w[i, j] += won + tied / 2 + prior / 2
        w[j, i] += lost + tied / 2 + prior / 2
    n = w + w.T
    theta = np.zeros(k)
    for _ in range(100):
        prob = 1 / (1 + np.exp(theta[None, :] - theta[:, None]))  # i beats j
        grad = w.sum(axis=1) - (n * prob).sum(axis=1)
        hess = n * prob * prob.T
        hess[np.diag_indices(k)] = -hess.sum(axis=1)
        step = np.linalg.lstsq(hess, -grad, rcond=None)[0]
        theta += step - step.mean()
    theta -= theta.mean()
    return {name: float(np.exp(theta[i])) for i, name in enumerate(names)}


@pytest.mark.parametrize("prior", [0.5, 1.0, 4.0])
def test_strengths_equal_an_independent_fit_of_the_likelihood(prior: float) -> None:
    table = {("a", "b"): (6, 3, 1), ("a", "c"): (2, 5, 0), ("b", "c"): (4, 4, 2),
             ("c", "d"): (9, 0, 0), ("a", "d"): (3, 1, 1)}  # d never won: the prior keeps it
    got, want = bradley_terry(votes(table), prior), reference_fit(table, prior)
    assert got.keys() == want.keys()
    for name in want:
        assert got[name] == pytest.approx(want[name], rel=1e-7), name


def test_ratings_order_the_models_and_say_how_sure() -> None:
    table = {("big", "small"): (30, 5, 5), ("big", "tiny"): (35, 2, 3),
             ("small", "tiny"): (22, 12, 6)}
    rated = ratings(votes(table), rounds=300, seed=1)
    assert rated == ratings(votes(table), rounds=300, seed=1)
    big, small, tiny = rated["big"], rated["small"], rated["tiny"]
    assert big.value > small.value > tiny.value
    assert all(r.low < r.value < r.high for r in rated.values())
    assert big.low > small.high  # 30 of 40 and 35 of 40: no overlap
    assert elo(bradley_terry(votes(table))["big"]) == pytest.approx(big.value)
    assert win_shares(votes(table))["big"] == pytest.approx((30 + 2.5 + 35 + 1.5) / 80)


def test_bad_votes_are_refused() -> None:
    with pytest.raises(ValueError, match="with itself"):
        bradley_terry([Vote("a", "a", "tie")])
    with pytest.raises(ValueError, match="prior"):
        bradley_terry([Vote("a", "b", "a")], prior=0)
    assert ratings([]) == {}
