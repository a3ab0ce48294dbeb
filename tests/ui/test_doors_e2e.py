"""The real UI's doors, attacked from Chromium: a page on another localhost port, a site that
rebinds its DNS name to 127.0.0.1, a script without the key, 500 passwords at once, a huge
upload. Each attack is also made from the UI's own page (or with the key), where it works: what
stops it is the door, not a mistake in the attack."""

from __future__ import annotations

import http.server
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .conftest import CHROMIUM, FLAGS, Server
from .pages import answer_of

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"

# What a hostile page runs: it calls the UI's API the way the UI's own page would (JSON, with
# the browser's cookies), and reports what came back.
ATTACK = """
async ([target, marker]) => {
  const results = {};
  const attempt = async (name, path, init) => {
    try {
      const answer = await fetch(target + path, {credentials: 'include', ...init});
      results[name] = answer.status + ' ' + (await answer.text()).slice(0, 120);
    } catch (error) {
      results[name] = 'blocked ' + error;
    }
  };
  const code = `open(${JSON.stringify(marker)}, 'w').write('ran')`;
  await attempt('run_code', 'gradio_api/call/run_code_now', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({data: [code, false, false]})});
  await attempt('info', 'gradio_api/info', {});
  await attempt('runs', 'samantha/runs', {});
  await attempt('upload', 'gradio_api/upload', {method: 'POST', body: new FormData()});
  return results;
}
"""


class AttackPage:
    """A page of another site on 127.0.0.1 (another port): serves one HTML page."""

    def __init__(self) -> None:
        page = b"<!doctype html><title>elsewhere</title><p>another site</p>"

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def attack_page():
    page = AttackPage()
    yield page
    page.close()


