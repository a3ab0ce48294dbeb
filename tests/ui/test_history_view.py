"""What identifies a run in the History tab (issue 26, item 10), in headless Chromium at
1366×768 against the real ``samantha ui``: with a long model path the prompts column is in
sight, the models are named by their files, the run view keeps an answer's line breaks, and
the run id box does not start at 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.store import RunStore

from .conftest import shot

pytestmark = pytest.mark.e2e

LONG = ("/home/someone/.local/share/samantha/models/bartowski/Qwen2.5-7B-Instruct-GGUF/"
        "Qwen2.5-7B-Instruct-Q4_K_M.gguf")
PROMPT = "Write a haiku about the sea, in three short lines."
ANSWER = "Waves fold into foam\nsalt wind combs the quiet dunes\nnight keeps the tide"


def stored_run(home: Path) -> int:
    """A finished run of a model with a long path and an answer of three lines, written to the
    server's own history file as a run would write it."""
    with RunStore(home / "history.sqlite3") as store:
        run_id = store.start_run({"models": [LONG], "prompts": PROMPT})
        cycle = store.start_cycle(run_id, number=1, model=LONG, model_path=LONG,
                                  model_sha256=None, round=1, item=1, prompt=PROMPT,
                                  messages=[{"role": "user", "content": PROMPT}], settings={},
                                  random_overrides=None)
        store.finish_cycle(cycle, response=ANSWER, tokens=21, prompt_tokens=12, seconds=1.5,
                           finish_reason="stop", error=None, status="done")
        store.finish_run(run_id, "finished")
    return run_id


def test_history_shows_the_prompt_and_the_answers_lines(page, session_home: Path) -> None:
    run_id = stored_run(session_home)
    page.get_by_role("tab", name="History").click()
    box = page.locator("#history-run-id input")
    box.wait_for(state="visible")  # the newest run, although it came after the page
    page.wait_for_function("document.querySelector('#history-run-id input').value"
                           f" === '{run_id}'")
    runs = page.locator("#runs")
    prompt = runs.get_by_text(PROMPT, exact=True).filter(visible=True).first
    prompt.wait_for()
    seen = prompt.bounding_box()
    assert seen["x"] >= 0 and seen["x"] + seen["width"] <= 1366, seen  # in sight, whole
    assert runs.get_by_text("Qwen2.5-7B-Instruct-Q4_K_M.gguf", exact=True).count() >= 1
    assert LONG not in runs.inner_text()
    shot(page, "history-rows")
    box.fill(str(run_id))
    page.click("#open-run")
    page.wait_for_function("document.querySelector('#run-view').innerText.includes('Waves')")
    text = page.inner_text("#run-view")
    assert "Waves fold into foam\nsalt wind combs the quiet dunes\nnight keeps the tide" in text
    shot(page, "history-run-view")
