"""The loop guard: it stops an answer that repeats itself, and only such an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.chat import build_messages
from samantha.core.engine import ModelSpec
from samantha.core.generation import generate
from samantha.core.loopguard import LoopGuard
from samantha.core.settings import Settings
from samantha.engines.fake import FakeEngine


def first_alarm(tokens: list[int], guard: LoopGuard | None = None) -> int | None:
    """How many tokens the guard lets through before it says the answer loops (None: never)."""
    guard = guard or LoopGuard()
    for count, token in enumerate(tokens, start=1):
        if guard.add(token):
            return count
    return None


@pytest.mark.parametrize("block, alarm", [
    ([7] * 1, 24),  # one token 24 times
    (list(range(8)), 24),  # a line of 8 tokens, three times
    (list(range(4)), 24),  # a short block: still 24 tokens of it
    (list(range(12)), 36),  # a sentence of 12 tokens, three times
    (list(range(100)), 300),
])
def test_a_block_written_three_times_in_a_row_is_a_loop(block: list[int], alarm: int) -> None:
    lead = [1000 + i for i in range(17)]  # some text before the loop starts
    assert first_alarm(lead + block * 30) == len(lead) + alarm


@pytest.mark.parametrize("tokens", [
    list(range(2000)),  # counting: nothing repeats
    # the objects of a JSON list: the same 10 tokens around each value, other values between
    [t for i in range(50) for t in (*range(10), 500 + i, 600 + i)],
    list(range(8)) * 2 + [99] + list(range(8)) * 2,  # twice in a row, then twice again
    [5] * 23,  # one token 23 times
    # a times table: "2 x 1 = 2", "2 x 2 = 4", ... (two tokens change in every line)
    [t for i in range(1, 40) for t in (2, 900, 800 + i, 901, 700 + 2 * i, 902)],
    # four items that only count, then something else
    [t for i in range(4) for t in (100 + i, *range(8))] + list(range(200, 260)),
], ids=["counting", "json-list", "twice", "23-times", "times-table", "four-counted-items"])
def test_repetition_that_is_not_a_loop_is_left_alone(tokens: list[int]) -> None:
    assert first_alarm(tokens) is None


def test_a_list_whose_items_only_count_is_a_loop() -> None:
    item = [9, 10, 11, 12, 13, 14, 15]  # ". Create a new account.\n" after the number
    tokens = [t for i in range(100) for t in (500 + i, *item)]
    assert first_alarm(tokens) == 5 * 8  # five items of eight tokens


def test_a_loop_after_a_long_answer_is_still_found() -> None:
    guard = LoopGuard()
    prose = [10_000 + i for i in range(5000)]  # longer than the guard's buffer
    assert first_alarm(prose + list(range(20)) * 3, guard) == 5000 + 60
    assert guard.period == 20


def answer(text: str, loop_guard: bool) -> tuple[list[TokenEvent], GenerationResult]:
    session = FakeEngine({"": text}).load(ModelSpec("fake", Path("fake.gguf"), 4096))
    prompt = session.render_chat(build_messages("", "", "hi")).text
    events = list(generate(session, session.tokenize(prompt), Settings(max_tokens=2000),
                           loop_guard=loop_guard))
    return [e for e in events if isinstance(e, TokenEvent)], events[-1]


LOOPING = "Intro. " + "I love the sea. " * 40


def test_a_looping_answer_ends_with_finish_reason_repetition() -> None:
    tokens, result = answer(LOOPING, loop_guard=True)
    assert result.finish_reason == "repetition"
    assert result.text.startswith("Intro. I love the sea. I love the sea. I love the sea")
    assert result.text.count("I love the sea.") <= 4 and result.tokens == len(tokens)


def test_the_guard_never_changes_the_tokens_chosen_before_it_stops() -> None:
    guarded, _ = answer(LOOPING, loop_guard=True)
    free, result = answer(LOOPING, loop_guard=False)
    assert [t.token_id for t in free[:len(guarded)]] == [t.token_id for t in guarded]
    assert result.finish_reason == "stop" and result.text == LOOPING  # the switch turns it off


def test_an_answer_that_does_not_loop_is_left_alone() -> None:
    text = "".join(f"Line {i}: the value is {i * i}.\n" for i in range(60))
    _, result = answer(text, loop_guard=True)
    assert result.finish_reason == "stop" and result.text == text
