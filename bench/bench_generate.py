"""Generation speed and memory of Samantha against llama-cpp-python on the default model.

Prints ratios measured in one run (rounds interleaved, medians taken), because these machines are
noisy. Run with ``make bench`` or ``.venv/bin/python bench/bench_generate.py [--json]``.

1. Greedy: ``Workbench.generate`` vs a raw loop on the same loaded model (``llm.eval([tok])`` +
   argmax over ``llama_get_logits_ith``), both with the tokens that could end the answer banned
   (as in 2; a bias keeps our greedy shortcut) and no loop guard, so both make 128 tokens.
   Target: ratio >= 0.95.
2. Stochastic preset: our sampler chain vs llama-cpp-python's ``create_completion`` with the same
   settings. Target: ratio >= 1.0 (tokens per second). Both sides ban the tokens that could end
   the answer (end tokens and new lines, a logit bias of -inf), so that both make exactly 128
   tokens: answers of different lengths would compare prompt times as much as token times.
3. Peak RSS of ``samantha generate`` at n_ctx 4000. Target: <= model file + 600 MB.
4. The loop guard's cost: the stochastic run of 2 with the guard on vs off (the same seed, so
   the same 128 tokens unless the guard ends a loop). Target: ratio >= 0.98.
5. DRY and XTC on (dry_multiplier 0.8, xtc_probability 0.5) vs the stochastic preset without
   them (end tokens banned as in 2). Target: ratio >= 0.9.
6. The whole command: the wall time of ``samantha generate`` making 128 tokens (start to exit,
   streamed to a pipe) vs a plain llama-cpp-python script streaming the same 128 tokens
   (``create_completion`` with the same settings and threads). Target: ratio >= 0.95 (script
   time / ours).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from samantha.core.answer_events import GenerationResult
from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.settings import DETERMINISTIC, STOCHASTIC
from samantha.workbench.facade import Workbench
from samantha.workbench.home import data_home

PROMPT = "Write a long story about a lighthouse keeper and the sea."
NEW_TOKENS = 128


def ours(bench: Workbench, settings, loop_guard: bool = True) -> tuple[float, int]:
    result = our_result(bench, settings, loop_guard)
    return result.seconds, result.tokens


def our_result(bench: Workbench, settings, loop_guard: bool = True) -> GenerationResult:
    bench.reset_model()
    *_, result = bench.generate(Ask(build_messages("", "", PROMPT), settings,
                                    loop_guard=loop_guard))
    return result


def on_engine_thread(bench: Workbench, fn, *args):
    """Baselines run on the engine's thread too, as Samantha's generations do (llama.cpp keeps
    an OpenMP team per calling thread; two teams would slow each other down)."""
    return bench.engine.call(fn, *args)


def raw_greedy(bench: Workbench, n_tokens: int, ends: list[int]) -> float:
    return on_engine_thread(bench, _raw_greedy, bench, n_tokens, ends)


def _raw_greedy(bench: Workbench, n_tokens: int, ends: list[int]) -> float:
    import llama_cpp

    session = bench.session("default", DETERMINISTIC.n_ctx)
    llm = session._llm  # the benchmark reaches into the adapter on purpose
    bench.reset_model()
    tokens = session.tokenize(session.render_chat(build_messages("", "", PROMPT)).text)
    n_vocab = llm.n_vocab()
    started = time.perf_counter()
    llm.eval(tokens)
    for _ in range(n_tokens):
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1),
                                       shape=(n_vocab,))
        logits[ends] = -np.inf
        llm.eval([int(np.argmax(logits))])
    return time.perf_counter() - started


def end_tokens(bench: Workbench) -> list[int]:
    """The tokens that could end an answer: the model's end tokens, and every token with a new
    line (the stop strings of the default model's plain chat format start with one)."""
    session = bench.session("default", DETERMINISTIC.n_ctx)
    return [t for t in range(session.n_vocab)
            if session.is_end(t) or b"\n" in session.vocab_piece(t)]


def library_stochastic(bench: Workbench, seed: int, ends: list[int]) -> tuple[float, int]:
    return on_engine_thread(bench, _library_stochastic, bench, seed, ends)


def _library_stochastic(bench: Workbench, seed: int, ends: list[int]) -> tuple[float, int]:
    session = bench.session("default", DETERMINISTIC.n_ctx)
    llm = session._llm
    bench.reset_model()
    text = session.render_chat(build_messages("", "", PROMPT)).text
    s = STOCHASTIC
    llm.set_seed(seed)
    started = time.perf_counter()
    out = llm.create_completion(
        text, max_tokens=NEW_TOKENS, temperature=s.temperature, top_k=s.top_k, top_p=s.top_p,
        min_p=s.min_p, typical_p=s.typical_p, tfs_z=s.tfs_z, repeat_penalty=s.repeat_penalty,
        presence_penalty=s.presence_penalty, frequency_penalty=s.frequency_penalty, seed=seed,
        logit_bias={t: float("-inf") for t in ends},
    )
    seconds = time.perf_counter() - started
    bench.reset_model()
    return seconds, out["usage"]["completion_tokens"]


PLAIN_SCRIPT = """
import sys
import llama_cpp
path, threads, n_ctx, tokens, banned, prompt = sys.argv[1:]
llm = llama_cpp.Llama(model_path=path, n_ctx=int(n_ctx), n_threads=int(threads),
                      n_threads_batch=int(threads), verbose=False)
bias = {int(t): float("-inf") for t in banned.split(",")}
for chunk in llm.create_completion(prompt, max_tokens=int(tokens), temperature=0.0,
                                   repeat_penalty=1.0, logit_bias=bias, stream=True):
    sys.stdout.write(chunk["choices"][0]["text"])
    sys.stdout.flush()
"""


def wall_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - started


def whole_commands(bench: Workbench, model_path: Path, ends: list[int], rounds: int,
                   folder: Path) -> tuple[list[float], list[float]]:
    """Wall seconds of ``samantha generate`` and of the plain script, rounds interleaved."""
    session = bench.session("default", DETERMINISTIC.n_ctx)
    prompt = session.render_chat(build_messages("", "", PROMPT)).text
    threads = str(bench.engine.n_threads)
    banned = ",".join(str(t) for t in ends)
    script = folder / "plain_llama_cpp.py"
    script.write_text(PLAIN_SCRIPT, encoding="utf-8")
    samantha = Path(sys.executable).with_name("samantha")
    ours_cmd = [str(samantha), "generate", PROMPT, "--max-tokens", str(NEW_TOKENS),
                "--no-loop-guard", "--logit-bias", ",".join(f"{t}=-inf" for t in ends)]
    plain_cmd = [sys.executable, str(script), str(model_path), threads,
                 str(DETERMINISTIC.n_ctx), str(NEW_TOKENS), banned, prompt]
    bench.unload()
    env = {**os.environ, "SAMANTHA_THREADS": threads}
    ours_s, plain_s = [], []
    for _ in range(rounds):
        ours_s.append(wall_seconds(ours_cmd, env))
        plain_s.append(wall_seconds(plain_cmd, env))
    return ours_s, plain_s


def peak_rss_mb(model_path: Path) -> float:
    """Peak resident memory of a separate ``samantha generate`` process, in MB."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "samantha", "generate", PROMPT, "--max-tokens", str(NEW_TOKENS),
         "--n-ctx", "4000", "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError("samantha generate failed in the memory benchmark")
    return usage.ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    home = Path(os.environ.get("SAMANTHA_HOME") or data_home())
    bench = Workbench(home)
    greedy = DETERMINISTIC.replace(max_tokens=NEW_TOKENS, seed=1)
    bench.session("default", greedy.n_ctx)
    ours(bench, greedy)  # warm up: page the weights in
    ends = end_tokens(bench)
    banned = tuple((t, float("-inf")) for t in ends)
    endless = STOCHASTIC.replace(max_tokens=NEW_TOKENS, logit_bias=banned)
    greedy = greedy.replace(logit_bias=banned)

    ours_greedy, raw, ours_stoch, lib_stoch, unguarded, newer = ([] for _ in range(6))
    for round_ in range(args.rounds):
        result = our_result(bench, greedy, loop_guard=False)
        ours_greedy.append(result.tokens / result.seconds)
        raw.append(result.tokens / raw_greedy(bench, result.tokens, ends))
        seconds, n = ours(bench, endless.replace(seed=round_ + 1))
        ours_stoch.append(n / seconds)
        seconds, n = ours(bench, endless.replace(seed=round_ + 1), loop_guard=False)
        unguarded.append(n / seconds)
        seconds, n = library_stochastic(bench, round_ + 1, ends)
        lib_stoch.append(n / seconds)
        seconds, n = ours(bench, endless.replace(seed=round_ + 1, dry_multiplier=0.8,
                                                 xtc_probability=0.5))
        newer.append(n / seconds)
    model_path = bench.resolve_model("default")
    with tempfile.TemporaryDirectory() as folder:
        ours_wall, plain_wall = whole_commands(bench, model_path, ends, args.rounds,
                                               Path(folder))
    bench.unload()
    env_home = {"SAMANTHA_HOME": str(home)}
    os.environ.update(env_home)
    rss = peak_rss_mb(model_path)
    model_mb = model_path.stat().st_size / 1e6

    report = {
        "greedy_tokens_per_second": {"samantha": statistics.median(ours_greedy),
                                     "raw_loop": statistics.median(raw)},
        "greedy_ratio": statistics.median(ours_greedy) / statistics.median(raw),
        "stochastic_tokens_per_second": {"samantha": statistics.median(ours_stoch),
                                         "llama_cpp_python": statistics.median(lib_stoch)},
        "stochastic_ratio": statistics.median(ours_stoch) / statistics.median(lib_stoch),
        "loop_guard_ratio": statistics.median(ours_stoch) / statistics.median(unguarded),
        "dry_xtc_ratio": statistics.median(newer) / statistics.median(ours_stoch),
        "whole_command_seconds": {"samantha": statistics.median(ours_wall),
                                  "plain_script": statistics.median(plain_wall)},
        "whole_command_ratio": statistics.median(plain_wall) / statistics.median(ours_wall),
        "peak_rss_mb": rss,
        "model_file_mb": model_mb,
        "rss_budget_mb": model_mb + 600,
        "rounds": args.rounds,
        "new_tokens": NEW_TOKENS,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"greedy      samantha {report['greedy_tokens_per_second']['samantha']:6.1f} tok/s   "
          f"raw loop {report['greedy_tokens_per_second']['raw_loop']:6.1f} tok/s   "
          f"ratio {report['greedy_ratio']:.3f}  (target >= 0.95)")
    print(f"stochastic  samantha {report['stochastic_tokens_per_second']['samantha']:6.1f} tok/s   "
          f"library  {report['stochastic_tokens_per_second']['llama_cpp_python']:6.1f} tok/s   "
          f"ratio {report['stochastic_ratio']:.3f}  (target >= 1.0)")
    print(f"loop guard  on {statistics.median(ours_stoch):6.1f} tok/s   "
          f"off      {statistics.median(unguarded):6.1f} tok/s   "
          f"ratio {report['loop_guard_ratio']:.3f}  (target >= 0.98)")
    print(f"DRY + XTC   on {statistics.median(newer):6.1f} tok/s   "
          f"off      {statistics.median(ours_stoch):6.1f} tok/s   "
          f"ratio {report['dry_xtc_ratio']:.3f}  (target >= 0.9)")
    print(f"command     samantha {statistics.median(ours_wall):6.2f} s       "
          f"script   {statistics.median(plain_wall):6.2f} s       "
          f"ratio {report['whole_command_ratio']:.3f}  (target >= 0.95; script time / ours)")
    print(f"peak RSS    {rss:.0f} MB at n_ctx 4000   budget {model_mb + 600:.0f} MB "
          f"(model {model_mb:.0f} MB + 600)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
