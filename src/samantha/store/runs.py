"""RunStore: the run history in one SQLite file (the only class in Samantha that writes SQL).

Every write is its own committed transaction, so a process killed mid-run leaves every finished
cycle, and the last partial text of the one being generated, on disk. The file is in WAL mode, so
the web UI can read while a run writes, and several processes can share it. One connection is
shared by the threads of a process and guarded by a lock.

A full disk is :class:`DiskFullError` (nothing stored is lost). A run that could not be marked
interrupted for want of room is marked by the next call that finds room (or, once its process
has ended, by the next process that opens the history).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from samantha.core.errors import InputError
from samantha.core.records import CodeRunRecord, RunOwner, RunRecord
from samantha.store.connection import full_disk_said, inserted_id, open_history
from samantha.store.errors import CycleNotFoundError, DiskFullError, RunNotFoundError
from samantha.store.judging import JudgingTables
from samantha.store.rows import (
    code_run_record,
    cycle_record,
    dumps,
    run_owner,
    run_record,
    utc_now,
)
from samantha.store.verdicts import VerdictColumn

#: "interrupted": its process ended (killed, crashed) or let it go (Ctrl+C) before it finished;
#: ``samantha history resume`` continues it.
RUN_STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
FINISH_STATUSES = RUN_STATUSES[:4]  # for finish_run; interrupt_run marks its cycle as well
CYCLE_STATUSES = ("running", "done", "failed", "skipped", "interrupted")
CYCLE_END_STATUSES = ("done", "failed", "skipped")


def _check_status(status: str, allowed: tuple[str, ...], what: str) -> None:
    if status not in allowed:
        raise ValueError(f"{what} status must be one of {', '.join(allowed)}, not {status!r}.")


class RunStore(VerdictColumn, JudgingTables):
    """The run history at ``path`` (created with its parent folders if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = open_history(self.path)
        self._owed: dict[int, str] = {}  # run id -> reason: to mark interrupted once there is room

    # -- life -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the file (a second call does nothing)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction under the lock (IMMEDIATE: writers queue, never deadlock)."""
        with self._lock, full_disk_said(self.path):
            self._settle()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # SQLite may already have rolled back
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction under the lock: several SELECTs see one consistent state."""
        with self._lock, full_disk_said(self.path):
            self._settle()
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def _settle(self) -> None:
        """Mark interrupted the runs that the disk had no room for, if it has some now (called
        under the lock)."""
        if not self._owed:
            return
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for run_id, reason in self._owed.items():
                _interrupt(self._conn, run_id, reason, "")
            self._conn.execute("COMMIT")
        except sqlite3.Error:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            return  # still no room: the next call tries again
        self._owed.clear()

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, config: dict[str, Any], owner: RunOwner | None = None) -> int:
        """Record a new run with status "running", run by ``owner``; return its id."""
        config_json = dumps(config)
        host, pid, started = _owner_values(owner)
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (started_at, status, config_json, owner_host, owner_pid,"
                " owner_started) VALUES (?, 'running', ?, ?, ?, ?)",
                (utc_now(), config_json, host, pid, started),
            )
        return inserted_id(cursor)

    def finish_run(self, run_id: int, status: str, stop_reason: str | None = None) -> None:
        """Set a run's final status (running/finished/stopped/failed) and its finish time."""
        _check_status(status, FINISH_STATUSES, "A run's")
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = ?, stop_reason = ?, finished_at = ? WHERE id = ?",
                (status, stop_reason, utc_now(), run_id),
            )
            if cursor.rowcount == 0:
                raise RunNotFoundError(run_id)

    def run_owner(self, run_id: int) -> RunOwner | None:
        """The process recorded as running the run (None for runs recorded before owners)."""
        with self._snapshot() as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFoundError(run_id)
        return run_owner(row)

    def running_runs(self) -> list[tuple[int, RunOwner | None]]:
        """Every run with status "running", with its owner, oldest first."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT * FROM runs WHERE status = 'running' ORDER BY id").fetchall()
        return [(int(row["id"]), run_owner(row)) for row in rows]

    def interrupt_run(self, run_id: int, reason: str,
                      partial: tuple[int, str, int] | None = None) -> bool:
        """Mark a running run "interrupted", and its running cycle too (its partial text and
        token count are kept; ``partial``: that cycle's id, text and tokens as they are now).
        Return False when the run was not running.

        On a full disk, the run is marked without ``partial`` if that fits; else
        :class:`DiskFullError`, and the run is marked as soon as there is room."""
        try:
            return self._interrupt_now(run_id, reason, partial)
        except DiskFullError:
            if partial is not None:
                with suppress(DiskFullError):
                    return self._interrupt_now(run_id, reason, None)
            self._owed[run_id] = reason
            raise

    def _interrupt_now(self, run_id: int, reason: str,
                       partial: tuple[int, str, int] | None) -> bool:
        with self._transaction() as conn:
            if not _run_exists(conn, run_id):
                raise RunNotFoundError(run_id)
            if partial is not None:
                cycle_id, response, tokens = partial
                conn.execute("UPDATE cycles SET response = ?, tokens = ? WHERE id = ?"
                             " AND status = 'running'", (response, tokens, cycle_id))
            return _interrupt(conn, run_id, reason, "")

    def interrupt_if_owned(self, run_id: int, owner: RunOwner | None, reason: str) -> bool:
        """:meth:`interrupt_run`, only while ``owner`` (None: no owner recorded) still owns it:
        a run that another process has just resumed is left alone."""
        host, pid, started = _owner_values(owner)
        with self._transaction() as conn:
            return _interrupt(
                conn, run_id, reason,
                " AND owner_host IS ? AND owner_pid IS ? AND owner_started IS ?",
                host, pid, started)

    def claim_run(self, run_id: int, owner: RunOwner, discard_from: int | None) -> bool:
        """Take an interrupted run over to resume it: it becomes "running", run by ``owner``,
        and its cycles numbered ``discard_from`` or more are deleted (with their traces and code
        runs) to be generated again. False (and nothing changed) when it was not interrupted,
        e.g. because another process claimed it first."""
        host, pid, started = _owner_values(owner)
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET status = 'running', stop_reason = NULL, finished_at = NULL,"
                " owner_host = ?, owner_pid = ?, owner_started = ?"
                " WHERE id = ? AND status = 'interrupted'",
                (host, pid, started, run_id))
            if cursor.rowcount == 0:
                return False
            if discard_from is not None:
                conn.execute("DELETE FROM cycles WHERE run_id = ? AND number >= ?",
                             (run_id, discard_from))
        return True

    def get_run(self, run_id: int) -> RunRecord:
        """The run with its cycles in order; :class:`RunNotFoundError` if there is none."""
        with self._snapshot() as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFoundError(run_id)
            cycles = conn.execute(
                "SELECT * FROM cycles WHERE run_id = ? ORDER BY number, id", (run_id,)
            ).fetchall()
        return run_record(row, [cycle_record(cycle) for cycle in cycles])

    def list_runs(self, search: str | None = None, limit: int = 50) -> list[RunRecord]:
        """The newest runs first, without their cycles.

        ``search`` keeps the runs whose config prompts, system text or models, or any cycle's
        prompt or response, contain it (ignoring case).
        """
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        needle = (search or "").strip().casefold()
        if needle:
            sql += (
                " WHERE samantha_contains(samantha_config_text(config_json), ?)"
                " OR EXISTS (SELECT 1 FROM cycles WHERE cycles.run_id = runs.id"
                " AND (samantha_contains(cycles.prompt, ?)"
                " OR samantha_contains(cycles.response, ?)))"
            )
            params += [needle, needle, needle]
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(max(int(limit), 0))
        with self._snapshot() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [run_record(row, []) for row in rows]

    def set_parent(self, run_id: int, parent: dict[str, int]) -> None:
        """Mark a run as a branch of another run's cycle (``{"run", "cycle", "step",
        "token"}``)."""
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET parent_json = ? WHERE id = ?", (dumps(parent), run_id))

    def branches(self, run_id: int) -> list[RunRecord]:
        """The runs branched from ``run_id``, oldest first, with their cycles."""
        with self._snapshot() as conn:
            ids = [row[0] for row in conn.execute(
                "SELECT id FROM runs WHERE json_extract(parent_json, '$.run') = ? ORDER BY id",
                (run_id,))]
        return [self.get_run(i) for i in ids]

    def latest_run_id(self) -> int | None:
        """The id of the most recently started run, or None when the history is empty."""
        with self._snapshot() as conn:
            row = conn.execute("SELECT max(id) FROM runs").fetchone()
        return None if row[0] is None else int(row[0])

    # -- cycles -----------------------------------------------------------------------------

    def start_cycle(
        self,
        run_id: int,
        *,
        number: int,
        model: str,
        model_path: str | None,
        model_sha256: str | None,
        round: int,
        item: int,
        prompt: str,
        messages: list[dict[str, str]],
        settings: dict[str, Any],
        random_overrides: dict[str, float] | None,
    ) -> int:
        """Record a cycle about to generate (status "running"); return its id."""
        random_json = None if random_overrides is None else dumps(random_overrides)
        values = (run_id, number, model, model_path, model_sha256, round, item, prompt,
                  dumps(messages), dumps(settings), random_json, "running", utc_now())
        return self._insert_cycle(run_id, values, finished_at=None, error=None)

    def set_cycle_model(self, cycle_id: int, model_path: str, model_sha256: str) -> None:
        """Fill in a cycle's model file once known (a URL model downloads after its cycle
        starts)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE cycles SET model_path = ?, model_sha256 = ? WHERE id = ?",
                (model_path, model_sha256, cycle_id))
            if cursor.rowcount == 0:
                raise CycleNotFoundError(cycle_id)

    def update_partial(self, cycle_id: int, response: str, tokens: int) -> None:
        """Store the text generated so far by a running cycle (ignored once it has finished)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE cycles SET response = ?, tokens = ? WHERE id = ? AND status = 'running'",
                (response, tokens, cycle_id),
            )
            if cursor.rowcount == 0 and not _cycle_exists(conn, cycle_id):
                raise CycleNotFoundError(cycle_id)

    def finish_cycle(
        self,
        cycle_id: int,
        *,
        response: str,
        tokens: int,
        prompt_tokens: int,
        seconds: float,
        finish_reason: str | None,
        error: str | None,
        status: str,
    ) -> None:
        """Store a cycle's final answer and status (done/failed/skipped) and its finish time."""
        _check_status(status, CYCLE_END_STATUSES, "A finished cycle's")
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE cycles SET response = ?, tokens = ?, prompt_tokens = ?, seconds = ?,"
                " finish_reason = ?, error = ?, status = ?, finished_at = ? WHERE id = ?",
                (response, tokens, prompt_tokens, float(seconds), finish_reason, error, status,
                 utc_now(), cycle_id),
            )
            if cursor.rowcount == 0:
                raise CycleNotFoundError(cycle_id)

    def set_skipped_cycles(self, cycle_id: int, skipped: int) -> None:
        """Note that a failed cycle made the run skip ``skipped`` more cycles of its model."""
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE cycles SET skipped_cycles = ? WHERE id = ?",
                                  (int(skipped), cycle_id))
            if cursor.rowcount == 0:
                raise CycleNotFoundError(cycle_id)

    def set_answered_by(self, cycle_id: int, answered_by: str | None,
                        timings: dict[str, Any] | None) -> None:
        """Note which remote model answered a cycle (None: the local one), with the backend's
        own timings (or, for a cycle decoded in a batch slot, ``batch_slots``)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE cycles SET answered_by = ?, timings_json = ? WHERE id = ?",
                (answered_by, None if timings is None else dumps(timings), cycle_id))
            if cursor.rowcount == 0:
                raise CycleNotFoundError(cycle_id)

    def set_run_notes(self, run_id: int, notes: list[str]) -> None:
        """What was said about a run before it started (settings a backend cannot honour)."""
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE runs SET notes_json = ? WHERE id = ?",
                                  (dumps(list(notes)), run_id))
            if cursor.rowcount == 0:
                raise RunNotFoundError(run_id)

    def record_skipped(
        self, run_id: int, *, number: int, model: str, round: int, item: int, prompt: str,
        reason: str,
    ) -> int:
        """Record a cycle that was not run (status "skipped", ``reason`` as its error)."""
        now = utc_now()
        values = (run_id, number, model, None, None, round, item, prompt, "[]", "{}", None,
                  "skipped", now)
        return self._insert_cycle(run_id, values, finished_at=now, error=reason)

    def _insert_cycle(
        self, run_id: int, values: tuple[Any, ...], *, finished_at: str | None, error: str | None
    ) -> int:
        try:
            with self._transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO cycles (run_id, number, model, model_path, model_sha256, round,"
                    " item, prompt, messages_json, settings_json, random_json, status, started_at,"
                    " finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, finished_at, error),
                )
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc):
                raise RunNotFoundError(run_id) from exc
            raise
        return inserted_id(cursor)

    # -- learning-mode traces ---------------------------------------------------------------

    def save_trace(self, cycle_id: int, top: int, steps: list[dict[str, Any]]) -> None:
        """Store a cycle's token steps (top-N candidates only), compressed."""
        blob = zlib.compress(dumps(steps).encode("utf-8"), 6)
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO traces (cycle_id, top, steps) VALUES (?, ?, ?)",
                         (cycle_id, top, blob))

    def get_trace(self, cycle_id: int) -> list[dict[str, Any]]:
        """The token steps of a cycle run in learning mode ([] when it was not)."""
        with self._snapshot() as conn:
            row = conn.execute("SELECT steps FROM traces WHERE cycle_id = ?",
                               (cycle_id,)).fetchone()
        return [] if row is None else json.loads(zlib.decompress(row[0]).decode("utf-8"))

    # -- code runs --------------------------------------------------------------------------

    def record_code_run(self, run_id: int | None, cycle_id: int | None, *, code: str,
                        dropped: list[str], stdout: str, stderr: str, exit_status: int | None,
                        seconds: float, timed_out: bool, limit: str | None, work_dir: str,
                        files: list[str], figures: list[str], isolation: str | None = None,
                        isolation_note: str | None = None) -> int:
        """Store one run of Python (its output, the files it wrote, how it was confined)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO code_runs (run_id, cycle_id, code, dropped_json, stdout, stderr,"
                " exit_status, seconds, timed_out, limit_note, work_dir, files_json,"
                " figures_json, created_at, isolation, isolation_note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, cycle_id, code, dumps(dropped), stdout, stderr, exit_status,
                 float(seconds), int(timed_out), limit, work_dir, dumps(files), dumps(figures),
                 utc_now(), isolation or None, isolation_note or None))
        return inserted_id(cursor)

    def code_runs(self, run_id: int) -> list[CodeRunRecord]:
        """The code runs of a run, in order."""
        with self._snapshot() as conn:
            rows = conn.execute("SELECT * FROM code_runs WHERE run_id = ? ORDER BY id",
                                (run_id,)).fetchall()
        return [code_run_record(row) for row in rows]

    # -- model file hashes ------------------------------------------------------------------

    def cached_sha256(self, path: Path) -> str | None:
        """The remembered SHA-256 of ``path`` if its size and mtime are unchanged, else None."""
        key, stat = _file_key(path)
        if stat is None:
            return None
        with self._snapshot() as conn:
            row = conn.execute(
                "SELECT sha256 FROM model_files WHERE path = ? AND size = ? AND mtime_ns = ?",
                (key, stat.st_size, stat.st_mtime_ns),
            ).fetchone()
        return None if row is None else str(row[0])

    def remember_sha256(self, path: Path, sha256: str) -> None:
        """Remember ``sha256`` for ``path`` as it is now (its current size and mtime)."""
        key, stat = _file_key(path)
        if stat is None:
            raise InputError(f"Cannot remember the hash of {path}: the file does not exist.")
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO model_files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET size = excluded.size,"
                " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256",
                (key, stat.st_size, stat.st_mtime_ns, sha256),
            )


def _file_key(path: Path) -> tuple[str, os.stat_result | None]:
    resolved = Path(path).resolve()
    try:
        return str(resolved), resolved.stat()
    except OSError:
        return str(resolved), None


def _owner_values(owner: RunOwner | None) -> tuple[str | None, int | None, str | None]:
    return (None, None, None) if owner is None else (owner.host, owner.pid, owner.started)


def _interrupt(conn: sqlite3.Connection, run_id: int, reason: str, condition: str,
               *params: Any) -> bool:
    cursor = conn.execute(
        "UPDATE runs SET status = 'interrupted', stop_reason = ?, finished_at = ?"
        " WHERE id = ? AND status = 'running'" + condition,
        (reason, utc_now(), run_id, *params))
    if cursor.rowcount == 0:
        return False
    conn.execute("UPDATE cycles SET status = 'interrupted' WHERE run_id = ? AND status = 'running'",
                 (run_id,))
    return True


def _run_exists(conn: sqlite3.Connection, run_id: int) -> bool:
    return conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None


def _cycle_exists(conn: sqlite3.Connection, cycle_id: int) -> bool:
    return conn.execute("SELECT 1 FROM cycles WHERE id = ?", (cycle_id,)).fetchone() is not None
