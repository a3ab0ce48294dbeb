"""The Tools panel in headless Chromium: Datasette, D-Tale and JupyterLab started from the page
for real, listed with their addresses for the tab that started them only, stopped one by one,
with Stop tools and with Samantha; PyInstaller packs the code panel's Python."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from support.processes import descendants, running
from ui.conftest import Server, shot
from ui.pages import open_panel


def open_tools(page) -> None:
    open_panel(page, "tools-panel")
    page.wait_for_selector("#tool-datasette", state="visible")
    page.wait_for_function("document.querySelector('#live-token textarea, #live-token input')"
                           ".value !== ''")


def started_url(page, selector: str = "#tools-message") -> str:
    """The address the message under the buttons links to, once the tool answers."""
    link = page.locator(f"{selector} a")
    link.wait_for(timeout=120_000)
    return link.get_attribute("href")


def listed(page) -> list[str]:
    return page.locator("#tools-list .tool-row a").evaluate_all(
        "(links) => links.map((link) => link.href)")


def test_datasette_and_dtale_listed_stopped_one_by_one_and_all(page, tmp_path: Path) -> None:
    open_tools(page)
    page.click("#tool-datasette")
    datasette = started_url(page)
    assert re.match(r"http://127\.0\.0\.1:\d+/", datasette)
    assert "Datasette is running" in page.locator("#tools-message").text_content()
    tables = httpx.get(datasette + ".json").json()  # the history database's page, as JSON
    assert "runs" in {table["name"] for table in tables["tables"]}
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 1")
    table = tmp_path / "cities.csv"
    table.write_text("city,people\nLisbon,545000\nPorto,232000\n", encoding="utf-8")
    page.set_input_files("#tool-table input[type=file]", str(table))
    page.wait_for_timeout(500)  # the upload
    page.click("#tool-dtale")
    page.locator("#tools-message", has_text="D-Tale is running").wait_for(timeout=120_000)
    dtale = started_url(page)
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 2")
    rows = httpx.get(dtale.split("/dtale/")[0] + "/dtale/data/1", params={
        "ids": '["0-1"]'}).json()
    assert rows["total"] == 2 and {r["city"] for r in rows["results"].values()} == {
        "Lisbon", "Porto"}
    shot(page, "tools")
    page.locator("#tools-list .tool-row", has_text="Datasette").locator(".tool-stop").click()
    page.wait_for_function("document.querySelectorAll('#tools-list .tool-row').length === 1")
    with pytest.raises(httpx.TransportError):
        httpx.get(datasette, timeout=3)
    assert httpx.get(dtale, timeout=10).status_code == 200  # the other one goes on
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
    dtale = started_url(page)
    rows = httpx.get(dtale.split("/dtale/")[0] + "/dtale/data/1", params={
        "ids": '["0-1"]'}).json()
    assert {r["name"] for r in rows["results"].values()} == {"Ana", "Bia"}
    page.click("#tools-stop")
    page.locator("#tools-message", has_text="Every tool was stopped").wait_for()


def test_a_tab_sees_only_its_own_tools(ui_server, page, browser) -> None:
    open_tools(page)
    page.click("#tool-datasette")
    started_url(page)
    token = page.evaluate("document.querySelector('#live-token textarea, #live-token input')"
                          ".value")
    other = browser.new_page()
    try:
        other.goto(ui_server.url)
        other.wait_for_selector("#start-button", timeout=60_000)
        other.wait_for_function("document.querySelector('#live-token textarea, "
                                "#live-token input').value !== ''")
        theirs = other.evaluate("document.querySelector('#live-token textarea, "
                                "#live-token input').value")
    finally:
        other.close()
    base = ui_server.url + "samantha/tools/"
    mine = httpx.get(base + token).json()
    assert [tool["name"] for tool in mine] == ["Datasette"]
    assert httpx.get(base + theirs).json() == []  # the address is not shown to another tab
    assert httpx.get(base + "not-a-token").status_code == 403
    stop = f"{base}{theirs}/{mine[0]['id']}/stop"
    assert httpx.post(stop, headers={"X-Samantha-Request": "stop"}).status_code == 404
    assert httpx.post(f"{base}{token}/{mine[0]['id']}/stop").status_code == 403  # no header
    assert httpx.post(f"{base}{token}/{mine[0]['id']}/stop",
                      headers={"X-Samantha-Request": "stop"}).json() == {"stopped": True}


def test_jupyterlab_on_a_run_from_the_history_tab(page) -> None:
    page.fill("#user-prompt textarea", "print the sum of 2 and 3 in Python:")
    page.press("#user-prompt textarea", "Enter")
    page.wait_for_function("document.querySelector('#output textarea').value.includes("
                           "' tokens, ')", timeout=120_000)
    page.locator("#history-tab-button, button[role=tab]", has_text="History").first.click()
    page.wait_for_selector("#history-run-id input", state="visible")
    runs = page.locator("#runs tbody tr td:first-child").all_text_contents()
    run_id = max(int(text) for text in runs if text.strip().isdigit())
    page.fill("#history-run-id input", str(run_id))
    page.click("#history-jupyter")
    url = started_url(page, "#history-tool-message")
    assert f"/lab/tree/run-{run_id}.ipynb?token=" in url
    base, token = url.split("/lab/")[0], url.split("token=")[1]
    notebook = httpx.get(f"{base}/api/contents/run-{run_id}.ipynb",
                         params={"token": token}, timeout=30)
    assert notebook.status_code == 200 and notebook.json()["type"] == "notebook"
    assert httpx.get(f"{base}/api/contents/run-{run_id}.ipynb").status_code == 403


def test_jupyterlab_from_the_code_panel_on_this_chat(page) -> None:
    open_panel(page, "code-panel")
    page.wait_for_selector("#code-jupyter", state="visible")
    page.click("#code-jupyter")  # no run yet in this tab: the notebooks folder
    url = started_url(page, "#code-tool-message")
    assert "/lab?token=" in url
    base, token = url.split("/lab")[0], url.split("token=")[1]
    assert httpx.get(f"{base}/api/contents", params={"token": token}).json()["type"] == \
        "directory"


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
    assert subprocess.run([path], capture_output=True, text=True, timeout=60
                          ).stdout == "hello from a packed chat\n"
    page.locator("#tool-executable a").first.wait_for()  # offered for download


def test_tools_stop_with_samantha(tmp_path: Path, browser) -> None:
    home = tmp_path / "home"
    home.mkdir()
    server = Server(home)
    try:
        tab = browser.new_page()
        tab.goto(server.url)
        tab.wait_for_selector("#start-button", timeout=60_000)
        open_tools(tab)
        tab.click("#tool-datasette")
        url = started_url(tab)
        family = descendants(server.proc.pid)
        assert family and httpx.get(url).status_code == 200
        tab.close()
    finally:
        server.stop()  # SIGTERM, as a service manager stops it
    assert server.proc.returncode == 0
    assert not [pid for pid, started in family.items() if running(pid, started)]
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=3)
