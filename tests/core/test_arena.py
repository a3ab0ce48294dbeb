"""The blind arena's pairs and ratings, on a fixed set of cycles and votes."""

from __future__ import annotations

import random

import pytest

from samantha.core.arena import (
    PERSON,
    Match,
    next_pair,
    open_pairs,
    pairs,
    person_votes,
    standings,
)
from samantha.core.ratings import Vote, ratings
from samantha.core.records import CycleRecord, VoteRecord


def cycle(id_: int, model: str, item: int = 1, round_: int = 1, run: int = 1,
          prompt: str | None = None, status: str = "done") -> CycleRecord:
    return CycleRecord(id=id_, run_id=run, number=id_, model=model, model_path=None,
                       model_sha256=None, round=round_, item=item,
                       prompt=prompt if prompt is not None else f"prompt {item}", messages=[],
                       settings={}, random_overrides=None, response=f"answer {id_}", tokens=3,
                       prompt_tokens=1, seconds=1.0, finish_reason="stop", error=None,
                       status=status, started_at="", finished_at="")


def vote(first: int, second: int, winner: str | None = "first",
         voter: str = PERSON) -> VoteRecord:
    return VoteRecord(0, first, second, winner, voter, "", None, "")


# One run: three models on two prompt items; the third model failed on item 2, "small" answered
# item 1 twice (a second round), and "big" appears twice in the chain (cycles 1 and 8).
RUN = [cycle(1, "big", 1), cycle(2, "small", 1), cycle(3, "tiny", 1),
       cycle(4, "big", 2), cycle(5, "small", 2), cycle(6, "tiny", 2, status="failed"),
       cycle(7, "small", 1, round_=2), cycle(8, "big", 1)]


def ids(found: list[tuple[CycleRecord, CycleRecord]]) -> list[tuple[int, int]]:
    return [(a.id, b.id) for a, b in found]


def test_pairs_are_finished_answers_of_two_models_to_the_same_item_and_round() -> None:
    # item 1 round 1: big (1, 8), small (2), tiny (3); item 2: big (4), small (5);
    # never big with big (1, 8), never round 1 with round 2 (7), never a failed answer (6)
    assert ids(pairs(RUN)) == [(1, 2), (1, 3), (2, 3), (2, 8), (3, 8), (4, 5)]


def test_the_same_model_is_never_paired_with_itself() -> None:
    assert pairs([cycle(1, "big"), cycle(2, "big"), cycle(3, "big")]) == []
    assert all(a.model != b.model for a, b in pairs(RUN))


def test_across_runs_the_same_prompt_text_pairs_and_the_run_names_the_contestant() -> None:
    cycles = [cycle(1, "m", item=1, run=1, prompt="Hi"), cycle(2, "m", item=3, run=2,
                                                               prompt="Hi"),
              cycle(3, "m", item=1, run=2, prompt="Bye"), cycle(4, "n", item=2, run=2,
                                                                prompt="Hi")]
    # the same model in two runs competes as two contestants; item numbers do not matter
    # across runs, but within run 2, items 3 and 2 are different items
    assert ids(pairs(cycles)) == [(1, 2), (1, 4)]
    match = next_pair(cycles, [vote(1, 2)], random.Random(0))
    assert match is not None
    assert {match.first_name, match.second_name} == {"m (run 1)", "n (run 2)"}


@pytest.mark.parametrize("voted", [(1, 2), (2, 1)])
def test_a_pair_voted_on_in_either_order_is_not_shown_again(voted: tuple[int, int]) -> None:
    votes = [vote(*voted)]
    assert (1, 2) not in ids(open_pairs(RUN, votes))
    for seed in range(40):
        match = next_pair(RUN, votes, random.Random(seed))
        assert match is not None and {match.first.id, match.second.id} != {1, 2}


def test_only_the_persons_votes_count_as_voted() -> None:
    judged = [vote(1, 2, voter="smollm2"), vote(2, 1, voter="smollm2")]
    assert ids(open_pairs(RUN, judged)) == ids(pairs(RUN))


def test_none_when_every_pair_has_a_vote_or_there_is_no_pair() -> None:
    votes = [vote(a, b, "tie") for a, b in ids(pairs(RUN))]
    assert next_pair(RUN, votes, random.Random(0)) is None
    assert next_pair([cycle(1, "big")], [], random.Random(0)) is None
    assert next_pair([], [], random.Random(0)) is None


def test_progress_counts_the_pairs_voted_and_left() -> None:
    match = next_pair(RUN, [vote(1, 2), vote(5, 4)], random.Random(3))
    assert isinstance(match, Match)
    assert (match.number, match.total, match.left) == (3, 6, 4)
    assert match.prompt == match.first.prompt == match.second.prompt


def test_the_pair_and_its_order_are_random_yet_reproducible_with_a_seed() -> None:
    def drawn(seed: int) -> list[tuple[int, int]]:
        rng = random.Random(seed)
        found = []
        for _ in range(30):
            match = next_pair(RUN, [], rng)
            assert match is not None
            found.append((match.first.id, match.second.id))
        return found

    assert drawn(7) == drawn(7)
    assert drawn(7) != drawn(8)
    seen = drawn(7) + drawn(8)
    assert len({frozenset(pair) for pair in seen}) == 6  # every pair comes up
    # both orders are shown: the lower id first, and last
    assert any(a < b for a, b in seen) and any(a > b for a, b in seen)
    assert all(a != b for a, b in seen)


def test_order_shown_is_about_even() -> None:
    rng = random.Random(1)
    firsts = []
    for _ in range(400):
        match = next_pair(RUN[:2], [], rng)
        assert match is not None
        firsts.append(match.first.id)
    assert 150 < firsts.count(1) < 250


def test_the_names_are_the_models_in_the_order_shown() -> None:
    for seed in range(10):
        match = next_pair(RUN, [], random.Random(seed))
        assert match is not None
        assert (match.first_name, match.second_name) == (match.first.model, match.second.model)


def test_person_votes_become_votes_by_contestant_in_the_order_shown() -> None:
    votes = [vote(1, 2, "first"), vote(3, 1, "second"), vote(2, 3, "tie"),
             vote(4, 5, "second", voter="smollm2"),  # a judge's: not the person's
             vote(1, 8, "first"),  # the same contestant twice: no game
             vote(1, 99, "first"),  # an answer of another run
             vote(4, 5, None)]  # no winner read
    assert person_votes(RUN, votes) == [Vote("big", "small", "a"), Vote("tiny", "big", "b"),
                                        Vote("small", "tiny", "tie")]


def test_standings_rate_games_and_shares() -> None:
    votes = [Vote("big", "small", "a"), Vote("big", "small", "a"), Vote("small", "big", "tie"),
             Vote("tiny", "big", "b")]
    found = standings(votes, rounds=200)
    assert [s.name for s in found] == ["big", "small", "tiny"]
    big, small, tiny = found
    assert (big.games, small.games, tiny.games) == (4, 3, 1)
    assert big.share == pytest.approx(3.5 / 4) and small.share == pytest.approx(0.5 / 3)
    assert tiny.share == 0.0
    expected = ratings(votes, rounds=200)
    assert big.rating == expected["big"]
    assert all(s.rating.low <= s.rating.high for s in found)
    assert standings([]) == []


def test_the_person_is_the_workbenchs() -> None:
    from samantha.workbench.judging import PERSON as WORKBENCH_PERSON

    assert PERSON == WORKBENCH_PERSON
