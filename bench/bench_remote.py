"""Remote backends: what Samantha costs on top of llama-server, and what fan-out buys.

Prints ratios measured in one run (rounds interleaved, medians taken), because these machines are
noisy. Needs the llama-server that `make llama-server` builds. Run with
``.venv/bin/python bench/bench_remote.py [--json]``.

1. Streaming: tokens per second Samantha receives (first token to last, through our adapter,
   stop strings and loop guard) vs the same server's own ``predicted_per_second`` for that
   request. Target: >= 0.95.
2. Fan-out: 8 independent cycles over two ``llama-server -t 1`` processes (``--concurrency 2``,
   ``MODEL@*``) vs the same 8 cycles on one of them: aggregate tokens per second, ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.llama_server import LlamaServer  # noqa: E402

from samantha.core.answer_events import GenerationResult, TokenEvent  # noqa: E402
from samantha.core.chain import ChainConfig  # noqa: E402
from samantha.core.chat import Message  # noqa: E402
from samantha.core.generation import Ask
from samantha.core.remote import BackendSpec  # noqa: E402
from samantha.core.settings import DETERMINISTIC  # noqa: E402
from samantha.models.resolve import default_model  # noqa: E402
from samantha.workbench.facade import Workbench  # noqa: E402
from samantha.workbench.home import data_home  # noqa: E402

PROMPT = "Count from 1 to 300: 1, 2, 3, 4,"
ROUNDS = 5


def streamed(bench: Workbench, model: str, tokens: int) -> tuple[float, float]:
    """(our tokens per second, first token to last; the server's predicted_per_second)."""
    times = []
    result = None
    for event in bench.generate(Ask([Message("user", PROMPT)], DETERMINISTIC.replace(
            max_tokens=tokens), model, loop_guard=False)):
        if isinstance(event, TokenEvent):
            times.append(time.perf_counter())
        elif isinstance(event, GenerationResult):
            result = event
    assert result is not None and len(times) > 10, result
    return (len(times) - 1) / (times[-1] - times[0]), result.timings["predicted_per_second"]


def fan_out(bench: Workbench, model: str, concurrency: int) -> float:
    """Aggregate tokens per second of 8 independent cycles."""
    prompts = "\n".join(f"Count from {n} to {n + 200}:" for n in range(1, 9))
    config = ChainConfig(prompts=prompts, models=(model,), concurrency=concurrency,
                         loop_guard=False, settings=DETERMINISTIC.replace(max_tokens=64))
    started = time.perf_counter()
    run = bench.start_run(config)
    list(run)
    seconds = time.perf_counter() - started
    return sum(c.tokens for c in bench.store.get_run(run.id).cycles) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    model = default_model(data_home() / "models")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        servers = [LlamaServer(model, threads=1, log=home / f"{i}.log") for i in (1, 2)]
        bench = Workbench(home)
        try:
            for name, server in zip(("one", "two"), servers):
                bench.remotes.save(BackendSpec(name, server.url, "llama-server"))
            streamed(bench, "default@one", 16)  # warm up
            pairs = [streamed(bench, "default@one", 200) for _ in range(ROUNDS)]
            ours = statistics.median(p[0] for p in pairs)
            theirs = statistics.median(p[1] for p in pairs)
            results["streaming_tokens_per_second"] = round(ours, 2)
            results["server_predicted_per_second"] = round(theirs, 2)
            results["streaming_ratio"] = round(ours / theirs, 3)
            spread, single = [], []
            for _ in range(3):
                spread.append(fan_out(bench, "default@*", 2))
                single.append(fan_out(bench, "default@one", 1))
            results["fan_out_tokens_per_second"] = round(statistics.median(spread), 2)
            results["one_server_tokens_per_second"] = round(statistics.median(single), 2)
            results["fan_out_ratio"] = round(statistics.median(spread)
                                             / statistics.median(single), 3)
        finally:
            bench.close()
            for server in servers:
                server.stop()
    if args.json:
        print(json.dumps(results))
        return
    for key, value in results.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
