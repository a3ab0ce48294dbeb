"""The cost of confinement: ``samantha code run`` of ``print(1)`` under bubblewrap (without and
with the network, which a run gets through slirp4netns) against the same command with resource
limits only (``--sandbox rlimits``). Rounds interleaved, medians of 10 each from one run, in a
throw-away data home. Run: ``.venv/bin/python bench/bench_sandbox.py``.

Two figures per backend: the whole command (what a user waits for, the CLI's start included),
and the run itself as the command reports it (``seconds`` in its JSON: the sandbox's own cost).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name -> the options of ``samantha code run``
BACKENDS = {"bubblewrap": ["--sandbox", "bubblewrap"],
            "bwrap+net": ["--sandbox", "bubblewrap", "--allow-network"],
            "rlimits": ["--sandbox", "rlimits"]}


def once(samantha: Path, name: str, home: Path) -> tuple[float, float]:
    """Wall seconds of the whole command, and the run's own seconds."""
    env = {**os.environ, "SAMANTHA_HOME": str(home)}
    started = time.monotonic()
    done = subprocess.run([str(samantha), "code", "run", "-", "--json", *BACKENDS[name]],
                          input="print(1)\n", capture_output=True, text=True, env=env,
                          check=True)
    wall = time.monotonic() - started
    result = json.loads(done.stdout)
    expected = "rlimits (not isolated)" if name == "rlimits" else "bubblewrap"
    if result["stdout"] != "1\n" or result["isolation"] != expected:
        raise SystemExit(f"unexpected result with {' '.join(BACKENDS[name])}: {result}")
    return wall, float(result["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    samantha = Path(sys.executable).with_name("samantha")
    home = Path(tempfile.mkdtemp(prefix="samantha-bench-sandbox-"))
    try:
        for name in BACKENDS:  # warm up: first start, caches
            once(samantha, name, home)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in BACKENDS}
        for _ in range(args.rounds):
            for name in BACKENDS:
                times[name].append(once(samantha, name, home))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    wall = {name: statistics.median(t[0] for t in runs) for name, runs in times.items()}
    own = {name: statistics.median(t[1] for t in runs) for name, runs in times.items()}
    print(f"samantha code run of print(1), median of {args.rounds} each, interleaved")
    for name in BACKENDS:
        print(f"  {name:<10}  command {wall[name] * 1000:6.0f} ms   run {own[name] * 1000:5.0f} ms")
    for name in ("bubblewrap", "bwrap+net"):
        print(f"  {name} / rlimits: command x{wall[name] / wall['rlimits']:.2f} "
              f"(+{(wall[name] - wall['rlimits']) * 1000:.0f} ms), run "
              f"x{own[name] / own['rlimits']:.2f} (+{(own[name] - own['rlimits']) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
