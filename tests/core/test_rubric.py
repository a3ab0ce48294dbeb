"""Rubrics: the predecessor's criteria in both languages, the schema a judge answers in, and a
judgement read back strictly (malformed ones recorded, never guessed)."""

from __future__ import annotations

import json
import re

import pytest

from samantha.core.json_schema_bounds import checked_schema, schema_text
from samantha.core.rubric import (
    MAX_REASON_CHARS,
    Criterion,
    Rubric,
    RubricError,
    judge_prompt,
    judgement_schema,
    read_judgement,
    rubric_from_table,
    seed_rubric,
)

TWO = Rubric((Criterion("clarity", "Is it clear?"), Criterion("truth", "Is it true?")), 1, 3)


def test_the_seed_criteria_in_english_and_portuguese() -> None:
    en, pt = seed_rubric("en"), seed_rubric("pt")
    assert [c.key for c in en.criteria] == [c.key for c in pt.criteria]
    assert len(en.criteria) == 9 and (en.low, en.high) == (1, 5)
    assert all(a.question != b.question for a, b in zip(en.criteria, pt.criteria))
    assert "alucinação" in pt.criteria[2].question and "hallucination" in en.criteria[2].question


def test_the_schema_asks_every_score_and_a_reason_and_passes_the_bounds() -> None:
    schema = judgement_schema(TWO)
    assert schema["required"] == ["reason", "clarity", "truth"]  # the judge says why first
    assert list(schema["properties"]) == ["reason", "clarity", "truth"]
    # an enum: llama.cpp's converter leaves an integer's minimum and maximum unbounded
    assert schema["properties"]["truth"] == {"enum": [1, 2, 3]}
    assert schema["additionalProperties"] is False
    assert checked_schema(schema_text(schema)) == schema


def test_a_judgement_in_form_is_read() -> None:
    got = read_judgement(TWO, '{"clarity": 3, "truth": 1, "reason": "Clear but wrong."}')
    assert got.scores == {"clarity": 3, "truth": 1} and got.reason == "Clear but wrong."
    assert not got.malformed


@pytest.mark.parametrize("text, problem", [
    ('{"clarity": 3, "truth": 2, "reas', "not JSON (Unterminated string"),
    ("I think it is good.", "not JSON (Expecting value"),
    ("[3, 2]", "a JSON list, not an object"),
    ('{"clarity": 3, "reason": ""}', "no score for truth"),
    ('{"clarity": 4, "truth": 1, "reason": ""}', "the score for clarity is 4, not a whole "
                                                  "number from 1 to 3"),
    ('{"clarity": 2.5, "truth": 1, "reason": ""}', "the score for clarity is 2.5"),
    ('{"clarity": true, "truth": 1, "reason": ""}', "the score for clarity is True"),
    ('{"clarity": 2, "truth": 1, "reason": 7}', "reason is not text"),
    ("[" * 100_000, "nests too deep"),  # a judge held to no grammar: one line, not a crash
])
def test_a_judgement_out_of_form_is_recorded_as_such(text: str, problem: str) -> None:
    got = read_judgement(TWO, text)
    assert got.malformed and got.scores is None
    assert problem in (got.problem or ""), got.problem


def test_a_cut_off_judgement_says_it_may_have_been_cut() -> None:
    assert "cut off" in (read_judgement(TWO, '{"clarity": 3, "tru').problem or "")
    assert "cut off" not in (read_judgement(TWO, "no").problem or "")


def test_a_long_reason_is_kept_to_its_bound() -> None:
    text = json.dumps({"clarity": 1, "truth": 1, "reason": "x" * 5000})
    assert len(read_judgement(TWO, text).reason) == MAX_REASON_CHARS


def test_the_judge_is_asked_every_question_in_form() -> None:
    asked = judge_prompt(TWO, "Capital of France?", "Paris.")
    assert "- clarity: Is it clear?" in asked and "- truth: Is it true?" in asked
    assert "PROMPT:\nCapital of France?" in asked and "ANSWER:\nParis." in asked
    assert '{"reason": "<one or two sentences>", "clarity": <score>, "truth": <score>}' in asked
    assert "from 1 (worst) to 3 (best)" in asked


@pytest.mark.parametrize("criteria, low, high, said", [
    ((), 1, 5, "at least one criterion"),
    ((Criterion("a", "?"), Criterion("a", "?")), 1, 5, "distinct keys"),
    ((Criterion("reason", "?"),), 1, 5, "distinct keys other than 'reason'"),
    ((Criterion("two words", "?"),), 1, 5, "letters, digits and underscores"),
    ((Criterion("a", "?"),), 5, 5, "scale goes up"),
])
def test_a_bad_rubric_is_refused_in_one_line(criteria, low, high, said) -> None:
    with pytest.raises(RubricError, match=said):
        Rubric(criteria, low, high)


