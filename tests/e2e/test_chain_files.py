"""Chain files, prompt files and stored runs checked before anything runs, through the real CLI:
one line naming the key, exit 2, no traceback, and no run recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def chain(tmp_path: Path, text: str, name: str = "chain.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_string_boolean_is_refused_by_the_real_executable(session_home, tmp_path) -> None:
    path = chain(tmp_path, 'prompts = "print(1)"\n[options]\nauto_run_code = "false"\n')
    env = {**os.environ, "SAMANTHA_HOME": str(session_home)}
    proc = subprocess.run([sys.executable, "-m", "samantha", "run", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_line(proc) == (f"error: Chain file {path}: options.auto_run_code must be true or "
                              "false, without quotes, got 'false' (text).")


@pytest.mark.parametrize("text, words", [
    ('prompts = "hi"\nauto_run_code = "false"\n', "auto_run_code must be true or false"),
    ('prompts = "hi"\n[options]\nfeedback = "yes"\n', "options.feedback must be true or false"),
    ('prompts = 42\n', "prompts must be text (the prompt script) in quotes, got 42."),
    ('prompts = "hi"\nmodels = [1, 2]\n', "models must be a list of model names in quotes"),
    ('prompts = "hi"\nsettings = 5\n', "settings must be a table of settings"),
    ('prompts = "hi"\n[settings]\ntop_p = "0.9"\n', "settings.top_p must be a number from 0 to"),
    ('prompts = "hi"\n[settings]\nstop = [1]\n', "settings.stop must be a list of strings"),
    ('prompts = "hi"\n[settings]\nseed = 4294967296\n',
     "settings.seed 4294967296 is out of range: use a whole number from 0 to 4294967295."),
    ('prompts = "hi"\n[settings]\ntop_q = 0.5\n', "settings.top_q is not a known setting. Did "
                                                   "you mean top_p?"),
    ('prompts = "hi"\nloopz = 2\n', "loopz is not a known option. Did you mean loops?"),
    ('prompts = "hi"\n[options]\nloop_gaurd = false\n', "options.loop_gaurd is not a known "
                                                        "option. Did you mean loop_guard?"),
    ('prompts = "hi"\n[options]\nallow_network = 1\n', "options.allow_network must be true or"),
    ('prompts = "hi"\noptions = [1]\n', "options must be a table of options"),
    ('prompts = "hi"\n[options]\ncode_timeout = "60"\n', "options.code_timeout must be a number"),
    ('prompts = "hi"\nloops = 2\n[options]\nloops = 3\n', "loops is given twice"),
    ('prompts = "a\\u0000b"\n', "prompts, line 1, column 2: a NUL character (U+0000)"),
])
def test_every_type_error_is_one_line_and_exit_2(samantha, real_workbench, tmp_path, text,
                                                  words) -> None:
    before = real_workbench.store.latest_run_id()
    path = chain(tmp_path, text)
    message = one_line(samantha("run", str(path), code=2))
    assert message.startswith(f"error: Chain file {path}") and words in message, message
    assert real_workbench.store.latest_run_id() == before


def test_a_nul_in_a_file_names_the_file_line_and_column(samantha, tmp_path) -> None:
    for name, text in (("prompts.txt", "One.\nTwo \x00three.\n"),
                       ("chain.toml", 'models = ["default"]\nprompts = "a\x00"\n')):
        path = chain(tmp_path, text, name)
        line = one_line(samantha("run", str(path), "--plan", code=2))
        assert line.startswith(f"error: {path}, line 2, column ") and "NUL" in line, line


def test_a_nul_given_on_the_command_line(samantha) -> None:
    line = one_line(samantha("run", "--prompts", "a\nb\x00", "--plan", code=2))
    assert "Command line, prompts, line 2, column 2: a NUL character" in line
    line = one_line(samantha("generate", "hi\x1b[2J", code=2))
    assert line.startswith("error: Prompt, line 1, column 3: a control character (U+001B)")


def test_a_bom_is_dropped_from_prompt_and_chain_files(samantha, tmp_path) -> None:
    script = chain(tmp_path, "\ufeffWhat is the sun?\nWhat is the sea?\n", "prompts.txt")
    plan = json.loads(samantha("run", str(script), "--plan").stdout)
    assert [c["prompt"] for c in plan] == ["What is the sun?", "What is the sea?"]
    toml = chain(tmp_path, '\ufeffprompts = "\ufeffHi"\n[options]\nloops = 2\n')
    assert [c["prompt"] for c in json.loads(samantha("run", str(toml), "--plan").stdout)] == [
        "Hi", "Hi"]


def test_a_5_mb_prompt_is_refused_before_any_model_work(session_home, real_workbench,
                                                        tmp_path) -> None:
    big = chain(tmp_path, "word " * 1_000_000, "big.txt")  # the item: 4999999 bytes, stripped
    env = {**os.environ, "SAMANTHA_HOME": str(session_home)}
    before = real_workbench.store.latest_run_id()
    for n_ctx, context in (("512", "holds 512 tokens"),
                           ("0", "holds 32768 tokens (n_ctx 0: the model's trained context)")):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "samantha", "run", str(big), "--n-ctx",
                               n_ctx], env=env, capture_output=True, text=True, timeout=120)
        seconds = time.perf_counter() - started
        assert proc.returncode == 2, proc.stderr
        line = one_line(proc)
        for words in ("Prompt item 1 has 4999999 bytes of text, so at least 104167 tokens for "
                      "default (no token of its vocabulary is longer than 48 bytes)", context,
                      "Shorten the item or split it", "raise n_ctx"):
            assert words in line, line
        print(f"refused with n_ctx {n_ctx} in {seconds:.1f} s")  # 13 s before (tokenizing)
    assert real_workbench.store.latest_run_id() == before  # nothing recorded: nothing ran


def test_a_prompt_just_too_long_is_still_refused_at_generation(samantha) -> None:
    result = samantha("run", "--prompts", "word " * 600, "--n-ctx", "512", "--max-tokens", "4",
                      "--json", code=1)  # 3000 bytes: it may fit by size, not by tokens
    failed = [json.loads(line) for line in result.stdout.splitlines()
              if '"cycle_failed"' in line]
    assert len(failed) == 1 and "but the context window holds 512" in failed[0]["error"]


def test_a_stored_run_is_checked_before_it_runs_again(samantha, real_workbench) -> None:
    from samantha.workbench.liveness import this_process

    store = real_workbench.store
    bad = store.start_run({"prompts": "hi", "auto_run_code": "false"}, this_process())
    store.finish_run(bad, "finished")
    line = one_line(samantha("history", "rerun", str(bad), code=2))
    assert line == (f"error: Stored run {bad}: auto_run_code must be true or false, without "
                    "quotes, got 'false' (text).")
    odd = store.start_run({"prompts": "hi", "settings": {"top_p": "high"}}, this_process())
    store.finish_run(odd, "finished")
    line = one_line(samantha("history", "rerun", str(odd), code=2))
    assert f"Stored run {odd}: settings.top_p must be a number from 0 to 1" in line
