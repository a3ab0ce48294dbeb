"""Between Python values and the history's columns: timestamps, JSON, rows into records."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from samantha.core.records import CodeRunRecord, CycleRecord, RunOwner, RunRecord


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def dumps(value: Any) -> str:
    """JSON for a column, with non-ASCII text kept readable."""
    return json.dumps(value, ensure_ascii=False)


def run_record(row: sqlite3.Row, cycles: list[CycleRecord]) -> RunRecord:
    return RunRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
        stop_reason=row["stop_reason"],
        config=json.loads(row["config_json"]),
        cycles=cycles,
        notes=json.loads(row["notes_json"] or "[]"),
        parent=json.loads(row["parent_json"]) if row["parent_json"] else None,
    )


def cycle_record(row: sqlite3.Row) -> CycleRecord:
    random_json = row["random_json"]
    return CycleRecord(
        id=row["id"],
        run_id=row["run_id"],
        number=row["number"],
        model=row["model"],
        model_path=row["model_path"],
        model_sha256=row["model_sha256"],
        round=row["round"],
        item=row["item"],
        prompt=row["prompt"],
        messages=json.loads(row["messages_json"]),
        settings=json.loads(row["settings_json"]),
        random_overrides=None if random_json is None else json.loads(random_json),
        response=row["response"],
        tokens=row["tokens"],
        prompt_tokens=row["prompt_tokens"],
        seconds=float(row["seconds"]),
        finish_reason=row["finish_reason"],
        error=row["error"],
        status=row["status"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        skipped_cycles=row["skipped_cycles"],
        answered_by=row["answered_by"],
        timings=None if row["timings_json"] is None else json.loads(row["timings_json"]),
        verdict=None if row["verdict_json"] is None else json.loads(row["verdict_json"]),
    )


def run_owner(row: sqlite3.Row) -> RunOwner | None:
    """The owner columns of a ``runs`` row (None for runs recorded before owners were)."""
    if row["owner_host"] is None or row["owner_pid"] is None:
        return None
    return RunOwner(row["owner_host"], int(row["owner_pid"]), row["owner_started"])


def code_run_record(row: sqlite3.Row) -> CodeRunRecord:
    return CodeRunRecord(
        id=row["id"],
        run_id=row["run_id"],
        cycle_id=row["cycle_id"],
        code=row["code"],
        dropped=json.loads(row["dropped_json"]),
        stdout=row["stdout"],
        stderr=row["stderr"],
        exit_status=row["exit_status"],
        seconds=float(row["seconds"]),
        timed_out=bool(row["timed_out"]),
        limit=row["limit_note"],
        work_dir=row["work_dir"],
        files=json.loads(row["files_json"]),
        figures=json.loads(row["figures_json"]),
        created_at=row["created_at"],
        isolation=row["isolation"],
        isolation_note=row["isolation_note"],
    )
