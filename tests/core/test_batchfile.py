"""OpenAI batch files: the lines written, the lines read, and what is refused."""

from __future__ import annotations

import json

import pytest

from samantha.core.batchfile import (
    LINE_BYTES,
    BatchFileError,
    answer_line,
    cycle_id,
    cycle_of,
    not_sent,
    read_answers,
    read_requests,
    request_line,
)
from samantha.core.chat import Message
from samantha.core.settings import STOCHASTIC, Settings

MESSAGES = (Message("system", "Be brief."), Message("user", "Name a colour."))


def test_a_request_line_carries_the_messages_and_the_settings_a_runner_reads() -> None:
    settings = STOCHASTIC.replace(seed=7, max_tokens=32, stop=("\n\n",))
    line = json.loads(request_line(cycle_id(4, 2), "qwen", MESSAGES, settings))
    assert line["custom_id"] == "samantha-run-4-cycle-2" and cycle_of(line["custom_id"]) == (4, 2)
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    body = line["body"]
    assert body["model"] == "qwen" and body["messages"][1] == {"role": "user",
                                                               "content": "Name a colour."}
    assert (body["max_tokens"], body["temperature"], body["seed"], body["top_k"],
            body["repetition_penalty"], body["stop"]) == (32, 0.8, 7, 40, 1.1, ["\n\n"])
    (back,) = read_requests([json.dumps(line)])
    assert back.messages == MESSAGES and back.settings.seed == 7
    assert back.settings.repeat_penalty == 1.1 and back.settings.max_tokens == 32


def test_what_a_line_cannot_carry_is_named() -> None:
    assert not_sent(STOCHASTIC) == ["penalty_last_n"]  # the runner's penalties see the prompt
    assert not_sent(STOCHASTIC.replace(repeat_penalty=1.0, typical_p=0.5, dry_multiplier=0.8)
                    )[:2] == ["dry_multiplier", "dry_base"]
    assert "typical_p" in not_sent(STOCHASTIC.replace(typical_p=0.5))


def test_an_answer_line_reads_back_and_a_failure_keeps_its_reason() -> None:
    ok = answer_line("a", "qwen", "Blue.", 2, 9, "stop")
    failed = answer_line("b", "qwen", "", 0, 0, "stop", "refused")
    first, second = read_answers([ok, failed])
    assert (first.text, first.tokens, first.prompt_tokens, first.finish_reason, first.error) \
        == ("Blue.", 2, 9, "stop", None)
    assert second.error == "the batch runner failed: refused"


@pytest.mark.parametrize("line, words", [
    ("{", "line 2: not JSON"),
    ('{"id": 1}', "not a batch line"),
    ('{"custom_id": "x", "url": "/v1/embeddings", "body": {}}', "only /v1/chat/completions"),
    ('{"custom_id": "x", "body": {"model": "m", "messages": []}}', "messages must be a list"),
    ('{"custom_id": "x", "body": {"model": "m", "messages": [{"role": "tool", "content": ""}]}}',
     "each message needs a role"),
    ('{"custom_id": "x", "body": {"model": "m", "messages": [{"role": "user", "content": "a"}],'
     ' "tools": []}}', "tools cannot be run here; known:"),
    ('{"custom_id": "x", "body": {"model": "m", "messages": [{"role": "user", "content": "a"}],'
     ' "temperature": 99}}', "temperature"),
])
def test_a_wrong_input_line_is_one_sentence_naming_it(line: str, words: str) -> None:
    with pytest.raises(BatchFileError, match=words):
        read_requests(["", line])


def test_a_line_past_the_bound_and_a_repeated_id_are_refused() -> None:
    with pytest.raises(BatchFileError, match="line 1: longer than 8 MiB"):
        read_requests(["x" * (LINE_BYTES + 1)])
    line = request_line("same", "m", MESSAGES, Settings())
    with pytest.raises(BatchFileError, match="line 2: custom_id 'same' twice"):
        read_requests([line, line])
    with pytest.raises(BatchFileError, match="no choices"):
        read_answers(['{"custom_id": "a", "response": {"status_code": 200, "body": {}}}'])


def test_what_an_output_line_says_of_counts_and_model_is_bounded() -> None:
    """A runner's output is read as it says only within bounds: a count out of them (or not a
    whole number) is unknown, 0; a model name is cut to MODEL_CHARS."""
    from samantha.core.batchfile import MODEL_CHARS

    def line(usage: object, model: object) -> str:
        return json.dumps({"custom_id": "a", "error": None, "response": {
            "status_code": 200, "body": {"model": model, "usage": usage, "choices": [
                {"message": {"content": "hi"}, "finish_reason": "length"}]}}})

    (odd,) = read_answers([line({"completion_tokens": 10**30, "prompt_tokens": -4}, "m" * 10**5)])
    assert (odd.tokens, odd.prompt_tokens, len(odd.model), odd.finish_reason) == (
        0, 0, MODEL_CHARS, "length")
    (other,) = read_answers([line({"completion_tokens": True, "prompt_tokens": 2.5}, ["x"])])
    assert (other.tokens, other.prompt_tokens, other.model) == (0, 0, "")
