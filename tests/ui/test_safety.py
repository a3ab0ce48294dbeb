"""The web UI serves only what it made for the tab asking: never the data home, another tab's
stream or another login's; failed logins are slowed; short passwords are refused."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.hostile import an_address_of_this_machine, url, web_server

from samantha.cli import cli

from .conftest import Server
from .pages import COUNT, open_panel, output, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def status_of(url: str, data: bytes | None = None, timeout: float = 30,
              headers: dict[str, str] | None = None) -> int:
    try:
        request = urllib.request.Request(url, data=data, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def file_url(server: Server, path: Path) -> str:
    return f"{server.url}gradio_api/file={path}"


@pytest.fixture(scope="module")
def locked(session_home: Path):
    server = Server(session_home, password=PASSWORD)
    yield server
    server.stop()


def log_in(browser, server: Server):
    tab = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    tab.goto(server.url)
    tab.locator("input[type=text]").first.fill("samantha")
    tab.locator("input[type=password]").fill(PASSWORD)
    tab.keyboard.press("Enter")
    tab.wait_for_selector("#start-button", timeout=60_000)
    return tab


def live_token(tab) -> str:
    tab.wait_for_function("document.querySelector('#live-token textarea, #live-token input')"
                          ".value.length > 20")
    return tab.evaluate("document.querySelector('#live-token textarea, #live-token input')"
                        ".value")


def test_the_data_home_is_never_served(ui_server, session_home: Path,
                                       default_model_path: Path) -> None:
    for path in (session_home / "history.sqlite3", default_model_path,
                 session_home / "preferences.json"):
        assert status_of(file_url(ui_server, path), headers=ui_server.auth) == 403, path


def test_a_tab_sees_its_figure_and_nobody_reaches_the_original(page, ui_server,
                                                                session_home: Path) -> None:
    open_panel(page, "code-panel")
    page.locator("#code-box .cm-content").click()
    page.keyboard.insert_text("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()")
    page.click("#run-code-button")
    page.wait_for_selector("#figures img", timeout=60_000)
    shown = page.get_attribute("#figures img", "src")
    assert page.request.get(shown).status == 200  # the tab gets its own copy
    original = max((session_home / "code").rglob("figure_*.png"), key=lambda p: p.stat().st_mtime)
    assert str(session_home) not in urllib.parse.unquote(shown)
    # the run's own file: never, even with the server's key
    assert status_of(file_url(ui_server, original), headers=ui_server.auth) == 403


def test_with_a_password_nothing_is_served_without_the_login(locked, session_home) -> None:
    assert status_of(file_url(locked, session_home / "history.sqlite3")) in (401, 403)
    assert status_of(locked.url + "samantha/live/anybody") == 401
    assert status_of(locked.url + "samantha/runs") == 401


def test_a_tab_streams_only_to_its_own_login(browser, locked, session_home: Path,
                                             default_model_path: Path) -> None:
    first = log_in(browser, locked)
    token = live_token(first)
    set_prompts(first, COUNT)
    set_number(first, "max_tokens", 150)
    first.click("#start-button")
    first.wait_for_function(  # streamed to its own page: the answer shows before its footer
        "(() => { const v = document.querySelector('#output textarea').value;"
        " return v.includes(' 6,') && !v.includes('---------- ('); })()", timeout=90_000)
    second = log_in(browser, locked)  # the same user, another login
    assert live_token(second) != token
    for path in (session_home / "history.sqlite3", default_model_path):  # logged in or not
        assert second.request.get(file_url(locked, path)).status == 403
    refused = second.request.get(locked.url + "samantha/live/" + token)
    assert refused.status == 403  # even knowing the first tab's token
    session = first.evaluate("window.__gradio_session_hash__")
    by_session = second.request.get(locked.url + "samantha/live/" + session, timeout=30_000)
    assert "text" not in by_session.text()  # Gradio's session id opens nothing
    wait_footers(first, 1)
    assert ", stopped)" not in output(first)
    for tab in (first, second):
        tab.context.close()


def login_attempt(server: Server, password: str) -> tuple[int, float]:
    form = urllib.parse.urlencode({"username": "samantha", "password": password}).encode()
    started = time.monotonic()
    code = status_of(server.url + "login", data=form)
    return code, time.monotonic() - started


def test_failed_logins_are_slowed_down(locked) -> None:
    times = [login_attempt(locked, f"wrong {i}") for i in range(9)]
    assert all(code == 400 for code, _ in times) and times[0][1] < 1.0
    code, tenth = login_attempt(locked, "wrong again")
    assert code == 400 and tenth >= 2.0  # the tenth wrong password in a row waits
    code, _ = login_attempt(locked, PASSWORD)
    assert code == 200  # the right one still works, and starts the count again
    code, after = login_attempt(locked, "wrong")
    assert code == 400 and after < 1.0


def test_a_short_password_is_refused_at_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ui", "--password", "pw", "--no-browser"],
                                env={"SAMANTHA_HOME": str(tmp_path)})
    assert result.exit_code == 2
    assert "2 characters" in result.stderr and "8 or more" in result.stderr


def test_code_is_confined_and_the_network_switch_opens_the_network_not_this_computer(
        page, ui_server) -> None:
    """Allowed the network, code reaches a server of the network (one on this machine's own
    network address stands for it), never the services of this computer's loopback: not a
    server there, not the UI itself (even knowing its key)."""
    with an_address_of_this_machine() as address, web_server(address, "outside") as outside, \
            web_server("127.0.0.1", "local service") as local:
        urls = [url(outside), url(local), f"{ui_server.url}gradio_api/info"]
        code = ("import urllib.request\nopener = urllib.request.build_opener("
                "urllib.request.ProxyHandler({}))\n"
                f"for url in {urls!r}:\n    try:\n"
                f"        request = urllib.request.Request(url, headers={ui_server.auth!r})\n"
                "        opener.open(request, timeout=3)\n        print('REACHED', url)\n"
                "    except OSError as e:\n        print('CUT OFF', url)\n"
                "print('DONE, network', ALLOWED)\n")
        expected = {False: [f"CUT OFF {u}" for u in urls],
                    True: [f"REACHED {urls[0]}", f"CUT OFF {urls[1]}", f"CUT OFF {urls[2]}"]}
        for allowed in (False, True):
            open_panel(page, "chain-options")
            box = page.locator("#opt-allow_network input")
            box.check() if allowed else box.uncheck()
            open_panel(page, "code-panel")
            page.locator("#code-box .cm-content").click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.insert_text(code.replace("ALLOWED", str(allowed)))
            page.click("#run-code-button")
            page.wait_for_function(
                "(document.querySelector('#code-result iframe') || {}).srcdoc && document"
                f".querySelector('#code-result iframe').srcdoc.includes('DONE, network {allowed}')",
                timeout=60_000)
            shown = page.get_attribute("#code-result iframe", "srcdoc")
            for line in expected[allowed]:
                assert line in shown, (allowed, shown)
            assert "Confined by bubblewrap" in page.inner_text("#code-isolation")
        assert local.hits == []  # the loopback's service never saw a request
