"""Tools end with the Samantha that started them, even when it is killed: the parent-death
signal (asked for by the leash, from a thread that lives as long as the process), and the
data home's ledger, from which a new Samantha stops the orphans that signal did not end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner
from support.processes import descendants, get, left_behind, running, stat

from samantha.cli import cli
from samantha.tools import Toolbox
from samantha.tools.ledger import Entry, Ledger


def test_a_tool_outlives_the_thread_that_started_it(toolbox: Toolbox, probe) -> None:
    started = {}

    def start() -> None:  # a UI handler's worker thread, which ends when idle
        started["tool"] = toolbox.start(probe())
        started["thread"] = threading.get_native_id()

    worker = threading.Thread(target=start)
    worker.start()
    worker.join()
    task = Path(f"/proc/self/task/{started['thread']}")
    while task.exists():  # the thread is gone for the kernel too: a parent-death signal is sent
        threading.Event().wait(0.01)
    tool = started["tool"]
    assert get(tool.url)[0] == 200 and toolbox.running() == [tool]


def test_a_killed_samantha_takes_its_tools_along(owner, tmp_path: Path) -> None:
    process, pid = owner()
    known = {pid: stat(pid)[4]}
    (entry,) = Ledger(tmp_path / "tools" / "running").entries()
    assert (entry.name, entry.pid, entry.pgid, entry.owner) == ("Probe", pid, pid, process.pid)
    assert entry.started == stat(pid)[4] and entry.owner_started == stat(process.pid)[4]
    process.kill()  # kill -9: no handler of Samantha's runs
    process.wait()
    assert left_behind(known, groups=(pid,), timeout=5) == []


def test_a_new_samantha_stops_the_orphans_of_its_data_home(owner, tmp_path: Path) -> None:
    process, pid = owner("stubborn")  # ignores SIGTERM, so the parent-death signal too
    (helper,) = descendants(pid)  # in a session of its own, also ignoring SIGTERM
    known = {pid: stat(pid)[4], helper: stat(helper)[4]}
    process.kill()
    process.wait()
    assert running(pid, known[pid])  # an orphan, still serving
    stopped, kept = Toolbox(tmp_path / "tools", grace=1.0).stop_orphans()
    assert [(e.name, e.pid) for e in stopped] == [("Probe", pid)] and kept == []
    assert left_behind(known, groups=(pid, helper), timeout=5) == []
    assert Ledger(tmp_path / "tools" / "running").entries() == []
    assert list((tmp_path / "tools" / "doors").glob("*")) == []


def test_samantha_tools_stop(owner, home: Path) -> None:
    tools = home / "tools"
    orphan_owner, orphan = owner("stubborn", tools)
    living_owner, living = owner("serve", tools)
    began = stat(orphan)[4]
    orphan_owner.kill()
    orphan_owner.wait()
    port = json.loads(next((tools / "running").glob(f"*-{living}.json")).read_text())["port"]
    result = CliRunner().invoke(cli, ["tools", "stop"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Stopped Probe (pid {orphan}, port ")
    assert lines[0].endswith(f"left running by Samantha process {orphan_owner.pid}, which "
                             "ended.")
    assert lines[1] == (f"Left alone: Probe (pid {living}, port {port}), of Samantha process "
                        f"{living_owner.pid}, which still runs: stop it there.")
    assert left_behind({orphan: began}, groups=(orphan,), timeout=5) == []
    assert get(f"http://127.0.0.1:{port}/page")[0] == 200  # the living Samantha's tool
    again = CliRunner().invoke(cli, ["tools", "stop"])
    assert again.stdout.startswith("Left alone: Probe")


def test_a_pid_handed_out_again_is_not_taken_for_the_tool(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "running")
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    try:
        began = stat(stranger.pid)[4]
        ledger.add(Entry("Probe", stranger.pid, stranger.pid, began - 1, 1, ended.pid, 1))
        assert ledger.stop_orphans(grace=0.5) == ([], [])  # another process now has that pid
        assert running(stranger.pid, began) and ledger.entries() == []
    finally:
        stranger.kill()
        stranger.wait()


def test_an_unreadable_entry_is_dropped(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "running")
    ledger.folder.mkdir()
    (ledger.folder / "1-2.json").write_text("{not json")
    (ledger.folder / "3-4.json").write_text('{"name": "x"}')
    assert ledger.entries() == [] and list(ledger.folder.iterdir()) == []


def test_the_leash_refuses_a_parent_that_is_gone() -> None:
    from samantha.tools.leash import LEASH

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    result = subprocess.run([sys.executable, "-I", "-S", "-c", LEASH, str(gone.pid), "true"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "the process that started this tool has already ended" in result.stderr
    missing = subprocess.run([sys.executable, "-I", "-S", "-c", LEASH, str(os.getpid()),
                              "/nonexistent/tool"], capture_output=True, text=True, check=False)
    assert missing.stderr.strip() == ("samantha: cannot start /nonexistent/tool: No such file "
                                      "or directory")
