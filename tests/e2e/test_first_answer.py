"""The first ten minutes: with the defaults, the first prompts a newcomer tries end by
themselves, on the real default model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ENDED_BY_ITSELF = ("stop", "repetition")  # not "length": the answer did not run to max_tokens


def cycles(samantha, script: Path, *flags: str) -> list[dict]:
    events = [json.loads(line) for line in samantha("run", str(script), "--json", *flags)
              .stdout.splitlines()]
    return [e for e in events if e["event"] == "cycle_finished"]


def test_the_two_line_prompt_ends_both_cycles_by_itself(samantha, tmp_path: Path) -> None:
    script = tmp_path / "first.txt"
    script.write_text("Write a sentence about love.\nWrite a sentence about the sea.\n")
    done = cycles(samantha, script)
    assert len(done) == 2
    assert all(c["finish_reason"] in ENDED_BY_ITSELF and c["tokens"] < 300 for c in done), done
    assert not any("Assistant:" in c["response"] for c in done)  # a new turn ends the answer


# The seed's "love and life" chain as it first shipped, on the base model: given to it as a
# plain transcript, its second answer loops. (The shipped examples now name the model each is
# made for and end by themselves: tests/e2e/test_examples.py.)
LOOPING_CHAIN = '''prompts = """
[You are a poet that writes only in Portuguese]
Create a sentence about love
Create a sentence about life
--- Create a sentence about time (this instruction is ignored)
[[Create a paragraph in English that summarizes the ideas contained in the following sentences:]]
"""
models = ["default"]

[options]
seed = 1

[settings]
max_tokens = 200
'''


def endings(samantha, *args: str) -> list[tuple[int, str]]:
    """The cycles' (tokens, finish reason), the prompts given to Gemma as a plain transcript,
    which it was not made for: its second answer loops ("I am a student…" again and again)."""
    events = [json.loads(line) for line in samantha(
        "run", *args, "--prompt-format", "plain", "--json").stdout.splitlines()]
    return [(e["tokens"], e["finish_reason"]) for e in events if e["event"] == "cycle_finished"]


def test_the_loop_guard_ends_the_looping_answer_and_its_switches_turn_it_off(
        samantha, tmp_path: Path) -> None:
    looping = tmp_path / "love-and-life.toml"
    looping.write_text(LOOPING_CHAIN, encoding="utf-8")
    guarded = endings(samantha, str(looping), "--max-tokens", "60")
    assert guarded[1][1] == "repetition" and guarded[1][0] < 60  # "I am a student…" three times
    assert endings(samantha, str(looping), "--max-tokens", "60", "--no-loop-guard")[1] == \
        (60, "length")
    chain = tmp_path / "unguarded.toml"
    chain.write_text(LOOPING_CHAIN.replace(
        "[options]", "loop_guard = false\n\n[options]"), encoding="utf-8")
    assert endings(samantha, str(chain), "--max-tokens", "60")[1] == (60, "length")
    assert endings(samantha, str(chain), "--max-tokens", "60", "--loop-guard")[1][1] == \
        "repetition"  # the flag overrides the file
