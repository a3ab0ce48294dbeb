"""``samantha history compare``: a real two-model run on the default model, side by side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_compare_shows_each_model_answer_to_each_prompt(samantha, default_model_path: Path,
                                                        tmp_path: Path) -> None:
    result = samantha("run", "--model", "default", "--model", str(default_model_path),
                      "--prompts", "Say hi.\nSay bye.", "--max-tokens", "6", "--json")
    run_id = json.loads(result.stdout.splitlines()[-1])["run_id"]
    grid = json.loads(samantha("history", "compare", str(run_id), "--format", "json").stdout)
    assert grid["models"] == ["default", str(default_model_path)]
    assert [row["prompt"] for row in grid["rows"]] == ["1. Say hi.", "2. Say bye."]
    for row in grid["rows"]:
        for answers in row["answers"].values():
            assert len(answers) == 1 and answers[0]["status"] == "done"
            assert answers[0]["tokens"] > 0 and answers[0]["tokens_per_second"] > 0
    table = samantha("history", "compare", str(run_id)).stdout.splitlines()
    assert table[0] == f"| Prompt | default | {default_model_path.name} |"
    page = tmp_path / "compare.html"
    samantha("history", "compare", str(run_id), "--format", "html", "-o", str(page))
    assert "<table>" in page.read_text(encoding="utf-8")
    missing = samantha("history", "compare", "999999", code=2)
    assert "No run 999999" in missing.stderr
