"""The Tools panel in headless Chromium: Datasette, D-Tale and JupyterLab started from the page
for real, opened through the one-time link the tab was given (a local process without it gets
nothing), listed for the tab that started them only (another tab that asks for the same
JupyterLab gets a link of its own, never the first tab's), stopped one by one, with Stop tools,
with Samantha, and when Samantha is killed; a new Samantha stops what a killed one left;
PyInstaller packs the code panel's Python."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support.processes import descendants, left_behind, running, stat
from ui.conftest import Server, free_port, shot
from ui.pages import open_in_history, open_panel

from samantha.store import RunStore

TOKEN_FIELD = "document.querySelector('#live-token textarea, #live-token input')"


def open_tools(page) -> None:
    open_panel(page, "tools-panel")
    page.wait_for_selector("#tool-datasette", state="visible")
    page.wait_for_function(f"{TOKEN_FIELD}.value !== ''")


def started_url(page, selector: str = "#tools-message") -> str:
    """The link the message under the buttons offers, once the tool answers."""
    link = page.locator(f"{selector} a")
    link.wait_for(timeout=120_000)
    return link.get_attribute("href")


def address(page, selector: str = "#tools-message") -> str:
    """The tool's address, as the message shows it (its link's text)."""
    return page.locator(f"{selector} a").text_content()


def click_link(page, selector: str = "#tools-message a"):
    """Click a tool's link as the user does: the tool opens in a new tab of this browser."""
    with page.context.expect_page() as opened:
        page.click(selector)
    tab = opened.value
    tab.wait_for_load_state()
    return tab


def tab_token(page) -> str:
    return page.evaluate(f"{TOKEN_FIELD}.value")


def test_datasette_and_dtale_listed_stopped_one_by_one_and_all(page, tmp_path: Path) -> None:
    open_tools(page)
    page.click("#tool-datasette")
    started_url(page)
    datasette = address(page)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/history", datasette)
    assert "Datasette is running" in page.locator("#tools-message").text_content()
    outsider = httpx.get(datasette + ".json")  # a local process that found the port
    assert outsider.status_code == 403 and "runs" not in outsider.text
    opened = click_link(page)
    assert opened.url == datasette and "runs" in opened.locator("body").text_content()
    tables = page.context.request.get(datasette + ".json").json()  # this browser is let in
    assert "runs" in {table["name"] for table in tables["tables"]}
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 1")
    table = tmp_path / "cities.csv"
    table.write_text("city,people\nLisbon,545000\nPorto,232000\n", encoding="utf-8")
    page.set_input_files("#tool-table input[type=file]", str(table))
    page.wait_for_timeout(500)  # the upload
    page.click("#tool-dtale")
    page.locator("#tools-message", has_text="D-Tale is running").wait_for(timeout=120_000)
    started_url(page)
    dtale = address(page)
    base = dtale.split("/dtale/")[0]
    assert httpx.get(base + "/dtale/data/1", params={"ids": '["0-1"]'}).status_code == 403
    click_link(page)
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 2")
    rows = page.context.request.get(base + "/dtale/data/1", params={"ids": '["0-1"]'}).json()
    assert rows["total"] == 2 and {r["city"] for r in rows["results"].values()} == {
        "Lisbon", "Porto"}
    shot(page, "tools")
    page.locator("#tools-list .tool-row", has_text="Datasette").locator(".tool-stop").click()
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 1")
    with pytest.raises(httpx.TransportError):
        httpx.get(datasette, timeout=3)
    assert page.context.request.get(dtale).status == 200  # the other one goes on
    page.click("#tools-stop")
    page.locator("#tools-message", has_text="Every tool was stopped").wait_for()
    page.locator("#tools-list .tools-list", has_text="none").wait_for(timeout=10_000)
    with pytest.raises(httpx.TransportError):
        httpx.get(dtale, timeout=3)


def test_dtale_on_a_table_the_code_wrote(page) -> None:
    open_panel(page, "code-panel")
    editor = page.locator("#code-box .cm-content")
    editor.wait_for(state="visible")
    editor.click()
    page.keyboard.insert_text("open('scores.csv', 'w').write('name,score\\nAna,9\\nBia,7\\n')\n")
    page.click("#run-code-button")
    page.locator("#code-result iframe").wait_for(timeout=60_000)
    open_tools(page)
    page.locator("#tool-written input").click()  # its choices are the last code run's tables
    page.locator("ul[role=listbox] li", has_text="scores.csv").first.click()
    page.click("#tool-dtale")
    started_url(page)
    base = address(page).split("/dtale/")[0]
    click_link(page)
    rows = page.context.request.get(base + "/dtale/data/1", params={"ids": '["0-1"]'}).json()
    assert {r["name"] for r in rows["results"].values()} == {"Ana", "Bia"}
    page.click("#tools-stop")
    page.locator("#tools-message", has_text="Every tool was stopped").wait_for()


