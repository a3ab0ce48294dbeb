"""The SVG charts: labelled axes, whole-number token axes, nothing drawn without data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from samantha.documents import charts


@pytest.mark.parametrize("low, high, ticks", [
    (1, 5, [1, 2, 3, 4, 5]),
    (1, 2, [1, 2]),
    (1, 40, [10, 20, 30, 40]),
    (1, 7, [1, 2, 3, 4, 5, 6, 7]),
    (3, 3, [3]),
])
def test_integer_ticks(low: int, high: int, ticks: list[int]) -> None:
    assert charts.integer_ticks(low, high) == ticks


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # well-formed SVG
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_a_line_chart_has_its_title_axis_labels_and_whole_number_ticks() -> None:
    svg = charts.line_chart([1, 2, 3], [0.5, 2.0, 1.0], "Entropy", "token", "entropy (nats)")
    shown = texts(svg)
    assert {"Entropy", "token", "entropy (nats)"} <= set(shown)
    ticks = [s for s in shown if re.fullmatch(r"\d+", s)]
    assert ticks == ["1", "2", "3"]


def test_a_stem_chart_marks_each_choice_and_says_when_there_is_none() -> None:
    svg = charts.stem_chart([2, 5], [3, 2], 6, "Ranks", "token", "rank", "none")
    assert svg.count("<circle") == 2 and "token 2: rank 3" in svg
    empty = charts.stem_chart([], [], 6, "Ranks", "token", "rank", "none yet")
    assert "none yet" in texts(empty) and "<circle" not in empty
    assert charts.stem_chart([], [], 0, "Ranks", "token", "rank", "none") == ""


def test_bars_escape_their_labels() -> None:
    svg = charts.bar_chart([charts.Bar("1. <b>", 0.7, True), charts.Bar("2. &", 0.3)], "T", "p")
    assert "1. <b>" in texts(svg) and "&lt;b&gt;" in svg and svg.count("<rect") == 2
