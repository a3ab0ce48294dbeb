"""The blind arena: two answers to the same prompt, their models hidden, and a person's vote.

Pure: stored cycles and votes in, the pairs that can be shown and the ratings out (the web UI
shows them, the store keeps the votes).

Which answers make a pair: two finished ("done") answers of two different contestants (the
model; when several runs are compared, the model and its run, as in
:func:`~samantha.core.leaderboard.contestant`, so the same model is never paired with itself)
to the same prompt. Within one run that is the same prompt item in the same round (and the same
text); across runs, the same prompt text. A pair the person has voted on, in either order, is
not shown again. :func:`next_pair` draws one of the others at random, and which of the two is
shown first (Answer A) too, so neither the order of the run nor a habit of the person's favours
a model.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from samantha.core.leaderboard import contestant
from samantha.core.ratings import Interval, Outcome, Vote, ratings, win_shares
from samantha.core.records import CycleRecord, VoteRecord

#: The voter of a person's votes (the same as ``samantha.workbench.judging.PERSON``: a judge
#: model votes under its own name).
PERSON = "you"

#: A stored vote's winner (the answers in the order shown) as a ratings outcome.
OUTCOMES: Mapping[str, Outcome] = {"first": "a", "second": "b", "tie": "tie"}


@dataclass(frozen=True)
class Match:
    """A pair to show: ``first`` as Answer A, ``second`` as Answer B, with the names they
    compete under (hidden until the vote); ``number`` of ``total`` pairs, ``left`` of them
    (this one included) not yet voted on."""

    first: CycleRecord
    second: CycleRecord
    first_name: str
    second_name: str
    number: int
    total: int
    left: int

    @property
    def prompt(self) -> str:
        return self.first.prompt


@dataclass(frozen=True)
class Standing:
    """A contestant's rating from the person's votes: the Elo-like rating and its interval,
    the games it played and its share of them won (a tie half)."""

    name: str
    rating: Interval
    games: int
    share: float


def names(cycles: Sequence[CycleRecord]) -> dict[int, str]:
    """Each cycle's contestant: its model, or "model (run N)" when the cycles come from
    several runs."""
    several = len({c.run_id for c in cycles}) > 1
    return {c.id: contestant(c, several) for c in cycles}


def pairs(cycles: Sequence[CycleRecord]) -> list[tuple[CycleRecord, CycleRecord]]:
    """Every pair that can be compared (see the module's docstring), each once, the cycle of
    the lower id first, in a fixed order (by the ids)."""
    name_of = names(cycles)
    by_prompt: dict[str, list[CycleRecord]] = defaultdict(list)
    for cycle in sorted(cycles, key=lambda c: c.id):
        if cycle.status == "done":
            by_prompt[cycle.prompt].append(cycle)
    found = []
    for answers in by_prompt.values():
        for i, first in enumerate(answers):
            for second in answers[i + 1:]:
                if name_of[first.id] != name_of[second.id] and _comparable(first, second):
                    found.append((first, second))
    return sorted(found, key=lambda pair: (pair[0].id, pair[1].id))


def _comparable(first: CycleRecord, second: CycleRecord) -> bool:
    """Two answers to the same prompt text: within a run, also the same item and round."""
    if first.run_id != second.run_id:
        return True
    return (first.item, first.round) == (second.item, second.round)


def voted(votes: Iterable[VoteRecord], voter: str = PERSON) -> set[frozenset[int]]:
    """The pairs of answers ``voter`` has voted on, in either order."""
    return {frozenset((v.first_cycle, v.second_cycle)) for v in votes if v.voter == voter}


def open_pairs(cycles: Sequence[CycleRecord], votes: Iterable[VoteRecord],
               voter: str = PERSON) -> list[tuple[CycleRecord, CycleRecord]]:
    """The pairs ``voter`` has not voted on yet."""
    done = voted(votes, voter)
    return [pair for pair in pairs(cycles) if frozenset((pair[0].id, pair[1].id)) not in done]


def next_pair(cycles: Sequence[CycleRecord], votes: Iterable[VoteRecord],
              rng: random.Random, voter: str = PERSON) -> Match | None:
    """A pair not yet voted on by ``voter``, drawn with ``rng``, in an order drawn with it too;
    None when every pair has a vote (or there is no pair)."""
    every = pairs(cycles)
    done = voted(votes, voter)
    waiting = [pair for pair in every if frozenset((pair[0].id, pair[1].id)) not in done]
    if not waiting:
        return None
    first, second = rng.choice(waiting)
    if rng.random() < 0.5:
        first, second = second, first
    name_of = names(cycles)
    return Match(first, second, name_of[first.id], name_of[second.id],
                 number=len(every) - len(waiting) + 1, total=len(every), left=len(waiting))


def person_votes(cycles: Sequence[CycleRecord], votes: Iterable[VoteRecord],
                 voter: str = PERSON) -> list[Vote]:
    """``voter``'s votes between two different contestants of these cycles, as
    :class:`~samantha.core.ratings.Vote` by contestant name (A: the answer shown first)."""
    name_of = names(cycles)
    found = []
    for vote in votes:
        a, b = name_of.get(vote.first_cycle), name_of.get(vote.second_cycle)
        outcome = OUTCOMES.get(vote.winner or "")
        if vote.voter == voter and a is not None and b is not None and a != b and outcome:
            found.append(Vote(a, b, outcome))
    return found


def standings(votes: Sequence[Vote], level: float = 0.95, rounds: int = 1000,
              seed: int = 0) -> list[Standing]:
    """Each contestant's rating with its interval (see :func:`~samantha.core.ratings.ratings`),
    games and share won, the best rated first."""
    rated = ratings(votes, level, rounds, seed)
    shares = win_shares(votes)
    games: dict[str, int] = defaultdict(int)
    for vote in votes:
        games[vote.a] += 1
        games[vote.b] += 1
    found = [Standing(name, rating, games[name], shares[name]) for name, rating in rated.items()]
    return sorted(found, key=lambda s: (-s.rating.value, s.name))
