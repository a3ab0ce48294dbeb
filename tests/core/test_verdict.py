"""Verdicts: the contestants of a {verdict=…} item, the schema a judge's answer follows, and the
answer read into a Verdict (malformed ones said as such, nothing guessed)."""

from __future__ import annotations

import json

import pytest

from samantha.core.errors import InputError
from samantha.core.promptscript import PromptScriptError, parse
from samantha.core.verdict import (
    REASON_MAX,
    Verdict,
    VerdictWords,
    contestants,
    labelled,
    read_verdict,
    verdict_line,
    verdict_schema,
)

NAMES = ("AI 1", "AI 2")


@pytest.mark.parametrize("value, names", [
    ("AI 1|AI 2", ("AI 1", "AI 2")),
    ("  AI 1 | AI   2 ", ("AI 1", "AI 2")),
    ('["A, the first", "B"]', ("A, the first", "B")),
    (["x", "y", "z"], ("x", "y", "z")),
])
def test_contestants(value, names) -> None:
    assert contestants(value) == names


@pytest.mark.parametrize("value, words", [
    ("AI 1", "needs 2 to 8 contestants, got 1"),
    ("|".join(f"m{i}" for i in range(9)), "needs 2 to 8 contestants, got 9"),
    ("AI 1|AI 1", "a contestant is named twice"),
    ("AI 1||AI 2", "a contestant's name is empty"),
    ("AI 1|Tie", "'Tie' cannot be a contestant's name (it means a tie)"),
    ("a|" + "b" * 41, "longer than 40 characters"),
    ('["AI 1", ', "is not a JSON list"),
    ([1, 2], "must name the contestants"),
])
def test_bad_contestants_are_one_clear_line(value, words) -> None:
    with pytest.raises(InputError) as caught:
        contestants(value)
    message = str(caught.value)
    assert words in message and "{verdict=AI 1|AI 2}" in message and "\n" not in message


def test_the_schema_allows_a_contestant_or_a_tie_a_score_each_and_a_bounded_reason() -> None:
    schema = json.loads(verdict_schema(NAMES))
    props = schema["properties"]
    assert list(props) == ["winner", "scores", "reason"] == schema["required"]
    assert props["winner"] == {"enum": ["AI 1", "AI 2", "tie"]}
    assert props["scores"]["required"] == list(NAMES)
    assert props["scores"]["properties"]["AI 2"] == {"enum": list(range(11))}
    assert props["reason"]["maxLength"] == REASON_MAX
    assert schema["additionalProperties"] is False


GOOD = [
    ('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 6}, "reason": "Clearer."}',
     Verdict(NAMES, "AI 1", (("AI 1", 8), ("AI 2", 6)), "Clearer.")),
    ('{ "winner" :"tie", "scores": {"AI 2" : 5, "AI 1" : 5} ,"reason":" Both fine " }',
     Verdict(NAMES, "tie", (("AI 1", 5), ("AI 2", 5)), "Both fine")),
    ('\n{"reason": "r", "winner": "AI 2", "scores": {"AI 1": 0, "AI 2": 10}}\n',
     Verdict(NAMES, "AI 2", (("AI 1", 0), ("AI 2", 10)), "r")),
]


@pytest.mark.parametrize("text, verdict", GOOD)
def test_a_verdict_is_read(text, verdict) -> None:
    read = read_verdict(text, NAMES)
    assert read == verdict and read.read and read.problem is None
    assert Verdict.from_dict(json.loads(json.dumps(read.to_dict()))) == read


