"""Batch slots: several generations decoded together, one sequence each, in one model context.

On a CPU, decoding is bound by memory bandwidth: one step that reads every weight once can
move P sequences forward for little more than the price of one. Each generation runs as it
always does (:func:`samantha.core.generation.generate`, our sampler chain, its seed, stop
strings, loop guard, trace and cancel), on a :class:`SlotSession` whose ``advance`` waits for
the step: once every slot in use has asked for its next logits (or ended), one decode answers
them all. A slot that ends is handed at once to the next cycle waiting (continuous batching).

llama.cpp's numbers depend slightly on which sequences share a batch, so the batches are made
the same way every time: slots are handed out in plan order (:meth:`SlotPool.expect`), and a
step waits until every slot that can be filled is; nothing depends on timing. The same P, seed
and plan give the same answers on one machine.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol, Sequence

import numpy as np

from samantha.core.engine import Cancel


class Decoder(Protocol):
    def decode(self, prefills: dict[int, list[int]], tokens: dict[int, int]
               ) -> dict[int, np.ndarray]:
        """The next logits of each slot: those in ``prefills`` start a new sequence with these
        tokens, those in ``tokens`` append one token to theirs."""

    def forget(self, slot: int) -> None:
        """Drop a slot's sequence from the cache."""


@dataclass(frozen=True)
class Taken:
    """A slot handed to a cycle: which, of how many, at which step of the pool."""

    slot: int
    slots: int
    step: int


class SlotPool:
    """``slots`` sequences decoded together by ``decoder``. Thread-safe: each generation runs
    on a thread of its own."""

    def __init__(self, slots: int, decoder: Decoder,
                 stopped: Callable[[], bool] = lambda: False) -> None:
        self.slots, self.decoder = slots, decoder
        self.stopped = stopped  # Stop all: no cycle is waited for any more
        self.steps = 0  # decodes so far
        self._order: deque[int] = deque()  # the cycle numbers to admit, in this order
        self._free = list(range(slots))
        self._active: set[int] = set()
        self._asked: dict[int, Any] = {}  # slot -> ("prefill", tokens) or ("token", id)
        self._answers: dict[int, np.ndarray] = {}
        self._arrived: set[int] = set()  # cycles waiting in admit
        self._granted: dict[int, int] = {}  # cycle -> the slot handed to it
        self._error: BaseException | None = None
        self._changed = threading.Condition()

    def expect(self, numbers: Iterable[int]) -> None:
        """The cycles that will ask for a slot, in the order they get one."""
        with self._changed:
            self._order.extend(numbers)
            self._changed.notify_all()

    def withdraw(self, number: int) -> None:
        """A cycle that will not ask after all (cancelled, or failed before generating)."""
        with self._changed:
            if number in self._order:
                self._order.remove(number)
            self._step_if_ready()
            self._changed.notify_all()

    def admit(self, number: int, cancel: Cancel) -> Taken | None:
        """Wait for the cycle's turn and a free slot; None when ``cancel`` is set first (the
        cycle is then withdrawn)."""
        with self._changed:
            if number not in self._order:
                self._order.append(number)
            self._arrived.add(number)
            self._assign()
            while number not in self._granted:
                if cancel.is_set():
                    self._arrived.discard(number)
                    self._order.remove(number)
                    self._step_if_ready()
                    self._changed.notify_all()
                    return None
                self._changed.wait(0.05)
            return Taken(self._granted.pop(number), self.slots, self.steps)

    def prefill(self, slot: int, tokens: Sequence[int]) -> np.ndarray:
        return self._ask(slot, ("prefill", list(tokens)))

    def advance(self, slot: int, token: int) -> np.ndarray:
        return self._ask(slot, ("token", int(token)))

    def idle(self, timeout: float) -> bool:
        """Wait until no slot is in use (True), or ``timeout`` seconds (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._active, timeout)

    def release(self, slot: int) -> None:
        """The slot's generation has ended: its sequence is dropped and the slot is free."""
        with self._changed:
            self._active.discard(slot)
            self._asked.pop(slot, None)
            self._answers.pop(slot, None)
            self.decoder.forget(slot)
            self._free.append(slot)
            self._free.sort()
            self._step_if_ready()  # hands the slot on, or steps
            self._changed.notify_all()

    def _ask(self, slot: int, request: Any) -> np.ndarray:
        with self._changed:
            self._asked[slot] = request
            self._step_if_ready()
            while slot not in self._answers:
                if self._error is not None:
                    raise self._error
                self._changed.wait(0.1)
                self._step_if_ready()  # Stop all may have come meanwhile
            return self._answers.pop(slot)

    def _quiet(self) -> bool:
        """Every slot in use has asked for its next logits (those that ended have left)."""
        return all(slot in self._asked for slot in self._active)

    def _assign(self) -> None:
        """Hand the lowest free slot to the next cycle, once the pool is quiet: which slots are
        free then does not depend on the order in which the threads let theirs go."""
        while self._free and self._order and self._quiet() and self._order[0] in self._arrived:
            number = self._order.popleft()
            self._arrived.discard(number)
            slot = self._free.pop(0)
            self._active.add(slot)
            self._granted[number] = slot
            self._changed.notify_all()

    def _step_if_ready(self) -> None:
        """One decode, once every slot in use has asked and no free slot waits for a cycle
        that will come (holding the lock)."""
        self._assign()
        if not self._asked or not self._quiet():
            return
        if self._free and self._order and not self.stopped():
            return  # the next cycle is on its way: it joins this step
        asked, self._asked = self._asked, {}
        prefills = {s: r[1] for s, r in sorted(asked.items()) if r[0] == "prefill"}
        tokens = {s: r[1] for s, r in sorted(asked.items()) if r[0] == "token"}
        try:
            self._answers.update(self.decoder.decode(prefills, tokens))
        except BaseException as exc:  # every waiting generation gets it
            self._error = exc
        self.steps += 1
        self._changed.notify_all()


class SlotSession:
    """A model session whose evaluation goes through a slot of a :class:`SlotPool`; the rest
    (text, vocabulary, chat template) is the loaded session's."""

    def __init__(self, base: Any, pool: SlotPool, taken: Taken, n_ctx: int) -> None:
        self._base, self._pool, self.taken = base, pool, taken
        self.name, self.n_vocab, self.n_ctx = base.name, base.n_vocab, n_ctx

    def __getattr__(self, name: str) -> Any:  # render_chat, tokenize, piece, is_end, …
        return getattr(self._base, name)

    def prefill(self, tokens: Sequence[int], cancel: Cancel) -> np.ndarray | None:
        if cancel.is_set():
            return None
        return self._pool.prefill(self.taken.slot, tokens)

    def advance(self, token: int) -> np.ndarray:
        return self._pool.advance(self.taken.slot, token)

    def reset(self) -> None:
        """Nothing to do: a slot's sequence starts clean at each prefill."""
