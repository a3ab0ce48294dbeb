"""Where a cycle runs when several backends serve its model (``MODEL@*``), and which backends
are well enough to be asked.

The rule, in order (the README states it too):

1. **Health.** A backend that failed (refused, 5xx, timed out, broke a stream) is *benched*: it
   gets no cycle for a cool-down that doubles with each failure in a row (2 s, 4 s, 8 s, … at
   most 2 minutes), then it is tried again; one answer it gives in full clears its record. When
   every backend is benched, the one whose cool-down ends first is tried.
2. **Affinity.** A backend that has the model already (it last ran this model for us, it serves
   this model only, or it has not run anything for us yet) is preferred to one that would have to
   load it: a swap costs seconds to minutes. When every backend that has the model is full, the
   cycle goes to a backend with a free slot whose model no cycle in progress uses (the run has
   moved on from that model); failing that, it waits on a backend that has the model, up to
   twice its slots (one more cycle waiting for each slot); past that bound, it goes to any
   backend with a free slot. Swaps are counted.
3. **Capacity.** Among those, the cycle goes to the backend with the most room: the fewest
   cycles in progress for its slots times its weight (slots as the server reports them, as
   llama-server's ``/props`` does, or as declared; weight as declared, 1 by default). Ties: the
   backend that has run the fewest cycles for its capacity, then the name.

Where a cycle runs never changes its answer's seed or settings: the choice only says who computes
it. Everything here is pure and thread-safe; the clock is passed in.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

COOL_DOWN = 2.0  # seconds a backend is benched after its first failure in a row
LONGEST = 120.0  # the longest cool-down
QUEUED = 2  # cycles per slot a backend that has the model holds before another one swaps


@dataclass
class Backend:
    """What placement knows of one backend."""

    name: str
    slots: int = 1
    weight: float = 1.0
    only: str | None = None  # the one model it serves, when it serves one only
    busy: int = 0  # cycles in progress
    cycles: int = 0  # cycles started here
    failures: int = 0  # failures in a row
    failed: int = 0  # failures in all
    benched_until: float = 0.0
    last_model: str | None = None
    swaps: int = 0

    @property
    def room(self) -> float:
        return self.slots * self.weight

    def has(self, model: str) -> bool:
        return self.only == model or self.last_model in (None, model)


@dataclass(frozen=True)
class BackendStatus:
    """One backend as the Runs list, the status line and ``--json`` show it."""

    name: str
    state: str  # "up", "benched" or "busy" (every slot in use)
    busy: int
    slots: int
    cycles: int
    failed: int
    swaps: int
    back_in: float  # seconds until a benched backend is tried again (0 when up)

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "state": self.state, "busy": self.busy, "slots": self.slots,
                "cycles": self.cycles, "failed": self.failed, "swaps": self.swaps,
                "back_in": round(self.back_in, 1)}

    def line(self) -> str:
        """``lab: up, 2/4 busy, 31 cycles`` (and what went wrong, when it did)."""
        said = f"{self.name}: {self.state}"
        if self.state == "benched":
            said += f" (tried again in {self.back_in:.0f} s)"
        said += f", {self.busy}/{self.slots} busy, {self.cycles} cycles"
        if self.failed:
            said += f", {self.failed} failed"
        if self.swaps:
            said += f", {self.swaps} model swaps"
        return said


class Placement:
    """The backends' load and health, and the choice of one for each cycle."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 cool_down: float = COOL_DOWN, longest: float = LONGEST) -> None:
        self.clock, self.cool_down, self.longest = clock, cool_down, longest
        self._backends: dict[str, Backend] = {}
        self._running: dict[str, int] = {}  # cycles in progress per model
        self._lock = threading.Lock()

    def declare(self, name: str, slots: int | None = None, weight: float | None = None,
                models: Sequence[str] | None = None) -> None:
        """What is known of a backend: its slots, its weight, the models it serves."""
        with self._lock:
            backend = self._get(name)
            if slots is not None and slots > 0:
                backend.slots = slots
            if weight is not None and weight > 0:
                backend.weight = weight
            if models is not None:
                backend.only = models[0] if len(models) == 1 else None

    def take(self, places: Sequence[tuple[str, str]], avoid: Iterable[str] = ()
             ) -> tuple[str, str] | None:
        """Choose where the next cycle runs among ``places`` (backend, model id), not in
        ``avoid``, and count it in progress there (give it back with :meth:`done`). None when
        every place is avoided."""
        avoided = set(avoid)
        with self._lock:
            options = [(self._get(b), m) for b, m in places if b not in avoided]
            if not options:
                return None
            backend, model = self._choose(options)
            backend.busy += 1
            backend.cycles += 1
            if not backend.has(model):
                backend.swaps += 1
            backend.last_model = model
            self._running[model] = self._running.get(model, 0) + 1
            return backend.name, model

    def done(self, name: str, model: str, ok: bool | None) -> None:
        """A cycle of ``model`` taken on ``name`` has ended: ``ok`` False when the backend
        failed it (it is benched for a while), True when it answered, None when neither says
        anything of its health (Stop, a prompt too long for it)."""
        with self._lock:
            backend = self._get(name)
            backend.busy = max(backend.busy - 1, 0)
            self._running[model] = max(self._running.get(model, 0) - 1, 0)
            if ok is None:
                return
            if ok:
                backend.failures, backend.benched_until = 0, 0.0
                return
            backend.failures += 1
            backend.failed += 1
            pause = min(self.cool_down * 2 ** (backend.failures - 1), self.longest)
            backend.benched_until = self.clock() + pause

    def renew(self, name: str) -> None:
        """The backend called ``name`` changed (another address, kind or slots): what was
        known of it (its slots, models and health) is forgotten; its counts stay."""
        with self._lock:
            backend = self._backends.get(name)
            if backend is not None:
                backend.slots, backend.weight, backend.only = 1, 1.0, None
                backend.failures, backend.benched_until, backend.last_model = 0, 0.0, None

    def status(self, names: Iterable[str] | None = None) -> list[BackendStatus]:
        """Each backend known (or each of ``names``), in name order."""
        now = self.clock()
        with self._lock:
            chosen = sorted(self._backends if names is None else set(names))
            out = []
            for name in chosen:
                b = self._get(name)
                back_in = max(b.benched_until - now, 0.0)
                state = ("benched" if back_in > 0 else
                         "busy" if b.busy >= b.slots else "up")
                out.append(BackendStatus(b.name, state, b.busy, b.slots, b.cycles, b.failed,
                                         b.swaps, back_in))
            return out

    def _get(self, name: str) -> Backend:
        backend = self._backends.get(name)
        if backend is None:
            backend = self._backends[name] = Backend(name)
        return backend

    def _choose(self, options: list[tuple[Backend, str]]) -> tuple[Backend, str]:
        now = self.clock()
        well = [(b, m) for b, m in options if b.benched_until <= now]
        if not well:  # all benched: the first to come back is tried again
            return min(options, key=lambda o: (o[0].benched_until, o[0].name))
        warm = [(b, m) for b, m in well if b.has(m)]
        cold = [(b, m) for b, m in well if not b.has(m) and b.busy < b.slots]
        steps = ([o for o in warm if o[0].busy < o[0].slots],  # has the model, a free slot
                 [o for o in cold if not self._running.get(o[0].last_model or "")],  # left
                 [o for o in warm if o[0].busy < QUEUED * o[0].slots],  # wait where it is
                 cold, warm, well)
        return min(next(step for step in steps if step), key=_room_first)


def _room_first(option: tuple[Backend, str]) -> tuple[float, float, str]:
    backend = option[0]
    return (backend.busy / backend.room, backend.cycles / backend.room, backend.name)
