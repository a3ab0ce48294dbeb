"""The token loop on the fake engine: stop strings, limits, cancel, errors, half characters."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.chat import build_messages
from samantha.core.engine import ModelSpec
from samantha.core.errors import PromptTooLongError
from samantha.core.generation import StopScanner, generate
from samantha.core.settings import STOCHASTIC, Settings
from samantha.engines.fake import FakeEngine


def run(answer: str, settings: Settings = Settings(), cancel=None, n_ctx: int = 2048,
        fail_after: int | None = None, prompt: str = "hi", extra_stops=()):
    session = FakeEngine({"": answer}, fail_after=fail_after).load(
        ModelSpec("fake", Path("fake.gguf"), n_ctx))
    text = session.render_chat(build_messages("", "", prompt)).text
    events = list(generate(session, session.tokenize(text), settings, cancel, extra_stops))
    tokens = [e for e in events if isinstance(e, TokenEvent)]
    result = events[-1]
    assert isinstance(result, GenerationResult)
    return tokens, result


def test_greedy_writes_the_scripted_answer_and_stops_at_the_end_token() -> None:
    tokens, result = run("Hello world")
    assert result.text == "Hello world" and result.finish_reason == "stop"
    assert result.tokens == len(tokens) == 11
    assert "".join(t.text for t in tokens) == result.text


def test_max_tokens_limits_the_answer() -> None:
    tokens, result = run("Hello world", Settings(max_tokens=5))
    assert result.text == "Hello" and result.tokens == 5 and result.finish_reason == "length"


def test_stop_strings_end_the_answer_and_are_not_shown() -> None:
    tokens, result = run("Hello ### world", Settings(stop=("###",)))
    assert result.text == "Hello " and result.finish_reason == "stop"
    assert "#" not in "".join(t.text for t in tokens)


def test_text_that_only_looks_like_a_stop_string_is_released() -> None:
    tokens, result = run("a #b ## c", Settings(stop=("###",)))
    assert result.text == "a #b ## c" and result.finish_reason == "stop"
    assert "".join(t.text for t in tokens) == "a #b ## c"


def test_format_stops_apply_too() -> None:
    _, result = run("Fine.\nUser: and more", extra_stops=("\nUser:",))
    assert result.text == "Fine."


def test_split_utf8_characters_are_joined() -> None:
    tokens, result = run("Olá, ação ✓")
    assert result.text == "Olá, ação ✓"
    assert any(t.text == "" for t in tokens)  # the first byte of a character shows nothing


def test_context_full_ends_with_length() -> None:
    prompt_len = len("User: hi\nAssistant:")
    _, result = run("x" * 100, Settings(max_tokens=0, n_ctx=prompt_len + 10),
                    n_ctx=prompt_len + 10)
    assert result.tokens == 10 and result.finish_reason == "length"


def test_prompt_too_long_is_refused_before_generating() -> None:
    with pytest.raises(PromptTooLongError) as err:
        run("x", prompt="a long prompt " * 20, n_ctx=50)
    assert "50" in str(err.value) and "tokens" in str(err.value)


def test_cancel_keeps_what_was_generated() -> None:
    cancel = threading.Event()
    session = FakeEngine({"": "abcdefghij"}).load(ModelSpec("fake", Path("f"), 512))
    events = generate(session, session.tokenize("p"), Settings(), cancel)
    seen = []
    for event in events:
        if isinstance(event, TokenEvent):
            seen.append(event.text)
            if len(seen) == 3:
                cancel.set()
        else:
            result = event
    assert result.finish_reason == "cancelled" and result.text == "abc" and result.tokens == 3


def test_cancel_before_start_generates_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    tokens, result = run("abc", cancel=cancel)
    assert tokens == [] and result.finish_reason == "cancelled"


def test_engine_failure_keeps_the_partial_text() -> None:
    _, result = run("abcdefgh", fail_after=4)
    assert result.finish_reason == "error" and result.text == "abcd"
    assert "failed on purpose" in (result.error or "")


def test_seed_is_drawn_when_missing_and_reported() -> None:
    _, result = run("abc", STOCHASTIC)
    assert result.settings.seed is not None


def test_same_seed_same_text_on_a_stochastic_chain() -> None:
    loose = Settings(temperature=1.5, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0, tfs_z=1.0,
                     max_tokens=30)
    texts = {run("some answer text", loose.replace(seed=s))[1].text for s in (1, 1, 2, 3)}
    assert run("some answer text", loose.replace(seed=9))[1].text == run(
        "some answer text", loose.replace(seed=9))[1].text
    assert len(texts) >= 2


@pytest.mark.parametrize("stops, chunks, shown", [
    (("###",), ["ab", "#", "#", "c"], "ab##c"),
    (("###",), ["ab", "##", "#x"], "ab"),
    (("END", "STOP"), ["wE", "ND"], "w"),
    ((), ["a", "b"], "ab"),
    # a stop of whitespace only (a completion's paragraph end) counts once the answer began
    (("\n\n",), ["\n\n", "Paris.", "\n\n", "More"], "\n\nParis."),
    (("\n\n",), ["\n", "\n\n", " x", "\n", "\n"], "\n\n\n x"),
    (("\n\n",), [" Paris\n\nMore"], " Paris"),
    (("\n",), ["\nA", "B\nC"], "\nAB"),
])
def test_stop_scanner(stops, chunks, shown) -> None:
    scanner = StopScanner(stops)
    out = ""
    for chunk in chunks:  # as the generation does: nothing is fed after a stop
        out += scanner.feed(chunk)
        if scanner.stopped:
            break
    if not scanner.stopped:
        out += scanner.flush()
    assert out == shown


def test_penalties_look_at_the_answer_not_the_prompt() -> None:
    """As in llama-cpp-python: a word of the prompt is not penalised in the answer."""
    _, result = run("ab", Settings(presence_penalty=2.0, typical_p=1.0), prompt="aaaa")
    assert result.text.startswith("a")
    _, repeated = run("aab", Settings(presence_penalty=2.0, typical_p=1.0), prompt="x")
    assert not repeated.text.startswith("aa")  # but a token the answer already used is
