"""The verdicts of judgements (``{verdict=…}`` items), kept with their cycles.

A part of :class:`~samantha.store.runs.RunStore` (which inherits it) in a module of its own: the
``verdict_json`` column of ``cycles`` (migration ``m009_verdicts``), read back as
``CycleRecord.verdict``.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Callable, Mapping

from samantha.store.errors import CycleNotFoundError
from samantha.store.rows import dumps


class VerdictColumn:
    """Writes a cycle's verdict (the store's transaction and lock, as every write)."""

    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def set_verdict(self, cycle_id: int, verdict: Mapping[str, Any]) -> None:
        """Store the verdict read from a judgement's answer (``Verdict.to_dict()``)."""
        with self._transaction() as conn:
            cursor = conn.execute("UPDATE cycles SET verdict_json = ? WHERE id = ?",
                                  (dumps(dict(verdict)), cycle_id))
            if cursor.rowcount == 0:
                raise CycleNotFoundError(cycle_id)

