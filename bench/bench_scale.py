"""One experiment over many machines: a chain fanned out over simulated OpenAI-compatible
servers (``tests/support/sim_servers.py``, a process of its own), as a rack of CPU servers.

Default: 2,000 cycles of 64 tokens over 64 servers of 4 slots at 15 tokens/s per slot (a 7-8 B
model on a CPU server), ``-m sim@* --concurrency 256``, through ``samantha run``'s own path
(the Workbench, the runner, the store). Prints:

- efficiency: the ideal time (every slot busy from the first cycle to the last:
  cycles x tokens / (servers x slots x rate)) over the measured time; target >= 0.9;
- the coordinator's CPU (this process: the runner, the lanes, the HTTP streams, the store) per
  cycle (target <= 2 ms) and per streamed token (target <= 0.05 ms), told apart by running the
  same cycles again with 4-token answers, and its peak memory;
- the same with 10% of the servers going down part-way (``--fail``): efficiency, and whether
  every cycle was kept.

Run: ``.venv/bin/python bench/bench_scale.py [--cycles 2000 --servers 64 --slots 4 --rate 15
--tokens 64] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from samantha.core.backend_specs import BackendSpec
from samantha.core.chain import ChainConfig
from samantha.core.settings import DETERMINISTIC
from samantha.workbench.backends import write_backends
from samantha.workbench.facade import Workbench

SHORT = 4  # tokens per answer of the run that tells the CPU per cycle from the CPU per token
SIM = Path(__file__).resolve().parents[1] / "tests" / "support" / "sim_servers.py"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def farm(args: argparse.Namespace, fail: float, fail_at: float) -> tuple[subprocess.Popen, list]:
    process = subprocess.Popen(
        [sys.executable, str(SIM), "--servers", str(args.servers), "--slots", str(args.slots),
         "--rate", str(args.rate), "--fail", str(fail), "--fail-at", str(fail_at)],
        stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    urls = json.loads(process.stdout.readline())["urls"]
    return process, urls


def one_run(args: argparse.Namespace, fail: float = 0.0) -> dict[str, Any]:
    ideal = args.cycles * args.tokens / (args.servers * args.slots * args.rate)
    process, urls = farm(args, fail, ideal / 3)
    try:
        with tempfile.TemporaryDirectory() as home:
            write_backends(Path(home), {f"s{i:03d}": BackendSpec(f"s{i:03d}", url, "openai")
                                        for i, url in enumerate(urls)})
            bench = Workbench(Path(home))
            prompts = "\n".join(f"Item {n}." for n in range(args.cycles))
            config = ChainConfig(prompts=prompts, models=("sim@*",),
                                 concurrency=args.servers * args.slots, retry_on_other=True,
                                 loop_guard=False,
                                 settings=DETERMINISTIC.replace(max_tokens=args.tokens))
            cpu, started = cpu_seconds(), time.perf_counter()
            run = bench.start_run(config)
            for _ in run:
                pass
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            cycles = bench.store.get_run(run.id).cycles
            tokens = sum(c.tokens for c in cycles)
            status = bench.remotes.placement.status()
            bench.close()
    finally:
        process.kill()
        process.wait()
    return {"cycles": len(cycles), "done": sum(c.status == "done" for c in cycles),
            "tokens": tokens, "ideal_seconds": ideal, "seconds": seconds,
            "efficiency": ideal / seconds, "cpu_seconds": cpu,
            "cpu_ms_per_cycle": cpu * 1000 / max(len(cycles), 1),
            "cpu_ms_per_token": cpu * 1000 / max(tokens, 1),
            "servers_used": sum(s.cycles > 0 for s in status),
            "benched": sum(s.failed > 0 for s in status),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def split(long: dict[str, Any], short: dict[str, Any]) -> None:
    """The coordinator's CPU as a part per cycle and a part per streamed token, from the same
    cycles run with two answer lengths: cpu = cycles x per_cycle + tokens x per_token."""
    per_token = (long["cpu_seconds"] - short["cpu_seconds"]) / max(
        long["tokens"] - short["tokens"], 1)
    per_cycle = (long["cpu_seconds"] - per_token * long["tokens"]) / max(long["cycles"], 1)
    long["cpu_ms_per_cycle"], long["cpu_ms_per_token"] = per_cycle * 1000, per_token * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--servers", type=int, default=64)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--rate", type=float, default=15.0)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--fail", type=float, default=0.1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"healthy": one_run(args)}
    short = one_run(argparse.Namespace(**{**vars(args), "tokens": SHORT}))
    split(report["healthy"], short)
    if args.fail:
        report["failing"] = one_run(args, args.fail)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.cycles} cycles x {args.tokens} tokens over {args.servers} simulated servers "
          f"x {args.slots} slots at {args.rate:g} tokens/s")
    r = report["healthy"]
    print(f"healthy  efficiency {r['efficiency']:.2f} (ideal {r['ideal_seconds']:.1f} s, took "
          f"{r['seconds']:.1f} s; target >= 0.9), {r['servers_used']} servers used")
    print(f"         coordinator CPU {r['cpu_ms_per_cycle']:.2f} ms per cycle (target <= 2) + "
          f"{r['cpu_ms_per_token']:.3f} ms per token (target <= 0.05); "
          f"{r['cpu_seconds']:.1f} s in all, peak memory {r['peak_mb']:.0f} MB")
    if "failing" in report:
        f = report["failing"]
        print(f"failing  {args.fail:.0%} of the servers down after a third of the ideal time: "
              f"efficiency {f['efficiency']:.2f} (took {f['seconds']:.1f} s), cycles kept "
              f"{f['done']}/{f['cycles']}, {f['benched']} servers benched")


if __name__ == "__main__":
    main()
