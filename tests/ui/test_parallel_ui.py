"""The chain options' Parallel cycles in the web UI: the cycles are decoded together in batch
slots, shown in plan order, and the run is stored with its P."""

from __future__ import annotations

import re

from ui.pages import output, set_number, set_prompts, wait_footers


def test_parallel_cycles_from_the_chain_options(page, real_workbench) -> None:
    set_prompts(page, "Name a colour:\nName a fruit:\nName a city:")
    set_number(page, "parallel", 3, panel="chain-options", field="#parallel")
    set_number(page, "max_tokens", 12)
    page.press("#user-prompt textarea", "Enter")
    wait_footers(page, 3, timeout=120_000)
    text = output(page)
    runs = real_workbench.store.list_runs(limit=1)
    record = real_workbench.store.get_run(runs[0].id)
    shown = [text.index(c.response.strip()) for c in sorted(record.cycles, key=lambda c: c.number)]
    assert shown == sorted(shown)  # the answers in the order of their prompts
    assert record.config["parallel"] == 3
    assert {c.timings["batch_slots"] for c in record.cycles} == {3}
    assert len(re.findall(r"\(\d+ tokens, ", text)) == 3
