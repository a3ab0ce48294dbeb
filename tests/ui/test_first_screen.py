"""The first screen at 1366x768, in English and Portuguese: what a newcomer sees without
scrolling, help on demand, the plan line, the status line, the Runs list and the trace viewer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samantha.store import RunStore
from samantha.ui.words.table import texts

from .conftest import Server, shot
from .pages import (
    COUNT,
    footers,
    open_in_history,
    open_panel,
    open_tab,
    output,
    set_number,
    set_prompts,
    wait_footers,
)

pytestmark = pytest.mark.e2e

FIRST_SCREEN = ["#samantha-title", "#model-in-use", "#user-prompt textarea", "#start-button",
                "#stop-all-button", "#output textarea", "#samantha-status"]

# Every visible button with a piece of text that takes more than one line.
WRAPPED_BUTTONS = """() => [...document.querySelectorAll('button')].filter((b) => {
  if (!b.offsetParent) return false;
  const walker = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                         .map((r) => Math.round(r.top / 4)));
    if (tops.size > 1) return true;
  }
  return false;
}).map((b) => b.innerText.trim())"""


@pytest.fixture(scope="module")
def pt_server(session_home: Path):
    server = Server(session_home, lang="pt")
    yield server
    server.stop()


def inside_the_first_viewport(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768 \
        and box["x"] >= 0 and box["x"] + box["width"] <= 1366


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_the_first_viewport_holds_what_a_newcomer_needs(lang, browser, ui_server,
                                                        pt_server) -> None:
    t = texts(lang)
    tab = open_tab(browser, (ui_server if lang == "en" else pt_server).entry)
    tab.wait_for_timeout(1000)
    assert tab.evaluate("window.scrollY") == 0
    outside = [s for s in FIRST_SCREEN if not inside_the_first_viewport(tab, s)]
    assert outside == []
    assert "Samantha" in tab.inner_text("#samantha-title")
    assert tab.inner_text("#start-button").strip() == t["start"].label
    assert t["model_in_use"].label in tab.inner_text("#model-in-use")
    assert tab.inner_text("#samantha-status").strip() == t["status_ready"].label
    assert not tab.locator(".info-text").first.is_visible()  # help only on demand
    shot(tab, f"first-screen-{lang}")
    for panel in ("conversation", "models-panel", "chain-options", "sampling", "files-panel",
                  "learning-panel", "code-panel", "voice-panel"):
        open_panel(tab, panel)
    tab.wait_for_timeout(500)
    assert tab.evaluate(WRAPPED_BUTTONS) == []  # no button label wraps, every panel open
    shot(tab, f"all-panels-{lang}")
    tab.context.close()


def test_help_appears_on_demand(page) -> None:
    t = texts("en")
    page.hover("#user-prompt [data-testid=block-info]")
    page.wait_for_selector("#samantha-tip", state="visible")
    assert page.inner_text("#samantha-tip") == t["user_prompt"].help
    shot(page, "help-tooltip")
    page.mouse.move(1300, 700)
    page.wait_for_selector("#samantha-tip", state="hidden")
    page.click("#samantha-help-switch")  # every help text, under its control
    help_text = page.locator("#user-prompt .info-text")
    assert help_text.is_visible() and help_text.inner_text() == t["user_prompt"].help
    page.click("#samantha-help-switch")
    assert not help_text.is_visible()


def test_the_plan_line_says_what_will_run_and_explains_a_split_paste(page) -> None:
    page.fill("#user-prompt textarea", "def f():\n    return 1\nprint(f())")
    page.wait_for_function(
        "document.querySelector('#plan-line').innerText.includes('3 prompts')")
    line = page.inner_text("#plan-line")
    assert "3 prompts × 1 model = 3 cycles" in line and "$$$" in line
    page.fill("#user-prompt textarea", "def f():\n    return 1\nprint(f())\n$$$")
    page.wait_for_function(
        "document.querySelector('#plan-line').innerText.includes('1 prompt ×')")
    assert "$$$" not in page.inner_text("#plan-line")
    page.fill("#user-prompt textarea", "{temprature=1} Hi")
    page.wait_for_function("document.querySelector('#plan-line').innerText.includes('⚠')")
    assert "temprature" in page.inner_text("#plan-line")


def test_the_status_line_shows_loading_then_generating(page) -> None:
    open_panel(page, "models-panel")
    page.get_by_role("button", name="Unload model", exact=True).click()
    page.wait_for_timeout(1000)
    set_prompts(page, COUNT)
    set_number(page, "max_tokens", 60)
    page.click("#start-button")
    seen: list[str] = []
    disabled = False
    for _ in range(400):
        status = page.inner_text("#samantha-status")
        if not seen or status != seen[-1]:
            seen.append(status)
        disabled = disabled or page.evaluate("document.querySelector('#start-button').disabled")
        if "tokens/s" in status and len(seen) > 1:
            shot(page, "status-generating")
            break
        page.wait_for_timeout(50)
    assert any(s.startswith("Loading model default") for s in seen), seen
    assert any(re.match(r"Cycle 1 of 1 · \d+ tokens · [\d.]+ tokens/s", s) for s in seen), seen
    assert disabled  # Start is off while the run is active
    wait_footers(page, 1)
    page.wait_for_function("document.querySelector('#samantha-status').innerText"
                           " === 'Run finished.'")
    page.wait_for_function("!document.querySelector('#start-button').disabled")


def test_a_run_started_in_one_tab_is_listed_and_stopped_in_another(browser, ui_server,
                                                                    session_home: Path) -> None:
    first = open_tab(browser, ui_server.entry)
    second = None
    try:
        set_prompts(first, COUNT)
        set_number(first, "max_tokens", 3000)
        first.click("#start-button")
        first.wait_for_function(
            "document.querySelector('#output textarea').value.includes(' 6,')", timeout=90_000)
        second = open_tab(browser, ui_server.entry)
        second.wait_for_selector(".samantha-run", timeout=10_000)
        listed = second.inner_text("#samantha-runs")
        assert "Count from 1 to 300" in listed and "Cycle 1 of 1" in listed
        shot(second, "runs-list")
        run_id = int(second.get_attribute(".samantha-run", "data-run"))
        second.click(".samantha-run-stop")
        wait_footers(first, 1, timeout=30_000)
        assert ", stopped)" in output(first)
        second.wait_for_function("document.querySelector('#samantha-runs').innerText"
                                 " === 'none'", timeout=10_000)
        with RunStore(session_home / "history.sqlite3") as store:
            run = store.get_run(run_id)
        assert run.status == "stopped" and run.cycles[0].finish_reason == "cancelled"
    finally:  # a failure here must not leave a 3,000-token run in the way of the next tests
        if not footers(first):
            first.click("#stop-all-button")
            first.wait_for_function("document.querySelector('#samantha-runs').innerText"
                                    " === 'none'", timeout=30_000)
        for tab in (first, second):
            if tab is not None:
                tab.context.close()


def test_the_trace_viewer_shows_a_stored_cycle(page, session_home: Path) -> None:
    set_prompts(page, "The capital of France is")
    set_number(page, "max_tokens", 6)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
        steps = store.get_trace(store.get_run(run_id).cycles[0].id)
    assert len(steps) == 6
    open_in_history(page, session_home, run_id)
    open_panel(page, "trace-viewer")
    page.locator("#trace-step input").fill("2")
    page.click("#trace-show")
    page.wait_for_function("document.querySelectorAll('#trace-candidates tbody tr').length > 0")
    assert page.locator("#trace-candidates tbody tr").count() == 10
    assert "Token 2:" in page.inner_text("#trace-stages")
    chosen = page.inner_text("#trace-candidates tr.chosen")
    assert str(steps[1]["token_id"]) in chosen
    assert page.locator("#trace-probabilities svg rect").count() == 10
    assert page.locator("#trace-entropy svg polyline").count() == 1
    page.locator("#trace-viewer").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('#trace-viewer').scrollIntoView()")
    shot(page, "trace-viewer")


def test_an_empty_seed_stays_random_with_the_sampling_panel_open(page, session_home) -> None:
    set_number(page, "max_tokens", 2)  # opens the panel: its controls mount with their values
    assert page.input_value("#seed textarea, #seed input") == ""
    seeds = []
    for _ in range(2):
        before = footers(page)
        page.click("#start-button")
        wait_footers(page, before + 1, timeout=60_000)
        with RunStore(session_home / "history.sqlite3") as store:
            seeds.append(store.get_run(store.latest_run_id()).config["seed"])
        page.wait_for_function("!document.querySelector('#start-button').disabled")
    assert seeds[0] != seeds[1]  # a fresh seed for every run, as the help text says
    page.fill("#seed textarea, #seed input", "7")
    before = footers(page)
    page.click("#start-button")
    wait_footers(page, before + 1)
    with RunStore(session_home / "history.sqlite3") as store:
        assert store.get_run(store.latest_run_id()).config["seed"] == 7
