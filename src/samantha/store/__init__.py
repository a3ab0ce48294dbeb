"""The run history: an SQLite file written only by :class:`RunStore`."""

from samantha.core.records import CycleRecord, RunOwner, RunRecord
from samantha.store.errors import CycleNotFoundError, HistoryError, RunNotFoundError
from samantha.store.runs import RunStore

__all__ = [
    "CycleNotFoundError",
    "CycleRecord",
    "HistoryError",
    "RunNotFoundError",
    "RunOwner",
    "RunRecord",
    "RunStore",
]
