"""Fixtures of the tools' tests: a Toolbox that is always emptied, a Workbench on a fresh home
with one stored run that has code, and a small real HTTP program to start as a tool."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from samantha.app import Workbench
from samantha.core.chain import ChainConfig
from samantha.tools import Toolbox, ToolSpec
from samantha.tools.launchers import port_to_use

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
