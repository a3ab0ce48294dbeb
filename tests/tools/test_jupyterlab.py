"""JupyterLab for real: a run's notebook served with a token, a kernel, and nothing left after
stop_all (the kernel runs in a session of its own)."""

from __future__ import annotations

import json
import time
import urllib.parse

from support.processes import descendants, get, get_json, left_behind, post_json, stat

from samantha.app import Workbench
from samantha.handoffs import start_jupyter
from samantha.tools import Toolbox


def test_jupyterlab_opens_a_runs_notebook_and_leaves_nothing(bench: Workbench, toolbox: Toolbox,
                                                            code_run: int) -> None:
    tool = start_jupyter(bench, toolbox, code_run)
    base, query = tool.url.split("/lab/", 1)[0], tool.url.split("?", 1)[1]
    token = urllib.parse.parse_qs(query)["token"][0]
    assert tool.url == f"{base}/lab/tree/run-{code_run}.ipynb?token={token}" and len(token) >= 32
    notebook = bench.home / "notebooks" / f"run-{code_run}.ipynb"
    assert json.loads(notebook.read_text())["nbformat"] == 4

    status, model = get_json(f"{base}/api/contents/run-{code_run}.ipynb?token={token}")
    assert status == 200 and model["type"] == "notebook"
    code = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    assert code == ["print('hi from the notebook')"]
    assert get(f"{base}/api/contents/run-{code_run}.ipynb")[0] == 403  # no token, no notebook
    assert get(tool.url)[0] == 200  # the JupyterLab page itself
    assert token not in open(f"/proc/{tool.pid}/cmdline").read()  # given in the environment

    status, kernel = post_json(f"{base}/api/kernels?token={token}", {"name": "python3"})
    assert status == 201
    kernel_pid = _wait_for_kernel(tool.pid)
    assert stat(kernel_pid)[2] == kernel_pid != tool.pid  # its own session: killpg misses it

    again = start_jupyter(bench, toolbox)  # no run: the same JupyterLab, on the folder
    assert (again.id, again.pid) == (tool.id, tool.pid) and again.url == f"{base}/lab?{query}"

    family = {**descendants(tool.pid), tool.pid: stat(tool.pid)[4]}
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid, kernel_pid)) == []
    assert toolbox.running() == []


def _wait_for_kernel(server: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in descendants(server):
            if b"ipykernel" in open(f"/proc/{pid}/cmdline", "rb").read():
                return pid
        time.sleep(0.2)
    raise AssertionError("no kernel process appeared under JupyterLab")
