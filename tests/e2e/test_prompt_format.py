"""Each model used as it is made, on the real default model (Gemma 3 270M, a base model with no
chat template): the text continued, not wrapped in a chat it was not made for."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

EIFFEL = "The Eiffel Tower is in the city of"


def test_a_base_model_continues_the_text_it_is_given(samantha) -> None:
    answer = samantha.json("generate", EIFFEL, "--max-tokens", "24")
    assert answer["settings"]["prompt_format"] == "completion"
    assert "Paris" in answer["text"]
    assert EIFFEL not in answer["text"]  # it does not repeat the prompt


def test_the_format_is_the_users_to_choose_and_changes_what_the_model_reads(samantha) -> None:
    continued = samantha.json("generate", EIFFEL, "--max-tokens", "12")
    wrapped = samantha.json("generate", EIFFEL, "--max-tokens", "12", "--prompt-format",
                            "plain")
    assert wrapped["settings"]["prompt_format"] == "plain"
    assert wrapped["prompt_tokens"] > continued["prompt_tokens"]  # "User: … Assistant:"
    assert wrapped["text"] != continued["text"]
    chat = samantha.json("generate", EIFFEL, "--max-tokens", "12", "--prompt-format", "chat")
    assert chat["settings"]["prompt_format"] == "plain"  # no template: the transcript


def test_a_completion_ends_with_its_paragraph(samantha) -> None:
    answer = samantha.json("generate", "The three primary colours are", "--max-tokens", "60")
    assert answer["finish_reason"] == "stop" and "\n\n" not in answer["text"]
    assert "red" in answer["text"].lower()


def run_id(samantha, *args: str) -> int:
    """A `samantha run --json`'s run id (its first event)."""
    first = samantha("run", *args, "--json").stdout.splitlines()[0]
    return json.loads(first)["run_id"]


def test_each_cycle_stores_the_format_it_got(samantha) -> None:
    script = f"{EIFFEL}\n{{prompt_format=plain}} Paris is the capital of"
    run = run_id(samantha, "--prompts", script, "--max-tokens", "8")
    shown = samantha.json("history", "show", str(run))
    formats = [cycle["settings"]["prompt_format"] for cycle in shown["cycles"]]
    assert formats == ["completion", "plain"]
    exported = samantha("history", "export", str(run), "--format", "md").stdout
    assert "prompt_format completion" in exported and "prompt_format plain" in exported
    with_system = run_id(samantha, "--prompts", EIFFEL, "--system", "Answer briefly.",
                         "--max-tokens", "8")
    shown = samantha.json("history", "show", str(with_system))
    assert shown["cycles"][0]["settings"]["prompt_format"] == "plain"  # a conversation


def test_a_wrong_format_is_one_line(samantha) -> None:
    result = samantha("generate", EIFFEL, "--prompt-format", "raw", code=2)
    assert "'raw' is not one of" in result.stderr
    result = samantha("run", "--prompts", "{prompt_format=raw} hello", code=2)
    assert "prompt_format must be one of auto, chat, completion, plain" in result.stderr
