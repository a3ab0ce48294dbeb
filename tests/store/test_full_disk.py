"""A full disk under the history: one line that says so (never "move it aside"), nothing stored
lost, a run left interrupted and resumable, and everything working again once there is room.

Two genuine ways to a full disk: a real tmpfs filled to its last byte (root only: the test fails,
saying why, where it cannot mount one), and SQLite's ``PRAGMA max_page_count``, which makes
SQLite answer SQLITE_FULL as it does on a full disk.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.small_disk import SmallDisk, small_disk

from samantha.core.errors import SamanthaError
from samantha.store import HistoryError, RunOwner, RunStore
from samantha.store.connection import unusable
from samantha.store.errors import DiskFullError
from samantha.store.space import has_room, is_damaged, is_full
from samantha.workbench.resume import mark_interrupted, resumable_run

CycleArgs = Callable[..., dict[str, object]]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk", "4m") as mounted:
        yield mounted


def no_room_in(store: RunStore) -> None:
    """SQLite answers SQLITE_FULL to every write that needs a page more than the file has."""
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def room_again(store: RunStore) -> None:
    store._conn.execute("PRAGMA max_page_count = 1073741823")


def one_line_about_a_full_disk(error: BaseException, folder: Path) -> str:
    text = str(error)
    assert isinstance(error, DiskFullError) and isinstance(error, SamanthaError)
    assert "\n" not in text and text.startswith(f"The disk is full: no room left in {folder}")
    assert "Free some space there" in text
    assert "move it aside" not in text and "damaged" not in text
    return text


def test_sqlite_full_is_one_line_and_nothing_stored_is_lost(store: RunStore, db: Path,
                                                           cycle_args: CycleArgs) -> None:
    run = store.start_run({"prompts": "kept"})
    store.start_cycle(run, **cycle_args(1))
    no_room_in(store)
    with pytest.raises(DiskFullError) as caught:
        store.start_cycle(run, **cycle_args(2, prompt="x" * 100_000))
    text = one_line_about_a_full_disk(caught.value, db.parent)
    assert "nothing stored in it is lost" in text and "try again" in text
    room_again(store)
    assert [c.number for c in store.get_run(run).cycles] == [1]
    store.start_cycle(run, **cycle_args(2, prompt="x" * 100_000))
    assert [c.number for c in store.get_run(run).cycles] == [1, 2]


def test_a_partial_text_with_no_room_left_does_not_keep_the_run_from_being_interrupted(
        store: RunStore, cycle_args: CycleArgs) -> None:
    run = store.start_run({})
    cycle = store.start_cycle(run, **cycle_args(1))
    store.update_partial(cycle, "saved earlier", 2)
    no_room_in(store)
    assert store.interrupt_run(run, "the disk was full", (cycle, "y" * 200_000, 40_000)) is True
    record = store.get_run(run)
    assert (record.status, record.stop_reason) == ("interrupted", "the disk was full")
    assert [(c.status, c.response, c.tokens) for c in record.cycles] == [
        ("interrupted", "saved earlier", 2)]


def test_opening_a_history_on_a_full_disk_says_so_and_works_once_there_is_room(
        disk: SmallDisk) -> None:
    path = disk.path / "history.sqlite3"
    with RunStore(path) as store:
        run = store.start_run({"prompts": "intact"})
    # Closed cleanly: the -shm file is gone, and opening must make one (SQLITE_IOERR_SHMSIZE).
    disk.fill()
    with pytest.raises(DiskFullError) as caught:
        RunStore(path)
    assert "nothing stored in it is lost" in one_line_about_a_full_disk(caught.value, disk.path)
    disk.free()
    with RunStore(path) as store:
        assert store.get_run(run).config == {"prompts": "intact"}


def test_one_store_writes_again_once_there_is_room(disk: SmallDisk) -> None:
    with RunStore(disk.path / "history.sqlite3") as store:
        store.start_run({})
        disk.fill()
        with pytest.raises(DiskFullError) as caught:
            store.start_run({"prompts": "x" * 20_000})
        one_line_about_a_full_disk(caught.value, disk.path)
        disk.free()
        second = store.start_run({"prompts": "x" * 20_000})
        assert [r.id for r in store.list_runs()] == [second, 1]


def test_a_run_the_full_disk_kept_from_marking_is_marked_once_there_is_room(
        disk: SmallDisk, cycle_args: CycleArgs) -> None:
    with RunStore(disk.path / "history.sqlite3") as store:
        run = store.start_run({}, RunOwner("here", 1, None))
        store.start_cycle(run, **cycle_args(1))
        disk.fill()
        with pytest.raises(DiskFullError):
            store.interrupt_run(run, "the disk was full")
        assert store.get_run(run).status == "running"  # still readable, not marked yet
        disk.free()
        assert [(r.id, r.status, r.stop_reason) for r in store.list_runs()] == [
            (run, "interrupted", "the disk was full")]
        assert [c.status for c in resumable_run(store, run).cycles] == ["interrupted"]


def test_runs_of_ended_processes_are_marked_once_there_is_room(disk: SmallDisk) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    from samantha.workbench.liveness import this_process

    with RunStore(disk.path / "history.sqlite3") as store:
        owner = this_process()
        run = store.start_run({}, RunOwner(owner.host, int(gone.stdout), None))
        disk.fill()
        assert mark_interrupted(store) == []  # no room: left for the next opening, no error
        assert store.get_run(run).status == "running"
        disk.free()
        assert mark_interrupted(store) == [run]


def sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code
    return error


SHMSIZE, CORRUPT, NOTADB = 4874, 11, 26


def test_full_is_told_apart_from_damaged(tmp_path: Path, disk: SmallDisk) -> None:
    assert is_full(sqlite_error(13, "database or disk is full"), tmp_path)
    assert not is_full(sqlite_error(SHMSIZE, "disk I/O error"), tmp_path)  # room: not full
    disk.fill()
    assert is_full(sqlite_error(SHMSIZE, "disk I/O error"), disk.path)
    assert not is_full(sqlite_error(CORRUPT, "database disk image is malformed"), disk.path)
    assert is_damaged(sqlite_error(CORRUPT, "database disk image is malformed"))
    assert is_damaged(sqlite_error(NOTADB, "file is not a database"))
    assert not is_damaged(sqlite_error(SHMSIZE, "disk I/O error"))


def test_only_a_damaged_file_is_to_be_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    damaged = unusable(path, sqlite_error(NOTADB, "file is not a database"))
    assert isinstance(damaged, HistoryError) and "move it aside" in str(damaged)
    other = unusable(path, sqlite_error(SHMSIZE, "disk I/O error"))
    assert isinstance(other, HistoryError) and "move it aside" not in str(other)
    assert "Check the disk" in str(other)


def test_the_room_probe_leaves_nothing_behind(disk: SmallDisk) -> None:
    assert has_room(disk.path)
    disk.fill()
    assert not has_room(disk.path)
    assert sorted(p.name for p in disk.path.iterdir()) == [".filler"]
