"""What judges, checks and people said of a run's answers (migration m010_judging): kept with
their cycles, read back per run, replaced (not doubled) when said again, gone with their run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from samantha.store import CycleNotFoundError, RunStore

RUBRIC = {"criteria": [["clear", "Is it clear?"], ["true", "Is it true?"]], "low": 1, "high": 5}


def answered(store: RunStore, cycle_args, count: int = 2) -> tuple[int, list[int]]:
    run_id = store.start_run({"prompts": "x"})
    cycles = []
    for number in range(1, count + 1):
        cycle = store.start_cycle(run_id, **cycle_args(number))
        store.finish_cycle(cycle, response=f"answer {number}", tokens=3, prompt_tokens=2,
                           seconds=0.5, finish_reason="stop", error=None, status="done")
        cycles.append(cycle)
    store.finish_run(run_id, "finished")
    return run_id, cycles


def judge(store: RunStore, cycle: int, judge: str = "smollm2", scores=None, problem=None,
          rubric=RUBRIC) -> int:
    return store.add_judgement(cycle, judge, rubric, scores=scores, reason="because",
                               problem=problem, answer='{"clear": 4}', tokens=7, seconds=0.25)


def test_judgements_are_read_back_per_run_in_cycle_order(store: RunStore, cycle_args) -> None:
    run_id, (first, second) = answered(store, cycle_args)
    other_run, (elsewhere, _) = answered(store, cycle_args)
    judge(store, second, scores={"clear": 4, "true": 2})
    judge(store, first, problem="the judgement is not JSON")
    judge(store, elsewhere, scores={"clear": 1, "true": 1})
    found = store.judgements(run_id)
    assert [j.cycle_id for j in found] == [first, second]
    assert found[0].scores is None and found[0].problem == "the judgement is not JSON"
    assert found[1].scores == {"clear": 4, "true": 2} and found[1].rubric == RUBRIC
    assert (found[1].judge, found[1].answer, found[1].tokens, found[1].seconds) == \
        ("smollm2", '{"clear": 4}', 7, 0.25)
    assert store.judged(run_id, "smollm2", RUBRIC) == {first, second}
    assert store.judged(run_id, "default", RUBRIC) == set()
    assert [j.cycle_id for j in store.judgements(other_run)] == [elsewhere]


def test_a_judge_judging_again_replaces_its_scores(store: RunStore, cycle_args) -> None:
    run_id, (cycle, _) = answered(store, cycle_args)
    judge(store, cycle, scores={"clear": 1, "true": 1})
    judge(store, cycle, scores={"clear": 5, "true": 5})
    judge(store, cycle, judge="default", scores={"clear": 3, "true": 3})  # a panel: kept apart
    other = {**RUBRIC, "high": 10}
    judge(store, cycle, scores={"clear": 9, "true": 9}, rubric=other)  # another rubric: kept
    assert [(j.judge, j.scores) for j in store.judgements(run_id)] == [
        ("smollm2", {"clear": 5, "true": 5}), ("default", {"clear": 3, "true": 3}),
        ("smollm2", {"clear": 9, "true": 9})]


def test_checks_are_kept_with_their_cycle(store: RunStore, cycle_args) -> None:
    run_id, (first, second) = answered(store, cycle_args)
    store.add_checks(second, [{"spec": "json", "kind": "json", "passed": None, "detail": "?"}])
    store.add_checks(first, [{"spec": "contains:a", "kind": "contains", "passed": True,
                              "detail": "found"},
                             {"spec": "chars:..3", "kind": "chars", "passed": False,
                              "detail": "8 characters"}])
    found = store.checks(run_id)
    assert [(c.cycle_id, c.spec, c.passed) for c in found] == [
        (first, "contains:a", True), (first, "chars:..3", False), (second, "json", None)]
    store.add_checks(first, [{"spec": "contains:z", "kind": "contains", "passed": False,
                              "detail": "not found"}])  # checked again: replaced
    assert [(c.cycle_id, c.spec) for c in store.checks(run_id)] == [
        (first, "contains:z"), (second, "json")]


def test_votes_are_kept_in_the_order_shown_and_filtered_by_run(store: RunStore,
                                                                cycle_args) -> None:
    run_id, (first, second) = answered(store, cycle_args)
    other_run, (third, fourth) = answered(store, cycle_args)
    store.add_vote(first, second, "first", "you")
    store.add_vote(second, first, None, "smollm2", problem="cut off")
    store.add_vote(third, fourth, "tie", "you", reason="both fine")
    store.add_vote(first, third, "second", "you")  # across runs
    assert [(v.first_cycle, v.second_cycle, v.winner, v.voter, v.problem)
            for v in store.votes([run_id])] == [
        (first, second, "first", "you", None), (second, first, None, "smollm2", "cut off")]
    assert len(store.votes([run_id, other_run])) == 4
    assert len(store.votes()) == 4
    assert store.votes([]) == []


def test_bad_votes_and_unknown_cycles_are_refused(store: RunStore, cycle_args) -> None:
    _, (first, second) = answered(store, cycle_args)
    with pytest.raises(ValueError, match="winner must be one of first, second, tie"):
        store.add_vote(first, second, "A", "you")
    with pytest.raises(ValueError, match="two different answers"):
        store.add_vote(first, first, "tie", "you")
    with pytest.raises(CycleNotFoundError):
        store.add_vote(first, 999, "tie", "you")
    with pytest.raises(CycleNotFoundError):
        judge(store, 999, scores={"clear": 1, "true": 1})
    with pytest.raises(CycleNotFoundError):
        store.add_checks(999, [])
    assert store.votes() == []


def test_what_was_said_goes_with_its_run(db: Path, store: RunStore, cycle_args) -> None:
    run_id, (first, second) = answered(store, cycle_args)
    judge(store, first, scores={"clear": 1, "true": 1})
    store.add_checks(first, [{"spec": "json", "kind": "json", "passed": True, "detail": ""}])
    store.add_vote(first, second, "tie", "you")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
    conn.commit()
    conn.close()
    assert store.votes() == [] and store.checks(run_id) == [] and store.judgements(run_id) == []