MALFORMED = [
    ("", "the answer is empty"),
    ("   ", "the answer is empty"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8', "the answer ends before its JSON does"),
    ("AI 1 is better.", "the answer is not JSON (Expecting value at character 1)"),
    ('{"winner": "AI 1", "reason": "Because it', "the answer ends before its JSON does"),
    ('{"winner": "AI 1"} and more', "the answer is not JSON (Extra data at character 20)"),
    ('["AI 1"]', "the answer is a JSON array, not an object"),
    ('"AI 1"', "the answer is a JSON string, not an object"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 6}}', "the answer has no reason"),
    ('{"reason": "x"}', "the answer has no winner, scores"),
    ('{"winner": "AI 3", "scores": {"AI 1": 8, "AI 2": 6}, "reason": "x"}',
     "the winner 'AI 3' is not one of AI 1, AI 2 or tie"),
    ('{"winner": "AI 1", "scores": [8, 6], "reason": "x"}',
     "the scores are a JSON array, not an object"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8}, "reason": "x"}', "the answer gives AI 2 no score"),
    ('{"winner": "AI 1", "scores": {"AI 1": 11, "AI 2": 6}, "reason": "x"}',
     "AI 1's score 11 is not a whole number from 0 to 10"),
    ('{"winner": "AI 1", "scores": {"AI 1": 7.5, "AI 2": 6}, "reason": "x"}',
     "AI 1's score 7.5 is not a whole number from 0 to 10"),
    ('{"winner": "AI 1", "scores": {"AI 1": true, "AI 2": 6}, "reason": "x"}',
     "AI 1's score True is not a whole number"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 6, "AI 3": 1}, "reason": "x"}',
     "the answer scores AI 3, who did not compete"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 6}, "reason": " "}',
     "the answer gives no reason"),
    ('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 6}, "reason": 3}',
     "the answer gives no reason"),
]


@pytest.mark.parametrize("text, problem", MALFORMED)
def test_a_malformed_answer_is_recorded_as_such_never_guessed(text, problem) -> None:
    verdict = read_verdict(text, NAMES)
    assert not verdict.read and verdict.problem.startswith(problem), verdict.problem
    assert (verdict.winner, verdict.scores, verdict.reason) == (None, (), "")
    assert verdict_line(verdict) == f"Verdict: none could be read ({verdict.problem}); nothing " \
                                    "is guessed."


def test_the_verdict_line_in_english_and_in_given_words() -> None:
    won, tie = (read_verdict(text, NAMES) for text, _ in GOOD[:2])
    assert verdict_line(won) == "Verdict: AI 1 wins. Scores: AI 1 8/10, AI 2 6/10. Reason: Clearer."
    assert verdict_line(tie).startswith("Verdict: a tie. Scores: AI 1 5/10, AI 2 5/10.")
    words = VerdictWords("{winner} vence ({scores}): {reason}", "empate", "?")
    assert verdict_line(won, words) == "AI 1 vence (AI 1 8/10, AI 2 6/10): Clearer."


@pytest.mark.parametrize("responses, expected", [
    (["A", "B"], ["AI 1: A", "AI 2: B"]),
    (["The question?", "A\n", " B"], ["The question?", "AI 1: A", "AI 2: B"]),
    (["A"], ["AI 1: A"]),  # a contestant failed: what there is, in order
    ([], []),
])
def test_the_answers_a_judgement_reads_are_headed_by_their_names(responses, expected) -> None:
    assert labelled(responses, NAMES) == expected


def test_a_verdict_item_in_a_prompt_script() -> None:
    script = parse("Why?\nWhy? Because\n[[{verdict=AI 1|AI 2, max_tokens=90} Judge them.]]")
    first, _, judge = script.items
    assert first.verdict == () and judge.verdict == NAMES and judge.final
    assert judge.overrides == {"max_tokens": 90}  # the contestants are not a setting
    assert judge.render(["Stories.", "we talk."]) == \
        "Judge them.\n\nAI 1: Stories.\n\nAI 2: we talk."
    listed = parse('{verdict=["Ann", "Bob"]} Who wrote better?').items[0]
    assert listed.verdict == ("Ann", "Bob") and listed.render(["x"]) == "Who wrote better?"


@pytest.mark.parametrize("text, where, words", [
    ("Hi\n{verdict=AI 1} Judge.", "item 2, line 2, column 10", "needs 2 to 8 contestants"),
    ("{verdict=A|A} Judge.", "item 1, line 1, column 10", "a contestant is named twice"),
    ("{verdikt=A|B} Judge.", "item 1, line 1, column 2", "Did you mean 'verdict'?"),
])
def test_a_bad_verdict_key_names_its_place(text, where, words) -> None:
    with pytest.raises(PromptScriptError) as caught:
        parse(text)
    assert where in str(caught.value) and words in str(caught.value), str(caught.value)
