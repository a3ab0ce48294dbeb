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


def test_a_run_is_judged_and_summed_up_on_the_bundled_models(real_workbench) -> None:
    from samantha.core.chain import ChainConfig
    from samantha.core.leaderboard import leaderboard
    from samantha.workbench.judging import JudgeRequest, judge_run

    bench = real_workbench
    config = ChainConfig(prompts="What is the capital of France?\nName a primary colour.",
                         models=("default", "smollm2"),
                         settings=DETERMINISTIC.replace(max_tokens=40))
    run = bench.start_run(config)
    for _ in run:
        pass
    rubric = seed_rubric("en")
    scored = list(judge_run(bench, JudgeRequest(run.id, ("smollm2",), rubric)))
    paired = list(judge_run(bench, JudgeRequest(run.id, ("smollm2",), rubric, pairwise=True)))
    cut = list(judge_run(bench, JudgeRequest(run.id, ("default",), rubric, max_tokens=12)))
    assert len(scored) == 4 and len(paired) == 4 and len(cut) == 4
    judgements = bench.store.judgements(run.id)
    by_smollm2 = [j for j in judgements if j.judge == "smollm2"]
    assert all(j.scores is not None and list(j.scores) == [c.key for c in rubric.criteria]
               for j in by_smollm2), [j.problem for j in by_smollm2]
    assert all(j.scores is None and "cut off" in j.problem
               for j in judgements if j.judge == "default")
    votes = bench.store.votes([run.id])
    shown = {(v.first_cycle, v.second_cycle) for v in votes}
    assert all((b, a) in shown for a, b in shown)  # each pair in both orders
    assert all(v.winner in ("first", "second", "tie") for v in votes)
    stored = bench.store.get_run(run.id)
    board = leaderboard(stored.cycles, judgements, votes=votes)
    assert sorted(row.name for row in board.rows) == ["default", "smollm2"]
    assert all(row.judged == 2 and row.malformed == 2 and row.rating is not None
               for row in board.rows)
