"""Picking an example in the web UI: the chained example that works on the previous response
turns the Feedback loop on (and the run it starts feeds back); the others leave it as it was."""

from __future__ import annotations

from ui.pages import open_panel, set_number, wait_footers


def pick(page, title: str) -> None:
    page.locator("#examples-user input").click()
    page.locator("ul[role=listbox] li", has_text=title).first.click()


def test_the_chained_example_turns_the_feedback_loop_on(page, real_workbench) -> None:
    open_panel(page, "files-panel")
    page.wait_for_selector("#examples-user input", state="visible")
    pick(page, "Write Python code that plots a sine wave")
    page.wait_for_function("document.querySelector('#user-prompt textarea').value"
                           ".includes('sine wave')")
    pick(page, "Translate to English and refine")
    page.wait_for_function("document.querySelector('#user-prompt textarea').value"
                           ".includes('previous response')")
    set_number(page, "max_tokens", 4)
    page.click("#start-button")
    wait_footers(page, 4, timeout=120_000)
    latest = real_workbench.store.list_runs(limit=1)[0]
    assert real_workbench.store.get_run(latest.id).config["feedback"] is True
    open_panel(page, "conversation")
    page.wait_for_function("() => { const box = document.querySelector("
                           "'#opt-feedback_loop input'); return box && box.checked; }")
