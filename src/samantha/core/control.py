"""The buttons of a run: Stop / Next, Stop all, Next token, and the pace of learning mode.

One :class:`RunControl` is made per run (a stop never leaks into the next run) and shared between
the thread that generates and the front end that presses the buttons. Waiting uses a condition
variable, so a button acts at once, even in the middle of a 10-second pause.
"""

from __future__ import annotations

import threading

STEP = "step"
PACES = (None, 0.3, 1.0, 3.0, 10.0, STEP)  # free, seconds per token, one token per click


class RunControl:
    def __init__(self, pace: float | str | None = None) -> None:
        if not (pace is None or pace == STEP or (isinstance(pace, (int, float)) and pace >= 0)):
            raise ValueError(f"pace must be None, a delay in seconds or {STEP!r}, not {pace!r}")
        self.pace = pace
        self._changed = threading.Condition()
        self._cycle_stopped = False
        self._run_stopped = False
        self._steps = 0

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
            self._changed.notify_all()

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
                self._changed.wait_for(lambda: self._steps > 0 or self.is_set())
                if self._steps > 0 and not self.is_set():
                    self._steps -= 1
            else:
                self._changed.wait_for(self.is_set, timeout=float(self.pace))
