"""The schema of the run history, as an ordered list of small migrations.

Each migration is a function that takes a connection and runs its DDL with ``conn.execute`` (never
``executescript``, which would commit half-way). :func:`migrate` runs the ones not yet recorded in
``_migrations``, each in its own transaction, so a failing migration leaves no trace. Add new
migrations at the end of :data:`MIGRATIONS`; never edit or reorder one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(conn: sqlite3.Connection) -> None:
    """Runs, their cycles, and the cache of model file hashes."""
    conn.execute(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            stop_reason TEXT,
            config_json TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE cycles (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            model TEXT NOT NULL,
            model_path TEXT,
            model_sha256 TEXT,
            round INTEGER NOT NULL,
            item INTEGER NOT NULL,
            prompt TEXT NOT NULL,
            messages_json TEXT NOT NULL,
            settings_json TEXT NOT NULL,
            random_json TEXT,
            response TEXT NOT NULL DEFAULT '',
            tokens INTEGER NOT NULL DEFAULT 0,
            prompt_tokens INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            finish_reason TEXT,
            error TEXT,
            status TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT
        )
        """
    )
    conn.execute("CREATE INDEX cycles_run_number ON cycles(run_id, number)")
    conn.execute(
        """
        CREATE TABLE model_files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL
        )
        """
    )


def m002_traces(conn: sqlite3.Connection) -> None:
    """Learning-mode traces: one zlib-compressed JSON list of token steps per cycle."""
    conn.execute(
        """
        CREATE TABLE traces (
            cycle_id INTEGER PRIMARY KEY REFERENCES cycles(id) ON DELETE CASCADE,
            top INTEGER NOT NULL,
            steps BLOB NOT NULL
        )
        """
    )


