"""A run's results summed up: per model, the judges' mean score on each criterion with its
bootstrap interval, the checks passed, the speed, and ratings from the votes between answers.

Pure: stored records in, a :class:`Leaderboard` out (the CLI prints it, the web UI draws it,
the exports write it). One row per contestant: the model that answered, or, when several runs are
compared (two quantisations, two settings), the model and its run, so the same model under two
settings stays two rows.

What a row holds, and how each number is made:

- **criteria**: for each criterion of the rubric, the mean of every score a judge gave that
  model's answers (a panel's judges pooled), with the percentile-bootstrap interval of
  :func:`~samantha.core.ratings.mean_interval`;
- **overall**: the same over each judged answer's mean score across the criteria;
- **malformed**: judgements that could not be read (cut off, refused): counted, never scored;
- **checks**: passed / (passed + failed); checks that could not be run are counted apart;
- **tokens/s**: the mean speed of its finished answers;
- a chain's own judgements (``{verdict=…}`` items) are not answers to rank: left out;
- **rating**: the Bradley–Terry rating (Elo-like, with its interval) from the votes, people's
  and judges' alike, when there are votes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from samantha.core.ratings import Interval, Outcome, Vote, mean_interval, ratings
from samantha.core.records import CheckRecord, CycleRecord, JudgementRecord, VoteRecord


@dataclass(frozen=True)
class Row:
    """One contestant's results."""

    name: str
    answers: int
    criteria: Mapping[str, Interval]  # criterion key -> mean score and interval
    overall: Interval | None
    judged: int  # judgements read into scores
    malformed: int  # judgements that could not be read
    checks_passed: int
    checks_failed: int
    checks_unknown: int  # checks that could not be run
    tokens_per_second: float | None
    rating: Interval | None = None
    votes: int = 0

    @property
    def pass_rate(self) -> float | None:
        done = self.checks_passed + self.checks_failed
        return self.checks_passed / done if done else None


@dataclass(frozen=True)
class PositionBias:
    """How a judge's pairwise votes depend on the order the answers were shown in, over the
    pairs it judged in both orders: ``consistent`` pairs picked the same answer (or a tie) both
    times; ``first_won`` of the ``decisive`` votes went to the answer shown first (0.5: no
    bias)."""

    judge: str
    pairs: int
    consistent: int
    decisive: int
    first_won: int

    @property
    def first_share(self) -> float | None:
        return self.first_won / self.decisive if self.decisive else None


@dataclass(frozen=True)
class Leaderboard:
    rows: tuple[Row, ...]  # best first: by overall score, then rating, then pass rate
    criteria: tuple[str, ...]  # every criterion scored, in the rubric's order
    scale: tuple[int, int] | None  # the rubric's (low, high), when there is one
    bias: tuple[PositionBias, ...] = field(default=())
    level: float = 0.95


def contestant(cycle: CycleRecord, several_runs: bool) -> str:
    """The name a cycle's answer competes under."""
    return f"{cycle.model} (run {cycle.run_id})" if several_runs else cycle.model


