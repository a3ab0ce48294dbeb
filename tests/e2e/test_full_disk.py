"""A full disk, end to end: the data home on a real tmpfs filled to its last byte, `samantha` in
real subprocesses on the real default model. A run that meets the full disk ends with one line
(exit 1) and is left interrupted; once there is room, `history list` works and the run resumes.
(Root only: where a tmpfs cannot be mounted the tests fail and say why.)"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.small_disk import SmallDisk, small_disk

from samantha.store import RunStore

pytestmark = pytest.mark.e2e

PROMPTS = "Name a fruit.\nName a colour.\nName a city.\nName an animal."
CHAIN = ["--prompts", PROMPTS, "--max-tokens", "12", "--json"]


@pytest.fixture
def disk(tmp_path: Path, session_home: Path) -> Iterator[SmallDisk]:
    """The data home on a tmpfs of its own; its models folder links to the session's."""
    with small_disk(tmp_path / "home", "16m") as mounted:
        (mounted.path / "models").symlink_to(session_home / "models")
        yield mounted


def samantha(home: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "samantha", *args], text=True,
                            env={**os.environ, "SAMANTHA_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def finished(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    child = samantha(home, *args)
    out, err = child.communicate(timeout=300)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: The disk is full: "), err
    return lines[0]


def test_a_run_that_meets_a_full_disk_stops_interrupted_and_resumes(disk: SmallDisk) -> None:
    child = samantha(disk.path, "run", *CHAIN)
    assert child.stdout is not None
    for line in child.stdout:
        event = json.loads(line)
        if event["event"] == "run_started":
            run_id = event["run_id"]
        if event["event"] == "cycle_finished":
            first = event["response"]
            break
    child.send_signal(signal.SIGSTOP)  # the disk fills while the run is in its second cycle
    disk.fill()
    child.send_signal(signal.SIGCONT)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 1, err
    line = one_error_line(err)
    stopped = re.fullmatch(
        rf"error: The disk is full: no room left in {re.escape(str(disk.path))} for run "
        rf"{run_id}, which stopped at cycle ([234]) \(what it generated before is kept\)\. Free "
        rf"some space there, then resume it: `samantha history resume {run_id}`, or Resume in "
        r"the History tab\.", line)
    assert stopped, line

    disk.free()
    listed = finished(disk.path, "history", "list", "--json")
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    assert [(r["id"], r["status"]) for r in json.loads(listed.stdout)] == [
        (run_id, "interrupted")]
    with RunStore(disk.path / "history.sqlite3") as store:
        kept = store.get_run(run_id).cycles
    assert (kept[0].status, kept[0].response) == ("done", first)

    resumed = finished(disk.path, "history", "resume", str(run_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming run {run_id} at cycle {stopped.group(1)} of 4" in resumed.stderr
    last = json.loads(resumed.stdout.splitlines()[-1])
    assert (last["event"], last["status"]) == ("run_finished", "finished")
    assert [c["response"] for c in last["cycles"]][0] == first
    with RunStore(disk.path / "history.sqlite3") as store:
        run = store.get_run(run_id)
    assert run.status == "finished" and [c.status for c in run.cycles] == ["done"] * 4


def test_history_list_on_a_full_disk_says_so_and_works_once_there_is_room(
        disk: SmallDisk) -> None:
    made = finished(disk.path, "run", "--prompts", "Name a fruit.", "--max-tokens", "4")
    assert made.returncode == 0, made.stderr
    disk.fill()
    full = finished(disk.path, "history", "list")
    assert full.returncode == 1 and full.stdout == ""
    line = one_error_line(full.stderr)
    assert line == (f"error: The disk is full: no room left in {disk.path} for the run history "
                    "(nothing stored in it is lost). Free some space there and try again.")
    disk.free()
    listed = finished(disk.path, "history", "list", "--json")
    assert listed.returncode == 0 and [r["status"] for r in json.loads(listed.stdout)] == [
        "finished"]


def test_code_run_on_a_full_disk_is_one_line(disk: SmallDisk, tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text("print('hello')\n", encoding="utf-8")
    disk.fill()
    full = finished(disk.path, "code", "run", str(script))
    assert full.returncode == 1 and full.stdout == ""
    assert one_error_line(full.stderr) == (
        f"error: The disk is full: no room left in {disk.path} (No space left on device). Free "
        "some space there and try again.")
    disk.free()
    ran = finished(disk.path, "code", "run", str(script))
    assert ran.returncode == 0 and "hello" in ran.stdout, ran.stderr


class SlowFile(BaseHTTPRequestHandler):
    """Serves the server's ``source`` at any path, with no size given (so no check of the room
    before it), holding the body until the test sets ``go``."""

    def do_GET(self) -> None:
        server = self.server
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        server.waiting.set()  # type: ignore[attr-defined]
        server.go.wait(60)  # type: ignore[attr-defined]
        with suppress(OSError):
            self.wfile.write(server.source.read_bytes())  # type: ignore[attr-defined]
        self.close_connection = True

    def do_HEAD(self) -> None:
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server(tiny_model: Path) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFile)
    server.daemon_threads = True
    server.source, server.waiting, server.go = (  # type: ignore[attr-defined]
        tiny_model, threading.Event(), threading.Event())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.go.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def test_a_download_that_meets_a_full_disk_is_one_line(disk: SmallDisk,
                                                       slow_server: ThreadingHTTPServer) -> None:
    (disk.path / "models").unlink()  # downloads go to the data home's own models folder
    host, port = slow_server.server_address[:2]
    url = f"http://{host}:{port}/tiny.gguf"
    child = samantha(disk.path, "models", "download", url)
    assert slow_server.waiting.wait(120)  # type: ignore[attr-defined]
    disk.fill()
    slow_server.go.set()  # type: ignore[attr-defined]
    out, err = child.communicate(timeout=120)
    assert child.returncode == 1, err
    line = one_error_line(err)
    assert line.startswith(f"error: The disk is full: no room left in {disk.path}"), line
    assert line.endswith("Free some space there and try again."), line
    disk.free()
    slow_server.waiting.clear()  # type: ignore[attr-defined]
    again = finished(disk.path, "models", "download", url)
    assert again.returncode == 0, again.stderr
    (saved,) = (disk.path / "models").glob("*.gguf")
    assert saved.read_bytes() == slow_server.source.read_bytes()  # type: ignore[attr-defined]
