"""The Models tab's catalogue in Chromium (what fits this computer, a download with progress,
resume and verification, then the model among Chat's choices), and the model choices built for
each page load (issue 26, item 5)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from support.hf_server import HFServer, sha256_of

from tests.models.test_download import write_gguf
from tests.ui.conftest import Server, shot
from tests.ui.pages import open_tab

MB = 1 << 20
FILE = "tiny-chat-Q4_K_M.gguf"
ENTRY = """
[[model]]
name = "tiny-chat"
title = "Tiny chat"
repo = "test/tiny-chat-GGUF"
revision = "0123456789abcdef0123456789abcdef01234567"
file = "%s"
quantization = "Q4_K_M"
size = %d
sha256 = "%s"
parameters = "0.01B"
layers = 2
heads = 4
kv_heads = 2
head_dim = 16
vocabulary = 64
license = "MIT"
languages = ["en"]
good_at = "Testing downloads."
good_at_pt = "Testar downloads."
source = "written by the test"
"""
# every text the download's status line shows, in order (the page keeps them); installed once
# the page is up (an observer set up before the page's script sees nothing)
STATUS_LOG = """() => {
  window.statusLog = [];
  new MutationObserver(() => {
    const box = document.querySelector('#catalogue-status');
    const text = box ? box.innerText.trim() : '';
    if (/^(⏬|⚠️|✅)/.test(text) && window.statusLog[window.statusLog.length - 1] !== text)
      window.statusLog.push(text);
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HFServer]:
    server = HFServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)  # the UI's process inherits it
    yield server
    server.stop()


@pytest.fixture
def served(tmp_path: Path) -> Path:
    return write_gguf(tmp_path / "served.gguf", "tiny chat", MB, seed=7)


@pytest.fixture
def home(tmp_path: Path, served: Path, default_model_path: Path) -> Path:
    """A data home with the default model in place and a catalogue entry of its own."""
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    os.link(default_model_path, home / "models" / default_model_path.name)
    (home / "known_models.toml").write_text(
        ENTRY % (FILE, served.stat().st_size, sha256_of(served)), encoding="utf-8")
    return home


@pytest.fixture
def server(hub: HFServer, home: Path) -> Iterator[Server]:
    running = Server(home)
    yield running
    running.stop()


def wait_text(tab, selector: str, text: str, timeout: float = 60_000) -> None:
    tab.wait_for_function(f"(document.querySelector({selector!r})?.innerText || '')"
                          f".includes({text!r})", timeout=timeout)


def log_has(tab, text: str, timeout: float = 60_000) -> None:
    try:
        tab.wait_for_function(f"window.statusLog.some(t => t.includes({text!r}))",
                              timeout=timeout)
    except Exception:
        raise AssertionError(f"{text!r} never shown: {tab.evaluate('window.statusLog')}")


def chat_choices(tab, wanted: str) -> list[str]:
    """The Chat tab's "Available models" once ``wanted`` is among them (the list is opened)."""
    tab.get_by_role("tab", name="Chat").click()
    toggle = tab.locator("#models-panel > button.label-wrap").first
    if "open" not in (toggle.get_attribute("class") or "").split():
        toggle.click()
    tab.get_by_label("Available models").click()
    tab.get_by_role("option", name=wanted, exact=True).wait_for(timeout=30_000)
    # the chosen one is shown as "✓\nname"
    return [text.split("\n")[-1].strip() for text in tab.get_by_role("option").all_inner_texts()]


def test_the_catalogue_downloads_with_progress_resume_and_a_check(browser, server: Server,
                                                                  hub: HFServer,
                                                                  served: Path) -> None:
    hub.add_hub("test/tiny-chat-GGUF", FILE, served)
    tab = open_tab(browser, server.entry)
    tab.evaluate(STATUS_LOG)
    tab.get_by_role("tab", name="Models").click()
    wait_text(tab, "#catalogue-table", "tiny-chat")
    table = tab.inner_text("#catalogue-table")
    for name in ("qwen2.5-0.5b", "llama3.2-3b", "llama3.1-8b", "Apache-2.0", "Llama 3.2"):
        assert name in table
    assert "MemAvailable" in tab.inner_text("#catalogue-memory")
    assert "fits this computer" in table  # the tiny entry fits any computer
    tab.locator("#catalogue-get").scroll_into_view_if_needed()
    shot(tab, "catalogue")
    # a click on its row picks it
    tab.locator("#catalogue-table [role=gridcell]", has_text="tiny-chat").first.click()
    tab.wait_for_function("document.querySelector('#catalogue-pick input')?.value"
                          " === 'tiny-chat'")

    hub.stall = True  # the headers come, the bytes wait: the progress shows
    tab.click("#catalogue-get")
    log_has(tab, "⏬ 0%")
    hub.stall = False
    hub.release.set()  # the connection closes with no byte: one line says what to do
    log_has(tab, "resumes where it stopped")

    hub.cut_after = MB  # a quarter of the file, then the connection breaks
    tab.click("#catalogue-get")
    log_has(tab, f"{MB / 1e6:.2f} MB of")  # where it broke: "after 1.05 MB of 4.19 MB"
    part = server_models(server) / f"{FILE}.part"
    assert part.stat().st_size == MB
    hub.reset_counts()
    tab.click("#catalogue-get")
    log_has(tab, f"Saved {FILE}")
    assert [r for m, p, r, _ in hub.requests if p.startswith("/cdn/")] == [f"bytes={MB}-"]
    assert sha256_of(server_models(server) / FILE) == sha256_of(served)
    wait_text(tab, "#catalogue-table", "tiny-chat (downloaded)")
    shot(tab, "catalogue-downloaded")
    assert FILE in chat_choices(tab, FILE)
    tab.context.close()


def test_a_file_that_is_not_the_catalogues_is_refused_in_the_page(browser, server: Server,
                                                                  hub: HFServer,
                                                                  tmp_path: Path) -> None:
    other = write_gguf(tmp_path / "other.gguf", "another", MB, seed=8)
    hub.add_hub("test/tiny-chat-GGUF", FILE, other)
    tab = open_tab(browser, server.entry)
    tab.evaluate(STATUS_LOG)
    tab.get_by_role("tab", name="Models").click()
    tab.get_by_label("Model to download").click()
    tab.get_by_role("option", name="tiny-chat", exact=True).click()
    tab.click("#catalogue-get")
    log_has(tab, "not the file the catalogue names")
    assert not (server_models(server) / FILE).exists()
    tab.context.close()


def test_added_models_stay_after_a_reload_and_default_is_offered_once(
        browser, server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "more models"
    folder.mkdir()
    write_gguf(folder / "extra-model.gguf", "extra", 1000, seed=9)
    tab = open_tab(browser, server.entry)
    tab.get_by_role("tab", name="Models").click()
    tab.get_by_label("Folder to add", exact=False).fill(str(folder))
    tab.get_by_role("button", name="Add folder").click()
    wait_text(tab, "#model-folders", str(folder))
    tab.reload()
    tab.wait_for_selector("#start-button", timeout=60_000)
    choices = chat_choices(tab, "extra-model.gguf")
    assert choices.count("default") == 1
    assert "gemma-3-270m-q4_k_m.gguf" not in choices  # it is `default`
    tab.get_by_role("tab", name="Models").click()
    assert str(folder) in tab.inner_text("#model-folders")  # the tab's list is this load's too
    wait_text(tab, "#model-table", "extra-model.gguf")
    tab.context.close()


def server_models(server: Server) -> Path:
    return Path(server.log_path).parent / "models"
