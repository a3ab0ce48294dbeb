"""Judging a stored run (workbench.judging) on scripted judges: what is asked, what is stored,
a judge that refuses or fails, a panel, both orders of a pair, resuming, several at once. The
real bundled models judge in tests/e2e/test_judging.py."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from samantha.core.answer_events import GenerationResult
from samantha.core.generation import Ask
from samantha.core.rubric import seed_rubric
from samantha.store import RunNotFoundError, RunStore
from samantha.workbench.judging import JudgeRequest, judge_run

RUBRIC = seed_rubric("en")
ALL_FOURS = "{" + ", ".join(f'"{c.key}": 4' for c in RUBRIC.criteria) + ', "reason": "Fine."}'


class Scripted:
    """The workbench as judging sees it: a real history, and judges whose answers a function
    of (judge, prompt) writes."""

    def __init__(self, store: RunStore, answer: Callable[[str, str], str],
                 error: str | None = None) -> None:
        self.store, self.answer, self.error = store, answer, error
        self.asked: list[Ask] = []
        self.lock = threading.Lock()

    def generate(self, ask: Ask, cancel=None) -> Iterator[object]:
        with self.lock:
            self.asked.append(ask)
        text = self.answer(ask.model, ask.messages[-1].content)
        yield GenerationResult(text, 5, 50, 0.125, "error" if self.error else "stop",
                               ask.settings, error=self.error)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RunStore]:
    with RunStore(tmp_path / "history.sqlite") as opened:
        yield opened


def a_run(store: RunStore, models=("big", "small"), items=("Capital of France?", "2+2?"),
          failed: int | None = None) -> int:
    run_id = store.start_run({"prompts": "\n".join(items)})
    number = 0
    for item, prompt in enumerate(items, 1):
        for model in models:
            number += 1
            cycle = store.start_cycle(run_id, number=number, model=model, model_path=None,
                                      model_sha256=None, round=1, item=item, prompt=prompt,
                                      messages=[], settings={}, random_overrides=None)
            status = "failed" if number == failed else "done"
            store.finish_cycle(cycle, response=f"{model} says {number}", tokens=4,
                               prompt_tokens=2, seconds=0.5, finish_reason="stop", error=None,
                               status=status)
    store.finish_run(run_id, "finished")
    return run_id


def test_each_answer_is_scored_on_every_criterion_and_stored(store: RunStore) -> None:
    run_id = a_run(store, failed=4)
    bench = Scripted(store, lambda judge, prompt: ALL_FOURS)
    seen = list(judge_run(bench, JudgeRequest(run_id, ("j",), RUBRIC, seed=9)))
    assert [(j.done, j.total, j.problem) for j in seen] == [(1, 3, None), (2, 3, None),
                                                           (3, 3, None)]
    stored = store.judgements(run_id)
    assert len(stored) == 3  # the failed answer is not judged
    assert all(j.scores == {c.key: 4 for c in RUBRIC.criteria} for j in stored)
    assert all(j.reason == "Fine." and j.answer == ALL_FOURS for j in stored)
    ask = bench.asked[0]
    prompt = ask.messages[-1].content
    assert "PROMPT:\nCapital of France?\n\nANSWER:\nbig says 1" in prompt
    assert '"understanding"' in ask.settings.json_schema and ask.settings.seed == 9
    assert ask.settings.temperature == 0 and not ask.loop_guard


def test_a_judge_that_refuses_or_fails_is_recorded_as_such(store: RunStore) -> None:
    run_id = a_run(store, models=("big",), items=("Q?",))
    list(judge_run(Scripted(store, lambda j, p: "I cannot judge that."),
                   JudgeRequest(run_id, ("refuser",), RUBRIC)))
    list(judge_run(Scripted(store, lambda j, p: "", error="backend down"),
                   JudgeRequest(run_id, ("broken",), RUBRIC)))
    refused, failed = store.judgements(run_id)
    assert refused.scores is None and refused.problem.startswith("the judgement is not JSON")
    assert refused.answer == "I cannot judge that."
    assert failed.scores is None and failed.problem == "the judge failed: backend down"


def test_a_panel_judges_each_answer_and_a_second_judging_resumes(store: RunStore) -> None:
    run_id = a_run(store)
    bench = Scripted(store, lambda judge, prompt: ALL_FOURS)
    assert len(list(judge_run(bench, JudgeRequest(run_id, ("j", "k"), RUBRIC)))) == 8
    assert sorted(j.judge for j in store.judgements(run_id)) == ["j"] * 4 + ["k"] * 4
    assert list(judge_run(bench, JudgeRequest(run_id, ("j", "k"), RUBRIC))) == []
    again = list(judge_run(bench, JudgeRequest(run_id, ("j",), RUBRIC, again=True)))
    assert len(again) == 4 and len(store.judgements(run_id)) == 8  # replaced, not added


def test_pairs_are_judged_in_both_orders(store: RunStore) -> None:
    run_id = a_run(store, models=("big", "small", "big"), items=("Q?",))

    def first_always(judge: str, prompt: str) -> str:
        return '{"winner": "A", "scores": {"A": 7, "B": 3}, "reason": "A is first."}'

    seen = list(judge_run(Scripted(store, first_always),
                          JudgeRequest(run_id, ("j",), RUBRIC, pairwise=True)))
    # cycles 1 (big), 2 (small), 3 (big): pairs of different models are 1-2 and 2-3
    assert sorted(j.cycles for j in seen) == [(1, 2), (2, 1), (2, 3), (3, 2)]
    votes = store.votes([run_id])
    assert {(v.first_cycle, v.second_cycle, v.winner, v.voter) for v in votes} == {
        (1, 2, "first", "j"), (2, 1, "first", "j"), (2, 3, "first", "j"), (3, 2, "first", "j")}
    assert list(judge_run(Scripted(store, first_always),
                          JudgeRequest(run_id, ("j",), RUBRIC, pairwise=True))) == []


def test_a_pair_judge_that_is_cut_off_leaves_a_vote_without_a_winner(store: RunStore) -> None:
    run_id = a_run(store, items=("Q?",))
    list(judge_run(Scripted(store, lambda j, p: '{"winner": "A", "sco'),
                   JudgeRequest(run_id, ("j",), RUBRIC, pairwise=True)))
    votes = store.votes([run_id])
    assert len(votes) == 2 and all(v.winner is None and "cut short" in v.problem for v in votes)


def test_several_judgements_at_once_report_in_order(store: RunStore) -> None:
    run_id = a_run(store, items=("a?", "b?", "c?", "d?"))
    bench = Scripted(store, lambda judge, prompt: ALL_FOURS)
    seen = list(judge_run(bench, JudgeRequest(run_id, ("j",), RUBRIC, concurrency=4)))
    assert [j.done for j in seen] == list(range(1, 9)) and all(j.total == 8 for j in seen)
    assert sorted(j.cycles[0] for j in seen) == list(range(1, 9))
    assert len(store.judgements(run_id)) == 8


def test_an_unknown_run_is_refused(store: RunStore) -> None:
    with pytest.raises(RunNotFoundError):
        list(judge_run(Scripted(store, lambda j, p: ""), JudgeRequest(99, ("j",), RUBRIC)))
