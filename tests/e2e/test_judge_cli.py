"""``samantha run --check``, ``samantha judge`` and ``samantha history leaderboard`` on the real
bundled models: checks reported (not an error), judgements stored, the leaderboard in every
format, a rubric of the user's own, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def a_run(samantha, *extra: str) -> int:
    result = samantha("run", "--prompts", "What is the capital of France?\nName a colour.",
                      "-m", "default", "-m", "smollm2", "--max-tokens", "24", "--json", *extra)
    return json.loads(result.stdout.splitlines()[-1])["run_id"]


def test_checks_are_reported_and_a_failed_one_is_not_an_error(samantha) -> None:
    result = samantha("run", "--prompts", "Say hello.", "-m", "smollm2", "--max-tokens", "16",
                      "--check", "chars:1..", "--check", "contains:zzzz-not-there")
    assert "Checks: 1 of 2 passed." in result.stdout
    assert "  failed: contains:zzzz-not-there: " in result.stdout
    assert "1 check failed: `samantha history leaderboard" in result.stderr
    lines = [json.loads(line) for line in samantha(
        "run", "--prompts", "Say hello.", "-m", "smollm2", "--max-tokens", "16",
        "--check", "json", "--json").stdout.splitlines()]
    (checks,) = [e for e in lines if e["event"] == "checks"]
    assert checks["results"][0]["spec"] == "json" and checks["results"][0]["passed"] is False
    assert lines[-1]["cycles"][0]["checks"] == checks["results"]
    refused = samantha("run", "--prompts", "hi", "--check", "regx:a", code=2)
    assert "Did you mean 'regex'?" in refused.stderr


def test_judge_scores_a_run_and_the_leaderboard_comes_in_every_format(
        samantha, tmp_path: Path) -> None:
    run_id = a_run(samantha)
    lines = [json.loads(line) for line in
             samantha("judge", str(run_id), "-j", "smollm2", "--json").stdout.splitlines()]
    judged = [e for e in lines if e["event"] == "judged"]
    assert [e["done"] for e in judged] == [1, 2, 3, 4] and all(e["total"] == 4 for e in judged)
    board = lines[-1]
    assert board["event"] == "leaderboard" and board["scale"] == [1, 5]
    assert sorted(r["model"] for r in board["rows"]) == ["default", "smollm2"]
    assert len(board["criteria"]) == 9
    # judged before: skipped, so a stopped judging resumes where it was
    again = samantha("judge", str(run_id), "-j", "smollm2")
    assert "[1/" not in again.stderr and "## Leaderboard of run" in again.stdout
    for fmt, marker in (("md", "| Model |"), ("csv", "Model,Answers,"),
                        ("html", "<svg"), ("ipynb", '"nbformat": 4')):
        out = tmp_path / f"board.{fmt}"
        samantha("history", "leaderboard", str(run_id), "--format", fmt, "-o", str(out))
        assert marker in out.read_text(encoding="utf-8"), fmt
    data = json.loads(samantha("history", "leaderboard", str(run_id), "--json").stdout)
    assert all(r["judged"] == 2 for r in data["rows"])


def test_pairwise_judging_reports_position_bias(samantha) -> None:
    run_id = a_run(samantha)
    lines = [json.loads(line) for line in samantha(
        "judge", str(run_id), "-j", "smollm2", "--pairwise", "--json").stdout.splitlines()]
    judged = [e for e in lines if e["event"] == "judged"]
    assert len(judged) == 4
    shown = {tuple(e["cycles"]) for e in judged}
    assert all((b, a) in shown for a, b in shown)
    (bias,) = lines[-1]["position_bias"]
    assert bias["judge"] == "smollm2" and bias["pairs"] == 2
    assert all(r["rating"] is not None for r in lines[-1]["rows"])


def test_a_rubric_of_ones_own_and_clear_refusals(samantha, tmp_path: Path) -> None:
    run_id = a_run(samantha)
    rubric = tmp_path / "short.toml"
    rubric.write_text('scale = [0, 3]\n[criteria]\ncorrect = "Is the answer correct?"\n',
                      encoding="utf-8")
    lines = samantha("judge", str(run_id), "-j", "smollm2", "--rubric", str(rubric),
                     "--json").stdout.splitlines()
    board = json.loads(lines[-1])
    assert board["criteria"] == ["correct"] and board["scale"] == [0, 3]
    missing = samantha("judge", str(run_id), "-j", "smollm2", "--rubric", "nope", code=2)
    assert "No rubric 'nope': give seed, seed-pt, a .toml file" in missing.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("scale = [5, 1]\n[criteria]\na = \"?\"\n", encoding="utf-8")
    said = samantha("judge", str(run_id), "-j", "smollm2", "--rubric", str(bad), code=2)
    assert "scale is two whole numbers going up" in said.stderr
    assert "No run 999999" in samantha("judge", "999999", "-j", "smollm2", code=2).stderr
    unknown = samantha("judge", str(run_id), "-j", "no-such-model.gguf", code=2)
    assert "no-such-model.gguf" in unknown.stderr and "Traceback" not in unknown.stderr