def m003_code_runs(conn: sqlite3.Connection) -> None:
    """Python run for a cycle: the code, what it printed, its limits and the files it made."""
    conn.execute(
        """
        CREATE TABLE code_runs (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
            cycle_id INTEGER REFERENCES cycles(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            dropped_json TEXT NOT NULL,
            stdout TEXT NOT NULL,
            stderr TEXT NOT NULL,
            exit_status INTEGER,
            seconds REAL NOT NULL,
            timed_out INTEGER NOT NULL,
            limit_note TEXT,
            work_dir TEXT NOT NULL,
            files_json TEXT NOT NULL,
            figures_json TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX code_runs_run ON code_runs (run_id, cycle_id)")


def m004_run_owners(conn: sqlite3.Connection) -> None:
    """Which process runs a run: its host, its pid, and what tells a reused pid apart (on Linux
    the boot id and the process start time; NULL elsewhere). NULL for runs made before."""
    conn.execute("ALTER TABLE runs ADD COLUMN owner_host TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN owner_pid INTEGER")
    conn.execute("ALTER TABLE runs ADD COLUMN owner_started TEXT")


def m005_cycle_skips(conn: sqlite3.Connection) -> None:
    """How many of its model's next cycles a failed cycle made the run skip (resuming a run
    skips them again). NULL when the cycle did not fail, or failed before this was recorded."""
    conn.execute("ALTER TABLE cycles ADD COLUMN skipped_cycles INTEGER")


def m006_code_run_isolation(conn: sqlite3.Connection) -> None:
    """How a code run was confined: ``isolation`` ("bubblewrap" or "rlimits (not isolated)")
    and ``isolation_note`` (what that meant, for people). NULL for runs made before."""
    conn.execute("ALTER TABLE code_runs ADD COLUMN isolation TEXT")
    conn.execute("ALTER TABLE code_runs ADD COLUMN isolation_note TEXT")


def m007_remote_answers(conn: sqlite3.Connection) -> None:
    """Remote backends: which ``MODEL@BACKEND`` answered a cycle and the backend's own timings
    (JSON), and a run's notes known before it started (settings a backend cannot honour).
    NULL for local answers and for runs made before."""
    conn.execute("ALTER TABLE cycles ADD COLUMN answered_by TEXT")
    conn.execute("ALTER TABLE cycles ADD COLUMN timings_json TEXT")
    conn.execute("ALTER TABLE runs ADD COLUMN notes_json TEXT")


def m008_branches(conn: sqlite3.Connection) -> None:
    """Learning mode's branches: a run that continues another run's cycle from a chosen
    candidate holds ``{"run", "cycle", "step", "token"}`` of that point (JSON). NULL for the
    other runs."""
    conn.execute("ALTER TABLE runs ADD COLUMN parent_json TEXT")


def m009_verdicts(conn: sqlite3.Connection) -> None:
    """A judgement's verdict (``{verdict=…}`` items): the contestants, the winner, a score per
    contestant, the reason, or the problem that kept the answer from being read (JSON). NULL
    for the other cycles and for runs made before."""
    conn.execute("ALTER TABLE cycles ADD COLUMN verdict_json TEXT")


def m010_judging(conn: sqlite3.Connection) -> None:
    """Experiments that judge themselves: a judge's scores of an answer against a rubric
    (``judgements``), the checks of an answer (``checks``: ``passed`` 1, 0 or NULL when it
    could not be checked) and votes between two answers to the same prompt (``votes``: by a
    person in the arena or by a judge model; ``winner`` first, second, tie or NULL)."""
    conn.execute(
        """
        CREATE TABLE judgements (
            id INTEGER PRIMARY KEY,
            cycle_id INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
            judge TEXT NOT NULL,
            rubric_json TEXT NOT NULL,
            scores_json TEXT,
            reason TEXT NOT NULL,
            problem TEXT,
            answer TEXT NOT NULL,
            tokens INTEGER NOT NULL,
            seconds REAL NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX judgements_cycle ON judgements (cycle_id)")
    conn.execute(
        """
        CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            cycle_id INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
            spec TEXT NOT NULL,
            kind TEXT NOT NULL,
            passed INTEGER,
            detail TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX checks_cycle ON checks (cycle_id)")
    conn.execute(
        """
        CREATE TABLE votes (
            id INTEGER PRIMARY KEY,
            first_cycle INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
            second_cycle INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
            winner TEXT CHECK (winner IN ('first', 'second', 'tie')),
            voter TEXT NOT NULL,
            reason TEXT NOT NULL,
            problem TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX votes_first ON votes (first_cycle)")
    conn.execute("CREATE INDEX votes_second ON votes (second_cycle)")


_CREATE_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS _migrations "
    "(id INTEGER PRIMARY KEY, name TEXT UNIQUE, applied_at TEXT)"
)

# A tuple, not a list: the schema history is not something to mutate at run time.
MIGRATIONS: tuple[Migration, ...] = (
    m001_initial, m002_traces, m003_code_runs, m004_run_owners, m005_cycle_skips,
    m006_code_run_isolation, m007_remote_answers, m008_branches, m009_verdicts, m010_judging,
)


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Run the migrations not yet applied to ``conn``, in order; return the names that ran.

    Each migration runs in a ``BEGIN IMMEDIATE`` transaction that first re-checks ``_migrations``,
    so two processes opening a fresh file at the same moment apply each migration once. The
    connection must not be inside a transaction when this is called.
    """
    if conn.in_transaction:
        raise ValueError("migrate() needs a connection with no open transaction; commit first.")
    applied: list[str] = []
    for migration in migrations:
        name = migration.__name__
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_CREATE_MIGRATIONS)
            done = conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone()
            if done is None:
                migration(conn)
                conn.execute(
                    "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                    (name, datetime.now(timezone.utc).isoformat(timespec="milliseconds")),
                )
                applied.append(name)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back
                conn.execute("ROLLBACK")
            raise
    if not migrations:
        conn.execute(_CREATE_MIGRATIONS)
    return applied


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """The names recorded in ``_migrations``, in the order they ran."""
    rows = conn.execute("SELECT name FROM _migrations ORDER BY id").fetchall()
    return [row[0] for row in rows]
