"""The buttons of a run: Stop / Next, Stop all, Next token, and the pace of learning mode.

One :class:`RunControl` is made per run (a stop never leaks into the next run) and shared between
the thread that generates and the front end that presses the buttons. Waiting uses a condition
variable, so a button acts at once, even in the middle of a 10-second pause.

A run paced one token per click holds the loaded model while it waits for the click, and only
the tab that started it has the button: when that tab is gone, :meth:`RunControl.tab_gone`
lets the run stop by itself after :data:`UNATTENDED_STEP_SECONDS`, so the model is free again.
:class:`ModelTurn` knows who has the model and who waits for it, so a waiting run can say so.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

STEP = "step"
PACES = (None, 0.3, 1.0, 3.0, 10.0, STEP)  # free, seconds per token, one token per click
#: How long a step-by-step run waits for Next token once the tab that has the button is gone
#: (closed, reloaded) before it stops by itself and lets the model go. A tab that shows life
#: again (Next token pressed) in that time keeps its run.
UNATTENDED_STEP_SECONDS = 15.0


class RunControl:
    def __init__(self, pace: float | str | None = None) -> None:
        if not (pace is None or pace == STEP or (isinstance(pace, (int, float)) and pace >= 0)):
            raise ValueError(f"pace must be None, a delay in seconds or {STEP!r}, not {pace!r}")
        self.pace = pace
        self._changed = threading.Condition()
        self._cycle_stopped = False
        self._run_stopped = False
        self._steps = 0
        self._tab_gone_at: float | None = None  # when the tab with the buttons went away
        self.unattended = UNATTENDED_STEP_SECONDS

    # -- buttons ----------------------------------------------------------------------------------
    def stop_cycle(self) -> None:
        """*Stop / Next*: end the current answer; the run goes on with the next cycle."""
        with self._changed:
            self._cycle_stopped = True
            self._changed.notify_all()

    def stop_run(self) -> None:
        """*Stop all*: end the current answer and the run."""
        with self._changed:
            self._run_stopped = True
            self._changed.notify_all()

    def step(self) -> None:
        """*Next token*: let one more token through (step pace)."""
        with self._changed:
            self._steps += 1
            self._tab_gone_at = None  # a click: its tab is there after all
            self._changed.notify_all()

    def tab_gone(self) -> None:
        """The tab with this run's buttons was closed or reloaded: a step-by-step run stops
        once it has waited :attr:`unattended` seconds more for Next token (other paces go on
        by themselves, unattended)."""
        with self._changed:
            if self._tab_gone_at is None:
                self._tab_gone_at = time.monotonic()
            self._changed.notify_all()

    @property
    def tab_is_gone(self) -> bool:
        return self._tab_gone_at is not None

    # -- the generating side ----------------------------------------------------------------------
    def is_set(self) -> bool:
        """True when the current answer must end (the generation's cancel)."""
        return self._cycle_stopped or self._run_stopped

    @property
    def run_stopped(self) -> bool:
        return self._run_stopped

    def new_cycle(self) -> None:
        """Forget a Stop / Next (and unused steps) before the next cycle starts."""
        with self._changed:
            self._cycle_stopped = False
            self._steps = 0

    def wait_turn(self) -> None:
        """Called before each token: returns at once when free-running, after the delay, or when
        Next token is pressed; at once whenever a stop is pressed."""
        if self.pace is None or self.pace == 0:
            return
        with self._changed:
            if self.pace == STEP:
                self._wait_for_step()
                if self._steps > 0 and not self.is_set():
                    self._steps -= 1
            else:
                self._changed.wait_for(self.is_set, timeout=float(self.pace))

    def _wait_for_step(self) -> None:
        """Until Next token or a stop; once the tab is gone, at most until its time is up,
        and then the run stops (the condition is held)."""
        while not (self._steps > 0 or self.is_set()):
            if self._tab_gone_at is None:
                self._changed.wait()
                continue
            left = self._tab_gone_at + self.unattended - time.monotonic()
            if left <= 0:
                self._run_stopped = True
                self._changed.notify_all()
                return
            self._changed.wait(left)


class ModelTurn:
    """The loaded model's turn: one generation at a time (:attr:`lock`), whoever asks, and
    who has it while others wait. ``who`` is a generation's cancel (a run's
    :class:`RunControl`, or a lane's cancel, which has the run's as ``control``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._guard = threading.Lock()
        self._holder: object | None = None
        self._waiting: list[object] = []

    @contextmanager
    def taken_by(self, who: object | None) -> Iterator[None]:
        """Hold the model for ``who`` (waiting for it first, if another has it)."""
        with self._guard:
            self._waiting.append(who)
        try:
            self.lock.acquire()
        finally:
            with self._guard:
                self._waiting.remove(who)
        try:
            with self._guard:
                self._holder = who
            yield
        finally:
            with self._guard:
                self._holder = None
            self.lock.release()

    def holder_for(self, run: object) -> object | None:
        """Who has the model while ``run`` (a cancel, or the run control of a lane's cancel)
        waits for it; None when ``run`` is not waiting (or the model's user is unknown)."""
        with self._guard:
            waits = any(w is not None and (w is run or getattr(w, "control", None) is run)
                        for w in self._waiting)
            return self._holder if waits else None
