"""Each model used as it is made: the prompt format a cycle gets, and the text it makes."""

from __future__ import annotations

import pytest

from samantha.core.chat import ChatPrompt, Message, build_messages
from samantha.core.errors import SettingsError
from samantha.core.prompt_format import (
    COMPLETION_STOP,
    completion_prompt,
    parse_prompt_format,
    prompt_for,
    resolve,
)
from samantha.core.promptscript import parse
from samantha.core.remote import not_honoured
from samantha.core.settings import Settings

ALONE = build_messages("", "", "The Eiffel Tower is in the city of")
WITH_SYSTEM = build_messages("Be brief.", "", "Name three colours.")
WITH_PREVIOUS = build_messages("", "Red, green, blue.", "Two more?")


@pytest.mark.parametrize("requested, has_template, messages, expected", [
    ("auto", True, ALONE, "chat"),
    ("auto", True, WITH_SYSTEM, "chat"),
    ("auto", False, ALONE, "completion"),  # a base model continues the text
    ("auto", False, WITH_SYSTEM, "plain"),  # a conversation to show it
    ("auto", False, WITH_PREVIOUS, "plain"),
    ("chat", True, ALONE, "chat"),
    ("chat", False, ALONE, "plain"),  # no template: the transcript is its chat
    ("completion", True, WITH_SYSTEM, "completion"),
    ("plain", True, ALONE, "plain"),
    ("plain", False, ALONE, "plain"),
])
def test_the_format_each_cycle_gets(requested, has_template, messages, expected) -> None:
    assert resolve(requested, has_template, messages) == expected


def test_a_completion_is_the_text_itself_and_ends_with_its_paragraph() -> None:
    assert completion_prompt(ALONE) == ChatPrompt("The Eiffel Tower is in the city of",
                                                  COMPLETION_STOP)
    assert COMPLETION_STOP == ("\n\n",)
    assert completion_prompt(WITH_SYSTEM).text == "Be brief.\n\nName three colours."
    assert completion_prompt(WITH_PREVIOUS).text == "Red, green, blue.\n\nTwo more?"


class Session:
    def __init__(self, has_chat_template: bool) -> None:
        self.has_chat_template = has_chat_template
        self.rendered: list[list[Message]] = []

    def render_chat(self, messages, cancel=None) -> ChatPrompt:
        self.rendered.append(list(messages))
        return ChatPrompt("<template>", ("<end>",))


def test_the_model_reads_the_text_of_its_format() -> None:
    chat = Session(True)
    assert prompt_for(chat, ALONE, "auto") == ChatPrompt("<template>", ("<end>",))
    assert prompt_for(chat, ALONE, "plain").text.endswith("Assistant:")
    base = Session(False)
    assert prompt_for(base, ALONE, "auto").text == "The Eiffel Tower is in the city of"
    assert prompt_for(base, WITH_SYSTEM, "auto").text.startswith("Be brief.\n\nUser: ")
    assert base.rendered == []  # a base model's "template" is never asked for


@pytest.mark.parametrize("given, kept", [("auto", "auto"), (" Completion ", "completion"),
                                         ("PLAIN", "plain"), ("chat", "chat")])
def test_the_setting_is_one_of_four(given, kept) -> None:
    assert parse_prompt_format(given) == kept
    assert Settings(prompt_format=given).prompt_format == kept


@pytest.mark.parametrize("bad", ["", "raw", "chatml", None])
def test_anything_else_is_one_line_naming_the_four(bad) -> None:
    with pytest.raises(SettingsError, match="one of auto, chat, completion, plain"):
        parse_prompt_format(bad)


def test_it_is_stored_and_read_back_and_old_records_get_auto() -> None:
    stored = Settings(prompt_format="completion").to_dict()
    assert stored["prompt_format"] == "completion"
    assert Settings.from_dict(stored).prompt_format == "completion"
    old = {k: v for k, v in stored.items() if k != "prompt_format"}
    assert Settings.from_dict(old).prompt_format == "auto"


def test_a_prompt_item_can_choose_its_format() -> None:
    script = parse("{prompt_format=completion} Once upon a time\nName three colours.")
    assert script.items[0].overrides == {"prompt_format": "completion"}
    assert script.items[1].overrides == {}


def test_a_remote_backend_says_it_gets_chat_messages() -> None:
    for fmt in ("completion", "plain"):
        said = not_honoured(Settings(prompt_format=fmt), (), "backend lab")
        assert said == [f"prompt_format = {fmt} is not supported by backend lab: it is sent "
                        "chat messages, and its server applies the model's template"]
    assert not_honoured(Settings(prompt_format="auto"), (), "backend lab") == []
