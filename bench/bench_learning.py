"""Learning mode's cost: generation with top-10 traces against the same generation without, on
the default model, and memory over a 2,000-token response. Ratios from one run (rounds
interleaved, medians taken). Run: ``.venv/bin/python bench/bench_learning.py``.

Targets: speed ratio >= 0.95; resident memory flat while the response grows; a what-if answer
(another chain on a remembered token's 262,144 scores, as the UI computes it) under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from pathlib import Path

from samantha.core.answer_events import TokenEvent
from samantha.core.chat import build_messages
from samantha.core.generation import generate
from samantha.core.settings import DETERMINISTIC, STOCHASTIC
from samantha.core.whatif import RecentLogits, parse_what_if
from samantha.workbench.facade import Workbench
from samantha.workbench.home import data_home

PROMPT = "Write a long story about a lighthouse keeper and the sea."


class NeverEnds:
    """The real session, except that the end token does not end the answer (long runs)."""

    def __init__(self, session: object) -> None:
        self._session = session

    def __getattr__(self, name: str) -> object:
        return getattr(self._session, name)

    def is_end(self, token: int) -> bool:
        return False


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def speed(bench: Workbench, settings, top: int) -> float:
    session = NeverEnds(bench.session("default", settings.n_ctx))
    bench.reset_model()
    tokens = session.tokenize(session.render_chat(build_messages("", "", PROMPT)).text)
    *_, result = generate(session, tokens, settings, trace_top=top, loop_guard=False)
    return result.tokens / result.seconds


def memory(bench: Workbench, n: int) -> tuple[float, float]:
    settings = STOCHASTIC.replace(max_tokens=n, n_ctx=4000, seed=1)
    session = NeverEnds(bench.session("default", settings.n_ctx))
    bench.reset_model()
    tokens = session.tokenize(session.render_chat(build_messages("", "", PROMPT)).text)
    early = late = 0.0
    steps = []
    for event in generate(session, tokens, settings, trace_top=10):
        if isinstance(event, TokenEvent):
            steps.append(event.trace)
            if event.index == 199:
                early = rss_mb()
    late = rss_mb()
    return early, late


def what_if_ms(bench: Workbench) -> float:
    """Median milliseconds of a what-if on the last token of a traced answer."""
    settings = STOCHASTIC.replace(max_tokens=16, seed=2)
    session = bench.session("default", settings.n_ctx)
    bench.reset_model()
    memory = RecentLogits()
    tokens = session.tokenize(session.render_chat(build_messages("", "", PROMPT)).text)
    *_, result = generate(session, tokens, settings, trace_top=10, memory=memory)
    remembered = memory.get(memory.steps[-1])
    other = parse_what_if("top_p=0.5,min_p=0.1,temperature=1.5", result.settings)
    times = []
    for _ in range(20):
        started = time.perf_counter()
        bench.what_if("default", remembered, other, 10)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bench = Workbench(Path(os.environ.get("SAMANTHA_HOME") or data_home()))
    report = {}
    for name, base in (("greedy", DETERMINISTIC), ("stochastic", STOCHASTIC)):
        settings = base.replace(max_tokens=args.tokens, seed=3)
        speed(bench, settings, 0)  # warm up
        plain, traced = [], []
        for _ in range(args.rounds):
            plain.append(speed(bench, settings, 0))
            traced.append(speed(bench, settings, 10))
        report[name] = {"plain_tokens_per_second": statistics.median(plain),
                        "traced_tokens_per_second": statistics.median(traced),
                        "ratio": statistics.median(traced) / statistics.median(plain)}
    report["what_if_ms"] = what_if_ms(bench)
    early, late = memory(bench, 2000)
    report["memory_mb"] = {"at_token_200": early, "at_token_2000": late, "growth": late - early,
                           "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name in ("greedy", "stochastic"):
        r = report[name]
        print(f"{name:<10} without traces {r['plain_tokens_per_second']:6.1f} tok/s   with top-10 "
              f"traces {r['traced_tokens_per_second']:6.1f} tok/s   ratio {r['ratio']:.3f} "
              f"(target >= 0.95)")
    print(f"what-if    {report['what_if_ms']:.1f} ms for another chain on 262,144 scores "
          "(target < 100 ms)")
    m = report["memory_mb"]
    print(f"memory     {m['at_token_200']:.0f} MB at token 200, {m['at_token_2000']:.0f} MB at "
          f"token 2000 (growth {m['growth']:.1f} MB, traces kept in memory)")


if __name__ == "__main__":
    main()
