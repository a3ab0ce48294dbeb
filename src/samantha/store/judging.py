"""What judges, checks and people said of a run's answers, kept with their cycles.

A part of :class:`~samantha.store.runs.RunStore` (which inherits it) in a module of its own: the
tables of migration ``m010_judging``. A judge scoring the same answer again against the same
rubric replaces its earlier scores, so judging a run twice (or resuming a judging that was
stopped) never counts an answer twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Callable

from samantha.core.records import CheckRecord, JudgementRecord, VoteRecord
from samantha.store.connection import inserted_id
from samantha.store.errors import CycleNotFoundError
from samantha.store.rows import dumps, utc_now

WINNERS = ("first", "second", "tie")


class JudgingTables:
    """Writes and reads judgements, checks and votes (the store's transaction and lock)."""

    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _snapshot: Callable[[], AbstractContextManager[sqlite3.Connection]]

    # -- judgements ---------------------------------------------------------------------------

    def add_judgement(self, cycle_id: int, judge: str, rubric: Mapping[str, Any], *,
                      scores: Mapping[str, int] | None, reason: str, problem: str | None,
                      answer: str, tokens: int, seconds: float) -> int:
        """Store a judge's scores of one answer (replacing its earlier ones on that rubric)."""
        rubric_json = dumps(dict(rubric))
        with self._transaction() as conn:
            _need_cycle(conn, cycle_id)
            conn.execute("DELETE FROM judgements WHERE cycle_id = ? AND judge = ? AND "
                         "rubric_json = ?", (cycle_id, judge, rubric_json))
            cursor = conn.execute(
                "INSERT INTO judgements (cycle_id, judge, rubric_json, scores_json, reason,"
                " problem, answer, tokens, seconds, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (cycle_id, judge, rubric_json, None if scores is None else dumps(dict(scores)),
                 reason, problem, answer, int(tokens), float(seconds), utc_now()))
        return inserted_id(cursor)

    def judged(self, run_id: int, judge: str, rubric: Mapping[str, Any]) -> set[int]:
        """The ids of the run's cycles this judge has already scored on this rubric."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT j.cycle_id FROM judgements j JOIN cycles c ON c.id = j.cycle_id "
                "WHERE c.run_id = ? AND j.judge = ? AND j.rubric_json = ?",
                (run_id, judge, dumps(dict(rubric)))).fetchall()
        return {row[0] for row in rows}

    def judgements(self, run_id: int) -> list[JudgementRecord]:
        """Every judgement of the run's answers, in the cycles' order, then the judges'."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT j.* FROM judgements j JOIN cycles c ON c.id = j.cycle_id "
                "WHERE c.run_id = ? ORDER BY c.number, j.id", (run_id,)).fetchall()
        return [_judgement(row) for row in rows]

    # -- checks -------------------------------------------------------------------------------

    def add_checks(self, cycle_id: int, results: Sequence[Mapping[str, Any]]) -> None:
        """Store the checks of one answer (each ``{"spec", "kind", "passed", "detail"}``),
        replacing those stored before for it."""
        with self._transaction() as conn:
            _need_cycle(conn, cycle_id)
            conn.execute("DELETE FROM checks WHERE cycle_id = ?", (cycle_id,))
            conn.executemany(
                "INSERT INTO checks (cycle_id, spec, kind, passed, detail) VALUES (?, ?, ?, ?, ?)",
                [(cycle_id, r["spec"], r["kind"], None if r["passed"] is None
                  else int(bool(r["passed"])), r["detail"]) for r in results])

    def checks(self, run_id: int) -> list[CheckRecord]:
        """The checks of the run's answers, in the cycles' order."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT k.* FROM checks k JOIN cycles c ON c.id = k.cycle_id "
                "WHERE c.run_id = ? ORDER BY c.number, k.id", (run_id,)).fetchall()
        return [CheckRecord(row["id"], row["cycle_id"], row["spec"], row["kind"],
                            None if row["passed"] is None else bool(row["passed"]),
                            row["detail"]) for row in rows]

    # -- votes --------------------------------------------------------------------------------

    def add_vote(self, first_cycle: int, second_cycle: int, winner: str | None, voter: str,
                 reason: str = "", problem: str | None = None) -> int:
        """Store one comparison of two answers, in the order they were shown."""
        if winner is not None and winner not in WINNERS:
            raise ValueError(f"winner must be one of {', '.join(WINNERS)} or None, "
                             f"not {winner!r}")
        if first_cycle == second_cycle:
            raise ValueError("a vote compares two different answers")
        with self._transaction() as conn:
            for cycle_id in (first_cycle, second_cycle):
                _need_cycle(conn, cycle_id)
            cursor = conn.execute(
                "INSERT INTO votes (first_cycle, second_cycle, winner, voter, reason, problem,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first_cycle, second_cycle, winner, voter, reason, problem, utc_now()))
        return inserted_id(cursor)

    def votes(self, run_ids: Iterable[int] | None = None) -> list[VoteRecord]:
        """The votes on answers of these runs (both answers in them), or every vote."""
        query = "SELECT v.* FROM votes v"
        params: tuple[int, ...] = ()
        if run_ids is not None:
            params = tuple(run_ids)
            marks = ", ".join("?" * len(params)) or "NULL"
            query += (" JOIN cycles a ON a.id = v.first_cycle JOIN cycles b ON "
                      f"b.id = v.second_cycle WHERE a.run_id IN ({marks}) AND "
                      f"b.run_id IN ({marks})")
            params = params * 2
        with self._snapshot() as conn:
            rows = conn.execute(query + " ORDER BY v.id", params).fetchall()
        return [VoteRecord(row["id"], row["first_cycle"], row["second_cycle"], row["winner"],
                           row["voter"], row["reason"], row["problem"], row["created_at"])
                for row in rows]


def _need_cycle(conn: sqlite3.Connection, cycle_id: int) -> None:
    if conn.execute("SELECT 1 FROM cycles WHERE id = ?", (cycle_id,)).fetchone() is None:
        raise CycleNotFoundError(cycle_id)


def _judgement(row: sqlite3.Row) -> JudgementRecord:
    return JudgementRecord(
        id=row["id"], cycle_id=row["cycle_id"], judge=row["judge"],
        rubric=json.loads(row["rubric_json"]),
        scores=None if row["scores_json"] is None else json.loads(row["scores_json"]),
        reason=row["reason"], problem=row["problem"], answer=row["answer"],
        tokens=row["tokens"], seconds=float(row["seconds"]), created_at=row["created_at"])
