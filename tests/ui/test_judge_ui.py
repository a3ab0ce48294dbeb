"""The History tab's judging (ui/history/judging.py) on the real bundled judge: each answer of
the chosen run judged and stored with its progress said, the leaderboard filled, nothing judged
twice, and one clear line for what cannot be done."""

from __future__ import annotations

import pytest

from samantha.ui.history.judging import JudgePanel
from samantha.ui.history.tab import HistoryTab
from samantha.ui.words.table import texts

EN, PT = texts("en"), texts("pt")


def a_run(store) -> int:
    run_id = store.start_run({"prompts": "What is the capital of France?"})
    for number, (model, answer) in enumerate([("default", "Paris."),
                                              ("smollm2", "It is Paris.")], 1):
        cycle = store.start_cycle(run_id, number=number, model=model, model_path=None,
                                  model_sha256=None, round=1, item=1,
                                  prompt="What is the capital of France?", messages=[],
                                  settings={}, random_overrides=None)
        store.finish_cycle(cycle, response=answer, tokens=3, prompt_tokens=5, seconds=0.1,
                           finish_reason="stop", error=None, status="done")
    store.finish_run(run_id, "finished")
    return run_id


@pytest.mark.e2e
def test_a_run_is_judged_from_the_history_tab(real_workbench) -> None:
    run_id = a_run(real_workbench.store)
    panel = JudgePanel(real_workbench, EN)
    said = list(panel.run(run_id, "smollm2", "seed", False))
    assert said[:2] == ["Judging: 1 of 2 done (smollm2)…", "Judging: 2 of 2 done (smollm2)…"]
    assert said[-1].startswith("Done: 2 judgements stored (")
    judged = real_workbench.store.judgements(run_id)
    assert sorted(j.judge for j in judged) == ["smollm2", "smollm2"]
    board = HistoryTab(real_workbench, EN).leaderboard(run_id)
    assert '<table class="leaderboard">' in board and "<svg" in board
    assert list(panel.run(run_id, "smollm2", "seed", False)) == [EN["msg_judged_before"].label]
    pairs = list(JudgePanel(real_workbench, PT).run(run_id, " smollm2 , ", "seed-pt", True))
    assert pairs[0] == "Julgando: 1 de 2 feitos (smollm2)…"
    assert len(real_workbench.store.votes([run_id])) == 2  # the pair, in both orders


def test_what_cannot_be_judged_is_said_in_one_line(fake_workbench) -> None:
    panel = JudgePanel(fake_workbench, EN)
    assert list(panel.run(None, "smollm2", "seed", False)) == [EN["msg_judge_what"].label]
    assert list(panel.run(3, " , ", "seed", False)) == [EN["msg_judge_what"].label]
    (line,) = panel.run(999, "smollm2", "seed", False)
    assert line.startswith("⚠️ No run 999")
    run_id = a_run(fake_workbench.store)
    (line,) = panel.run(run_id, "smollm2", "nope", False)
    assert line.startswith("⚠️ No rubric 'nope'")
    assert panel.rubrics()[:3] == ["seed", "seed-en", "seed-pt"]
