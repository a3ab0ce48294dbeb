"""Sentences the interface composes: the plan line, the status line, the Rerun changes."""

from __future__ import annotations

import pytest

from samantha.core.errors import SettingsError
from samantha.core.progress import Progress
from samantha.ui.history.tab import parse_changes
from samantha.ui.words.table import texts
from samantha.ui.words.wording import plan_text, status_text

EN, PT = texts("en"), texts("pt")


@pytest.mark.parametrize("args, line", [
    ((1, 1, 1, 1, False), "1 prompt × 1 model = 1 cycle"),
    ((2, 1, 1, 1, False), "2 prompts × 1 model = 2 cycles"),
    ((2, 3, 2, 5, False), "2 prompts × 3 models × 2 responses × 5 loops = 60 cycles"),
    ((3, 2, 1, 1, True), "3 prompts × 2 models (single response per model) = 2 cycles"),
])
def test_the_plan_line(args: tuple, line: str) -> None:
    assert plan_text(EN, *args) == line


def test_the_plan_line_in_portuguese() -> None:
    assert plan_text(PT, 2, 1, 1, 1, False) == "2 prompts × 1 modelo = 2 ciclos"


@pytest.mark.parametrize("progress, line", [
    (None, "Ready."),
    (Progress(phase="loading", model="default"), "Loading model default…"),
    (Progress(phase="downloading", model="https://h/r/resolve/main/m.gguf?download=true",
              downloaded=0.43), "Downloading m.gguf: 43%"),
    (Progress(phase="reading", cycle=2, total=6), "Cycle 2 of 6 · reading the prompt"),
    (Progress(phase="generating", cycle=2, total=6, tokens=31, tokens_per_second=30.25),
     "Cycle 2 of 6 · 31 tokens · 30.2 tokens/s"),
    (Progress(phase="generating", cycle=1, total=1, tokens=1), "Cycle 1 of 1 · 1 token"),
    (Progress(phase="code", cycle=1, total=1), "Cycle 1 of 1 · running code…"),
    (Progress(phase="finished", status="stopped"), "Run stopped."),
    (Progress(phase="finished", status="finished"), "Run finished."),
])
def test_the_status_line(progress: Progress | None, line: str) -> None:
    assert status_text(progress, EN) == line


def test_the_status_line_in_portuguese_uses_a_decimal_comma() -> None:
    progress = Progress(phase="generating", cycle=1, total=2, tokens=5, tokens_per_second=12.5)
    assert status_text(progress, PT, "pt") == "Ciclo 1 de 2 · 5 tokens · 12,5 tokens/s"


def test_rerun_changes_are_read_like_a_prompt_block() -> None:
    changes, models = parse_changes('temperature=0.8, max_tokens = 100, stop=["a, b"], '
                                    'model=tiny.gguf, model=default')
    assert changes == {"temperature": 0.8, "max_tokens": 100, "stop": ("a, b",)}
    assert models == ["tiny.gguf", "default"]
    assert parse_changes("") == ({}, None)


@pytest.mark.parametrize("text", ["temprature=1", "temperature=9", "temperature 1"])
def test_bad_rerun_changes_are_explained(text: str) -> None:
    with pytest.raises(SettingsError):
        parse_changes(text)
