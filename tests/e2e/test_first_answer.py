"""The first ten minutes: with the defaults, the first prompts a newcomer tries end by
themselves, on the real default model."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from samantha.ui.collections import SEPARATOR

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


def deterministic_examples() -> list[str]:
    """The UI's example prompts that use the default (greedy) settings. The one that asks for
    stochastic settings in its {…} block draws other words on other processors, so how long it
    runs there cannot be promised."""
    shipped = files("samantha.ui").joinpath("prompts", "user_prompts.txt").read_text("utf-8")
    examples = [piece.strip() for piece in shipped.split(SEPARATOR) if piece.strip()]
    return [e for e in examples if "temperature=" not in e]


@pytest.mark.parametrize("example", deterministic_examples(), ids=lambda e: e[:30])
def test_the_example_prompts_end_by_themselves(samantha, tmp_path: Path, example: str) -> None:
    script = tmp_path / "example.txt"
    script.write_text(example, encoding="utf-8")
    # a chain whose prompts work on "your previous response" runs with the feedback loop, as
    # it is meant to (without it, the model is asked to refine nothing, and on some
    # processors it counts "1. 2. 3. …" until max_tokens)
    done = cycles(samantha, script, *(["--feedback"] if "previous response" in example else []))
    assert done and all(c["finish_reason"] in ENDED_BY_ITSELF and c["tokens"] < 300
                        for c in done), [(c["tokens"], c["finish_reason"]) for c in done]


LOOPING = Path(__file__).resolve().parents[2] / "examples" / "love-and-life.toml"


def endings(samantha, *args: str) -> list[tuple[int, str]]:
    """The cycles' (tokens, finish reason), the prompts given to Gemma as a plain transcript,
    which it was not made for: its second answer loops ("I am a student…" again and again)."""
    events = [json.loads(line) for line in samantha(
        "run", *args, "--prompt-format", "plain", "--json").stdout.splitlines()]
    return [(e["tokens"], e["finish_reason"]) for e in events if e["event"] == "cycle_finished"]


def test_the_loop_guard_ends_the_looping_answer_and_its_switches_turn_it_off(
        samantha, tmp_path: Path) -> None:
    guarded = endings(samantha, str(LOOPING), "--max-tokens", "60")
    assert guarded[1][1] == "repetition" and guarded[1][0] < 60  # "I am a student…" three times
    assert endings(samantha, str(LOOPING), "--max-tokens", "60", "--no-loop-guard")[1] == \
        (60, "length")
    chain = tmp_path / "unguarded.toml"
    chain.write_text(LOOPING.read_text(encoding="utf-8").replace(
        "[options]", "loop_guard = false\n\n[options]"), encoding="utf-8")
    assert endings(samantha, str(chain), "--max-tokens", "60")[1] == (60, "length")
    assert endings(samantha, str(chain), "--max-tokens", "60", "--loop-guard")[1][1] == \
        "repetition"  # the flag overrides the file
