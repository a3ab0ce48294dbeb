from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from samantha.core.records import CycleRecord, RunRecord
from samantha.documents.code_page import code_result_page, looks_like_html
from samantha.documents.notebook import run_to_notebook


def cycle(number: int, prompt: str, response: str) -> CycleRecord:
    return CycleRecord(
        id=number, run_id=1, number=number, model="default", model_path=None, model_sha256=None,
        round=1, item=number, prompt=prompt, messages=[], settings={}, random_overrides=None,
        response=response, tokens=3, prompt_tokens=2, seconds=0.1, finish_reason="stop",
        error=None, status="done", started_at="2026-01-01T00:00:00+00:00", finished_at=None)


def test_notebook_has_prompts_as_markdown_and_code_as_code() -> None:
    run = RunRecord(1, "2026-01-01T00:00:00+00:00", None, "finished", None, {}, [
        cycle(1, "Make a plot", "Sure:\n```python\n!pip install x\nimport math\nprint(1)\n```"),
        cycle(2, "Explain", "No code, just words."),
    ])
    notebook = nbformat.reads(run_to_notebook(run), as_version=4)
    kinds = [(c.cell_type, c.source) for c in notebook.cells]
    assert ("markdown", "## 1. default (round 1, item 1)\n\n> Make a plot") in kinds
    assert ("code", "import math\nprint(1)") in kinds
    assert ("markdown", "No code, just words.") in kinds
    assert sum(kind == "code" for kind, _ in kinds) == 1
    assert json.loads(run_to_notebook(run))["nbformat"] == 4


@dataclass
class Result:
    stdout: str = ""
    stderr: str = ""
    exit_status: int | None = 0
    seconds: float = 0.5
    limit: str | None = None
    figures: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def test_plain_output_is_preformatted_and_escaped() -> None:
    page = code_result_page(Result(stdout="4 < 5 & true"))
    assert "<pre>4 &lt; 5 &amp; true</pre>" in page and "<iframe" not in page


def test_printed_html_is_rendered_cleaned_of_scripts() -> None:
    page = code_result_page(Result(stdout="<table><tr><td>1</td></tr></table><script>x()</script>"))
    assert "<table><tbody><tr><td>1</td></tr></tbody></table>" in page  # rendered, not escaped
    assert "<script" not in page and "x()" not in page  # (tests/docs/test_inert.py: the rest)
    assert looks_like_html("<!DOCTYPE html><p>x") and not looks_like_html("x <b>")


def test_figures_are_embedded_and_errors_and_limits_shown(tmp_path: Path) -> None:
    png = tmp_path / "figure_1.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    page = code_result_page(Result(stderr="Traceback: boom", exit_status=1, figures=[png],
                                   limit="Stopped after 2 s (the time limit).",
                                   files=[tmp_path / "out.csv"]))
    assert 'src="data:image/png;base64,iVBORw0KGgpmYWtl"' in page
    assert 'class="err">Traceback: boom' in page and "time limit" in page
    assert "exit status 1" in page and "<li>out.csv</li>" in page
    assert "http:" not in page and "https:" not in page  # nothing loaded from elsewhere
