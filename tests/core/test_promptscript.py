"""The prompt script grammar (SPEC §2): the predecessor's vectors where we keep its behaviour,
new ones where we fixed a bug."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samantha.core.promptscript import PromptScriptError, first_part, parse


def texts(script: str) -> list[str]:
    return [item.render(["R1", "R2"]) for item in parse(script).items]


@pytest.mark.parametrize("script, expected", [
    ("Who are you?\n\n\n$$$", ["Who are you?"]),
    ("A\nB\n---C\n\nD", ["A", "B", "D"]),
    ("A\n$$$\nB line1\nB line2\n$$$\n---C\n$$$", ["A", "B line1\nB line2"]),
    ("[You are a poet]\nlove\nlife\n---time\n[[Summarize:]]",
     ["You are a poet\n\nlove", "You are a poet\n\nlife", "Summarize:\n\nR1\n\nR2"]),
    ("[[Final]]\n[Pre]\nx\ny", ["Pre\n\nx", "Pre\n\ny", "Final\n\nR1\n\nR2"]),
    ("A\r\nB\r\n", ["A", "B"]),
])
def test_predecessor_vectors_we_keep(script: str, expected: list[str]) -> None:
    assert texts(script) == expected


@pytest.mark.parametrize("script, expected", [
    # $$$ anywhere separates, even without a line break after it (the predecessor left "A  B")
    ("A $$$ B", ["A", "B"]),
    # brackets inside text and code are ordinary text
    ("a[0] = 1\nprint(a)", ["a[0] = 1", "print(a)"]),
    ("See [1] and [2].\nNext", ["See [1] and [2].", "Next"]),
    ("[1] is a citation at the start\nz", ["[1] is a citation at the start", "z"]),
    ("x = [1, 2]\ny", ["x = [1, 2]", "y"]),
    # braces in f-strings, JSON and code survive
    ("print(f'{x}')\n{\"a\": 1}", ["print(f'{x}')", '{"a": 1}']),
    ("Explain {a:1} please", ["Explain {a:1} please"]),
    # --- in the middle of a line is text
    ("a --- b\nc", ["a --- b", "c"]),
    # the words full_text and partial_text are never replaced
    ("print(full_text, partial_text)", ["print(full_text, partial_text)"]),
    # a multi-line prefix keeps its lines, and nested brackets stay inside it
    ("[Use a[0]\nas example]\nq", ["Use a[0]\nas example\n\nq"]),
    # a bracket block inside fenced code is code
    ("Fix this:\n$$$\n```python\n[x for x in y]\n```\n$$$\nthen",
     ["Fix this:", "```python\n[x for x in y]\n```", "then"]),
])
def test_fixed_bugs(script: str, expected: list[str]) -> None:
    assert texts(script) == expected


def test_parameters_at_the_start_of_an_item() -> None:
    script = parse("{temperature=0.5, max_tokens = 20} Write\nplain")
    first, second = script.items
    assert first.text == "Write" and first.overrides == {"temperature": 0.5, "max_tokens": 20}
    assert second.overrides == {}


def test_prefix_parameters_are_defaults_for_every_item() -> None:
    script = parse("[{top_k=5, temperature=0.7} Be brief]\n{temperature=0}a\nb\n[[End]]")
    a, b, end = script.items
    assert a.text == "Be brief\n\na" and a.overrides == {"top_k": 5, "temperature": 0.0}
    assert b.overrides == {"top_k": 5, "temperature": 0.7}
    assert end.final and end.overrides == {"top_k": 5, "temperature": 0.7}


def test_stop_and_seed_parameters() -> None:
    item = parse('{stop=["###", "a,b"], seed=7} go').items[0]
    assert item.overrides == {"stop": ("###", "a,b"), "seed": 7} and item.text == "go"


def test_parameters_may_span_lines_in_dollar_mode() -> None:
    item = parse("{temperature=0.2,\n max_tokens=9\n}\nWrite\n$$$\nnext").items[0]
    assert item.overrides == {"temperature": 0.2, "max_tokens": 9} and item.text == "Write"


@pytest.mark.parametrize("script, line, column, item, words", [
    ("a\n{temprature=1} b", 2, 2, 2, "unknown parameter 'temprature'"),
    ("{temperature=hot} b", 1, 14, 1, "temperature must be a number"),
    ("{top_p=3} b", 1, 8, 1, "out of range"),
    ("{top_k=1.5} b", 1, 8, 1, "whole number"),
    ("x\ny\n{temperature=0.5 write", 3, 14, 3, "never closed"),
    ("{temperature 0.5} b", 1, 14, 1, "expected ="),
    ("[open prefix\nnever closed\nq", 1, 1, None, "never closed"),
    ("[[final\nq", 1, 1, None, "never closed"),
    ("[P1]\n[P2]\nx", 2, 1, None, "second prefix"),
    ("[[F1]]\nx\n[[F2]]", 3, 1, None, "second final"),
    ("", 1, 1, None, "no prompt"),
    ("---only ignored\n\n", 1, 1, None, "no prompt"),
    ('{stop=["a"} x', 1, 7, 1, "never closed"),
])
def test_errors_point_at_the_line(script, line, column, item, words) -> None:
    with pytest.raises(PromptScriptError) as err:
        parse(script)
    assert (err.value.line, err.value.column, err.value.item) == (line, column, item)
    assert words in str(err.value)
    assert f"line {line}, column {column}" in str(err.value)


def test_items_remember_their_line() -> None:
    assert [i.line for i in parse("a\n\n---b\nc").items] == [1, 4]


@pytest.mark.parametrize("field, expected", [
    ("sys", "sys"), ("---a$$$b$$$c", "b"), ("---a$$$---b", ""), ("$$$b", ""),
    ("a\n$$$\nb", "a"), ("  ---x", ""), ("  text  ", "text"), ("", ""),
])
def test_system_and_previous_field_rule(field: str, expected: str) -> None:
    assert first_part(field) == expected


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab []{}=,$-\n\"`pytemr_0.5")), max_size=80))
def test_parser_never_crashes(text: str) -> None:
    try:
        script = parse(text)
    except PromptScriptError:
        return
    assert script.items and all(item.text or item.final for item in script.items)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parser_never_crashes_on_any_unicode(text: str) -> None:
    try:
        parse(text)
    except PromptScriptError:
        pass
