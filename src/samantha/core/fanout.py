"""Fan-out: several independent cycles in progress at once, their events told in plan order.

Each cycle runs in a :class:`Lane`, a thread of its own that queues the cycle's events. The
runner reads the lanes in plan order: the first one live, the others' events wait in their
queues until every cycle before them has ended. Which backend a cycle runs on is not decided
here (see ``samantha.workbench.backends``): a lane only runs what it is given.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Generator, Iterator

from samantha.core.control import RunControl

_DONE = object()


class LaneCancel:
    """A lane's cancel: its own Stop / Next, or the run's Stop all. Paces like the run."""

    def __init__(self, control: RunControl) -> None:
        self.control = control
        self.stopped = threading.Event()

    def is_set(self) -> bool:
        return self.stopped.is_set() or self.control.run_stopped

    def wait_turn(self) -> None:
        self.control.wait_turn()


class Lane:
    """One cycle running in its own thread. ``work`` is a generator function of the cycle's
    events; what it returns is kept in :attr:`outcome`."""

    def __init__(self, number: int, work: Callable[[LaneCancel], Generator[Any, None, Any]],
                 control: RunControl, ended: Callable[[], None] | None = None) -> None:
        self.number = number
        self.cancel = LaneCancel(control)
        self.outcome: Any = None
        self._work = work
        self._ended = ended  # called when the cycle's work is over (its events may wait unread)
        self._events: queue.SimpleQueue[Any] = queue.SimpleQueue()  # C: a lock less per event
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"samantha-cycle-{number}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            events = self._work(self.cancel)
            while True:
                try:
                    self._events.put(next(events))
                except StopIteration as end:
                    self.outcome = end.value
                    return
        except BaseException as exc:  # handed to the reading thread, raised there
            self._error = exc
        finally:
            self._events.put(_DONE)
            if self._ended is not None:
                self._ended()

    def events(self, on_wait: Callable[[], None] = lambda: None) -> Iterator[Any]:
        """The cycle's events as they come, until it ends (``on_wait`` is called while none
        comes and after each: the runner watches its buttons there). Raises what the cycle
        raised."""
        while True:
            try:
                event = self._events.get(timeout=0.05)
            except queue.Empty:
                on_wait()
                continue
            if event is _DONE:
                break
            yield event
            on_wait()  # Stop / Next is seen at the next event too, not only when none comes
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Stop the cycle and wait for its thread, dropping its events."""
        self.cancel.stopped.set()
        try:
            for _ in self.events():
                pass
        except Exception:  # noqa: BLE001 - the cycle is dropped, and so is its failure
            pass
