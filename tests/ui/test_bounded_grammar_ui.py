"""A hostile grammar or JSON schema in the UI's boxes, in real Chromium (issue 25, case 4): the
page says what limit it met, and the server lives on and answers the next run. Without the
bounds, 20,000 nested parentheses killed the whole UI (SIGSEGV in llama.cpp's parser)."""

from __future__ import annotations

import pytest

from .pages import open_panel, output, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e


def wait_for_message(page, text: str) -> str:
    """The message above Start (where a refused chain is explained), once it has ``text``."""
    page.wait_for_function("document.querySelector('#input-error').innerText"
                           f".includes('{text}')", timeout=60_000)
    return page.inner_text("#input-error")


def test_a_hostile_grammar_gets_a_message_and_the_server_answers_on(page, ui_server) -> None:
    set_prompts(page, "Is the sea blue?")
    set_number(page, "max_tokens", 8)
    open_panel(page, "more-samplers")
    page.fill("#grammar textarea", "root ::= " + "(" * 20_000 + '"yes"' + ")" * 20_000)
    page.click("#start-button")
    assert "more than 2000 deep" in wait_for_message(page, "MAX_GROUP_DEPTH")
    assert ui_server.proc.poll() is None  # the UI process is alive

    page.fill("#grammar textarea", "")
    page.fill("#json-schema textarea", '{"type": "string", "minLength": 100000000}')
    page.click("#start-button")
    assert "minLength 100000000" in wait_for_message(page, "MAX_SCHEMA_COUNT")

    page.fill("#json-schema textarea", "")
    page.fill("#grammar textarea", 'root ::= "yes" | "no"')
    page.click("#start-button")
    wait_footers(page, 1)
    lines = [line for line in output(page).splitlines() if line.strip()]
    assert lines[-2].strip() in ("yes", "no")
    assert ui_server.proc.poll() is None
