"""The newer samplers in the web UI, in real Chromium: a logit bias keeps a word out, a grammar
shapes the answer, the chain's order shows in learning mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.store import RunStore

from .conftest import shot
from .pages import open_panel, output, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e


def test_more_samplers_reach_the_chain(page, session_home: Path) -> None:
    set_prompts(page, "Write a sentence about the sea.")
    set_number(page, "max_tokens", 12)
    open_panel(page, "more-samplers")
    page.fill("#logit-bias textarea", "' sea'=-inf")
    order = page.locator("#samplers")
    for stage in ("dry", "top-n-sigma", "tail-free", "typical", "top-p", "xtc", "top-k"):
        order.locator(".token").filter(has=page.get_by_text(stage, exact=True)) \
            .locator(".token-remove").click()
    order.locator("input").click()
    page.get_by_role("option", name="top-k", exact=True).click()  # chosen again: goes last
    page.keyboard.press("Escape")
    page.wait_for_function("document.body.innerText.includes("
                           "'logits -> penalties -> min-p -> temperature -> top-k -> greedy')")
    page.click("#default-order")
    page.wait_for_function("document.body.innerText.includes('logits -> penalties -> dry ->')")
    for stage in ("dry", "top-n-sigma", "tail-free", "typical", "top-p", "xtc"):
        order.locator(".token").filter(has=page.get_by_text(stage, exact=True)) \
            .locator(".token-remove").click()
    page.wait_for_function("document.body.innerText.includes("
                           "'logits -> penalties -> top-k -> min-p -> temperature -> greedy')")
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    answer = output(page).split("==========\n")[-1]
    assert " sea" not in answer.split("----------")[0]
    with RunStore(session_home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    settings = run.cycles[0].settings
    assert settings["samplers"] == ["penalties", "top-k", "min-p", "temperature"]
    assert settings["logit_bias"] == {" sea": "-inf"}
    shot(page, "more-samplers")


def test_a_grammar_from_the_ui(page) -> None:
    set_prompts(page, "Is the sea blue?")
    set_number(page, "max_tokens", 8)
    open_panel(page, "more-samplers")
    page.fill("#grammar textarea", 'root ::= "yes" | "no"')
    page.click("#start-button")
    wait_footers(page, 1)
    lines = [line for line in output(page).splitlines() if line.strip()]
    assert lines[-2].strip() in ("yes", "no")
    page.fill("#grammar textarea", 'root ::= "a" |\n  x')
    page.click("#start-button")
    page.wait_for_function("document.querySelector('#output textarea').value"
                           ".includes('Grammar, line 2, column 3')", timeout=30_000)
