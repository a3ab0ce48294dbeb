"""The layer view in headless Chromium at 1366×768, on a real run of the default model with
the cheap lens: the layer grid, the heads' heat-map and the certainty timeline are on screen in
the Chat tab and in History's trace viewer (where the layer enlarged and the draws' count and
seed are chosen, and redrawn at once), and the trace page opened from a file shows them with
the network blocked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from samantha.store import RunStore

from .conftest import shot
from .pages import open_in_history, open_panel, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e

GRID = "table.layer-grid"
HEADS = "svg[aria-label^='Where the heads looked']"
ONE_LAYER = "svg[aria-label*='head by head']"
TIMELINE = "svg[aria-label='How sure the model was, token by token']"


def choose(page, prefix: str, layer: int, draws: int, seed: int) -> None:
    """Type the layer enlarged, the draws and their seed in the learning panel (``prefix``:
    "" in Chat, "trace-" in History): the heat-map and the draws chart change at once."""
    panel = "learning-panel" if not prefix else "trace-viewer"
    before = page.locator(f"#{prefix}draws svg").get_attribute("aria-label")
    assert before == "100 draws from the final distribution (seed 0)"
    set_number(page, "", layer, panel, f"#{prefix}head-layer")
    page.wait_for_selector(f"#{prefix}attention svg[aria-label='Layer {layer}, head by head']",
                           timeout=10_000)
    set_number(page, "", draws, panel, f"#{prefix}draw-count")
    set_number(page, "", seed, panel, f"#{prefix}draw-seed")
    chart = f"#{prefix}draws svg[aria-label='{draws} draws from the final distribution " \
            f"(seed {seed})']"
    page.wait_for_selector(chart, timeout=10_000)
    assert f"/{draws}" in (page.text_content(chart) or "")
    assert_on_screen(page, f"#{prefix}attention {ONE_LAYER}")


def assert_on_screen(page, selector: str) -> None:
    """``selector``'s first element, scrolled to, is drawn at a size one can read."""
    found = page.locator(selector).first
    found.scroll_into_view_if_needed()
    box = found.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 40, (selector, box)
    assert 0 <= box["y"] < 768 and box["x"] >= 0 and box["x"] + 200 <= 1366, (selector, box)


@pytest.fixture(scope="module")
def inside_run(browser, ui_server, session_home: Path) -> int:
    """A learning-mode answer of the default model with the cheap layer view, from the Chat
    tab: the panel checked there, its run id returned."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(ui_server.entry)
    page.wait_for_selector("#start-button", timeout=60_000)
    set_prompts(page, "The capital of France is")
    set_number(page, "max_tokens", 4)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.locator("#layer-view").get_by_text("cheap: final candidates", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    page.wait_for_selector(f"#layer-grid {GRID}", timeout=60_000)
    rows = page.locator(f"#layer-grid {GRID} tbody tr").count()
    assert rows >= 10  # a row per layer (18 in Gemma 3 270M)
    assert "among the final candidates" in page.inner_text(f"#layer-grid {GRID} caption")
    assert page.locator("#layer-grid mark.lens-chosen").count() >= 1
    for selector in (f"#layer-grid {GRID}", f"#attention {HEADS}", f"#attention {ONE_LAYER}",
                     f"#certainty {TIMELINE}", "#draws svg"):
        assert_on_screen(page, selector)
    page.locator("#layer-grid").scroll_into_view_if_needed()
    shot(page, "inside-chat-layers")
    page.locator("#attention").scroll_into_view_if_needed()
    shot(page, "inside-chat-heads")
    page.locator("#certainty").scroll_into_view_if_needed()
    shot(page, "inside-chat-certainty")
    choose(page, "", layer=1, draws=500, seed=7)
    page.locator("#head-layer").scroll_into_view_if_needed()
    shot(page, "inside-chat-chosen")
    page.context.close()
    with RunStore(session_home / "history.sqlite3") as store:
        return store.latest_run_id()


def test_the_trace_viewer_shows_a_chosen_tokens_layers(page, inside_run: int,
                                                       session_home: Path) -> None:
    open_in_history(page, session_home, inside_run)
    open_panel(page, "trace-viewer")
    step = page.locator("#trace-step input")
    step.fill("2")
    step.press("Tab")
    page.click("#trace-show")
    page.wait_for_selector(f"#trace-layer-grid {GRID}", timeout=60_000)
    assert "Token 2" in page.inner_text("#trace-stages")
    for selector in (f"#trace-layer-grid {GRID}", f"#trace-attention {HEADS}",
                     f"#trace-certainty {TIMELINE}"):
        assert_on_screen(page, selector)
    page.locator("#trace-layer-grid").scroll_into_view_if_needed()
    shot(page, "inside-history-layers")
    choose(page, "trace-", layer=2, draws=500, seed=7)
    set_number(page, "", 20_000, "trace-viewer", "#trace-draw-count")
    page.wait_for_function("document.querySelector('#trace-draws').innerText"
                           ".includes('Draw 1 to 10,000 times, not 20000.')", timeout=10_000)
    assert page.locator("#trace-draws svg").count() == 0
    set_number(page, "", 40, "trace-viewer", "#trace-head-layer")
    page.wait_for_function("document.querySelector('#trace-attention').innerText"
                           ".includes('This model has no layer 40: choose 0 to 17')",
                           timeout=10_000)
    assert_on_screen(page, f"#trace-attention {HEADS}")  # the grid stays


def test_the_trace_page_from_a_file_shows_them_offline(browser, inside_run: int,
                                                       session_home: Path,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "trace.html"
    subprocess.run([sys.executable, "-m", "samantha", "history", "trace", str(inside_run),
                    "--html", str(target)], check=True, capture_output=True,
                   env={**os.environ, "SAMANTHA_HOME": str(session_home)})
    context = browser.new_context(viewport={"width": 1366, "height": 768}, offline=True)
    asked: list[str] = []
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith("file:")
                  else (asked.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("request", lambda request: asked.append(request.url))
    page.goto(target.as_uri())
    assert page.locator(GRID).count() >= 1 and page.locator(HEADS).count() >= 1
    for selector in (GRID, HEADS, ONE_LAYER, TIMELINE):
        assert_on_screen(page, selector)
    assert [url for url in asked if not url.startswith("file:")] == []
    page.locator(GRID).first.scroll_into_view_if_needed()
    shot(page, "inside-trace-page")
    context.close()
