"""What the run history raises: each message says what was wrong and what to do."""

from __future__ import annotations

from samantha.core.errors import InputError, SamanthaError


class HistoryError(SamanthaError):
    """The history file cannot be opened or used."""


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
