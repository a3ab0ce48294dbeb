"""The chain options' Parallel cycles in the web UI: the cycles are decoded together in batch
slots, shown in plan order, and the run is stored with its P."""

from __future__ import annotations

import re


def test_parallel_cycles_from_the_chain_options(page, real_workbench) -> None:
    page.fill("#user-prompt textarea", "Name a colour:\nName a fruit:\nName a city:")
    page.locator("#chain-options > button.label-wrap").click()
    box = page.locator("#parallel input[type=number]")
    box.wait_for(state="visible")
    page.wait_for_timeout(500)
    box.fill("3")
    box.press("Tab")
    page.locator("#sampling > button.label-wrap").click()
    tokens = page.locator("#slider-max_tokens input[type=number]")
    tokens.wait_for(state="visible")
    page.wait_for_timeout(500)
    tokens.fill("12")
    tokens.press("Tab")
    page.press("#user-prompt textarea", "Enter")
    page.wait_for_function("(document.querySelector('#output textarea').value.match("
                           "/ tokens, /g) || []).length === 3", timeout=120_000)
    text = page.locator("#output textarea").input_value()
    assert [text.index(p) for p in ("Name a colour:", "Name a fruit:", "Name a city:")] == \
        sorted(text.index(p) for p in ("Name a colour:", "Name a fruit:", "Name a city:"))
    runs = real_workbench.store.list_runs(limit=1)
    record = real_workbench.store.get_run(runs[0].id)
    assert record.config["parallel"] == 3
    assert {c.timings["batch_slots"] for c in record.cycles} == {3}
    assert len(re.findall(r"\(\d+ tokens, ", text)) == 3
