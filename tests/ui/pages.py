"""What the browser tests do on a Samantha page: open a panel, fill the prompt, set a number,
read the output, wait for answers."""

from __future__ import annotations

import socket
from pathlib import Path

from samantha.store import RunStore

COUNT = "Count from 1 to 300: 1, 2, 3, 4,"


def open_panel(page, panel: str) -> None:
    """Open one of the Chat tab's panels (an accordion) unless it is open already."""
    toggle = page.locator(f"#{panel} > button.label-wrap").first
    if "open" not in (toggle.get_attribute("class") or "").split():
        toggle.click()
        page.wait_for_timeout(400)  # its controls mount (and take their values)


def output(page) -> str:
    return page.input_value("#output textarea")


def footers(page) -> int:
    return output(page).count("---------- (")


def wait_footers(page, n: int, timeout: float = 90_000) -> None:
    page.wait_for_function(
        f"document.querySelector('#output textarea').value.split('---------- (').length > {n}",
        timeout=timeout)


def set_number(page, name: str, value: int, panel: str = "sampling",
               field: str | None = None) -> None:
    """Type ``value`` into a slider's number box: a sampling parameter (``#slider-NAME``), or
    ``field`` in ``panel``."""
    open_panel(page, panel)
    box = page.locator(f"{field or '#slider-' + name} input[type=number]")
    box.wait_for(state="visible")
    box.fill(str(value))
    box.press("Tab")
    page.wait_for_timeout(200)
    assert box.input_value() == str(value)


def set_prompts(page, text: str) -> None:
    page.fill("#user-prompt textarea", text)


def set_models(page, text: str) -> None:
    open_panel(page, "models-panel")
    page.fill("#models textarea", text)


def check(page, panel: str, option: str, on: bool = True) -> None:
    """Tick (or untick) a switch of a panel, e.g. ``check(page, "chain-options", "fast_mode")``."""
    open_panel(page, panel)
    box = page.locator(f"#opt-{option} input")
    box.check() if on else box.uncheck()


def run_code(page, code: str) -> None:
    """Replace the Code panel's code with ``code`` and press Run code."""
    open_panel(page, "code-panel")
    page.locator("#code-box .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)
    page.click("#run-code-button")


def open_in_history(page, home: Path, run_id: int) -> None:
    """Go to History and put ``run_id`` in its run id box. The box follows the newest run of
    the history in ``home``: wait until it shows that run (the list has been read again since),
    so that the page does not put the newest run there while ``run_id`` is being typed (it
    would make "127127" of it)."""
    with RunStore(home / "history.sqlite3") as store:
        newest = store.latest_run_id()
    page.get_by_role("tab", name="History").click()
    box = page.locator("#history-run-id input")
    box.wait_for(state="visible")
    page.wait_for_function(f"document.querySelector('#history-run-id input').value === "
                           f"'{newest}'")
    if run_id != newest:
        box.fill(str(run_id))


def open_tab(browser, url: str, script: str | None = None):
    """A page of its own (its own browser context), ready to use; ``script`` runs first.
    ``url`` is a server's ``entry`` (its address with the key)."""
    tab = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    if script:
        tab.add_init_script(f"({script})()")
    tab.goto(url)
    tab.wait_for_selector("#start-button", timeout=60_000)
    return tab


def answer_of(raw: socket.socket) -> str:
    """What a server answered on the raw connection ``raw``: its headers and the start of its
    body."""
    answer = b""
    while b"\r\n\r\n" not in answer or answer.endswith(b"\r\n\r\n"):
        chunk = raw.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer.decode()