def test_a_rubric_from_a_chain_files_table_keeps_its_order_and_scale() -> None:
    import tomllib

    data = tomllib.loads('[judge.rubric]\nscale = [0, 10]\n'
                         'criteria = { truth = "Is it true?", clarity = " Is it clear? " }\n')
    rubric = rubric_from_table(data["judge"]["rubric"], "Chain file c.toml")
    assert rubric == Rubric((Criterion("truth", "Is it true?"),
                             Criterion("clarity", "Is it clear?")), 0, 10)
    assert rubric_from_table({"criteria": {"a": "?"}}, "x").high == 5  # 1 to 5 unless said


@pytest.mark.parametrize("data, said", [
    ([1], "a rubric is a table with criteria"),
    ({"criteria": {"a": "?"}, "weights": 1}, "unknown key 'weights'"),
    ({"criteria": []}, "criteria are a table of questions"),
    ({"criteria": {}}, "criteria are a table of questions"),
    ({"criteria": {f"c{i}": "?" for i in range(33)}}, "33 criteria; at most 32"),
    ({"criteria": {"a": ""}}, "criterion 'a' needs a question of 1 to 500"),
    ({"criteria": {"a": "x" * 501}}, "criterion 'a' needs a question"),
    ({"criteria": {"a": 3}}, "criterion 'a' needs a question"),
    ({"criteria": {"a": "?"}, "scale": [5, 1]}, "two whole numbers going up"),
    ({"criteria": {"a": "?"}, "scale": [1, 1000]}, "within 0 to 100"),
    ({"criteria": {"a": "?"}, "scale": [True, 5]}, "not [True, 5]"),
    ({"criteria": {"two words": "?"}}, "Chain file c.toml: A criterion's key is a name"),
    ({"criteria": {"reason": "?"}}, "other than 'reason'"),
])
def test_a_bad_rubric_table_is_refused_in_one_line_naming_the_file(data, said) -> None:
    with pytest.raises(RubricError, match=re.escape(said)) as refused:
        rubric_from_table(data, "Chain file c.toml")
    assert str(refused.value).startswith("Chain file c.toml: ")
    assert "\n" not in str(refused.value)


def test_a_chain_files_judge_table_is_checked_and_kept_plain() -> None:
    import tomllib

    from samantha.core.chain import ChainConfig, ChainConfigError, chain_file_values

    def read(text: str) -> ChainConfig:
        return ChainConfig.from_dict(chain_file_values(tomllib.loads('prompts = "hi"\n' + text),
                                                       "f.toml"))

    config = read('[judge]\nmodels = ["smollm2", "smollm2", "default"]\npairwise = true\n'
                  '[judge.rubric]\nscale = [0, 3]\ncriteria = { clear = "Is it clear?" }\n')
    assert config.judge == {"models": ["smollm2", "default"], "pairwise": True,
                            "rubric": {"criteria": {"clear": "Is it clear?"}, "scale": [0, 3]}}
    assert ChainConfig.from_dict(config.to_dict()).judge == config.judge  # stored and read back
    assert read('[judge]\nmodels = ["smollm2"]').judge["rubric"] == "seed"
    assert ChainConfig(prompts="hi").judge == {}
    for text, said in [
        ('[judge]\nmodel = ["x"]', "f.toml: judge has no key 'model'; it has models, rubric, "
                                   "pairwise."),
        ("[judge]\nmodels = []", 'f.toml: judge needs models = ["…"]'),
        ('[judge]\nmodels = "x"', "f.toml: judge models must be a list of judge models"),
        ('[judge]\nmodels = ["x"]\npairwise = "yes"', "f.toml: judge pairwise must be true or "
                                                      "false, without quotes"),
        ('[judge]\nmodels = ["x"]\nrubric = 3', "f.toml: judge rubric is a name (seed"),
        ('[judge]\nmodels = ["x"]\n[judge.rubric]\nscale = [5, 1]\ncriteria = { a = "?" }',
         "f.toml: judge [judge.rubric]: the rubric's scale is two whole numbers going up"),
        ("judge = 3", "f.toml: judge must be a table such as [judge]"),
    ]:
        with pytest.raises(ChainConfigError) as caught:
            read(text)
        assert str(caught.value).startswith(said), (text, str(caught.value))
