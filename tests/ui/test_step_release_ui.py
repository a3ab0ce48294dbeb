"""A step-by-step run holds the model between clicks: in Chromium, another tab's run says which
run it waits for, and once the step-by-step run's tab is closed, that run stops by itself and
the other one runs (issue 26, item 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samantha.core.control import UNATTENDED_STEP_SECONDS
from samantha.store import RunStore

from .pages import open_panel, open_tab, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e

LIVE_TOKEN = "document.querySelector('#live-token textarea, #live-token input').value !== ''"
STATUS = "document.querySelector('#samantha-status').textContent"


def test_a_closed_tabs_step_run_lets_the_next_run_start(browser, ui_server,
                                                       session_home: Path) -> None:
    stepper = open_tab(browser, ui_server.entry)
    set_prompts(stepper, "The Eiffel Tower is in the city of")
    open_panel(stepper, "learning-panel")
    stepper.locator("#learning-pace").get_by_text("NEXT TOKEN", exact=True).click()
    stepper.wait_for_function(LIVE_TOKEN)
    stepper.click("#start-button")
    stepper.click("#next-token-button")
    stepper.wait_for_function("document.querySelector('#stages').innerText.includes('Token 1:')",
                              timeout=60_000)  # it has the model, and waits for the next click

    other = open_tab(browser, ui_server.entry)
    set_prompts(other, "Paris is the capital of")
    set_number(other, "max_tokens", 4)
    other.wait_for_function(LIVE_TOKEN)
    other.click("#start-button")
    other.wait_for_function(f"{STATUS}.includes('waiting for run')", timeout=30_000)
    status = other.inner_text("#samantha-status")
    held_by = int(re.search(r"waiting for run (\d+) \(step by step, in another tab\) to let "
                            r"the model go", status).group(1))
    assert status.startswith("Cycle 1 of 1 · ")
    other.wait_for_function("document.querySelector('#samantha-runs').innerText"
                            ".includes('waiting for run')")  # the Runs list says it too

    stepper.context.close()  # the only tab with its Next token button
    other.wait_for_function(f"{STATUS}.includes('(step by step, its tab closed)')",
                            timeout=30_000)
    assert f"stops by itself {UNATTENDED_STEP_SECONDS:g} s after" in \
        other.inner_text("#samantha-status")
    wait_footers(other, 1, timeout=120_000 + 1000 * UNATTENDED_STEP_SECONDS)
    with RunStore(session_home / "history.sqlite3") as store:
        stopped = store.get_run(held_by)
        ran = store.get_run(store.latest_run_id())
    assert stopped.status == "stopped" and ran.id != held_by and ran.status == "finished"
    other.context.close()
