"""Judging a stored run after its answers: each answer scored by judge models against a rubric,
or two answers to the same prompt compared by them in both orders.

A judge is any model a chain may name (a local file, ``default``, ``MODEL@BACKEND``); several
make a panel. Its answer is held to the rubric's JSON schema (a grammar), read strictly
(:mod:`samantha.core.rubric`), and stored with the answer it judged, malformed or not: nothing is
guessed. The judge's settings are deterministic with a fixed seed, so judging again gives the
same scores; with ``concurrency`` above 1 several judgements are in progress at once (remote
judges, each on its own backend as any cycle). A judge scoring an answer it has scored before on
the same rubric is skipped unless ``again`` is asked: a judging stopped half-way resumes. The
judgements a chain made itself (``{verdict=…}`` items) are not contestants' answers: they are
left out.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence

from samantha.core.answer_events import GenerationResult
from samantha.core.chat import build_messages
from samantha.core.engine import Cancel
from samantha.core.generation import Ask
from samantha.core.json_schema_bounds import schema_text
from samantha.core.leaderboard import Leaderboard, leaderboard
from samantha.core.records import CycleRecord, RunRecord
from samantha.core.rubric import (
    PAIR,
    Judgement,
    Rubric,
    judge_prompt,
    judgement_schema,
    pair_prompt,
    read_judgement,
)
from samantha.core.settings import DETERMINISTIC, Settings
from samantha.core.verdict import TIE, Verdict, read_verdict, verdict_schema
from samantha.documents.results import RunResults
from samantha.store import RunStore

#: Tokens a judge may write: a rubric's scores and a reason of 300 characters fit in 300 of them.
JUDGE_TOKENS = 600
#: A person voting in the arena (a judge model votes under its own name).
PERSON = "you"


class Generates(Protocol):
    """What judging needs of the workbench."""

    @property
    def store(self) -> RunStore: ...

    def generate(self, ask: Ask, cancel: Cancel | None = None) -> Iterator[object]: ...


@dataclass(frozen=True)
class JudgeRequest:
    run_id: int
    judges: tuple[str, ...]
    rubric: Rubric
    pairwise: bool = False  # compare answers two by two instead of scoring each
    seed: int = 0
    max_tokens: int = JUDGE_TOKENS
    again: bool = False  # judge again what was judged before
    concurrency: int = 1


@dataclass(frozen=True)
class Judged:
    """One judgement done and stored (the progress of a judging)."""

    done: int
    total: int
    judge: str
    cycles: tuple[int, ...]  # the answer judged, or the two compared (in the order shown)
    problem: str | None  # why the judge's answer could not be read (None: it was)
    summary: str  # the scores, or the winner, in a few words
    generation_seconds: float  # the judge's own generation
    seconds: float  # the whole judgement: asking, generating, reading, storing


@dataclass(frozen=True)
class _Task:
    judge: str
    cycles: tuple[CycleRecord, ...]  # one answer, or two in the order shown


def judge_run(bench: Generates, request: JudgeRequest,
              cancel: Cancel | None = None) -> Iterator[Judged]:
    """Judge the run's answers (see the module's docstring), yielding each judgement as it is
    stored. Raises :class:`~samantha.store.RunNotFoundError` for an unknown run; a judge that
    fails (unknown model, backend down) raises its error before or between judgements, and what
    was stored stays."""
    run = bench.store.get_run(request.run_id)
    tasks = _pair_tasks(bench, run, request) if request.pairwise else \
        _score_tasks(bench, run, request)
    total = len(tasks)
    if request.concurrency <= 1 or total <= 1:
        for done, task in enumerate(tasks, 1):
            if cancel is not None and cancel.is_set():
                return
            yield _judge(bench, request, task, done, total, cancel)
        return
    with ThreadPoolExecutor(max_workers=request.concurrency,
                            thread_name_prefix="judge") as pool:
        futures = [pool.submit(_judge, bench, request, task, 0, total, cancel)
                   for task in tasks]
        try:
            for done, future in enumerate(futures, 1):
                yield dataclasses.replace(future.result(), done=done)
        finally:
            for future in futures:
                future.cancel()


def _score_tasks(bench: Generates, run: RunRecord, request: JudgeRequest) -> list[_Task]:
    answers = [c for c in run.cycles if c.status == "done" and c.verdict is None]
    tasks = []
    for judge in request.judges:
        seen = set() if request.again else bench.store.judged(
            run.id, judge, request.rubric.to_dict())
        tasks += [_Task(judge, (c,)) for c in answers if c.id not in seen]
    return tasks


def _pair_tasks(bench: Generates, run: RunRecord, request: JudgeRequest) -> list[_Task]:
    """Every two answers of different models to the same prompt item (and round), each pair
    in both orders, for each judge."""
    groups: dict[tuple[int, int, str], list[CycleRecord]] = defaultdict(list)
    for cycle in run.cycles:
        if cycle.status == "done" and cycle.verdict is None:
            groups[(cycle.item, cycle.round, cycle.prompt)].append(cycle)
    pairs = []
    for answers in groups.values():
        for i, first in enumerate(answers):
            for second in answers[i + 1:]:
                if first.model != second.model:
                    pairs += [(first, second), (second, first)]
    done = {(v.voter, v.first_cycle, v.second_cycle)
            for v in bench.store.votes([run.id])} if not request.again else set()
    return [_Task(judge, pair) for judge in request.judges for pair in pairs
            if (judge, pair[0].id, pair[1].id) not in done]


def _settings(request: JudgeRequest, schema: str) -> Settings:
    return DETERMINISTIC.replace(json_schema=schema, max_tokens=request.max_tokens,
                                 seed=request.seed)


def _judge(bench: Generates, request: JudgeRequest, task: _Task, done: int, total: int,
           cancel: Cancel | None) -> Judged:
    began = time.perf_counter()
    if len(task.cycles) == 1:
        cycle = task.cycles[0]
        text = judge_prompt(request.rubric, cycle.prompt, cycle.response)
        schema = schema_text(judgement_schema(request.rubric))
    else:
        first, second = task.cycles
        text = pair_prompt(first.prompt, first.response, second.response)
        schema = verdict_schema(PAIR)
    # a judgement repeats its form (a score per criterion): the loop guard is not for it
    ask = Ask(build_messages("", "", text), _settings(request, schema), task.judge,
              loop_guard=False)
    result = _answer(bench, ask, cancel)
    failed = f"the judge failed: {result.error}" if result.error else None
    if len(task.cycles) == 1:
        judgement = read_judgement(request.rubric, result.text)
        if failed:
            judgement = Judgement(None, "", failed)
        bench.store.add_judgement(
            task.cycles[0].id, task.judge, request.rubric.to_dict(), scores=judgement.scores,
            reason=judgement.reason, problem=judgement.problem, answer=result.text,
            tokens=result.tokens, seconds=result.seconds)
        problem = judgement.problem
        summary = "" if judgement.scores is None else \
            " ".join(f"{k} {v}" for k, v in judgement.scores.items())
    else:
        verdict = read_verdict(result.text, PAIR)
        if failed:
            verdict = Verdict(PAIR, problem=failed)
        winner = None if not verdict.read else \
            {PAIR[0]: "first", PAIR[1]: "second", TIE: "tie"}[verdict.winner or TIE]
        bench.store.add_vote(task.cycles[0].id, task.cycles[1].id, winner, task.judge,
                             verdict.reason, verdict.problem)
        problem, summary = verdict.problem, f"winner: {winner}" if winner else ""
    return Judged(done, total, task.judge, tuple(c.id for c in task.cycles), problem, summary,
                  result.seconds, time.perf_counter() - began)


def _answer(bench: Generates, ask: Ask, cancel: Cancel | None) -> GenerationResult:
    result = None
    for event in bench.generate(ask, cancel):
        if isinstance(event, GenerationResult):
            result = event
    if result is None:  # pragma: no cover - every generation ends with its result
        raise RuntimeError("the judge's generation ended without a result")
    return result


def judges_of(text: Sequence[str]) -> tuple[str, ...]:
    """The judges named on a command line or in a chain file: each name once, in order."""
    return tuple(dict.fromkeys(name.strip() for name in text if name.strip()))


def run_leaderboard(store: RunStore, run_ids: Sequence[int], level: float = 0.95,
                    seed: int = 0) -> Leaderboard:
    """The leaderboard of one run, or of several side by side (see
    :mod:`samantha.core.leaderboard`); :class:`~samantha.store.RunNotFoundError` for an
    unknown run."""
    cycles = [cycle for run_id in run_ids for cycle in store.get_run(run_id).cycles]
    judgements = [j for run_id in run_ids for j in store.judgements(run_id)]
    checks = [c for run_id in run_ids for c in store.checks(run_id)]
    return leaderboard(cycles, judgements, checks, store.votes(run_ids), level, seed)


def run_results(store: RunStore, run_id: int) -> RunResults:
    """What was said of a run's answers, for its exports."""
    return RunResults(run_leaderboard(store, [run_id]), store.judgements(run_id),
                      store.checks(run_id), store.votes([run_id]))
