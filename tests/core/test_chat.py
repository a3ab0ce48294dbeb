from __future__ import annotations

import pytest

from samantha.core.chat import Message, build_messages, plain_prompt


@pytest.mark.parametrize("system, previous, expected", [
    ("", "", [("user", "Q")]),
    ("", "P", [("user", ""), ("assistant", "P"), ("user", "Q")]),
    ("S", "P", [("system", "S"), ("user", ""), ("assistant", "P"), ("user", "Q")]),
    ("S", "", [("system", "S"), ("user", "Q")]),
])
def test_messages_of_a_cycle(system: str, previous: str, expected: list) -> None:
    messages = build_messages(system, previous, "Q")
    assert [(m.role, m.content) for m in messages] == expected


def test_plain_prompt_for_models_without_a_template() -> None:
    prompt = plain_prompt(build_messages("Be brief.", "Earlier answer", "Question?"))
    # the empty user turn is left out
    assert prompt.text == "Be brief.\n\nAssistant: Earlier answer\nUser: Question?\nAssistant:"
    assert prompt.stop == ("\nUser:", "\nAssistant:", "\nSystem:")


def test_plain_prompt_single_question() -> None:
    assert plain_prompt([Message("user", "Hi")]).text == "User: Hi\nAssistant:"
