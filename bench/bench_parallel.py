"""Parallel cycles: what batch slots buy on this computer, in one run (rounds interleaved,
medians taken, because these machines are noisy).

8 independent 128-token cycles of the default model (greedy, the loop guard off):
1. ``--parallel 4`` against ``--parallel 1`` (one after the other): aggregate tokens per
   second, ratio. Target: >= 2.0.
2. ``--parallel 4`` against llama.cpp's own ``llama-server -np 4`` serving the same 8 requests
   4 at a time (``--concurrency 4`` over that backend). Target: >= 0.9.
3. The peak RSS of this process after the parallel runs.

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

from samantha.app import Workbench  # noqa: E402
from samantha.core.chain import ChainConfig  # noqa: E402
from samantha.core.remote import BackendSpec  # noqa: E402
from samantha.core.settings import DETERMINISTIC  # noqa: E402
from samantha.engines.llama_cpp import default_threads  # noqa: E402
from samantha.home import data_home  # noqa: E402
from samantha.models.resolve import default_model  # noqa: E402

CYCLES, TOKENS, ROUNDS = 8, 128, 3
PROMPTS = "\n".join(f"Count from {n} to {n + 300}, one number a line:" for n in range(1, 9))


def aggregate(bench: Workbench, model: str, parallel: int = 1, concurrency: int = 1) -> float:
    """Tokens per second of the whole run of 8 cycles."""
    config = ChainConfig(prompts=PROMPTS, models=(model,), parallel=parallel,
                         concurrency=concurrency, loop_guard=False,
                         settings=DETERMINISTIC.replace(max_tokens=TOKENS))
    started = time.perf_counter()
    run = bench.start_run(config)
    list(run)
    seconds = time.perf_counter() - started
    cycles = bench.store.get_run(run.id).cycles
    assert len(cycles) == CYCLES, len(cycles)
    return sum(c.tokens for c in cycles) / seconds


def main() -> None:
    model = default_model(data_home() / "models")
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        bench = Workbench(home)
        server = LlamaServer(model, slots=4, n_ctx=1024, threads=default_threads(),
                             log=home / "server.log")
        try:
            bench.remotes.save(BackendSpec("np4", server.url, "llama-server"))
            aggregate(bench, "default", parallel=4)  # warm up both
            aggregate(bench, "default@np4", concurrency=4)
            batched, single, served = [], [], []
            for _ in range(ROUNDS):
                batched.append(aggregate(bench, "default", parallel=4))
                single.append(aggregate(bench, "default", parallel=1))
                served.append(aggregate(bench, "default@np4", concurrency=4))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        finally:
            bench.close()
            server.stop()
    median = statistics.median
    print(f"{CYCLES} cycles of {TOKENS} tokens, aggregate tokens per second (medians of "
          f"{ROUNDS}): --parallel 4 {median(batched):.1f}, --parallel 1 {median(single):.1f}, "
          f"llama-server -np 4 {median(served):.1f}")
    print(f"parallel 4 / parallel 1: {median(batched) / median(single):.3f} (target >= 2.0)")
    print(f"parallel 4 / llama-server -np 4: {median(batched) / median(served):.3f} "
          "(target >= 0.9)")
    print(f"peak RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
