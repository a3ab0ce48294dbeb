"""Parallel cycles: what batch slots buy on this computer, in one run (rounds interleaved,
medians taken, because these machines are noisy).

8 independent 128-token cycles of the default model (greedy, the loop guard off, the tokens
that could end an answer banned on every side, so that every cycle makes 128 tokens):
1. ``--parallel 4`` against ``--parallel 1`` (one after the other): aggregate tokens per
   second, ratio.
2. The ceiling: llama.cpp's own decode of 1 and of 4 sequences in one batch (no sampling, no
   Python between steps), tokens per second and ratio: what batching can give at most here.
   Target: the ratio of 1 at least 0.95 of this one.
3. ``--parallel 4`` against llama.cpp's own ``llama-server -np 4`` serving the same 8 requests
   4 at a time (``--concurrency 4`` over that backend). Target: >= 1.0.
4. The peak RSS of this process after the parallel runs.

Needs the llama-server that `make llama-server` builds. Run with
``.venv/bin/python bench/bench_parallel.py``.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.llama_server import LlamaServer  # noqa: E402

from samantha.core.chain import ChainConfig  # noqa: E402
from samantha.core.remote import BackendSpec  # noqa: E402
from samantha.core.settings import DETERMINISTIC, Settings  # noqa: E402
from samantha.engines.llama_cpp import default_threads  # noqa: E402
from samantha.models.resolve import default_model  # noqa: E402
from samantha.workbench.facade import Workbench  # noqa: E402
from samantha.workbench.home import data_home  # noqa: E402

CYCLES, TOKENS, ROUNDS = 8, 128, 3
median = statistics.median
PROMPTS = "\n".join(f"Count from {n} to {n + 300}, one number a line:" for n in range(1, 9))


def endless(bench: Workbench) -> Settings:
    """Greedy, 128 tokens, with the end tokens and every token holding a new line banned (the
    default model's plain chat format stops on a new line's ``User:``)."""
    session = bench.session("default", DETERMINISTIC.n_ctx)
    ends = [t for t in range(session.n_vocab)
            if session.is_end(t) or b"\n" in session.vocab_piece(t)]
    return DETERMINISTIC.replace(max_tokens=TOKENS,
                                 logit_bias=tuple((t, float("-inf")) for t in ends))


def aggregate(bench: Workbench, settings: Settings, model: str, parallel: int = 1,
              concurrency: int = 1) -> float:
    """Tokens per second of the whole run of 8 cycles (each makes exactly 128)."""
    config = ChainConfig(prompts=PROMPTS, models=(model,), parallel=parallel,
                         concurrency=concurrency, loop_guard=False, settings=settings)
    started = time.perf_counter()
    run = bench.start_run(config)
    list(run)
    seconds = time.perf_counter() - started
    cycles = bench.store.get_run(run.id).cycles
    assert [c.tokens for c in cycles] == [TOKENS] * CYCLES, [c.tokens for c in cycles]
    return sum(c.tokens for c in cycles) / seconds


def decode_only(bench: Workbench, slots: int, steps: int = 60) -> float:
    """Tokens per second of llama.cpp decoding ``slots`` sequences a token at a time."""
    from samantha.engines.llama_batch import LlamaBatch

    engine = bench.engine
    base = bench.session("default", DETERMINISTIC.n_ctx)
    batch = LlamaBatch(base, slots, 1024, engine.n_threads, engine.n_batch, engine.call)
    try:
        prompt = base.tokenize("Count from 1 to 300:")
        batch.decode({slot: prompt for slot in range(slots)}, {})
        started = time.perf_counter()
        for step in range(steps):
            batch.decode({}, {slot: 100 + step for slot in range(slots)})
        return slots * steps / (time.perf_counter() - started)
    finally:
        batch.close()


def main() -> None:
    model = default_model(data_home() / "models")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        bench = Workbench(home)
        server = LlamaServer(model, slots=4, n_ctx=1024, threads=default_threads(),
                             log=home / "server.log")
        try:
            bench.remotes.save(BackendSpec("np4", server.url, "llama-server"))
            settings = endless(bench)
            aggregate(bench, settings, "default", parallel=4)  # warm up both
            aggregate(bench, settings, "default@np4", concurrency=4)
            batched, single, served = [], [], []
            for _ in range(ROUNDS):
                batched.append(aggregate(bench, settings, "default", parallel=4))
                single.append(aggregate(bench, settings, "default", parallel=1))
                served.append(aggregate(bench, settings, "default@np4", concurrency=4))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            alone = median([decode_only(bench, 1) for _ in range(ROUNDS)])
            together = median([decode_only(bench, 4) for _ in range(ROUNDS)])
        finally:
            bench.close()
            server.stop()
    print(f"{CYCLES} cycles of {TOKENS} tokens, aggregate tokens per second (medians of "
          f"{ROUNDS}): --parallel 4 {median(batched):.1f}, --parallel 1 {median(single):.1f}, "
          f"llama-server -np 4 {median(served):.1f}")
    gain = median(batched) / median(single)
    print(f"parallel 4 / parallel 1: {gain:.3f}")
    print(f"the ceiling, llama.cpp's decode alone: 1 sequence {alone:.1f} tokens/s, 4 in one "
          f"batch {together:.1f}: {together / alone:.3f}")
    print(f"the slots keep {gain / (together / alone):.3f} of what batching gives "
          "(target >= 0.95)")
    print(f"parallel 4 / llama-server -np 4: {median(batched) / median(served):.3f} "
          "(target >= 1.0)")
    print(f"peak RSS of this process after the runs: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
