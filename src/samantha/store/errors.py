"""What the run history raises: each message says what was wrong and what to do."""

from __future__ import annotations

from pathlib import Path

from samantha.core.errors import InputError, SamanthaError

AGAIN = "Free some space there and try again."


class HistoryError(SamanthaError):
    """The history file cannot be opened or used."""


class DiskFullError(SamanthaError):
    """No room left on the disk (or in the user's quota) for what Samantha writes. What was
    written before is intact: the message says where, and how to go on once there is room.
    ``run_id``: the run that stopped because of it (marked interrupted, to resume)."""

    resumable = True  # the run it stopped is interrupted, not failed

    def __init__(self, folder: Path | None, what: str, then: str = AGAIN,
                 run_id: int | None = None) -> None:
        self.folder, self.run_id = folder, run_id
        where = f" in {folder}" if folder is not None else ""
        then = then if folder is not None else then.replace(" there", "")
        super().__init__(f"The disk is full: no room left{where} {what}. {then}")


def history_full(path: Path) -> DiskFullError:
    """The history at ``path`` cannot be opened or written: its disk is full."""
    return DiskFullError(path.parent, "for the run history (nothing stored in it is lost)")


class RunNotFoundError(InputError):
    """A run id that is not in the history."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        super().__init__(f"No run {run_id} in the history. `samantha history list` shows the runs.")


class CycleNotFoundError(InputError):
    """A cycle id that is not in the history."""

    def __init__(self, cycle_id: int) -> None:
        self.cycle_id = cycle_id
        super().__init__(
            f"No cycle {cycle_id} in the history. `samantha history show RUN` shows a run's cycles."
        )
