"""Voice commands from transcripts, by tables of cases in each language."""

from __future__ import annotations

import pytest

from samantha.voice.commands import ACTIONS, VOCABULARIES, Command, parse, vocabulary

CASES = [
    # (language, transcript, expected command)
    ("en", "ok write a poem about the sea", Command("prompt", prompt="Write a poem about the sea")),
    ("en", "okay what is two plus two", Command("prompt", prompt="What is two plus two")),
    ("en", "um ok tell me a joke", Command("prompt", prompt="Tell me a joke")),
    ("en", "ok", Command("none")),  # an ok alone does nothing
    ("en", "i read a book", Command("none")),  # "book" holds "ok": whole words only
    ("en", "samantha start", Command("action", name="start")),
    ("en", "samantha go", Command("action", name="start")),
    ("en", "samantha stop", Command("action", name="stop")),
    ("en", "samantha stop all", Command("action", name="stop_all")),
    ("en", "samantha next", Command("action", name="next")),
    ("en", "samantha read aloud", Command("action", name="read")),
    ("en", "samantha clear", Command("action", name="clean")),
    ("en", "Samantha CLOSE", Command("action", name="close")),
    ("en", "samantha dance", Command("unknown", rest="dance")),
    ("en", "samantha", Command("unknown", rest="")),
    ("en", "hello there", Command("none")),
    ("en", "", Command("none")),
    ("pt", "ok escreva um poema", Command("prompt", prompt="Escreva um poema")),
    ("pt", "samantha iniciar", Command("action", name="start")),
    ("pt", "samantha parar", Command("action", name="stop")),
    ("pt", "samantha parar tudo", Command("action", name="stop_all")),
    ("pt", "samantha próximo", Command("action", name="next")),
    ("pt", "samantha leia", Command("action", name="read")),
    ("pt", "samantha limpar", Command("action", name="clean")),
    ("pt", "samantha fechar", Command("action", name="close")),
    ("pt", "samantha close", Command("unknown", rest="close")),  # English words are not Portuguese
    ("pt", "o livro é bom", Command("none")),
    ("ko", "오케이 안녕하세요", Command("prompt", prompt="안녕하세요")),
    ("ko", "사만다 시작", Command("action", name="start")),
    ("ko", "사만다 모두 정지", Command("action", name="stop_all")),
    ("ko", "사만다 정지", Command("action", name="stop")),
    ("ko", "사만다 닫기", Command("action", name="close")),
]


@pytest.mark.parametrize("language,transcript,expected", CASES)
def test_parse(language: str, transcript: str, expected: Command) -> None:
    assert parse(transcript, VOCABULARIES[language]) == expected


def test_the_prompt_keeps_its_words_as_said() -> None:
    said = parse("ok Translate HELLO to French", VOCABULARIES["en"])
    assert said.prompt == "Translate HELLO to French"


@pytest.mark.parametrize("language", sorted(VOCABULARIES))
def test_every_language_has_every_command(language: str) -> None:
    words = VOCABULARIES[language]
    assert set(words.phrases) == set(ACTIONS)
    for name, phrases in words.phrases.items():
        for phrase in phrases:  # each phrase is heard as its own command
            assert parse(f"{words.wake[0]} {phrase}", words) == Command("action", name=name)


def test_the_word_list_holds_every_command_word_once() -> None:
    words = VOCABULARIES["en"].words()
    assert len(words) == len(set(words))
    assert {"ok", "samantha", "stop", "all", "read", "aloud"} <= set(words)


@pytest.mark.parametrize("code,language", [("en", "en"), ("en-us", "en"), ("pt_BR", "pt"),
                                           ("KO", "ko"), ("fr", None), (None, None)])
def test_vocabulary_of_a_language_code(code: str | None, language: str | None) -> None:
    assert vocabulary(code) is (VOCABULARIES[language] if language else None)
