"""Who owns a run, and the runs found interrupted when the history is opened."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from samantha.core.chain import ChainConfig
from samantha.engines.fake import FakeEngine
from samantha.store import RunOwner, RunStore
from samantha.workbench.facade import Workbench
from samantha.workbench.liveness import is_alive, owner_state, start_token, this_process

HOST = socket.gethostname()
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_this_process_is_alive() -> None:
    me = this_process()
    assert (me.host, me.pid) == (HOST, os.getpid())
    assert is_alive(me) and owner_state(me) == "alive"


def test_an_ended_process_is_gone() -> None:
    assert not is_alive(RunOwner(HOST, dead_pid(), None))
    assert owner_state(None) == "gone"  # runs recorded before owners were


def test_another_host_cannot_be_checked() -> None:
    assert owner_state(RunOwner("elsewhere.example", os.getpid(), None)) == "elsewhere"


@linux_only
def test_a_reused_pid_is_told_apart() -> None:
    me = this_process()
    assert me.started is not None and me.started == start_token(os.getpid())
    assert not is_alive(RunOwner(HOST, os.getpid(), me.started.split(":")[0] + ":1"))


@linux_only
def test_the_start_time_is_field_22_of_proc_stat() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        fields = Path(f"/proc/{child.pid}/stat").read_text().split()
        assert start_token(child.pid).endswith(":" + fields[21])  # no spaces in "(python)"
        assert is_alive(RunOwner(HOST, child.pid, start_token(child.pid)))
    finally:
        child.kill()
        child.wait()


@linux_only
def test_a_process_that_ended_but_is_not_collected_yet_is_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    token = None
    while Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1][0] != "Z":
        token = token or start_token(child.pid)
    assert not is_alive(RunOwner(HOST, child.pid, token))
    child.wait()


def running_run(store: RunStore, owner: RunOwner | None) -> int:
    run_id = store.start_run(ChainConfig("x").to_dict(), owner)
    cycle = store.start_cycle(run_id, number=1, model="default", model_path=None,
                              model_sha256=None, round=1, item=1, prompt="x", messages=[],
                              settings={}, random_overrides=None)
    store.update_partial(cycle, "half an ans", 3)
    return run_id


def test_opening_the_history_marks_the_runs_of_ended_processes(home: Path) -> None:
    with RunStore(home / "history.sqlite3") as store:
        dead = running_run(store, RunOwner(HOST, dead_pid(), None))
        old = running_run(store, None)
        reused = running_run(store, RunOwner(HOST, os.getpid(), "another-boot:12"))
        live = running_run(store, this_process())
        remote = running_run(store, RunOwner("elsewhere.example", 1, None))
    bench = Workbench(home, engine=FakeEngine())
    statuses = {r.id: r.status for r in bench.store.list_runs()}
    reused_status = "interrupted" if this_process().started else "running"
    assert statuses == {dead: "interrupted", old: "interrupted", reused: reused_status,
                        live: "running", remote: "running"}
    run = bench.store.get_run(dead)
    assert "ended before the run did" in run.stop_reason and run.finished_at
    (cycle,) = run.cycles
    assert (cycle.status, cycle.response, cycle.tokens) == ("interrupted", "half an ans", 3)
    assert bench.store.get_run(live).cycles[0].status == "running"


def test_a_run_started_by_the_workbench_records_this_process(fake_workbench) -> None:
    chain = fake_workbench.start_run(ChainConfig("hi", models=("fake.gguf",)))
    assert fake_workbench.store.run_owner(chain.id) == this_process()
    list(chain)
