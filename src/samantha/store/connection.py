"""Opening the history file: pragmas, WAL mode, the search functions, and migrations."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from samantha.store.errors import DiskFullError, HistoryError, history_full
from samantha.store.migrations import migrate
from samantha.store.space import is_damaged, is_full, no_room

BUSY_TIMEOUT_SECONDS = 30.0
SEARCHED_CONFIG_KEYS = ("prompts", "system", "models")


def open_history(path: Path) -> sqlite3.Connection:
    """A migrated connection to the history at ``path`` (folders and file created if missing).

    The connection is in autocommit mode (``isolation_level=None``): callers open their own
    transactions. It may be used from several threads, one at a time.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None
        )
    except OSError as exc:
        if no_room(exc):
            raise history_full(path) from exc
        raise HistoryError(f"Cannot open the run history at {path}: {exc.strerror or exc}. "
                           "Check that the folder is writable.") from exc
    except sqlite3.Error as exc:
        raise unusable(path, exc) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("samantha_contains", 2, contains, deterministic=True)
        conn.create_function("samantha_config_text", 1, config_text, deterministic=True)
        conn.row_factory = sqlite3.Row
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise unusable(path, exc) from exc
    return conn


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just added (sqlite3 sets it after every INSERT)."""
    row_id = cursor.lastrowid
    assert row_id is not None, "no INSERT ran on this cursor"
    return row_id


def unusable(path: Path, exc: sqlite3.Error) -> HistoryError | DiskFullError:
    """Why the history at ``path`` cannot be used: a full disk (nothing is lost: free space), a
    damaged file (move it aside), or another failure of the disk or the folder."""
    if is_full(exc, path.parent):
        return history_full(path)
    if is_damaged(exc):
        return HistoryError(
            f"The run history at {path} cannot be used ({exc}). If the file is damaged, move "
            f"it aside and Samantha starts a new history.")
    return HistoryError(f"The run history at {path} cannot be used ({exc}). Check the disk and "
                        f"that the folder is writable; the file was left as it is.")


@contextmanager
def full_disk_said(path: Path) -> Iterator[None]:
    """Inside: SQLite's answer for a full disk under the history at ``path`` becomes a
    :class:`DiskFullError` (one line: where, and what to do); other errors pass unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        if is_full(exc, path.parent):
            raise history_full(path) from exc
        raise


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL mode (a lasting property of the file, so usually already done).

    The switch needs an exclusive lock, and SQLite answers "database is locked" at once, without
    waiting, when another connection holds a lock at that moment (waiting could deadlock). Two
    processes opening a fresh history together hit this, so retry until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    delay = 0.001
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def contains(haystack: str | None, needle: str) -> bool:
    """SQL ``samantha_contains(text, needle)``: is the casefolded ``needle`` in ``text``?

    Unlike SQL ``LIKE`` this folds every letter (not only ASCII) and has no wildcards.
    """
    return haystack is not None and needle in haystack.casefold()


def config_text(config_json: str) -> str:
    """SQL ``samantha_config_text(config_json)``: every string under the searched keys."""
    try:
        config = json.loads(config_json)
    except ValueError:
        return ""
    parts: list[str] = []
    if isinstance(config, dict):
        for key in SEARCHED_CONFIG_KEYS:
            _collect_strings(config.get(key), parts)
    return "\n".join(parts)


def _collect_strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_strings(item, out)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_strings(item, out)
