"""Learning mode reads well at 1366×768 (issue 26, items 7 and 9), in headless Chromium against
the real ``samantha ui`` and the real default model: in the Chat tab's narrow column the stage
table of the default chain fits (its last stage in sight), the candidates table keeps its
``p`` column and the charts' text is at least 11 px on the screen; History's trace viewer stays
as readable; and "Trace as a page" puts its link next to the button."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.store import RunStore

from .conftest import shot
from .pages import open_in_history, open_panel, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e

#: The smallest chart text a person reads without effort, in CSS pixels on the screen.
SMALLEST_TEXT = 11

#: Where a table does not fit: the boxes between it and its panel that are narrower than what
#: they hold (the rest is cut off, or behind a sideways scroll that headless Chromium does not
#: even draw).
NARROWER = """(panel) => {
  const table = document.querySelector(panel + ' table');
  const stop = document.querySelector(panel);
  const narrower = [];
  for (let e = table; e && e !== stop.parentElement; e = e.parentElement) {
    if (e.scrollWidth > e.clientWidth + 1)
      narrower.push(`${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`);
  }
  return narrower;
}"""

#: Each chart text's size on the screen: its font size times the scale the SVG is drawn at.
TEXT_SIZES = """(panels) => panels.flatMap(panel =>
  [...document.querySelectorAll(panel + ' svg text')].map(t =>
    parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a))"""

#: How far the right edge of the candidates table's last column lies beyond its panel's.
BEYOND = """(panel) => {
  const last = document.querySelector(panel + ' thead th:last-child').getBoundingClientRect();
  return last.right - document.querySelector(panel).getBoundingClientRect().right;
}"""


def assert_readable(page, prefix: str) -> None:
    stages = f"#{prefix}stage-table"
    page.wait_for_selector(f"{stages} table")
    assert page.evaluate(NARROWER, stages) == []  # the default chain's stages all in sight
    assert page.evaluate(NARROWER, f"#{prefix}candidates") == []
    assert page.evaluate(BEYOND, f"#{prefix}candidates") <= 1  # the p column is in sight
    header = page.locator(f"#{prefix}candidates thead th").last.inner_text().strip()
    assert header == "p"
    charts = [f"#{prefix}{name}" for name in ("probabilities", "ranks", "entropy")]
    sizes = page.evaluate(TEXT_SIZES, charts)
    assert sizes and min(sizes) >= SMALLEST_TEXT, sorted(sizes)[:3]
    last = page.locator(f"{stages} thead th").last  # the last stage, without scrolling
    box, panel = last.bounding_box(), page.locator(stages).bounding_box()
    assert box["x"] + box["width"] <= panel["x"] + panel["width"] + 1


def test_the_learning_panel_reads_well_in_chat_and_history(page, session_home: Path) -> None:
    set_prompts(page, "The Eiffel Tower is in the city of")
    set_number(page, "max_tokens", 6)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    page.wait_for_function("document.querySelectorAll('#entropy svg text').length > 0")
    page.locator("#candidates").wait_for(state="visible")  # the live panel gives way to it
    assert_readable(page, "")
    page.locator("#stage-table").scroll_into_view_if_needed()
    shot(page, "learning-chat-tables")
    page.locator("#entropy").scroll_into_view_if_needed()
    shot(page, "learning-chat-charts")
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
    open_in_history(page, session_home, run_id)
    open_panel(page, "trace-viewer")
    page.click("#trace-show")
    page.wait_for_function("document.querySelectorAll('#trace-entropy svg text').length > 0")
    assert_readable(page, "trace-")
    shot(page, "learning-history")


def test_trace_as_a_page_puts_its_link_next_to_the_button(page, session_home: Path) -> None:
    set_prompts(page, "Paris is the capital of")
    set_number(page, "max_tokens", 3)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
    open_in_history(page, session_home, run_id)
    open_panel(page, "trace-viewer")
    button = page.locator("#trace-page")
    button.scroll_into_view_if_needed()
    button.click()
    link = page.locator(f"a[download][href*='trace-{run_id}-1']")
    link.wait_for(timeout=30_000)
    shot(page, "trace-page-link")
    near, at = link.bounding_box(), button.bounding_box()
    assert abs(near["y"] - at["y"]) < 200, (near, at)  # where the user looks, not 1,700 px up
    assert 0 <= near["y"] and near["y"] + near["height"] <= 768  # seen without scrolling
    page_text = page.request.get(link.get_attribute("href")).text()
    assert f"Samantha {run_id}.1" in page_text and "<svg" in page_text
