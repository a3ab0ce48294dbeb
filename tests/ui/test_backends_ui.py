"""Remote backends in the web UI, in real Chromium: a real llama-server added in the Models tab,
then answering a chain from the Model list, two cycles at once, learning mode labelled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.llama_server import LlamaServer

from samantha.store import RunStore

from .conftest import Server, shot
from .pages import (
    open_panel,
    open_tab,
    output,
    set_models,
    set_number,
    set_prompts,
    wait_footers,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def lab(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    server = LlamaServer(default_model_path, slots=2,
                         log=tmp_path_factory.mktemp("lab") / "lab.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_ui(session_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """A UI of its own data home: the backends added here stay out of the other tests."""
    home = tmp_path_factory.mktemp("backends-ui") / "home"
    (home / "models").mkdir(parents=True)
    for model in (session_home / "models").glob("*.gguf"):
        os.link(model, home / "models" / model.name)
    server = Server(home)
    yield server, home
    server.stop()


def test_a_backend_added_in_the_models_tab_answers_a_chain(browser, own_ui, lab) -> None:
    server, home = own_ui
    page = open_tab(browser, server.entry)
    page.get_by_role("tab", name="Models").click()
    page.fill("#backend-name textarea, #backend-name input", "lab")
    page.fill("#backend-url textarea, #backend-url input", lab.url)
    page.click("#backend-add")
    page.wait_for_function("document.querySelector('#backend-status').innerText"
                           ".includes('Added lab')", timeout=30_000)
    status = page.inner_text("#backend-status")
    assert "llama-server" in status and "default@lab" in status
    assert "lab" in page.inner_text("#backend-table")
    shot(page, "backends-added")

    page.get_by_role("tab", name="Chat").click()
    set_models(page, "default@lab")
    set_prompts(page, "Write the number 1 in words.\nWrite the number 2 in words.")
    set_number(page, "max_tokens", 8)
    open_panel(page, "chain-options")
    box = page.locator("#concurrency input[type=number]")
    box.fill("2")
    box.press("Tab")
    page.click("#start-button")
    wait_footers(page, 2)
    text = output(page)
    assert text.count("answered by default@lab") == 2
    with RunStore(home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    assert run.config["concurrency"] == 2
    assert [c.answered_by for c in run.cycles] == ["default@lab"] * 2
    page.context.close()


def test_learning_mode_on_a_backend_says_what_its_numbers_are(browser, own_ui, lab) -> None:
    server, _ = own_ui
    page = open_tab(browser, server.entry)
    set_models(page, "default@lab")
    set_prompts(page, "The capital of France is")
    set_number(page, "max_tokens", 3)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    wait_footers(page, 1)
    page.wait_for_function("document.querySelector('#stages').innerText.length > 0",
                           timeout=30_000)
    assert "llama-server: raw probabilities" in page.inner_text("#stages")
    assert page.locator("#candidates tbody tr").count() == 10
    shot(page, "learning-remote")
    page.context.close()
