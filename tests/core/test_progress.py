"""Where a run is, from its events (the status line)."""

from __future__ import annotations

from samantha.core.answer_events import DownloadProgress, GenerationResult, ModelLoading, TokenEvent
from samantha.core.plan import Cycle
from samantha.core.progress import ProgressTracker
from samantha.core.promptscript import parse
from samantha.core.run_events import (
    CodeRunning,
    CycleFinished,
    CycleStarted,
    RunFinished,
    RunStarted,
)
from samantha.core.settings import Settings


def test_the_phases_of_a_run() -> None:
    clock = iter([10.0, 10.5, 11.0]).__next__
    tracker = ProgressTracker(clock)
    cycle = Cycle(2, "default", 1, 1, 2, parse("a\nb").items[1])
    assert tracker.add(RunStarted(None, 1, 3)).total == 3
    started = tracker.add(CycleStarted(cycle, "b", (), Settings()))
    assert (started.phase, started.cycle, started.model) == ("reading", 2, "default")
    assert tracker.add(DownloadProgress("u", 43, 100)).downloaded == 0.43
    assert tracker.add(ModelLoading("default")).phase == "loading"
    for index in range(3):
        now = tracker.add(TokenEvent(index, 5, "x"))
    assert (now.phase, now.tokens, now.tokens_per_second) == ("generating", 3, 2.0)
    result = GenerationResult("xxx", 3, 1, 1.0, "stop", Settings())
    assert tracker.add(CycleFinished(cycle, result)).phase == "between"
    assert tracker.add(CodeRunning(cycle)).phase == "code"
    final = tracker.add(RunFinished("stopped", None, 1))
    assert (final.phase, final.status) == ("finished", "stopped")
