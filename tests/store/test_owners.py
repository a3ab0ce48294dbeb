"""Run owners, interrupted runs and claiming one to resume it, in the history."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from samantha.store import RunNotFoundError, RunOwner, RunStore
from samantha.store.errors import CycleNotFoundError
from samantha.store.migrations import MIGRATIONS, migrate

CycleArgs = Callable[..., dict[str, object]]
ME = RunOwner("here", 100, "boot:5")
OTHER = RunOwner("here", 200, None)


def finished_cycle(store: RunStore, run_id: int, args: dict[str, object]) -> int:
    cycle = store.start_cycle(run_id, **args)
    store.finish_cycle(cycle, response="done", tokens=1, prompt_tokens=1, seconds=0.1,
                       finish_reason="stop", error=None, status="done")
    return cycle


def test_owners_are_recorded(store: RunStore) -> None:
    owned, unowned = store.start_run({}, ME), store.start_run({})
    assert store.run_owner(owned) == ME and store.run_owner(unowned) is None
    store.finish_run(unowned, "finished")
    assert store.running_runs() == [(owned, ME)]
    with pytest.raises(RunNotFoundError):
        store.run_owner(99)


def test_interrupting_keeps_finished_cycles_and_partial_text(store: RunStore,
                                                             cycle_args: CycleArgs) -> None:
    run_id = store.start_run({}, ME)
    finished_cycle(store, run_id, cycle_args(1))
    second = store.start_cycle(run_id, **cycle_args(2))
    store.update_partial(second, "half", 2)
    assert store.interrupt_run(run_id, "gone")
    run = store.get_run(run_id)
    assert (run.status, run.stop_reason) == ("interrupted", "gone") and run.finished_at
    assert [(c.status, c.response, c.tokens) for c in run.cycles] == [
        ("done", "done", 1), ("interrupted", "half", 2)]
    assert not store.interrupt_run(run_id, "again")  # only running runs
    with pytest.raises(RunNotFoundError):
        store.interrupt_run(99, "x")


def test_a_run_owned_by_another_process_now_is_not_interrupted(store: RunStore) -> None:
    run_id = store.start_run({}, ME)
    assert not store.interrupt_if_owned(run_id, OTHER, "x")
    assert store.get_run(run_id).status == "running"
    assert store.interrupt_if_owned(run_id, ME, "x")
    unowned = store.start_run({})
    assert store.interrupt_if_owned(unowned, None, "x")


def test_claiming_an_interrupted_run(store: RunStore, db: Path, cycle_args: CycleArgs) -> None:
    run_id = store.start_run({}, ME)
    first = finished_cycle(store, run_id, cycle_args(1))
    second = finished_cycle(store, run_id, cycle_args(2))
    store.save_trace(second, 1, [{"token": 1}])
    store.record_code_run(run_id, second, code="print(1)", dropped=[], stdout="1", stderr="",
                          exit_status=0, seconds=0.1, timed_out=False, limit=None, work_dir="/w",
                          files=[], figures=[])
    assert not store.claim_run(run_id, OTHER, 2)  # still running
    store.interrupt_run(run_id, "gone")
    assert store.claim_run(run_id, OTHER, 2)
    run = store.get_run(run_id)
    assert (run.status, run.stop_reason, run.finished_at) == ("running", None, None)
    assert [c.id for c in run.cycles] == [first] and store.run_owner(run_id) == OTHER
    assert store.get_trace(second) == [] and store.code_runs(run_id) == []
    assert not store.claim_run(run_id, ME, None)  # a second claim finds it running


def test_skipped_cycles_of_a_failed_cycle(store: RunStore, cycle_args: CycleArgs) -> None:
    run_id = store.start_run({})
    cycle = store.start_cycle(run_id, **cycle_args(1))
    assert store.get_run(run_id).cycles[0].skipped_cycles is None
    store.set_skipped_cycles(cycle, 3)
    assert store.get_run(run_id).cycles[0].skipped_cycles == 3
    with pytest.raises(CycleNotFoundError):
        store.set_skipped_cycles(999, 1)


def test_runs_from_before_owners_have_none(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])
    conn.execute("INSERT INTO runs (started_at, status, config_json) VALUES ('t', 'running', '{}')")
    conn.close()
    with RunStore(path) as store:
        assert store.running_runs() == [(1, None)]
