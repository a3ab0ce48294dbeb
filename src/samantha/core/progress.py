"""What a run is doing right now, from its events: the status line of a front end.

``Progress`` is a plain value (``phase``, cycle ``n`` of ``total``, tokens and speed, download
share); front ends turn it into words in their own language.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Literal

from samantha.core.answer_events import DownloadProgress, ModelLoading, TokenEvent
from samantha.core.run_events import (
    CodeRan,
    CodeRunning,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    RunEvent,
    RunFinished,
    RunStarted,
)

Phase = Literal["starting", "downloading", "loading", "reading", "generating", "code",
                "between", "finished"]


@dataclass(frozen=True)
class Progress:
    phase: Phase = "starting"
    cycle: int = 0  # the cycle being run (1-based), 0 before the first
    total: int = 0  # cycles in the run's plan
    model: str = ""
    tokens: int = 0  # tokens of the current answer so far
    tokens_per_second: float = 0.0
    downloaded: float | None = None  # share of the download done (0..1), when known
    status: str = ""  # the run's final status once finished


class ProgressTracker:
    """Follows a run's events; :attr:`now` is the latest :class:`Progress`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.now = Progress()
        self._first_token_at: float | None = None

    def add(self, event: RunEvent) -> Progress:
        now = self.now
        if isinstance(event, RunStarted):
            now = replace(now, total=event.total_cycles)
        elif isinstance(event, CycleStarted):
            now = replace(now, phase="reading", cycle=event.cycle.number,
                          model=event.cycle.model, tokens=0, tokens_per_second=0.0,
                          downloaded=None)
            self._first_token_at = None
        elif isinstance(event, DownloadProgress):
            share = event.done / event.total if event.total else None
            now = replace(now, phase="reading" if event.finished else "downloading",
                          downloaded=share)
        elif isinstance(event, ModelLoading):
            now = replace(now, phase="loading", model=event.model)
        elif isinstance(event, TokenEvent):
            now = self._token(now)
        elif isinstance(event, CodeRunning):
            now = replace(now, phase="code")
        elif isinstance(event, (CycleFinished, CycleFailed, CodeRan)):
            now = replace(now, phase="between")
        elif isinstance(event, RunFinished):
            now = replace(now, phase="finished", status=event.status)
        self.now = now
        return now

    def _token(self, now: Progress) -> Progress:
        """Speed from the first token on (prompt reading is not generation)."""
        clock = self.clock()
        if self._first_token_at is None:
            self._first_token_at = clock
        elapsed = clock - self._first_token_at
        tokens = now.tokens + 1
        speed = (tokens - 1) / elapsed if elapsed > 0 else 0.0
        return replace(now, phase="generating", tokens=tokens, tokens_per_second=speed)
