"""Small contradictions of the page, in Chromium (issue 26, item 11): the Runs list follows a
tab's run at its start and end without waiting for its next poll, and the output box's help
says what the box is."""

from __future__ import annotations

import pytest

from .pages import open_tab, set_number, set_prompts

pytestmark = pytest.mark.e2e

# The list's poll every 2 s is left out, so only what the page does at a run's start and end
# can bring the run into the list and take it out.
NO_POLL = """() => {
  const every = window.setInterval;
  window.setInterval = (callback, ms, ...rest) => ms === 2000 ? 0 : every(callback, ms, ...rest);
}"""
LIVE_TOKEN = "document.querySelector('#live-token textarea, #live-token input').value !== ''"
PROMPT = "Name the days of the week:"
LISTED = ("[...document.querySelectorAll('#samantha-runs .samantha-run-title')]"
          f".some((title) => title.textContent.includes({PROMPT!r}))")


def test_a_finished_run_leaves_the_runs_list_with_its_status(browser, ui_server) -> None:
    tab = open_tab(browser, ui_server.entry, NO_POLL)
    set_prompts(tab, PROMPT)
    set_number(tab, "max_tokens", 24)
    tab.wait_for_function(LIVE_TOKEN)
    tab.click("#start-button")
    tab.wait_for_function(LISTED, timeout=60_000)  # in the list from its start
    assert tab.locator("#samantha-runs .samantha-run-stop").count() >= 1
    tab.wait_for_function("document.querySelector('#samantha-status').textContent === "
                          f"'Run finished.' && !({LISTED})", timeout=90_000)
    tab.context.close()


def test_the_output_boxs_help_says_it_is_read_only(page) -> None:
    box = page.locator("#output textarea")
    assert not box.is_editable()
    said = page.locator("#output").text_content()
    assert "Read-only" in said and "edit" not in said.lower()
    assert "the number of its cycle" in said
