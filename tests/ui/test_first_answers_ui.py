"""A newcomer's first answers, on a fresh data home at 1366×768: the page's own first prompt on
its own first model ends by itself without repeating the prompt, in English (the bundled chat
model) and in Portuguese (the bundled base model, continuing a sentence); and a sentence given
to the base model is continued, not wrapped in a chat it was not made for."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import Server
from .pages import open_panel, open_tab, output, set_prompts, wait_footers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Server:
    server = Server(tmp_path_factory.mktemp("fresh-home"), model=None)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fresh_pt(tmp_path_factory) -> Server:
    server = Server(tmp_path_factory.mktemp("fresh-home-pt"), lang="pt", model=None)
    yield server
    server.stop()


def answer_of(text: str) -> str:
    """The text of the first answer in the output: between its banner and its footer."""
    body = text.split("==========================================\n", 2)[-1]
    return body.split("\n---------- (", 1)[0]


def first_answer(browser, server: Server) -> tuple[str, str, str]:
    """(the page's first prompt, its first model, its first answer) after pressing Start."""
    tab = open_tab(browser, server.entry)
    try:
        prompt = tab.input_value("#user-prompt textarea")
        model = tab.inner_text("#model-in-use code")  # the header's "Model: …"
        assert prompt.strip() and model.strip()
        tab.click("#start-button")
        wait_footers(tab, 1)
        shown = output(tab)
        assert "format" in tab.inner_text("#plan-line").lower()  # what the model gets
        return prompt, model, shown
    finally:
        tab.context.close()


def last_finish(server: Server) -> str:
    """How the server's last stored answer ended, read from its history by the CLI."""
    env = {**os.environ, "SAMANTHA_HOME": str(server.log_path.parent)}
    runs = json.loads(subprocess.run([sys.executable, "-m", "samantha", "history", "list",
                                      "--json"], env=env, capture_output=True, text=True,
                                     check=True).stdout)
    newest = max(run["id"] for run in runs)
    shown = json.loads(subprocess.run([sys.executable, "-m", "samantha", "history", "show",
                                       str(newest), "--json"], env=env, capture_output=True,
                                      text=True, check=True).stdout)
    return shown["cycles"][-1]["finish_reason"]


def test_the_english_pages_first_prompt_gets_a_real_answer(browser, fresh) -> None:
    prompt, model, shown = first_answer(browser, fresh)
    assert model == "smollm2"  # the bundled chat model
    answer = answer_of(shown)
    assert prompt not in answer  # not the prompt repeated
    assert "def " in answer and "return" in answer  # the function it asked for
    assert last_finish(fresh) == "stop", shown  # by itself: not max_tokens, not the guard


def test_the_portuguese_pages_first_prompt_is_continued(browser, fresh_pt) -> None:
    prompt, model, shown = first_answer(browser, fresh_pt)
    assert model == "default"  # Gemma continues Portuguese; the chat model speaks English
    answer = answer_of(shown)
    assert prompt not in answer and "Paris" in answer
    assert last_finish(fresh_pt) == "stop", shown


def test_the_base_model_continues_a_sentence_given_to_it(browser, fresh) -> None:
    tab = open_tab(browser, fresh.entry)
    try:
        open_panel(tab, "models-panel")
        tab.fill("#models textarea", "default")
        set_prompts(tab, "The Eiffel Tower is in the city of")
        tab.wait_for_function("document.querySelector('#plan-line').innerText"
                              ".includes('the text, continued')")
        tab.click("#start-button")
        wait_footers(tab, 1)
        answer = answer_of(output(tab))
        assert "Paris" in answer and "The Eiffel Tower is in the city of" not in answer
    finally:
        tab.context.close()

