"""A run's judgements, checks and votes in its exports (Markdown, HTML, JSON, notebook), with
the leaderboard; what judges wrote is inert there; a run with none exports as before."""

from __future__ import annotations

import json

from samantha.core.leaderboard import leaderboard
from samantha.core.records import CheckRecord, CycleRecord, JudgementRecord, RunRecord, VoteRecord
from samantha.documents.formats import export_run
from samantha.documents.results import RunResults

RUBRIC = {"criteria": [["clear", "?"]], "low": 1, "high": 5}
HOSTILE = '<img src=x onerror=alert(1)> [x](javascript:alert(1))'


def cycle(id_: int, model: str) -> CycleRecord:
    return CycleRecord(id=id_, run_id=1, number=id_, model=model, model_path=None,
                       model_sha256=None, round=1, item=1, prompt="Q?", messages=[],
                       settings={}, random_overrides=None, response=f"answer {id_}", tokens=4,
                       prompt_tokens=1, seconds=1.0, finish_reason="stop", error=None,
                       status="done", started_at="", finished_at="")


RUN = RunRecord(1, "2026-12-07T00:00:00", None, "finished", None, {"prompts": "Q?"},
                [cycle(1, "big"), cycle(2, "small")])
JUDGED = [JudgementRecord(1, 1, "judge", RUBRIC, {"clear": 4}, HOSTILE, None, "{}", 9, 0.5, ""),
          JudgementRecord(2, 2, "judge", RUBRIC, None, "", "the judgement is not JSON", "x",
                          3, 0.2, "")]
CHECKS = [CheckRecord(1, 1, "contains:Paris", "contains", False, "'Paris' is not in it")]
VOTES = [VoteRecord(1, 1, 2, "first", "you", "", None, "")]
RESULTS = RunResults(leaderboard(RUN.cycles, JUDGED, CHECKS, VOTES), JUDGED, CHECKS, VOTES)


def test_markdown_and_html_carry_the_results_inert() -> None:
    markdown = export_run(RUN, "md", RESULTS)
    assert "## Results" in markdown and "| big | 1 | 4.00 [4.00, 4.00] |" in markdown
    assert "- Cycle 1 (big): FAILED contains:Paris: 'Paris' is not in it" in markdown
    assert "- Cycle 2 (small), judged by judge: unread (the judgement is not JSON)" in markdown
    assert "- Cycle 1 (big) (shown first) vs cycle 2 (small), by you: first" in markdown
    page = export_run(RUN, "html", RESULTS)
    assert "<table>" in page and "Judgements" in page
    # the judge's reason is shown as text: the tag escaped, the link not a link
    assert "&lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1))" in page
    assert "<img" not in page and 'href="javascript' not in page and "<a " not in page


def test_json_and_the_notebook_carry_them_as_values() -> None:
    data = json.loads(export_run(RUN, "json", RESULTS))
    assert [j["scores"] for j in data["judgements"]] == [{"clear": 4}, None]
    assert data["checks"][0]["passed"] is False and data["votes"][0]["winner"] == "first"
    assert [r["model"] for r in data["leaderboard"]["rows"]] == ["big", "small"]
    notebook = json.loads(export_run(RUN, "ipynb", RESULTS))
    assert "## Results" in "".join(notebook["cells"][-1]["source"])


def test_a_run_with_no_results_exports_as_before() -> None:
    empty = RunResults(leaderboard(RUN.cycles))
    for fmt in ("md", "json", "html", "toml"):
        assert export_run(RUN, fmt, empty) == export_run(RUN, fmt)
    cells = [json.loads(export_run(RUN, "ipynb", given))["cells"] for given in (empty, None)]
    assert [[c["source"] for c in one] for one in cells][0] == \
        [[c["source"] for c in one] for one in cells][1]  # cell ids are drawn afresh
    assert "## Results" not in export_run(RUN, "md", empty)
