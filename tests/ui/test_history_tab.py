"""The History tab in the browser: a run exported as a chain file, run again with changed
settings, and an interrupted run resumed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from samantha.store import RunStore

from .pages import open_in_history, set_number, set_prompts, wait_footers

pytestmark = pytest.mark.e2e


def latest(home: Path):
    with RunStore(home / "history.sqlite3") as store:
        return store.get_run(store.latest_run_id())


def test_export_as_a_chain_file_and_rerun_with_changed_settings(page, session_home) -> None:
    set_prompts(page, "Name a colour.")
    set_number(page, "max_tokens", 6)
    page.click("#start-button")
    wait_footers(page, 1)
    run = latest(session_home)
    open_in_history(page, session_home, run.id)
    page.locator("#export-format").get_by_text("toml", exact=True).click()
    page.click("#export-run")
    page.wait_for_selector("#export-file a[download]", timeout=30_000)
    chain = page.request.get(page.get_attribute("#export-file a[download]", "href")).text()
    assert tomllib.loads(chain)["settings"]["max_tokens"] == 6
    page.fill("#rerun-changes textarea, #rerun-changes input", "max_tokens=3, temperature=0.5")
    page.click("#rerun-run")
    page.wait_for_function("document.querySelector('#rerun-output textarea').value"
                           ".includes('---------- (')", timeout=90_000)
    again = latest(session_home)
    assert again.id > run.id and again.cycles[0].settings["max_tokens"] == 3
    assert again.cycles[0].settings["temperature"] == 0.5 and again.cycles[0].tokens <= 3
    page.fill("#rerun-changes textarea, #rerun-changes input", "temprature=0.5")
    page.click("#rerun-run")
    page.wait_for_function("document.querySelector('#rerun-output textarea').value"
                           ".includes('temprature')")
    assert latest(session_home).id == again.id  # nothing ran


def test_an_interrupted_run_resumes_from_the_history_tab(page, session_home: Path) -> None:
    db = session_home / "history.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "samantha", "run", "--prompts", "Name a fruit.\nName a tree.\n"
         "Name a city.", "--feedback", "--max-tokens", "12"],
        env={**os.environ, "SAMANTHA_HOME": str(session_home)}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    run_id = None
    while run_id is None:
        assert child.poll() is None and time.monotonic() < deadline
        with sqlite3.connect(db) as conn:  # the newest run, once its cycle 1 is done
            row = conn.execute(
                "SELECT runs.id FROM runs JOIN cycles ON cycles.run_id = runs.id"
                " WHERE runs.status = 'running' AND cycles.number = 1"
                " AND cycles.status = 'done' ORDER BY runs.id DESC LIMIT 1").fetchone()
        run_id = row[0] if row else None
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    open_in_history(page, session_home, run_id)
    page.click("#resume-run")
    page.wait_for_function("document.querySelector('#rerun-output textarea').value"
                           f".includes('Run {run_id} saved')", timeout=120_000)
    with RunStore(db) as store:
        run = store.get_run(run_id)
    assert run.status == "finished" and [c.number for c in run.cycles] == [1, 2, 3]
    assert all(c.status == "done" for c in run.cycles)
