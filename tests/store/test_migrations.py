"""Schema migrations of the run history: applied once, in order, each in its own transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from samantha.store import RunStore
from samantha.store.migrations import (
    MIGRATIONS,
    applied_migrations,
    m001_initial,
    migrate,
)

CycleArgs = Callable[..., dict[str, object]]


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
    return {row[0] for row in rows}


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_fresh_file_gets_every_table_and_a_migration_row(store: RunStore, db: Path) -> None:
    assert db.is_file()  # parent folders were created
    conn = sqlite3.connect(db)
    assert {"runs", "cycles", "model_files", "_migrations", "cycles_run_number"} <= tables(conn)
    assert columns(conn, "cycles") == [
        "id", "run_id", "number", "model", "model_path", "model_sha256", "round", "item", "prompt",
        "messages_json", "settings_json", "random_json", "response", "tokens", "prompt_tokens",
        "seconds", "finish_reason", "error", "status", "started_at", "finished_at",
        "skipped_cycles", "answered_by", "timings_json", "verdict_json",
    ]
    assert columns(conn, "model_files") == ["path", "size", "mtime_ns", "sha256"]
    rows = conn.execute("SELECT name, applied_at FROM _migrations").fetchall()
    assert [name for name, _ in rows] == ALL == ["m001_initial", "m002_traces", "m003_code_runs",
                                                 "m004_run_owners", "m005_cycle_skips",
                                                 "m006_code_run_isolation",
                                                 "m007_remote_answers", "m008_branches",
                                                 "m009_verdicts", "m010_judging"]
    assert all(applied_at.endswith("+00:00") for _, applied_at in rows)


@pytest.mark.parametrize("isolation_level", [None, "DEFERRED"])
def test_migrate_twice_applies_nothing_new(tmp_path: Path, isolation_level: str | None) -> None:
    conn = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=isolation_level)
    assert migrate(conn) == ALL
    assert migrate(conn) == []
    assert applied_migrations(conn) == ALL
    conn.close()
    RunStore(tmp_path / "h.sqlite").close()  # opening the store again does not re-run them
    assert applied_migrations(sqlite3.connect(tmp_path / "h.sqlite")) == ALL


ALL = [m.__name__ for m in MIGRATIONS]


def m999_add_rating(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE cycles ADD COLUMN rating INTEGER")


def test_appended_migration_upgrades_an_existing_file(
    tmp_path: Path, cycle_args: CycleArgs
) -> None:
    path = tmp_path / "h.sqlite"
    with RunStore(path) as store:
        run_id = store.start_run({"prompts": "kept"})
        store.start_cycle(run_id, **cycle_args(1))
    conn = sqlite3.connect(path, isolation_level=None)
    assert "rating" not in columns(conn, "cycles")
    assert migrate(conn, [*MIGRATIONS, m999_add_rating]) == ["m999_add_rating"]
    assert "rating" in columns(conn, "cycles")
    assert applied_migrations(conn) == [*ALL, "m999_add_rating"]
    assert migrate(conn, [*MIGRATIONS, m999_add_rating]) == []
    conn.close()
    with RunStore(path) as store:  # the upgraded file still reads back
        assert store.get_run(run_id).cycles[0].prompt == "prompt 1"


def test_a_failing_migration_leaves_no_trace(tmp_path: Path) -> None:
    def m002_half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x INTEGER)")
        raise RuntimeError("broken migration")

    conn = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=None)
    with pytest.raises(RuntimeError, match="broken migration"):
        migrate(conn, [m001_initial, m002_half_done])
    assert "half" not in tables(conn)
    assert "runs" in tables(conn)  # the first migration committed on its own
    assert applied_migrations(conn) == ["m001_initial"]
    assert not conn.in_transaction


def test_migrate_refuses_a_connection_inside_a_transaction(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=None)
    conn.execute("BEGIN")
    with pytest.raises(ValueError, match="no open transaction"):
        migrate(conn)
