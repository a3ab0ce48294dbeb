"""Fixtures of the tools' tests: a Toolbox that is always emptied, a Workbench on a fresh home
with one stored run that has code, a small real HTTP program to start as a tool, a Samantha of
its own (a process that starts that program, to be killed), and a browser's way in through a
tool's one-time link."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from samantha.core.chain import ChainConfig
from samantha.tools import Toolbox, ToolSpec
from samantha.tools.launchers import port_to_use
from samantha.workbench.facade import Workbench

PROBE = '''\
import http.server, signal, subprocess, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
print("probe starting", mode, flush=True)
if "stubborn" in mode:  # ignores SIGTERM, and so does the process it starts in a new session
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c", "import signal, time; "
                      "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"],
                     start_new_session=True)
if mode == "crash":
    print("boom: the probe cannot start", flush=True)
    sys.exit(3)
if mode == "silent":
    time.sleep(600)

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("probe " + mode + " " + self.path).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
'''


# A Samantha of its own: starts the probe as a tool with a Toolbox on FOLDER, prints the tool's
# pid and stays until it is killed (or its standard input closes).
OWNER = '''\
import sys
from pathlib import Path
from samantha.tools import Toolbox, ToolSpec
folder, probe, mode, port = sys.argv[1:5]
box = Toolbox(Path(folder), grace=1.0)
tool = box.start(ToolSpec("Probe", ("probe", mode), (sys.executable, probe, mode, port),
                          int(port), page="/page", ready="/ready"))
print(tool.pid, flush=True)
sys.stdin.read()
box.stop_all()
'''


def browser(link: str) -> httpx.Client:
    """A client that opened ``link`` as a browser does (following redirects, keeping
    cookies); it must have been let in."""
    client = httpx.Client(trust_env=False, timeout=30)
    answer = client.get(link, follow_redirects=True)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    return client


@pytest.fixture
def owner(tmp_path: Path, probe_script: Path) -> Iterator:
    """``owner(mode, folder)``: a Samantha process with the probe running in that mode as its
    tool (its Toolbox on ``folder``, ``tmp_path/tools`` by default); (that process, the tool's
    pid)."""
    started: list[subprocess.Popen[str]] = []

    def run(mode: str = "serve", folder: Path | None = None) -> tuple[subprocess.Popen[str], int]:
        port = port_to_use(None)
        process = subprocess.Popen([sys.executable, "-c", OWNER, str(folder or tmp_path / "tools"),
                                    str(probe_script), mode, str(port)], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        started.append(process)
        line = process.stdout.readline()
        assert line.strip().isdigit(), (line, process.poll())
        return process, int(line)

    yield run
    for process in started:
        if process.poll() is None:
            process.communicate("", timeout=60)


@pytest.fixture
def toolbox(tmp_path: Path) -> Iterator[Toolbox]:
    box = Toolbox(tmp_path / "tools", grace=2.0)
    yield box
    box.stop_all()


@pytest.fixture
def probe_script(tmp_path: Path) -> Path:
    path = tmp_path / "probe.py"
    path.write_text(PROBE)
    return path


@pytest.fixture
def probe(probe_script: Path):
    """``probe(mode, key=…)``: the spec of the probe program in that mode, on a free port."""
    def make(mode: str = "serve", key: tuple[str, ...] | None = None,
             page: str = "/page") -> ToolSpec:
        port = port_to_use(None)
        return ToolSpec("Probe", key or ("probe", mode),
                        (sys.executable, str(probe_script), mode, str(port)), port,
                        page=page, ready="/ready")
    return make


@pytest.fixture
def bench(home: Path) -> Iterator[Workbench]:
    workbench = Workbench(home)
    yield workbench
    workbench.close()


def store_run(bench: Workbench, response: str) -> int:
    """A finished run of one cycle answering ``response``."""
    store = bench.store
    run_id = store.start_run(ChainConfig("Plot it").to_dict())
    cycle = store.start_cycle(run_id, number=1, model="default", model_path=None,
                              model_sha256=None, round=1, item=1, prompt="Plot it",
                              messages=[], settings={}, random_overrides=None)
    store.finish_cycle(cycle, response=response, tokens=9, prompt_tokens=3, seconds=0.1,
                       finish_reason="stop", error=None, status="done")
    store.finish_run(run_id, "finished")
    return run_id


@pytest.fixture
def code_run(bench: Workbench) -> int:
    """The id of a stored run whose answer holds Python."""
    return store_run(bench, "Sure:\n```python\nprint('hi from the notebook')\n```\nDone.")
