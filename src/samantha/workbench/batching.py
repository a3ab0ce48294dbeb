"""Parallel cycles on this computer: a chain's independent cycles of one local model decoded
together in P batch slots (``--parallel P``; see :mod:`samantha.core.slots`).

The slots live in a context of their own on a second load of the model (its weights are
mapped from the same file, so they cost little memory), made when the run starts and freed
when it ends; the loaded model of the other tabs is left alone. Before anything is loaded the
cache the slots need (P × n_ctx tokens) is compared with the memory available, and a P that
does not fit is refused with the numbers.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from samantha.core.engine import ModelSpec
from samantha.core.errors import InputError
from samantha.core.events import GenerationResult, SlotTaken
from samantha.core.generation import generate as generate_tokens
from samantha.core.prompt_format import prompt_for, resolve
from samantha.core.slots import SlotPool, SlotSession
from samantha.models.gguf_file import read_header
from samantha.workbench.settings_for_model import grammar_of, with_bias_ids

HEADROOM = 0.8  # of the memory available, what the slots' cache may take


def cache_bytes(path: Path, tokens: int) -> int:
    """The bytes of a llama.cpp cache of ``tokens`` tokens (keys and values in f16) for the
    model at ``path``, from its header; 0 when the header does not say."""
    meta = read_header(path).metadata
    arch = meta.get("general.architecture", "")
    layers = int(meta.get(f"{arch}.block_count", 0))
    heads = int(meta.get(f"{arch}.attention.head_count", 0) or 0)
    kv_heads = meta.get(f"{arch}.attention.head_count_kv", heads)
    kv_heads = int(max(kv_heads) if isinstance(kv_heads, list) else kv_heads or heads)
    width = int(meta.get(f"{arch}.embedding_length", 0))
    key = int(meta.get(f"{arch}.attention.key_length", width // heads if heads else 0))
    value = int(meta.get(f"{arch}.attention.value_length", key))
    return layers * kv_heads * (key + value) * 2 * tokens


def available_bytes() -> int | None:
    """MemAvailable of /proc/meminfo (None where there is none)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_fits(path: Path, slots: int, n_ctx: int) -> None:
    """Refuse, with the numbers, a P whose cache does not fit in the memory available."""
    need = cache_bytes(path, slots * n_ctx)
    have = available_bytes()
    if have is not None and need > HEADROOM * have:
        fits = max(1, int(HEADROOM * have // max(1, cache_bytes(path, n_ctx))))
        raise InputError(
            f"--parallel {slots} needs a cache of {slots} × {n_ctx} tokens for {path.name}: "
            f"{need / 2**30:.1f} GiB, and this computer has {have / 2**30:.1f} GiB available "
            f"({HEADROOM:.0%} of it may go to the cache). Use --parallel {fits} or less, or a "
            "smaller n_ctx.")


@contextlib.contextmanager
def run_slots(bench: Any, slots: int, model: str, n_ctx: int, numbers: Sequence[int],
              stopped: Callable[[], bool]) -> Iterator["RunSlots"]:
    """Batch slots for the cycles ``numbers`` (plan order) of ``model``, for one run."""
    path = bench.resolve_model(model)
    check_fits(path, slots, n_ctx)
    run = RunSlots(bench, model, path, slots, n_ctx, stopped)
    run.pool.expect(numbers)
    try:
        yield run
    finally:
        run.close()


class RunSlots:
    def __init__(self, bench: Any, model: str, path: Path, slots: int, n_ctx: int,
                 stopped: Callable[[], bool]) -> None:
        self.bench, self.model, self.path, self.n_ctx = bench, model, path, n_ctx
        self.pool = SlotPool(slots, self, stopped)
        self._base: Any = None  # the second load of the model, made at the first cycle
        self._decoder: Any = None
        self._lock = threading.Lock()

    def _ready(self) -> Any:
        with self._lock:
            if self._base is None:
                from samantha.engines.llama_batch import LlamaBatch

                engine = self.bench.engine
                self._base = engine.load(ModelSpec(self.model, self.path, n_ctx=512))
                self._decoder = LlamaBatch(self._base, self.pool.slots, self.n_ctx,
                                           engine.n_threads, engine.n_batch, engine.call)
            return self._base

    # the pool's Decoder
    def decode(self, prefills: dict, tokens: dict) -> dict:
        return self._decoder.decode(prefills, tokens)

    def forget(self, slot: int) -> None:
        if self._decoder is not None:
            self._decoder.forget(slot)

    def generate(self, number: int, messages: Any, settings: Any, cancel: Any, trace_top: int,
                 pacer: Any, loop_guard: bool, memory: Any) -> Iterator[Any]:
        """One cycle in a slot: waits for its turn, then generates as a single context would."""
        try:
            base = self._ready()
            settings = settings.replace(prompt_format=resolve(
                settings.prompt_format, base.has_chat_template, messages))
            prompt = prompt_for(base, messages, settings.prompt_format, cancel)
            tokens = base.tokenize(prompt.text)
            settings = with_bias_ids(base, settings)
        except BaseException:  # it will not take its slot: the cycles after it go on
            self.pool.withdraw(number)
            raise
        taken = self.pool.admit(number, cancel)
        if taken is None:  # stopped while waiting for its turn
            yield GenerationResult("", 0, len(tokens), 0.0, "cancelled", settings)
            return
        constraint = None
        try:  # from here on the slot is this cycle's: it is let go however the cycle ends
            yield SlotTaken(taken.slot, taken.slots, taken.step)
            constraint = grammar_of(base, settings)
            session = SlotSession(base, self.pool, taken, self.n_ctx)
            for event in generate_tokens(session, tokens, settings, cancel, prompt.stop,
                                         trace_top, pacer, loop_guard, constraint,
                                         self.bench.breakers.get(base, settings), memory):
                if isinstance(event, GenerationResult):
                    event = _batched(event, taken)
                yield event
        finally:
            self.pool.release(taken.slot)
            if constraint is not None:
                constraint.close()

    def close(self) -> None:
        """Free the slots once no cycle uses them (the run's lanes were all stopped)."""
        self.pool.idle(30.0)
        if self._decoder is not None:
            self._decoder.close()
        if self._base is not None:
            self._base.close()


def _batched(result: GenerationResult, taken: Any) -> GenerationResult:
    import dataclasses

    return dataclasses.replace(result, timings={**result.timings, "batch_slots": taken.slots,
                                                "batch_slot": taken.slot})
