"""The cost of judging: a judge's own generation time against the whole judging step.

A run of the bundled models (2 prompts x 2 models) is judged by ``smollm2`` on the default
rubric (nine criteria and a reason, held to the rubric's JSON schema), ``rounds`` times
(``again``: the same answers judged afresh each round). For each round: the wall time of the
whole step (reading the run, building each prompt and its grammar, generating, reading each
judgement, storing it, then the leaderboard with its bootstrap) against the sum of the judge's
own generation times (what the engine reports for each answer, prompt included). Target: the
step <= 1.05x the judge's generation (median of the rounds).

Run with ``make bench`` or ``.venv/bin/python bench/bench_judging.py [--rounds N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from samantha.core.chain import ChainConfig
from samantha.core.rubric import seed_rubric
from samantha.core.settings import DETERMINISTIC
from samantha.workbench.facade import Workbench
from samantha.workbench.judging import JudgeRequest, judge_run, run_leaderboard

TARGET = 1.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        bench = Workbench(Path(home))
        run = bench.start_run(ChainConfig(
            prompts="What is the capital of France?\nName three primary colours.",
            models=("default", "smollm2"), settings=DETERMINISTIC.replace(max_tokens=40)))
        for _ in run:
            pass
        request = JudgeRequest(run.id, ("smollm2",), seed_rubric(), again=True)
        list(judge_run(bench, request))  # the judge loaded, its grammar built once: warm
        rounds = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            judged = list(judge_run(bench, request))
            run_leaderboard(bench.store, [run.id])
            step = time.perf_counter() - began
            generation = sum(j.generation_seconds for j in judged)
            rounds.append({"step": step, "generation": generation,
                           "ratio": step / generation, "judgements": len(judged)})
        bench.unload()
    ratio = statistics.median(r["ratio"] for r in rounds)
    result = {"rounds": rounds, "median_ratio": ratio, "target": TARGET, "met": ratio <= TARGET}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for r in rounds:
        print(f"step {r['step']:.3f} s, judge's generation {r['generation']:.3f} s, "
              f"ratio {r['ratio']:.3f} ({r['judgements']} judgements)")
    print(f"judging step / judge's generation: {ratio:.3f} (median of {len(rounds)}; "
          f"target <= {TARGET}) {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
