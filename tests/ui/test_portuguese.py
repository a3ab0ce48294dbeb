"""Every text of the interface has its Portuguese version: the whole page, built in Portuguese,
shows no English text that has a translation, and no text that bypasses the texts table."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Iterator

import pytest

from samantha.core.settings import PARAMETERS
from samantha.ui.app import build_app
from samantha.ui.words.table import KEYS, texts

EN, PT = texts("en"), texts("pt")
# Shown as they are in both languages: numbers, names, formats, parameters, user content.
NEUTRAL = {"default", "html", "md", "json", "ipynb", "toml", "GiB", "id", "p", "logit",
           *PARAMETERS, *(str(n) for n in (1, 2, 3, 5, 10, 100, 1000000)), "0", "0.3"}


def pieces(text: str) -> list[str]:
    return [part for part in text.split("|") if part]


PT_TEXTS = {piece for key in KEYS for text in (PT[key].label, PT[key].help) if text
            for piece in (text, *pieces(text))}
ENGLISH_ONLY = sorted({piece for key in KEYS for piece in pieces(EN[key].label)
                       if EN[key].label != PT[key].label and len(piece) > 3
                       and piece not in PT_TEXTS and "{" not in piece}, key=len, reverse=True)


class Visible(HTMLParser):
    """The text of an HTML fragment a reader sees: its text and its tooltips, not its markup."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.parts += [value for name, value in attrs if name in ("title", "aria-label") and value]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(markup: str) -> str:
    reader = Visible()
    reader.feed(markup)
    return " ".join(reader.parts)


def shown(config: dict) -> Iterator[tuple[str, str, str]]:
    """(component, kind, text) for every text a component shows: labels, help, placeholders,
    button texts, choices and headers exactly; Markdown and HTML as free text."""
    for component in config["components"]:
        kind, props = component["type"], component.get("props", {})
        name = props.get("elem_id") or kind
        for key in ("label", "info", "placeholder"):
            if isinstance(props.get(key), str) and props[key]:
                yield name, "exact", props[key]
        if kind in ("button", "uploadbutton") and props.get("value"):
            yield name, "exact", props["value"]
        if kind == "radio":
            for label, _ in props.get("choices") or []:
                yield name, "exact", str(label)
        if kind == "dataframe":
            for header in props.get("headers") or []:
                yield name, "exact", str(header)
        if kind in ("markdown", "html") and isinstance(props.get("value"), str):
            # code spans hold names and paths (`default`, a models folder), not words
            yield name, "free", re.sub(r"`[^`]*`", "", visible_text(props["value"]))


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from samantha.engines.fake import FakeEngine
    from samantha.workbench.facade import Workbench

    bench = Workbench(tmp_path_factory.mktemp("home"), engine=FakeEngine())
    return build_app(bench, "pt").config


def test_every_label_and_help_comes_from_the_portuguese_texts(config: dict) -> None:
    untranslated = [(name, text) for name, kind, text in shown(config)
                    if kind == "exact" and text not in PT_TEXTS and text not in NEUTRAL]
    assert not untranslated


def test_no_english_text_in_the_portuguese_page(config: dict) -> None:
    found = [(name, phrase) for name, kind, text in shown(config) if kind == "free"
             for phrase in ENGLISH_ONLY if contains(text, phrase)]
    assert not found


def contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def test_the_check_would_see_an_english_label() -> None:
    fake = {"components": [{"type": "button", "props": {"value": "Start"}},
                           {"type": "markdown", "props": {"value": "**Model:** x"}}]}
    texts_shown = list(shown(fake))
    assert ("button", "exact", "Start") in texts_shown and "Start" not in PT_TEXTS
    assert any(contains("**Model:** x", phrase) for phrase in ENGLISH_ONLY)
    assert not contains("**Modelo:** x", "Model")