def ran(home: Path, marker: str, wait: float = 0.0) -> bool:
    deadline = time.monotonic() + wait
    while True:
        if any(home.rglob(marker)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def nothing_from_elsewhere(context, attack_page: AttackPage, target: str, home: Path) -> None:
    """The attack from a page of another site, in the browser ``context``: nothing answers,
    nothing runs."""
    elsewhere = context.new_page()
    elsewhere.goto(attack_page.url)
    marker = f"attack-{uuid.uuid4().hex}"
    results = elsewhere.evaluate(ATTACK, [target, marker])
    assert not any(result.startswith("200") for result in results.values()), results
    assert not ran(home, marker, wait=5)


def keyed_context(browser, server: Server):
    """A browser that opened the UI with its key: it holds the key's cookie."""
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(server.entry)
    tab.wait_for_selector("#start-button", timeout=60_000)
    return context, tab


def test_a_page_on_another_localhost_port_reaches_nothing(browser, ui_server, attack_page,
                                                          session_home: Path) -> None:
    context, ours = keyed_context(browser, ui_server)
    try:
        nothing_from_elsewhere(context, attack_page, ui_server.url, session_home)
        # the same requests from the UI's own page do run: the door is what stopped them
        mine = f"own-{uuid.uuid4().hex}"
        results = ours.evaluate(ATTACK, [ui_server.url, mine])
        assert results["run_code"].startswith("200") and results["info"].startswith("200")
        assert ran(session_home, mine, wait=60)
    finally:
        context.close()


def test_a_rebound_dns_name_reaches_nothing_even_with_the_key(playwright, ui_server,
                                                              session_home: Path) -> None:
    """attacker.example resolves to 127.0.0.1 (as after a DNS rebinding): its page is the
    attacker's, and every request it sends reaches the UI with the attacker's Host. Chromium's
    own guard (a public page may not call a loopback address) is turned off, as browsers
    without it are: the UI must hold by itself."""
    rebound = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*FLAGS, "--host-resolver-rules=MAP attacker.example 127.0.0.1",
              "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
              "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults"])
    try:
        tab = rebound.new_page()
        origin = f"http://attacker.example:{ui_server.port}/"
        tab.route(origin + "evil.html", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<p>the attacker's page</p>"))
        tab.goto(origin + "evil.html")
        marker = f"rebound-{uuid.uuid4().hex}"
        results = tab.evaluate(ATTACK, [origin, marker])
        assert all(result.startswith("403") for result in results.values()), results
        assert "only its own address" in results["info"]
        answer = tab.goto(ui_server.entry.replace("127.0.0.1", "attacker.example"))
        assert answer.status == 403  # the key does not open the UI under another name
        assert not ran(session_home, marker, wait=3)
    finally:
        rebound.close()


def test_a_script_without_the_key_gets_nothing(ui_server, session_home: Path) -> None:
    marker = f"script-{uuid.uuid4().hex}"
    body = {"data": [f"open({marker!r}, 'w').write('ran')", False, False]}
    for client in (httpx.Client(), httpx.Client(headers={"Authorization": "Bearer wrong"})):
        with client:
            assert client.post(ui_server.url + "gradio_api/call/run_code_now",
                               json=body).status_code == 401
            for path in ("gradio_api/info", "gradio_api/openapi.json", "config",
                         "samantha/runs", "gradio_api/call/open_jupyter"):
                assert client.get(ui_server.url + path).status_code == 401, path
            for path in ("gradio_api/cancel", "gradio_api/reset"):
                assert client.post(ui_server.url + path, json={}).status_code == 401, path
    assert not ran(session_home, marker, wait=3)
    with httpx.Client(headers=ui_server.auth) as client:  # with the key, a script may
        assert client.get(ui_server.url + "gradio_api/info").status_code == 200


def test_the_page_without_the_key_explains_and_takes_the_key(browser, ui_server) -> None:
    context = browser.new_context()
    try:
        tab = context.new_page()
        answer = tab.goto(ui_server.url)
        assert answer.status == 401
        assert "needs its key" in tab.inner_text("h1")
        tab.fill("input[name=key]", "not the key")
        tab.click("button")
        tab.wait_for_selector(".wrong")
        tab.fill("input[name=key]", ui_server.key)
        tab.click("button")
        tab.wait_for_selector("#start-button", timeout=60_000)
        assert "key=" not in tab.url  # the key does not stay in the address bar
        # the cookie is HttpOnly: the page's own scripts cannot read the key
        assert ui_server.key not in tab.evaluate("document.cookie")
    finally:
        context.close()


def test_a_huge_upload_is_refused_before_it_is_sent(ui_server) -> None:
    """The headers announce 100 MB: the answer comes before any of it is sent."""
    with socket.create_connection(("127.0.0.1", ui_server.port), timeout=10) as raw:
        raw.sendall((f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1:{ui_server.port}"
                     f"\r\nAuthorization: Bearer {ui_server.key}\r\nContent-Type: "
                     f"multipart/form-data; boundary=x\r\nContent-Length: {100 * 2**20}"
                     "\r\n\r\n").encode())
        answer = answer_of(raw)
    assert answer.startswith("HTTP/1.1 413") and "larger than 64 MB" in answer, answer


@pytest.fixture(scope="module")
def locked(session_home: Path):
    server = Server(session_home, password=PASSWORD)
    yield server
    server.stop()


def test_with_a_password_another_port_cannot_ride_the_login(browser, locked, attack_page,
                                                            session_home: Path) -> None:
    context = browser.new_context()
    try:
        ours = context.new_page()
        ours.goto(locked.url)
        ours.locator("input[type=text]").first.fill("samantha")
        ours.locator("input[type=password]").fill(PASSWORD)
        ours.keyboard.press("Enter")
        ours.wait_for_selector("#start-button", timeout=60_000)
        nothing_from_elsewhere(context, attack_page, locked.url, session_home)
        mine = f"own-{uuid.uuid4().hex}"
        assert ours.evaluate(ATTACK, [locked.url, mine])["info"].startswith("200")
    finally:
        context.close()


def test_500_passwords_at_once_check_one_and_the_key_still_logs_in(browser, locked) -> None:
    def guess(i: int) -> int:
        with httpx.Client(timeout=60) as client:
            return client.post(locked.url + "login",
                               data={"username": "samantha", "password": f"guess {i}"}
                               ).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(guess, range(500)))
    assert statuses.count(200) == 0
    checked = statuses.count(400)
    assert checked < 30 and statuses.count(429) == 500 - checked, statuses
    # the user at the computer opens the address Samantha printed: no form, no wait
    context = browser.new_context()
    try:
        tab = context.new_page()
        started = time.monotonic()
        tab.goto(locked.entry)
        tab.wait_for_selector("#start-button", timeout=60_000)
        assert time.monotonic() - started < 30
        assert tab.locator("input[type=password]").count() == 0
    finally:
        context.close()
