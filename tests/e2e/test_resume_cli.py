"""Runs never get lost, end to end: `samantha run` killed with SIGKILL or stopped with Ctrl+C
in a real subprocess on the real default model, then `samantha history resume` in another."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from samantha.store import RunStore

pytestmark = pytest.mark.e2e

PROMPTS = "Count from 1 to 300: 1, 2, 3, 4,\nKeep counting.\nNow count backwards."
CHAIN = ["--prompts", PROMPTS, "--feedback", "--max-tokens", "40"]
COMPARED = ("number", "model", "prompt", "messages", "settings", "response", "tokens", "status")


@pytest.fixture
def home(session_home: Path, tmp_path: Path) -> Path:
    """A data home of its own, holding (a link to) the session's default model."""
    path = tmp_path / "home"
    (path / "models").mkdir(parents=True)
    for model in (session_home / "models").glob("*.gguf"):
        os.link(model, path / "models" / model.name)
    return path


def samantha_process(home: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "samantha", *args], text=True,
                            env={**os.environ, "SAMANTHA_HOME": str(home)}, **popen)


def samantha_run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    child = samantha_process(home, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate(timeout=300)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def cycle_statuses(db: Path) -> list[tuple[int, str, int]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT number, status, tokens FROM cycles ORDER BY number")\
                .fetchall()
    except sqlite3.OperationalError:  # the tables are being made
        return []


def wait_for(child: subprocess.Popen[str], db: Path, ready) -> None:
    deadline = time.monotonic() + 240
    while not ready(cycle_statuses(db)):
        assert child.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, cycle_statuses(db)
        time.sleep(0.02)


def cycles(store: RunStore, run_id: int) -> list[dict]:
    return [{k: getattr(c, k) for k in COMPARED} for c in store.get_run(run_id).cycles]


def test_a_killed_run_is_interrupted_and_resumes_as_if_never_killed(home: Path, samantha,
                                                                    real_workbench) -> None:
    db = home / "history.sqlite3"
    child = samantha_process(home, "run", *CHAIN, stdout=subprocess.DEVNULL)
    wait_for(child, db, lambda rows: [r[:2] for r in rows[:2]] == [(1, "done"), (2, "running")])
    child.send_signal(signal.SIGKILL)
    child.wait()

    listed = json.loads(samantha_run(home, "history", "list", "--json").stdout)
    run_id = listed[0]["id"]
    assert listed[0]["status"] == "interrupted"
    with RunStore(db) as store:
        assert [c.status for c in store.get_run(run_id).cycles] == ["done", "interrupted"]

    resumed = samantha_run(home, "history", "resume", str(run_id), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming run {run_id} at cycle 2 of 3 (1 cycle already done)." in resumed.stderr
    last = json.loads(resumed.stdout.splitlines()[-1])
    assert last["event"] == "run_finished" and last["status"] == "finished"
    with RunStore(db) as store:
        run = store.get_run(run_id)
        after = cycles(store, run_id)
    assert run.status == "finished" and [c["status"] for c in after] == ["done"] * 3
    assert [c["response"] for c in last["cycles"]] == [c["response"] for c in after]

    whole = json.loads(samantha("run", *CHAIN, "--seed", str(run.config["seed"]), "--json")
                       .stdout.splitlines()[-1])
    assert after == cycles(real_workbench.store, whole["run_id"])


def test_ctrl_c_leaves_the_run_interrupted_with_its_partial_text(home: Path) -> None:
    db = home / "history.sqlite3"
    # A shell's background job (CI started with `&`) ignores SIGINT, and Python then keeps
    # ignoring it: give the child the default disposition, as a terminal would.
    child = samantha_process(home, "run", "--prompts", PROMPTS, "--max-tokens", "200",
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for(child, db, lambda rows: bool(rows) and rows[0][2] >= 10)  # flushed twice a second
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "interrupted: `samantha history resume 1` continues it." in err
    with RunStore(db) as store:
        run = store.get_run(1)
    assert run.status == "interrupted" and "Ctrl+C" in run.stop_reason
    (cycle,) = run.cycles
    assert cycle.status == "interrupted" and cycle.tokens >= 10 and cycle.response


def test_rerun_with_other_settings_and_models(samantha, real_workbench) -> None:
    first = json.loads(samantha("run", "--prompts", "Say hi.", "--max-tokens", "6", "--json")
                       .stdout.splitlines()[-1])
    again = json.loads(samantha("history", "rerun", str(first["run_id"]), "--max-tokens", "3",
                                "--temperature", "0.8", "--seed", "12", "-m", "default", "-m",
                                "default", "--json").stdout.splitlines()[-1])
    run = real_workbench.store.get_run(again["run_id"])
    assert run.config["models"] == ["default", "default"] and run.config["seed"] == 12
    assert run.config["prompts"] == "Say hi."
    assert [(c.model, c.settings["max_tokens"], c.settings["temperature"]) for c in run.cycles] \
        == [("default", 3, 0.8)] * 2
    assert all(0 < c.tokens <= 3 for c in run.cycles)
    assert real_workbench.store.get_run(first["run_id"]).config["settings"]["max_tokens"] == 6