def test_a_second_tab_never_gets_the_first_tabs_jupyterlab_link(ui_server, page,
                                                               browser) -> None:
    open_tools(page)
    page.click("#tool-jupyter")
    mine = started_url(page)
    ticket = mine.split("token=")[1]
    lab = mine.split("/lab")[0]
    other = browser.new_context()  # another login, another person: cookies of its own
    try:
        tab = other.new_page()
        tab.goto(ui_server.entry)
        tab.wait_for_selector("#start-button", timeout=60_000)
        open_tools(tab)
        tab.click("#tool-jupyter")  # the same JupyterLab...
        theirs = started_url(tab)
        assert theirs.split("/lab")[0] == lab and theirs != mine  # ...through a link of its own
        assert ticket not in tab.content()
        listings = ui_server.url + "samantha/tools/"
        mine_listed = httpx.get(listings + tab_token(page), headers=ui_server.auth).json()
        theirs_listed = httpx.get(listings + tab_token(tab), headers=ui_server.auth).json()
        assert [t["url"] for t in mine_listed] == [mine]
        assert [t["url"] for t in theirs_listed] == [theirs] and ticket not in str(theirs_listed)
        assert theirs_listed[0]["address"] == lab + "/lab"

        click_link(page)  # the first tab opens its link: its browser is let in
        assert page.context.request.get(f"{lab}/api/contents").status == 200
        refused = other.request.get(mine)  # the first tab's link, used: nothing for another
        assert refused.status == 403 and "press the tool's button" in refused.text()
        assert other.request.get(f"{lab}/api/contents").status == 403
        again = httpx.get(listings + tab_token(page), headers=ui_server.auth).json()
        assert again[0]["url"] != mine  # the list offers a fresh link once one is used
        assert httpx.get(f"{lab}/api/contents").status_code == 403  # a local process
        assert httpx.get(f"{lab}/api/contents", params={"token": ticket}).status_code == 403
        other.request.get(theirs)
        assert other.request.get(f"{lab}/api/contents").status == 200  # its own link works
    finally:
        other.close()


def test_a_tab_sees_only_its_own_tools(ui_server, page, browser) -> None:
    open_tools(page)
    page.click("#tool-datasette")
    started_url(page)
    token = tab_token(page)
    other = browser.new_page()
    try:
        other.goto(ui_server.entry)
        other.wait_for_selector("#start-button", timeout=60_000)
        other.wait_for_function(f"{TOKEN_FIELD}.value !== ''")
        theirs = tab_token(other)
    finally:
        other.close()
    base = ui_server.url + "samantha/tools/"
    auth = ui_server.auth
    mine = httpx.get(base + token, headers=auth).json()
    assert [tool["name"] for tool in mine] == ["Datasette"]
    assert httpx.get(base + theirs, headers=auth).json() == []  # not shown to another tab
    assert httpx.get(base + "not-a-token", headers=auth).status_code == 403
    stop = f"{base}{theirs}/{mine[0]['id']}/stop"
    assert httpx.post(stop, headers={**auth, "X-Samantha-Request": "stop"}).status_code == 404
    assert httpx.post(f"{base}{token}/{mine[0]['id']}/stop",
                      headers=auth).status_code == 403  # no header
    assert httpx.post(f"{base}{token}/{mine[0]['id']}/stop",
                      headers={**auth, "X-Samantha-Request": "stop"}).json() == {"stopped": True}


def test_jupyterlab_on_a_run_from_the_history_tab(page, session_home: Path) -> None:
    page.fill("#user-prompt textarea", "print the sum of 2 and 3 in Python:")
    page.press("#user-prompt textarea", "Enter")
    page.wait_for_function("document.querySelector('#output textarea').value.includes("
                           "' tokens, ')", timeout=120_000)
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
    open_in_history(page, session_home, run_id)
    page.click("#history-jupyter")
    url = started_url(page, "#history-tool-message")
    assert f"/lab/tree/run-{run_id}.ipynb?token=" in url
    base, ticket = url.split("/lab/")[0], url.split("token=")[1]
    notebook = httpx.get(f"{base}/api/contents/run-{run_id}.ipynb",
                         params={"token": ticket}, timeout=30)  # the link's ticket, once
    assert notebook.status_code == 200 and notebook.json()["type"] == "notebook"
    assert httpx.get(f"{base}/api/contents/run-{run_id}.ipynb",
                     params={"token": ticket}).status_code == 403  # used
    assert httpx.get(f"{base}/api/contents/run-{run_id}.ipynb").status_code == 403


