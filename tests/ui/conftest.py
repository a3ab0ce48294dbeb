"""A real ``samantha ui`` process on 127.0.0.1 with the real default model, and headless
Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``samantha ui`` on a free port. ``url`` is its address; ``entry`` the address with its
    key, which a browser opens first (it sets the key's cookie); ``auth`` the header that gives
    a script the key. The page opens on ``model`` (the tests were written for the default
    model's answers); ``model=None`` opens it on the page's own first answer."""

    def __init__(self, home: Path, lang: str = "en", password: str | None = None,
                 cwd: Path | None = None, port: int | None = None,
                 extra: tuple[str, ...] = (), model: str | None = "default") -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "SAMANTHA_HOME": str(home)}
        self.log_path = home / f"ui-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "samantha", "ui", "--no-browser", "--port", str(self.port),
             "--lang", lang, *(["--password", password] if password else []),
             *(["--model", model] if model else []), *extra], env=env,
            stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"samantha ui exited: {self.log_path.read_text()}")
            found = re.search(r"running on (\S+\?key=([\w-]+))", self.log_path.read_text())
            if found:
                self.entry, self.key = found.group(1), found.group(2)
                self.auth = {"Authorization": f"Bearer {self.key}"}
                try:
                    urllib.request.urlopen(urllib.request.Request(self.url, headers=self.auth),
                                           timeout=2)
                    return
                except OSError:
                    pass
            time.sleep(0.5)
        raise RuntimeError("samantha ui did not start in 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def ui_server(session_home: Path):
    server = Server(session_home)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    """Playwright, once per session (a second one in the same thread is refused)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright):
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser, ui_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.grant_permissions(["clipboard-read", "clipboard-write"],
                              origin=ui_server.url.rstrip("/"))
    tab = context.new_page()
    tab.goto(ui_server.entry)
    tab.wait_for_selector("#start-button", timeout=60_000)
    yield tab
    context.close()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
