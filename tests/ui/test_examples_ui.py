"""Picking an example in the web UI puts the model(s) it is made for in the model list; the
chained example that works on the previous response turns the Feedback loop on (and the run it
starts feeds back); the intelligence challenge turns Single response per model on, and its run
shows the judge's verdict under the answers. The Portuguese page offers Portuguese examples."""

from __future__ import annotations

import re
from pathlib import Path

from samantha.core.verdict import Verdict, verdict_line

from .conftest import Server
from .pages import open_panel, open_tab, output, set_number, wait_footers

MODELS = "document.querySelector('#models textarea').value"
PROMPT = "document.querySelector('#user-prompt textarea').value"


def pick(page, title: str) -> None:
    page.locator("#examples-user input").click()
    page.locator("ul[role=listbox] li", has_text=title).first.click()


def picked(page, title: str, words: str) -> None:
    """Pick the example and wait until its text is in the USER field."""
    open_panel(page, "files-panel")
    page.wait_for_selector("#examples-user input", state="visible")
    pick(page, title)
    page.wait_for_function(f"{PROMPT}.includes({words!r})")


def models_are(page, text: str) -> None:
    open_panel(page, "models-panel")
    page.wait_for_function(f"{MODELS} === {text!r}")


def switch_is(page, option: str, on: bool) -> None:
    page.wait_for_function(f"() => {{ const box = document.querySelector('#opt-{option} input');"
                           f" return box && box.checked === {'true' if on else 'false'}; }}")


def test_the_chained_example_turns_the_feedback_loop_on(page, real_workbench) -> None:
    picked(page, "Write Python code that plots a sine wave", "sine wave")
    models_are(page, "qwen2.5-1.5b")  # made for a bigger model
    picked(page, "Turn these words into a clear request", "previous response")
    models_are(page, "smollm2")
    set_number(page, "max_tokens", 4)
    page.click("#start-button")
    wait_footers(page, 3, timeout=120_000)
    latest = real_workbench.store.list_runs(limit=1)[0]
    run = real_workbench.store.get_run(latest.id)
    assert run.config["feedback"] is True and run.config["models"] == ["smollm2"]
    open_panel(page, "conversation")
    switch_is(page, "feedback_loop", True)


def test_the_intelligence_challenge_shows_the_judges_verdict(page, real_workbench) -> None:
    picked(page, "Why do people tell stories?", "{verdict=AI 1|AI 2}")
    models_are(page, "smollm2\ndefault\nsmollm2")
    open_panel(page, "chain-options")
    switch_is(page, "single_response", True)
    page.click("#start-button")
    page.wait_for_function("document.querySelector('#output textarea').value"
                           ".includes('Verdict: ')", timeout=240_000)
    wait_footers(page, 3)
    run = real_workbench.store.get_run(real_workbench.store.list_runs(limit=1)[0].id)
    assert [c.model for c in run.cycles] == ["smollm2", "default", "smollm2"]
    judge = run.cycles[-1]
    verdict = Verdict.from_dict(judge.verdict)
    assert verdict.read and verdict.winner in ("AI 1", "AI 2", "tie")
    shown = output(page)
    line = verdict_line(verdict)
    assert re.search(re.escape(judge.response.strip()) + r"\n-+ \(\d+ tokens, [\d.]+ s\)\n"
                     + re.escape(line), shown), shown[-600:]
    picked(page, "Give three tips", "three tips")  # an example without single: switched off
    switch_is(page, "single_response", False)


def test_the_portuguese_page_offers_portuguese_examples_for_the_base_model(
        browser, session_home: Path) -> None:
    server = Server(session_home, lang="pt")
    try:
        tab = open_tab(browser, server.entry)
        open_panel(tab, "files-panel")
        tab.wait_for_selector("#examples-user input", state="visible")
        tab.locator("#examples-user input").click()
        options = tab.locator("ul[role=listbox] li").all_inner_texts()
        assert options[0] == "A Torre Eiffel fica na cidade de (default)", options
        assert any("Era uma vez um faroleiro" in text for text in options), options
        tab.locator("ul[role=listbox] li", has_text="Receita de bolo").first.click()
        tab.wait_for_function(f"{PROMPT}.includes('Receita de bolo de cenoura')")
        models_are(tab, "default")
        tab.context.close()
    finally:
        server.stop()
