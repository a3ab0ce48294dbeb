"""The runner and a {verdict=…} item, on a scripted backend: the judge's answer is asked to
follow the verdict's schema, reads the contestants' answers under their names, and is read
into a VerdictGiven event right after its cycle (a malformed one said as such)."""

from __future__ import annotations

import json
from typing import Iterator

from samantha.core.answer_events import GenerationResult
from samantha.core.chain import ChainConfig
from samantha.core.run_events import CycleFinished, CycleStarted, VerdictGiven
from samantha.core.runner import ChainRunner
from samantha.core.transcript import Transcript
from samantha.core.verdict import Verdict, verdict_schema

VERDICT = '{"winner": "AI 2", "scores": {"AI 1": 4, "AI 2": 7}, "reason": "Shorter."}'


class Scripted:
    """A backend that answers from a script, by model, and remembers the settings it got."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.settings: list = []

    def generate(self, ask, *args, **kwargs) -> Iterator:
        self.settings.append(ask.settings)
        text = self.answers[ask.model]
        yield GenerationResult(text, len(text), 5, 0.1, "stop", ask.settings)

    def reset_model(self) -> None:
        pass

    def prompt_format_of(self, model, requested, messages) -> str:
        return "chat"


CHALLENGE = "Why?\nWhy? Because\n[[{verdict=AI 1|AI 2} Which is better?]]"


def run(answers: dict[str, str], prompts: str = CHALLENGE) -> tuple[list, Scripted]:
    backend = Scripted(answers)
    config = ChainConfig(prompts, models=("one", "two", "judge"), single=True)
    return list(ChainRunner(backend, config).run()), backend


def test_the_judge_reads_the_answers_under_their_names_and_gives_a_verdict() -> None:
    events, backend = run({"one": "Stories teach.", "two": "we like them.", "judge": VERDICT})
    started = [e for e in events if isinstance(e, CycleStarted)]
    assert started[2].prompt == "Which is better?\n\nAI 1: Stories teach.\n\nAI 2: we like them."
    assert [s.json_schema for s in backend.settings] == ["", "", verdict_schema(("AI 1", "AI 2"))]
    given = [e for e in events if isinstance(e, VerdictGiven)]
    assert len(given) == 1 and given[0].cycle.number == 3
    assert given[0].verdict == Verdict(("AI 1", "AI 2"), "AI 2", (("AI 1", 4), ("AI 2", 7)),
                                       "Shorter.")
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("VerdictGiven") == kinds.index("CycleFinished", kinds.index("CycleStarted",
                                                      kinds.index("CycleFinished") + 4)) + 1


def test_the_verdict_is_shown_under_the_judges_answer() -> None:
    events, _ = run({"one": "a", "two": "b", "judge": VERDICT})
    transcript = Transcript()
    for event in events:
        transcript.add(event)
    assert transcript.text.rstrip().endswith(
        "Verdict: AI 2 wins. Scores: AI 1 4/10, AI 2 7/10. Reason: Shorter.")


def test_a_malformed_verdict_is_said_not_guessed() -> None:
    events, _ = run({"one": "a", "two": "b", "judge": '{"winner": "AI 2", "sco'})
    verdict = next(e.verdict for e in events if isinstance(e, VerdictGiven))
    assert not verdict.read and "ends before its JSON does" in verdict.problem
    assert verdict.winner is None and verdict.scores == ()


def test_items_without_a_verdict_give_none_and_keep_their_settings() -> None:
    events, backend = run({"one": "a", "two": "b", "judge": "c"}, "Why?\nWhy? Because\n[[Sum]]")
    assert not [e for e in events if isinstance(e, VerdictGiven)]
    assert [s.json_schema for s in backend.settings] == ["", "", ""]
    assert len([e for e in events if isinstance(e, CycleFinished)]) == 3


def test_the_plan_shows_the_schema_a_judgement_follows() -> None:
    runner = ChainRunner(Scripted({}), ChainConfig(CHALLENGE, models=("a", "b", "c"),
                                                   single=True))
    schemas = [settings.json_schema for _, settings, _ in runner.preview()]
    assert schemas[:2] == ["", ""] and json.loads(schemas[2])["required"] == [
        "winner", "scores", "reason"]