def test_jupyterlab_from_the_code_panel_on_this_chat(page) -> None:
    open_panel(page, "code-panel")
    page.wait_for_selector("#code-jupyter", state="visible")
    page.click("#code-jupyter")  # no run yet in this tab: the notebooks folder
    url = started_url(page, "#code-tool-message")
    assert "/lab?token=" in url
    opened = click_link(page, "#code-tool-message a")
    assert opened.url.split("?")[0].endswith("/lab")
    base = url.split("/lab")[0]
    assert page.context.request.get(f"{base}/api/contents").json()["type"] == "directory"


def test_the_code_panel_python_packed_into_an_executable(page) -> None:
    open_panel(page, "code-panel")
    editor = page.locator("#code-box .cm-content")
    editor.wait_for(state="visible")
    editor.click()
    page.keyboard.insert_text('print("hello from a packed chat")\n')
    open_tools(page)
    page.click("#tool-package")
    page.locator("#tools-message", has_text="Packed:").wait_for(timeout=300_000)
    path = page.locator("#tools-message").text_content().split("Packed:", 1)[1].strip()
    assert "Building EXE" in page.locator("#tool-log textarea").input_value()
    assert subprocess.run([path], capture_output=True, text=True, timeout=60, check=False
                          ).stdout == "hello from a packed chat\n"
    page.locator("#tool-executable a").first.wait_for()  # offered for download


def _datasette_from_a_new_server(home: Path, browser) -> tuple[Server, str, dict[int, int]]:
    """A ``samantha ui`` of its own, Datasette started from its page; the server, the
    Datasette address, and the Datasette process (pid -> start time)."""
    server = Server(home)
    tab = browser.new_page()
    try:
        tab.goto(server.entry)
        tab.wait_for_selector("#start-button", timeout=60_000)
        open_tools(tab)
        tab.click("#tool-datasette")
        started_url(tab)
        url = address(tab)
    finally:
        tab.close()
    tools = {pid: began for pid, began in descendants(server.proc.pid).items()
             if b"datasette" in Path(f"/proc/{pid}/cmdline").read_bytes()}
    assert len(tools) == 1
    return server, url, tools


def test_tools_stop_with_samantha(tmp_path: Path, browser) -> None:
    home = tmp_path / "home"
    home.mkdir()
    server, url, tools = _datasette_from_a_new_server(home, browser)
    server.stop()  # SIGTERM, as a service manager stops it
    assert server.proc.returncode == 0
    assert not [pid for pid, started in tools.items() if running(pid, started)]
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=3)


def test_tools_end_when_samantha_is_killed(tmp_path: Path, browser) -> None:
    home = tmp_path / "home"
    home.mkdir()
    server, url, tools = _datasette_from_a_new_server(home, browser)
    try:
        server.proc.kill()  # kill -9, as a crash: no handler of Samantha's runs
        server.proc.wait()
        assert left_behind(tools, groups=tuple(tools), timeout=5) == []
        with pytest.raises(httpx.TransportError):
            httpx.get(url, timeout=3)
    finally:
        server.stop()


# What a Samantha killed earlier left: a tool that ignores SIGTERM (so its parent-death
# signal too), started by a process on the same data home that was then killed.
STUBBORN = ("import http.server, signal, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), "
            "http.server.SimpleHTTPRequestHandler).serve_forever()")
KILLED_SAMANTHA = '''\
import sys
from pathlib import Path
from samantha.tools import Toolbox, ToolSpec
folder, stubborn, port = sys.argv[1:4]
tool = Toolbox(Path(folder)).start(ToolSpec("Stubborn", ("stubborn",),
                                            (sys.executable, "-c", stubborn, port), int(port)))
print(tool.pid, flush=True)
sys.stdin.read()
'''


def test_a_new_samantha_stops_what_a_killed_one_left(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    killed = subprocess.Popen([sys.executable, "-c", KILLED_SAMANTHA, str(home / "tools"),
                               STUBBORN, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    pid = int(killed.stdout.readline())
    orphan = {pid: stat(pid)[4]}
    killed.kill()
    killed.wait()
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200  # left
    server = Server(home)
    try:
        assert left_behind(orphan, groups=(pid,), timeout=15) == []
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=3)
        said = (f"Stopped Stubborn (pid {pid}, port {port}), left running by a Samantha that "
                f"ended (process {killed.pid}).")
        deadline = time.monotonic() + 15  # said once the stop is done: just after it is gone
        while said not in server.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert said in server.log_path.read_text()
    finally:
        server.stop()
        if running(pid, orphan[pid]):
            os.kill(pid, signal.SIGKILL)
