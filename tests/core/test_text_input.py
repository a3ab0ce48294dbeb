"""Text from files and fields: a leading BOM is dropped, control characters are refused with the
line and column (tab, line feed and carriage return are text)."""

from __future__ import annotations

import pytest

from samantha.core.chain import ChainConfig
from samantha.core.promptscript import PromptScriptError, checked_text, parse

TEXT = "Olá\tmundo\r\nsecond line\n[prefix]\n{temperature=0.5} third\u00a0\ufeffinside"


def test_a_bom_is_dropped_and_the_text_is_otherwise_unchanged() -> None:
    assert checked_text("\ufeff" + TEXT) == TEXT
    assert checked_text(TEXT) == TEXT  # a BOM elsewhere is a character of the text


@pytest.mark.parametrize("text, line, column, code", [
    ("ab\x00c", 1, 3, "U+0000"),
    ("first\nsecond \x00", 2, 8, "U+0000"),
    ("one\r\ntwo\r\n\x00", 3, 1, "U+0000"),  # CRLF counts as one line break
    ("\ufeffa\x00", 1, 2, "U+0000"),  # columns count after the BOM
    ("x\n\x1b[31mred", 2, 1, "U+001B"),
    ("page\x0cbreak", 1, 5, "U+000C"),
])
def test_control_characters_are_refused_with_line_and_column(text, line, column, code) -> None:
    with pytest.raises(PromptScriptError) as err:
        checked_text(text, "notes.txt")
    assert (err.value.line, err.value.column) == (line, column)
    message = str(err.value)
    assert message.startswith(f"notes.txt, line {line}, column {column}: ")
    assert code in message and "remove it" in message and "\n" not in message


def test_the_nul_message_explains_utf16() -> None:
    with pytest.raises(PromptScriptError, match="UTF-16"):
        checked_text("h\x00i\x00")


def test_parse_refuses_a_nul_with_its_position() -> None:
    with pytest.raises(PromptScriptError) as err:
        parse("fine\nnot \x00 fine")
    assert (err.value.line, err.value.column) == (2, 5)
    assert str(err.value).startswith("Prompt script, line 2, column 5: a NUL character")


def test_parse_drops_a_bom() -> None:
    assert [i.text for i in parse("\ufeffHello\nWorld").items] == ["Hello", "World"]


def test_the_chain_texts_of_the_ui_are_checked_too() -> None:
    config = ChainConfig("\ufeffHi", system="\ufeffBe brief", previous="\ufeffEarlier")
    assert (config.prompts, config.system, config.previous) == ("Hi", "Be brief", "Earlier")
    with pytest.raises(PromptScriptError, match="^SYSTEM prompt, line 1, column 3: a NUL"):
        ChainConfig("Hi", system="Be\x00 brief")
    with pytest.raises(PromptScriptError, match="^previous response, line 2, column 1: a cont"):
        ChainConfig("Hi", previous="x\n\x07")
