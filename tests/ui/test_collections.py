"""The example collections: copied to the data home, editable, one set per page language, each
example saying which model(s) it is for; what picking one changes in the page."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gradio as gr
import pytest

from samantha.core.promptscript import parse
from samantha.models.bundled import BUNDLED
from samantha.models.known import catalogue
from samantha.ui.chat.files import models_text, picked
from samantha.ui.chat.prompt_collections import (
    SHIPPED_BEFORE,
    Example,
    collection,
    example,
    file_name,
    label,
    needs_feedback,
    title,
)
from samantha.ui.words.table import texts
from samantha.ui.words.wording import phrases

KNOWN = {m.name for m in BUNDLED}


def test_collections_are_copied_to_the_home_and_editable(tmp_path: Path) -> None:
    examples = collection(tmp_path, "user_prompts.txt")
    assert examples[0] == Example("Write a Python function that returns the square of a number.",
                                  ("smollm2",))
    path = tmp_path / "prompts" / "user_prompts.txt"
    path.write_text("% models: default\nMine\n$-$-$\nSecond")
    assert collection(tmp_path, "user_prompts.txt") == [Example("Mine", ("default",)),
                                                        Example("Second")]
    assert title("x" * 100).endswith("…") and len(title("x" * 100)) == 70


def test_the_portuguese_page_has_its_own_files(tmp_path: Path) -> None:
    assert file_name("user_prompts.txt", "pt") == "user_prompts_pt.txt"
    assert file_name("system_prompts.txt", "en") == "system_prompts.txt"
    first = collection(tmp_path, "user_prompts.txt", "pt")[0]
    assert first.text.startswith("A Torre Eiffel fica na cidade de") and first.models == (
        "default",)
    assert (tmp_path / "prompts" / "user_prompts_pt.txt").is_file()
    assert collection(tmp_path, "system_prompts.txt", "pt")


def test_a_copy_of_an_earlier_shipped_file_nobody_edited_is_replaced(tmp_path: Path) -> None:
    import subprocess

    old = subprocess.run(["git", "show", "5b95260:src/samantha/ui/prompts/user_prompts.txt"],
                         capture_output=True, cwd=Path(__file__).parents[2]).stdout
    if not old:  # a source tree without the history: the hash is then checked by itself
        assert len(SHIPPED_BEFORE) == 2
        return
    assert hashlib.sha256(old).hexdigest() in SHIPPED_BEFORE
    path = tmp_path / "prompts" / "user_prompts.txt"
    path.parent.mkdir()
    path.write_bytes(old)
    assert collection(tmp_path, "user_prompts.txt")[0].models == ("smollm2",)
    path.write_bytes(old + b"\n$-$-$\nMy own")  # edited: kept
    assert collection(tmp_path, "user_prompts.txt")[-1] == Example("My own")


@pytest.mark.parametrize("piece, expected", [
    ("% models: smollm2, default , smollm2\n% single: on\nA\nB",
     Example("A\nB", ("smollm2", "default", "smollm2"), True)),
    ("%Models:default\n\nHi", Example("Hi", ("default",))),
    ("Hi\n% models: default", Example("Hi\n% models: default")),  # only at the start
    ("% single: off\nHi", Example("Hi")),
])
def test_header_lines(piece: str, expected: Example) -> None:
    assert example(piece) == expected


@pytest.mark.parametrize("lang", ["en", "pt"])
@pytest.mark.parametrize("name", ["user_prompts.txt", "system_prompts.txt"])
def test_every_shipped_example_names_a_bundled_or_catalogue_model(tmp_path: Path, name: str,
                                                                  lang: str) -> None:
    known = KNOWN | {m.name for m in catalogue(tmp_path)}
    for one in collection(tmp_path, name, lang):
        assert one.models and set(one.models) <= known, one
        if not set(one.models) <= KNOWN:  # a bigger model: the example says how to get it
            assert f"samantha models get {one.models[0]}" in one.text
        if name.startswith("user"):
            parse(one.text)  # it runs as written


def test_the_list_names_each_examples_models(tmp_path: Path) -> None:
    labels = [label(e) for e in collection(tmp_path, "user_prompts.txt")]
    assert labels[0] == ("Write a Python function that returns the square of a number. "
                         "(smollm2)")
    assert any(text.endswith("(smollm2, default)") for text in labels)  # the challenge
    assert all(len(text.rpartition(" (")[0]) <= 70 for text in labels)


def test_picking_an_example_sets_its_models_feedback_and_single(tmp_path: Path) -> None:
    users = collection(tmp_path, "user_prompts.txt")
    challenge = next(i for i, e in enumerate(users) if "{verdict=" in e.text)
    chained = next(i for i, e in enumerate(users) if needs_feedback(e.text))
    plain = 0
    text, feedback, models, single = picked(users, challenge, True)
    assert "{verdict=AI 1|AI 2}" in text and models == "smollm2\ndefault\nsmollm2"
    assert single is True and feedback == gr.skip()
    assert picked(users, chained, True)[1:] == (True, "smollm2", False)
    assert picked(users, plain, False) == (users[0].text, gr.skip(), "smollm2")
    assert picked(users, None, True) == (gr.skip(),) * 4
    assert models_text(Example("x")) == gr.skip()


def test_the_verdict_is_said_in_the_pages_language() -> None:
    from samantha.core.verdict import read_verdict, verdict_line

    verdict = read_verdict('{"winner": "tie", "scores": {"A": 5, "B": 5}, "reason": "Iguais."}',
                           ("A", "B"))
    assert verdict_line(verdict, phrases(texts("pt")).verdict) == \
        "Veredito: empate. Notas: A 5/10, B 5/10. Motivo: Iguais."
    unread = read_verdict("", ("A", "B"))
    assert verdict_line(unread, phrases(texts("pt")).verdict) == \
        "Veredito: nenhum pôde ser lido (the answer is empty); nada é adivinhado."
