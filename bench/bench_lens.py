"""The cost of learning mode's view inside the model (the logit lens), on the bundled models.

Rounds interleaved, medians taken (these machines are noisy); the ratios are of milliseconds per
token in the same process, on the same loaded (tapped) model, stochastic preset, 48 tokens:

1. cheap lens (each layer scored over the final top-10 candidates) vs learning mode without it.
   Target: >= 0.5.
2. full lens (each layer over the whole vocabulary) per token, in seconds: the step-by-step
   case. Target for the default model: < 1 s a token.
3. The bytes one token's stored trace takes with the lens (JSON, before compression) against
   without it: the lens keeps the top 5 of each layer, so it is bounded by the layer count.

A model loaded without the tap (any answer that does not ask for layers) pays nothing: the tap
is only set when the view is asked for (measured when it was always set: 2 to 5% of every
token, a Python call per node of the graph).

Run with ``make bench`` or ``.venv/bin/python bench/bench_lens.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.settings import STOCHASTIC
from samantha.workbench.facade import Workbench

TOKENS = 48


def per_token(bench: Workbench, model: str, layers: str, tokens: int = TOKENS
              ) -> tuple[float, int]:
    ask = Ask(build_messages("", "", "Once upon a time"),
              STOCHASTIC.replace(max_tokens=tokens, seed=3), model, trace_top=10,
              loop_guard=False, layers=layers)
    began, steps, size = time.perf_counter(), 0, 0
    for event in bench.generate(ask):
        trace = getattr(event, "trace", None)
        if trace is not None:
            steps += 1
            size = max(size, len(json.dumps(trace.to_dict())))
    return (time.perf_counter() - began) / max(steps, 1), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as home:
        bench = Workbench(Path(home))
        for model in ("smollm2", "default"):
            per_token(bench, model, "full", 2)  # load it tapped, read its output matrix
            seen: dict[str, list[float]] = {"": [], "cheap": [], "full": []}
            sizes: dict[str, int] = {}
            for _ in range(args.rounds):
                for mode in seen:
                    seconds, sizes[mode] = per_token(bench, model, mode,
                                                     8 if mode == "full" else TOKENS)
                    seen[mode].append(seconds)
            plain, cheap, full = (statistics.median(seen[m]) for m in ("", "cheap", "full"))
            results[model] = {"learning_ms": plain * 1000, "cheap_ms": cheap * 1000,
                              "full_s": full, "cheap_ratio": plain / cheap,
                              "trace_bytes": sizes[""], "trace_bytes_with_lens": sizes["cheap"]}
        bench.unload()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for model, r in results.items():
        print(f"{model}: learning {r['learning_ms']:.1f} ms/token, with the cheap lens "
              f"{r['cheap_ms']:.1f} (ratio {r['cheap_ratio']:.3f}, target >= 0.5); full lens "
              f"{r['full_s']:.3f} s/token (target < 1 s for default); a token's trace "
              f"{r['trace_bytes']} bytes, {r['trace_bytes_with_lens']} with the lens")


if __name__ == "__main__":
    main()
