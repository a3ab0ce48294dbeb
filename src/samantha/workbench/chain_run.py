"""A run in progress, as the front ends hold it: its history id, its buttons (the runner's
control), and its events as they come, each recorded in the history as it passes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from samantha.core.engine import Cancel
from samantha.core.plan import Cycle
from samantha.core.run_events import CycleFinished, RunEvent, RunFinished
from samantha.core.runner import ChainRunner
from samantha.workbench.checking import AnswerChecker
from samantha.workbench.recorder import RunRecorder

if TYPE_CHECKING:
    from samantha.execution import CodeResult


class ChainRun:
    """A run in progress: its history id, its buttons, and its events as it goes."""

    def __init__(self, run_id: int, runner: ChainRunner, recorder: RunRecorder,
                 checker: AnswerChecker | None = None) -> None:
        self.id = run_id
        self.runner = runner
        self.control = runner.control
        self.recorder = recorder
        self.checker = checker  # checks each answer as it is finished

    def first_new_cycle(self) -> Cycle | None:
        """The first cycle a resumed run still has to answer (None: every one is done)."""
        return self.runner.first_new_cycle()

    @property
    def cycles_done(self) -> int:
        """How many of its cycles were answered before it was resumed."""
        return len(self.runner.done)

    @property
    def cycles_planned(self) -> int:
        return len(self.runner.plan)

    def __iter__(self) -> Iterator[RunEvent]:
        status = None
        try:
            for event in self.runner.run():
                self.recorder.record(event)
                if isinstance(event, RunFinished):
                    status = event.status
                yield event
                if isinstance(event, CycleFinished) and self.checker is not None:
                    checked = self.checker.check(event)
                    if checked is not None:
                        self.recorder.record(checked)
                        yield checked
        except Exception as exc:
            status = "failed"  # or interrupted, when the disk is full: the recorder decides
            raise self.recorder.failed(exc)
        finally:
            if status is None:  # abandoned by its consumer (Ctrl+C, a closed window): resumable
                self.recorder.interrupted("let go before its end (Ctrl+C, or its window closed)")


class FolderExecutor:
    """Runs a chain's code, each cycle in its own folder under the run's folder, through
    ``run_code`` (the facade's :meth:`~samantha.workbench.facade.Workbench.run_code`)."""

    def __init__(self, run_code: Callable[..., "CodeResult"], folder: Path, timeout: float,
                 allow_network: bool = False) -> None:
        self.run_code = run_code
        self.folder = folder
        self.timeout = timeout
        self.allow_network = allow_network

    def run(self, code: str, cycle: Cycle, cancel: Cancel) -> "CodeResult":
        from samantha.execution import CodeLimits

        return self.run_code(code, self.folder / f"cycle-{cycle.number}", cancel,
                             CodeLimits(timeout=self.timeout), allow_network=self.allow_network)
