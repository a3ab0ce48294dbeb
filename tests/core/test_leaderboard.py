"""The leaderboard, checked against sums done by hand on a fixed set of stored scores, checks,
speeds and votes."""

from __future__ import annotations

import numpy as np
import pytest

from samantha.core.leaderboard import leaderboard, position_bias
from samantha.core.ratings import bradley_terry, elo
from samantha.core.records import CheckRecord, CycleRecord, JudgementRecord, VoteRecord

RUBRIC = {"criteria": [["clear", "?"], ["true", "?"]], "low": 1, "high": 5}


def cycle(id_: int, model: str, tokens: int = 10, seconds: float = 2.0, run: int = 1,
          status: str = "done") -> CycleRecord:
    return CycleRecord(id=id_, run_id=run, number=id_, model=model, model_path=None,
                       model_sha256=None, round=1, item=id_, prompt="p", messages=[],
                       settings={}, random_overrides=None, response="r", tokens=tokens,
                       prompt_tokens=1, seconds=seconds, finish_reason="stop", error=None,
                       status=status, started_at="", finished_at="")


def scored(id_: int, cycle_id: int, clear: int | None, true: int | None = None,
           judge: str = "j") -> JudgementRecord:
    scores = None if clear is None else {"clear": clear, "true": true}
    return JudgementRecord(id_, cycle_id, judge, RUBRIC, scores, "", None if scores else "bad",
                           "", 0, 0.0, "")


def check(cycle_id: int, passed: bool | None) -> CheckRecord:
    return CheckRecord(0, cycle_id, "json", "json", passed, "")


def vote(first: int, second: int, winner: str | None, voter: str = "you") -> VoteRecord:
    return VoteRecord(0, first, second, winner, voter, "", None, "")


CYCLES = [cycle(1, "big", 10, 2.0), cycle(2, "big", 30, 2.0), cycle(3, "small", 8, 1.0),
          cycle(4, "small", 0, 0.0, status="failed")]
JUDGEMENTS = [scored(1, 1, 2, 4), scored(2, 2, 4, 4), scored(3, 3, 1, 2), scored(4, 3, 3, 2),
              scored(5, 3, None)]


def test_means_and_intervals_equal_a_computation_by_hand() -> None:
    board = leaderboard(CYCLES, JUDGEMENTS)
    assert [row.name for row in board.rows] == ["big", "small"]
    big, small = board.rows
    assert board.criteria == ("clear", "true") and board.scale == (1, 5)
    # big's clear scores are 2 and 4: the 4 resamples (2,2) (2,4) (4,2) (4,4) have means
    # 2, 3, 3, 4; the 2.5% and 97.5% quantiles between neighbours: 2 + 0.075 and 3 + 0.925
    clear = big.criteria["clear"]
    assert (clear.value, clear.low, clear.high) == pytest.approx((3.0, 2.075, 3.925))
    true = big.criteria["true"]
    assert (true.value, true.low, true.high) == (4.0, 4.0, 4.0)
    # overall: each answer's mean over the criteria, 3 and 4; resampled means 3, 3.5, 3.5, 4
    assert (big.overall.value, big.overall.low, big.overall.high) == \
        pytest.approx((3.5, 3 + 0.075 * 0.5, 3.5 + 0.925 * 0.5))
    # small: one answer judged twice (1,2) and (3,2), and a judgement that could not be read
    assert small.criteria["clear"].value == 2.0 and small.judged == 2 and small.malformed == 1
    assert small.overall.value == pytest.approx(2.0)  # (1.5 + 2.5) / 2
    assert (big.answers, small.answers) == (2, 1)  # the failed answer is not counted
    assert big.tokens_per_second == pytest.approx((5 + 15) / 2)
    assert small.tokens_per_second == pytest.approx(8.0)


def test_a_larger_sample_is_drawn_with_the_seed() -> None:
    cycles = [cycle(i, "m") for i in range(1, 9)]
    values = [1, 2, 2, 3, 5, 4, 4, 1]
    judgements = [scored(i, i, v, v) for i, v in enumerate(values, 1)]
    row = leaderboard(cycles, judgements, seed=7).rows[0]
    picks = np.random.default_rng(7).integers(0, 8, size=(2000, 8))
    means = np.asarray(values, dtype=float)[picks].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    assert (row.criteria["clear"].low, row.criteria["clear"].high) == (low, high)
    assert row.criteria["clear"].value == pytest.approx(np.mean(values))


def test_check_pass_rates_leave_out_what_could_not_be_checked() -> None:
    board = leaderboard(CYCLES, checks=[check(1, True), check(2, False), check(2, True),
                                        check(3, None), check(4, False)])
    big = next(row for row in board.rows if row.name == "big")
    small = next(row for row in board.rows if row.name == "small")
    assert (big.checks_passed, big.checks_failed, big.pass_rate) == (2, 1, pytest.approx(2 / 3))
    assert (small.checks_passed, small.checks_failed, small.checks_unknown) == (0, 1, 1)
    assert small.pass_rate == 0.0
    assert big.overall is None  # nobody judged: no score, not a zero


def test_ratings_come_from_the_votes_between_contestants() -> None:
    votes = [vote(1, 3, "first"), vote(3, 2, "second"), vote(2, 3, "tie"),
             vote(1, 2, "first"),  # the same model twice: not a game
             vote(3, 1, None, "j")]  # unread: not a game
    board = leaderboard(CYCLES, votes=votes)
    fit = bradley_terry([_v("big", "small", "a"), _v("small", "big", "b"),
                         _v("big", "small", "tie")])
    rows = {row.name: row for row in board.rows}
    assert rows["big"].rating.value == pytest.approx(elo(fit["big"]))
    assert rows["small"].rating.value == pytest.approx(elo(fit["small"]))
    assert (rows["big"].votes, rows["small"].votes) == (3, 3)
    assert board.rows[0].name == "big"  # no scores: the rating ranks


def _v(a: str, b: str, outcome: str):
    from samantha.core.ratings import Vote

    return Vote(a, b, outcome)  # type: ignore[arg-type]


def test_several_runs_keep_the_same_model_apart() -> None:
    cycles = [cycle(1, "m", run=1), cycle(2, "m", run=2)]
    board = leaderboard(cycles, [scored(1, 1, 5, 5), scored(2, 2, 1, 1)])
    assert [row.name for row in board.rows] == ["m (run 1)", "m (run 2)"]


def test_position_bias_counts_pairs_judged_both_ways() -> None:
    votes = [vote(1, 3, "first", "j"), vote(3, 1, "first", "j"),  # flips with the order
             vote(2, 3, "second", "j"), vote(3, 2, "first", "j"),  # consistent: 3 both times
             vote(1, 2, "tie", "j"), vote(2, 1, "tie", "j"),  # consistent tie
             vote(1, 3, "first", "k"),  # one order only: not a pair
             vote(1, 3, "first", "you"), vote(3, 1, "first", "you")]  # people: left out
    bias = position_bias(votes)
    assert [b.judge for b in bias] == ["j", "k"]
    j, k = bias
    assert (j.pairs, j.consistent, j.decisive, j.first_won) == (3, 2, 4, 3)
    assert j.first_share == 0.75
    assert (k.pairs, k.first_share) == (0, None)
