"""``samantha pdf`` and ``samantha run FILE.pdf`` on a real PDF and the real default model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.pdf_file import write_pdf

pytestmark = pytest.mark.e2e

PAGES = ["Paris is the capital of France.", "", "Rome is the capital of Italy."]


def test_pdf_prints_a_script_and_writes_one(samantha, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "capitals.pdf", PAGES)
    printed = samantha("pdf", str(pdf)).stdout
    assert "Page 1 of 3: Paris" in printed and "Page 3 of 3: Rome" in printed
    assert printed.startswith("[Summarize this page") and "[[Write a summary" in printed
    out = tmp_path / "capitals.txt"
    samantha("pdf", str(pdf), "--whole", "--instruction", "List the capitals.", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("[List the capitals.]\nPage 1 of 3")
    result = samantha("pdf", str(tmp_path / "missing.pdf"), code=2)
    assert "No PDF at" in result.stderr


def test_run_summarises_each_page_then_the_whole(samantha, real_workbench,
                                                  tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "capitals.pdf", PAGES)
    plan = json.loads(samantha("run", str(pdf), "--plan").stdout)
    assert [c["final"] for c in plan] == [False, False, True]
    assert "Page 1 of 3: Paris" in plan[0]["prompt"] and "Rome" in plan[1]["prompt"]
    last = json.loads(samantha("run", str(pdf), "--max-tokens", "8", "--json")
                      .stdout.splitlines()[-1])
    run = real_workbench.store.get_run(last["run_id"])
    assert run.status == "finished" and len(run.cycles) == 3
    assert run.cycles[0].response in run.cycles[2].prompt  # the final item read the answers
