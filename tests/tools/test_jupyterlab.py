"""JupyterLab for real: a run's notebook opened through a one-time link, a kernel, each tab's
link its own, no token in any page, a foreign Host refused, and nothing left after stop_all
(the kernel runs in a session of its own)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from pathlib import Path

import httpx
from support.processes import descendants, get, left_behind, stat

from samantha.tools import Toolbox
from samantha.workbench.facade import Workbench
from samantha.workbench.handoffs import start_jupyter

from .conftest import browser


def test_jupyterlab_opens_a_runs_notebook_and_leaves_nothing(bench: Workbench, toolbox: Toolbox,
                                                            code_run: int) -> None:
    tool = start_jupyter(bench, toolbox, code_run)
    base = tool.base
    assert tool.url == f"{base}/lab/tree/run-{code_run}.ipynb"
    notebook = bench.home / "notebooks" / f"run-{code_run}.ipynb"
    assert json.loads(notebook.read_text())["nbformat"] == 4
    link = toolbox.link(tool.id)
    assert link.url == f"{tool.url}?token={link.ticket}" and len(link.ticket) >= 32

    tab = browser(link.url)
    answer = tab.get(f"{base}/api/contents/run-{code_run}.ipynb")
    assert answer.status_code == 200 and answer.json()["type"] == "notebook"
    code = [c["source"] for c in answer.json()["content"]["cells"] if c["cell_type"] == "code"]
    assert code == ["print('hi from the notebook')"]
    assert get(f"{base}/api/contents/run-{code_run}.ipynb")[0] == 403  # no link, no notebook

    xsrf = tab.cookies.get("_xsrf")
    kernel = tab.post(f"{base}/api/kernels", json={"name": "python3"},
                      headers={"X-XSRFToken": xsrf})
    assert kernel.status_code == 201
    kernel_pid = _wait_for_kernel(tool.pid)
    assert stat(kernel_pid)[2] == kernel_pid != tool.pid  # its own session: killpg misses it
    channels = f"ws://127.0.0.1:{tool.port}/api/kernels/{kernel.json()['id']}/channels"
    cookie = "; ".join(f"{name}={value}" for name, value in tab.cookies.items())
    assert asyncio.run(_run_in_kernel(channels, cookie, "print(6 * 7)")) == "42\n"
    refused = asyncio.run(_run_in_kernel(channels, "", "print(1)"))  # no cookie: no kernel
    assert refused == "HTTP 403"

    again = start_jupyter(bench, toolbox)  # no run: the same JupyterLab, on the folder
    assert (again.id, again.pid) == (tool.id, tool.pid) and again.url == f"{base}/lab"

    family = {**descendants(tool.pid), tool.pid: stat(tool.pid)[4]}
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid, kernel_pid)) == []
    assert toolbox.running() == []
    assert not list((toolbox.folder / "doors").iterdir())  # the door went with it


def test_each_tab_gets_its_own_way_in_and_no_token_is_shown(bench: Workbench, toolbox: Toolbox,
                                                           code_run: int) -> None:
    tool = start_jupyter(bench, toolbox, code_run)
    first = toolbox.link(tool.id)
    second = toolbox.link(start_jupyter(bench, toolbox, code_run).id)  # another tab asks
    assert first.ticket != second.ticket and first.ticket not in second.url
    assert toolbox.link(tool.id, previous=first) == first  # the tab's list shows it again

    tab = browser(first.url)
    page = tab.get(tool.url)
    assert page.status_code == 200 and "jupyter-config-data" in page.text
    assert re.findall(r'"token": "[^"]*"', page.text) == ['"token": ""']  # nothing to hand on
    assert toolbox.link(tool.id, previous=first) != first  # used: a fresh one is made

    stranger = httpx.Client(trust_env=False)
    used = stranger.get(first.url)  # the first tab's link, after it was used
    assert used.status_code == 302 and used.headers["location"].startswith("/login")
    login = stranger.get(f"{tool.base}/login")
    assert login.status_code == 403 and "press the tool's button" in login.text
    assert stranger.get(f"{tool.base}/api/contents").status_code == 403
    assert browser(second.url).get(f"{tool.base}/api/contents").status_code == 200

    for where in (f"{tool.base}/api/contents", tool.url):  # DNS rebinding: Jupyter's check
        refused = tab.get(where, headers={"Host": f"attacker.example:{tool.port}"})
        assert refused.status_code == 403
    assert "Blocking request with non-local 'Host' attacker.example" in tool.log.read_text()
    environ = Path(f"/proc/{tool.pid}/environ").read_bytes()
    cmdline = Path(f"/proc/{tool.pid}/cmdline").read_bytes()
    assert b"JUPYTER_TOKEN" not in environ and b"token" not in cmdline.lower()


def test_jupyters_runtime_files_hold_no_token(bench: Workbench, toolbox: Toolbox) -> None:
    from jupyter_core.paths import jupyter_runtime_dir

    tool = start_jupyter(bench, toolbox)
    runtime = Path(jupyter_runtime_dir())
    info = json.loads((runtime / f"jpserver-{tool.pid}.json").read_text())  # `jupyter server
    assert info["port"] == tool.port and info["token"] == ""  # list` shows any local process
    opener = runtime / f"jpserver-{tool.pid}-open.html"
    assert not opener.exists() or "token=" not in opener.read_text()
    assert get(f"{tool.base}/api/contents?token=")[0] == 403  # an empty token opens nothing


async def _run_in_kernel(url: str, cookie: str, code: str) -> str:
    """Run ``code`` in a kernel through its websocket, as JupyterLab's page does (its login
    cookie, no token): what it prints, or the HTTP status that refused the websocket."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    origin = url.replace("ws://", "http://").split("/api/")[0]
    try:
        socket = await websocket_connect(HTTPRequest(url, headers={"Cookie": cookie,
                                                                   "Origin": origin}))
    except HTTPClientError as error:
        return f"HTTP {error.code}"
    request = {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request",
                          "username": "", "session": uuid.uuid4().hex, "version": "5.3"},
               "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
               "content": {"code": code, "silent": False, "store_history": False,
                           "user_expressions": {}, "allow_stdin": False}}
    await socket.write_message(json.dumps(request))
    printed = ""
    while True:
        message = json.loads(await asyncio.wait_for(socket.read_message(), 60))
        if message["msg_type"] == "stream":
            printed += message["content"]["text"]
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle" \
                and message["parent_header"].get("msg_id") == request["header"]["msg_id"]:
            socket.close()
            return printed


def _wait_for_kernel(server: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in descendants(server):
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        time.sleep(0.2)
    raise AssertionError("no kernel process appeared under JupyterLab")
