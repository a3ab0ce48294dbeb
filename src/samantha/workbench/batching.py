"""Parallel cycles on this computer: a chain's independent cycles of one local model decoded
together in P batch slots (``--parallel P``; see :mod:`samantha.core.slots`).

The slots live in a context of their own on a second load of the model (its weights are
mapped from the same file, so they cost little memory), made when the run starts and freed
when it ends; the loaded model of the other tabs is left alone. Each slot holds n_ctx tokens,
or the model's trained context (its GGUF header's ``context_length``) for n_ctx 0. Before
anything is loaded the cache the slots need (P × that many tokens) is compared with the memory
available, and a P that does not fit is refused with the numbers.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence

from samantha.core.answer_events import GenerationResult
from samantha.core.engine import Cancel, Engine, ModelSpec
from samantha.core.errors import InputError
from samantha.core.generation import Ask, NeverCancel, Pacer
from samantha.core.generation import generate as generate_tokens
from samantha.core.prompt_format import prompt_for, resolve
from samantha.core.run_events import SlotTaken
from samantha.core.slots import SlotPool, SlotSession
from samantha.models.gguf_file import read_header
from samantha.models.known import Memory, this_computer
from samantha.workbench.settings_for_model import BreakerCache, grammar_of, with_bias_ids

HEADROOM = 0.8  # of the memory available, what the slots' cache may take
MEMINFO = Path("/proc/meminfo")


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


def slot_context(path: Path, n_ctx: int) -> int:
    """The tokens each slot holds: ``n_ctx``, or for 0 the model's trained context."""
    if n_ctx:
        return n_ctx
    trained = read_header(path).context_length
    if isinstance(trained, bool) or not isinstance(trained, int) or trained <= 0:
        raise InputError(f"n_ctx 0 uses the model's trained context, which the header of "
                         f"{path.name} does not give: set n_ctx (e.g. --n-ctx 4096).")
    return trained


def this_memory() -> Memory | None:
    """This computer's memory as the model catalogue reads it: MemAvailable, else the total
    (old kernels, other systems), else None."""
    return this_computer(MEMINFO)


def check_fits(path: Path, slots: int, n_ctx: int) -> None:
    """Refuse, with the numbers, a P whose cache does not fit in the memory available (n_ctx
    0: the model's trained context)."""
    tokens = slot_context(path, n_ctx)
    need = cache_bytes(path, slots * tokens)
    memory = this_memory()
    if memory is None or need <= HEADROOM * memory.bytes:
        return
    room = HEADROOM * memory.bytes
    share = f"{HEADROOM:.0%} of it may go to the cache"
    have = (f"{memory.bytes / 2**30:.1f} GiB available ({share})" if memory.kind == "available"
            else f"{memory.bytes / 2**30:.1f} GiB in all ({share}; how much is free now is not "
                 "known)")
    trained = "" if n_ctx else " (n_ctx 0: the model's trained context)"
    fits = int(room // cache_bytes(path, tokens))
    if fits >= 1:
        advice = f"Use --parallel {fits} or less, or a smaller n_ctx."
    else:
        one = int(room // cache_bytes(path, 1))
        advice = ("Not even one slot fits: use a smaller n_ctx"
                  + (f" ({one} tokens or fewer)" if one else "") + ", or a smaller model.")
    raise InputError(
        f"--parallel {slots} needs a cache of {slots} × {tokens} tokens{trained} for "
        f"{path.name}: {need / 2**30:.1f} GiB, and this computer has {have}. {advice}")


class SlotsBench(Protocol):
    """What the batch slots use of the facade: a model's file, the engine, DRY's breakers."""

    breakers: BreakerCache

    @property
    def engine(self) -> Engine: ...

    def resolve_model(self, name: str) -> Path: ...


@contextlib.contextmanager
def run_slots(bench: SlotsBench, slots: int, model: str, n_ctx: int, numbers: Sequence[int],
              stopped: Callable[[], bool]) -> Iterator["RunSlots"]:
    """Batch slots for the cycles ``numbers`` (plan order) of ``model``, for one run."""
    path = bench.resolve_model(model)
    check_fits(path, slots, n_ctx)
    run = RunSlots(bench, model, path, slots, slot_context(path, n_ctx), stopped)
    run.pool.expect(numbers)
    try:
        yield run
    finally:
        run.close()


class RunSlots:
    def __init__(self, bench: SlotsBench, model: str, path: Path, slots: int, n_ctx: int,
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
                from samantha.engines.llama_cpp import LlamaCppEngine

                engine = self.bench.engine
                if not isinstance(engine, LlamaCppEngine):
                    raise InputError("--parallel decodes cycles together in llama.cpp's "
                                     "batches: it needs the local llama.cpp engine.")
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

    def generate(self, number: int, ask: Ask, cancel: Cancel | None,
                 pacer: Pacer | None) -> Iterator[Any]:
        """One cycle in a slot: waits for its turn, then generates as a single context would."""
        messages, settings = ask.messages, ask.settings
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
        taken = self.pool.admit(number, cancel or NeverCancel())
        if taken is None:  # stopped while waiting for its turn
            yield GenerationResult("", 0, len(tokens), 0.0, "cancelled", settings)
            return
        constraint = None
        try:  # from here on the slot is this cycle's: it is let go however the cycle ends
            yield SlotTaken(taken.slot, taken.slots, taken.step)
            constraint = grammar_of(base, settings)
            session = SlotSession(base, self.pool, taken, self.n_ctx)
            for event in generate_tokens(session, tokens, settings, cancel, prompt.stop,
                                         ask.trace_top, pacer, ask.loop_guard, constraint,
                                         self.bench.breakers.get(base, settings), ask.memory):
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
