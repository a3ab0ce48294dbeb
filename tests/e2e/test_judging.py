"""A bundled model as a judge: its answer, held to the rubric's JSON schema by a grammar, is read
back into a score for every criterion; a judge cut off is recorded as malformed, not guessed."""

from __future__ import annotations

import pytest

from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.json_schema_bounds import schema_text
from samantha.core.rubric import judge_prompt, judgement_schema, read_judgement, seed_rubric
from samantha.core.settings import DETERMINISTIC

pytestmark = pytest.mark.e2e


def judged(bench, model: str, max_tokens: int):
    rubric = seed_rubric("en")
    prompt = judge_prompt(rubric, "What is the capital of France?", "The capital is Paris.")
    settings = DETERMINISTIC.replace(json_schema=schema_text(judgement_schema(rubric)),
                                     max_tokens=max_tokens)
    # a judgement repeats its form (a score per criterion): the loop guard is not for it
    ask = Ask(build_messages("", "", prompt), settings, model, loop_guard=False)
    *_, result = bench.generate(ask)
    return rubric, result, read_judgement(rubric, result.text)


@pytest.mark.parametrize("model", ["smollm2", "default"])
def test_a_bundled_model_judges_in_form(real_workbench, model: str) -> None:
    rubric, result, judgement = judged(real_workbench, model, 600)
    assert result.finish_reason == "stop", result
    assert not judgement.malformed, (judgement.problem, result.text)
    assert judgement.scores is not None
    assert list(judgement.scores) == [c.key for c in rubric.criteria]
    assert all(1 <= s <= 5 for s in judgement.scores.values())


def test_a_judge_cut_off_is_recorded_as_malformed(real_workbench) -> None:
    _, result, judgement = judged(real_workbench, "smollm2", 12)
    assert result.finish_reason == "length"
    assert judgement.malformed and judgement.scores is None
    assert "cut off" in (judgement.problem or "")