def leaderboard(cycles: Sequence[CycleRecord], judgements: Iterable[JudgementRecord] = (),
                checks: Iterable[CheckRecord] = (), votes: Iterable[VoteRecord] = (),
                level: float = 0.95, seed: int = 0) -> Leaderboard:
    """The leaderboard of these answers (one run's or several runs'), see the module's
    docstring. ``seed`` fixes the bootstrap's draws when they are drawn."""
    several = len({c.run_id for c in cycles}) > 1
    name_of = {c.id: contestant(c, several) for c in cycles}
    answered = [c for c in cycles if c.status == "done" and c.verdict is None]
    names = list(dict.fromkeys(name_of[c.id] for c in answered))

    scores: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    overall: dict[str, list[float]] = defaultdict(list)
    malformed: dict[str, int] = defaultdict(int)
    criteria: list[str] = []
    scale: tuple[int, int] | None = None
    for judgement in judgements:
        name = name_of.get(judgement.cycle_id)
        if name is None:
            continue
        if judgement.scores is None:
            malformed[name] += 1
            continue
        scale = scale or (int(judgement.rubric["low"]), int(judgement.rubric["high"]))
        for key, value in judgement.scores.items():
            if key not in criteria:
                criteria.append(key)
            scores[name][key].append(float(value))
        overall[name].append(sum(judgement.scores.values()) / len(judgement.scores))

    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for check in checks:
        name = name_of.get(check.cycle_id)
        if name is not None:
            tally[name][{True: 0, False: 1, None: 2}[check.passed]] += 1

    rated, counted = _ratings(votes, name_of, level, seed)
    rows = []
    for name in names:
        speeds = [c.tokens / c.seconds for c in answered
                  if name_of[c.id] == name and c.seconds > 0 and c.tokens > 0]
        rows.append(Row(
            name=name,
            answers=sum(1 for c in answered if name_of[c.id] == name),
            criteria={key: mean_interval(values, level, seed=seed)
                      for key, values in scores[name].items()},
            overall=mean_interval(overall[name], level, seed=seed) if overall[name] else None,
            judged=len(overall[name]), malformed=malformed[name],
            checks_passed=tally[name][0], checks_failed=tally[name][1],
            checks_unknown=tally[name][2],
            tokens_per_second=sum(speeds) / len(speeds) if speeds else None,
            rating=rated.get(name), votes=counted.get(name, 0)))
    rows.sort(key=_rank)
    return Leaderboard(tuple(rows), tuple(criteria), scale, position_bias(votes), level)


def _rank(row: Row) -> tuple[float, float, float, str]:
    return (-(row.overall.value if row.overall else float("-inf")),
            -(row.rating.value if row.rating else float("-inf")),
            -(row.pass_rate if row.pass_rate is not None else -1.0), row.name)


def _ratings(votes: Iterable[VoteRecord], name_of: Mapping[int, str], level: float,
             seed: int) -> tuple[dict[str, Interval], dict[str, int]]:
    """Ratings from the votes between two different contestants of these answers."""
    outcome: dict[str, Outcome] = {"first": "a", "second": "b", "tie": "tie"}
    pairs: list[Vote] = []
    counted: dict[str, int] = defaultdict(int)
    for vote in votes:
        a, b = name_of.get(vote.first_cycle), name_of.get(vote.second_cycle)
        if a is None or b is None or a == b or vote.winner is None:
            continue
        pairs.append(Vote(a, b, outcome[vote.winner]))
        counted[a] += 1
        counted[b] += 1
    return (ratings(pairs, level, seed=seed) if pairs else {}), counted


def position_bias(votes: Iterable[VoteRecord]) -> tuple[PositionBias, ...]:
    """Each judge's :class:`PositionBias` (people's votes, ``voter`` "you", are left out: the
    arena shows each pair once)."""
    by_judge: dict[str, dict[frozenset[int], list[VoteRecord]]] = defaultdict(
        lambda: defaultdict(list))
    for vote in votes:
        if vote.voter != "you" and vote.winner is not None:
            by_judge[vote.voter][frozenset((vote.first_cycle, vote.second_cycle))].append(vote)
    found = []
    for judge, pairs in sorted(by_judge.items()):
        both = [seen for seen in pairs.values() if len({v.first_cycle for v in seen}) == 2]
        consistent = sum(1 for seen in both if len({_picked(v) for v in seen}) == 1)
        decisive = [v for seen in both for v in seen if v.winner != "tie"]
        found.append(PositionBias(judge, len(both), consistent, len(decisive),
                                  sum(1 for v in decisive if v.winner == "first")))
    return tuple(found)


def _picked(vote: VoteRecord) -> int | None:
    """The answer a vote picked (None: a tie)."""
    return {"first": vote.first_cycle, "second": vote.second_cycle}.get(vote.winner or "")
