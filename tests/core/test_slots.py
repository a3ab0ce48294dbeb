"""Batch slots with a recording decoder: every step holds the same sequences whatever the
threads' timing, a slot that ends goes to the next cycle at once, a cancelled cycle lets the
others go on, and Stop all ends every slot."""

from __future__ import annotations

import random
import threading
import time

import numpy as np

from samantha.core.slots import SlotPool, SlotSession, Taken

VOCAB = 8


class Recorder:
    def __init__(self) -> None:
        self.steps: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        self.forgotten: list[int] = []

    def decode(self, prefills, tokens):
        self.steps.append((tuple(sorted(prefills)), tuple(sorted(tokens))))
        out = {}
        for slot in [*prefills, *tokens]:
            row = np.zeros(VOCAB, np.float32)
            row[slot % VOCAB] = 1.0
            out[slot] = row
        return out

    def forget(self, slot):
        self.forgotten.append(slot)


class Never:
    def is_set(self) -> bool:
        return False


class Flag:
    def __init__(self) -> None:
        self.on = threading.Event()

    def is_set(self) -> bool:
        return self.on.is_set()


def cycle(pool: SlotPool, number: int, length: int, jitter: random.Random | None,
          log: list, cancel=None) -> None:
    taken = pool.admit(number, cancel or Never())
    if taken is None:
        log.append((number, None))
        return
    log.append((number, taken))
    try:
        pool.prefill(taken.slot, [1, 2, 3])
        for index in range(length):
            if cancel is not None and cancel.is_set():
                break
            if jitter:
                time.sleep(jitter.random() * 0.003)  # threads at their own pace
            pool.advance(taken.slot, index)
    finally:
        pool.release(taken.slot)


def run(lengths: list[int], slots: int, seed: int | None) -> tuple[Recorder, list]:
    recorder, log = Recorder(), []
    pool = SlotPool(slots, recorder)
    pool.expect(range(1, len(lengths) + 1))
    jitter = random.Random(seed) if seed is not None else None
    order = list(range(1, len(lengths) + 1))
    if jitter:
        jitter.shuffle(order)  # the threads start in any order
    threads = [threading.Thread(target=cycle, args=(pool, n, lengths[n - 1], jitter, log))
               for n in order]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)
    return recorder, sorted(log, key=lambda item: item[0])


def test_the_batches_do_not_depend_on_timing() -> None:
    lengths = [5, 12, 3, 8, 8, 2, 9]
    first, taken = run(lengths, 3, seed=1)
    for seed in (2, 3, 4):
        again, taken_again = run(lengths, 3, seed)
        assert again.steps == first.steps and taken_again == taken


def test_a_slot_that_ends_goes_to_the_next_cycle_at_once() -> None:
    recorder, log = run([2, 20, 20], 2, seed=None)
    taken = dict(log)
    assert (taken[1].slot, taken[2].slot) == (0, 1)
    assert taken[3] == Taken(0, 2, taken[3].step) and taken[3].step <= 4  # long before 20
    # cycle 3's prompt is read in the same step as cycle 2's next token
    assert ((0,), (1,)) in recorder.steps
    assert recorder.forgotten == [0, 1, 0] or sorted(recorder.forgotten) == [0, 0, 1]


def test_one_cycle_stopped_leaves_the_others_running() -> None:
    recorder, log = Recorder(), []
    pool = SlotPool(2, recorder)
    pool.expect([1, 2])
    stop = Flag()
    slow = random.Random(0)  # a few milliseconds a token: Stop/Next comes mid-answer
    threads = [threading.Thread(target=cycle, args=(pool, 1, 1000, slow, log, stop)),
               threading.Thread(target=cycle, args=(pool, 2, 30, slow, log))]
    for thread in threads:
        thread.start()
    time.sleep(0.02)
    stop.on.set()  # Stop/Next on cycle 1
    for thread in threads:
        thread.join(20)
    singles = [tokens for _, tokens in recorder.steps if tokens]
    assert sum(1 for tokens in singles if 1 in tokens) == 30  # cycle 2 went to its end
    assert sum(1 for tokens in singles if 0 in tokens) < 1000


def test_stop_all_while_a_cycle_has_not_come() -> None:
    """The pool waits for the next cycle to fill a free slot; Stop all ends that wait."""
    recorder, log = Recorder(), []
    stopped = threading.Event()
    pool = SlotPool(2, recorder, stopped.is_set)
    pool.expect([1, 2, 3])  # cycle 3 never comes: its lane was not started
    done = threading.Thread(target=cycle, args=(pool, 1, 1, None, log))
    waiting = threading.Thread(target=cycle, args=(pool, 2, 50, None, log))
    done.start(), waiting.start()
    time.sleep(0.3)
    stopped.set()
    waiting.join(10)
    assert not waiting.is_alive()


def test_a_cancelled_cycle_waiting_for_its_turn_is_withdrawn() -> None:
    recorder, log = Recorder(), []
    pool = SlotPool(1, recorder)
    pool.expect([1, 2, 3])
    cancel = Flag()
    cancel.on.set()
    threads = [threading.Thread(target=cycle, args=(pool, 2, 3, None, log, cancel)),
               threading.Thread(target=cycle, args=(pool, 1, 3, None, log)),
               threading.Thread(target=cycle, args=(pool, 3, 3, None, log))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert dict(log)[2] is None and dict(log)[1] is not None and dict(log)[3] is not None


def test_a_decoder_error_reaches_every_waiting_generation() -> None:
    class Broken(Recorder):
        def decode(self, prefills, tokens):
            raise RuntimeError("decode failed")

    pool = SlotPool(2, Broken())
    pool.expect([1, 2])
    errors = []

    def one(number):
        taken = pool.admit(number, Never())
        try:
            pool.prefill(taken.slot, [1])
        except RuntimeError as exc:
            errors.append(str(exc))
        finally:
            pool.release(taken.slot)

    threads = [threading.Thread(target=one, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == ["decode failed", "decode failed"]


def test_a_slot_session_reads_text_from_the_loaded_session() -> None:
    class Base:
        name, n_vocab = "m", VOCAB

        def piece(self, token):
            return b"x"

    pool = SlotPool(1, Recorder())
    session = SlotSession(Base(), pool, Taken(0, 1, 0), n_ctx=64)
    assert (session.name, session.n_ctx, session.piece(3)) == ("m", 64, b"x")
    flag = Flag()
    flag.on.set()
    assert session.prefill([1], flag) is None  # cancelled: nothing is read
