"""One name per concept: the page's words use the glossary's names and none of the others."""

from __future__ import annotations

import pytest

from samantha.documents.trace_html import WORDS
from samantha.ui.words.glossary import GLOSSARY
from samantha.ui.words.table import LANGUAGES, texts


def page_words(lang: str) -> str:
    """Every label and help text of the page, and the trace page's words, in ``lang``."""
    table = texts(lang)
    return "\n".join([*(f"{t.label}\n{t.help}" for t in table.values()),
                      *WORDS[lang].values()]).lower()


def misnamed(words: str) -> list[str]:
    """The names of ``words`` the glossary says not to use, with the name to say instead."""
    return [f"{other!r}: say {english!r} / {portuguese!r}"
            for english, portuguese, others in GLOSSARY for other in others
            if other.lower() in words.lower()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_other_name_for_a_concept(lang: str) -> None:
    assert misnamed(page_words(lang)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_concept_is_named_as_the_glossary_says(lang: str) -> None:
    words = page_words(lang)
    for english, portuguese, _ in GLOSSARY:
        name = english if lang == "en" else portuguese
        assert name.lower() in words, f"the page never says {name!r} ({lang})"


def test_the_check_sees_a_second_name() -> None:
    assert misnamed("Liga o Modo de Aprendizado") == [
        "'aprendizado': say 'learning mode' / 'modo de aprendizagem'"]
    assert misnamed("Liga o modo de aprendizagem") == []
