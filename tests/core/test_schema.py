"""The chain's schema: every key's type and range, one line naming the key, as a table of cases."""

from __future__ import annotations

import dataclasses
import math
import tomllib

import pytest

from samantha.core.chain import FIELDS, ChainConfig, ChainConfigError, chain_file_values
from samantha.core.errors import SettingsError
from samantha.core.schema import (
    Number,
    Refused,
    Switch,
    Table,
    Text,
    TextList,
    Whole,
    plain,
)
from samantha.core.settings import Settings

WHERE = "Chain file c.toml"


def refusal(data: dict) -> str:
    with pytest.raises(ChainConfigError) as err:
        ChainConfig.from_dict(data, WHERE)
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{WHERE}: ")
    return message


@pytest.mark.parametrize("key, value, words", [
    ("auto_run_code", "false", ["auto_run_code must be true or false, without quotes",
                                "'false' (text)"]),
    ("feedback", "yes", ["feedback must be true or false, without quotes"]),
    ("loop_guard", 0, ["loop_guard must be true or false, got 0"]),
    ("allow_network", "true", ["allow_network must be true or false"]),
    ("learn", 1, ["learn must be true or false"]),
    ("prompts", 42, ["prompts must be text (the prompt script) in quotes, got 42"]),
    ("system", ["a"], ["system must be text", "(a list)"]),
    ("previous", 3.5, ["previous must be text"]),
    ("models", [1, 2], ["models must be a list of model names", "got [1, 2] (a list)"]),
    ("models", 7, ["models must be a list of model names"]),
    ("loops", 0, ["loops 0 is out of range: use a whole number from 1 to 1000000"]),
    ("loops", "2", ["loops must be a whole number from 1 to 1000000, got '2' (text)"]),
    ("loops", 1.5, ["loops must be a whole number"]),
    ("loops", True, ["loops must be a whole number", "got true"]),
    ("responses", 2_000_000, ["responses 2000000 is out of range"]),
    ("learn_top", 0, ["learn_top 0 is out of range: use a whole number from 1 to 1000"]),
    ("seed", -1, ["seed -1 is out of range: use a whole number from 0 to 4294967295"]),
    ("seed", 2**32, ["seed 4294967296 is out of range", "to 4294967295."]),
    ("code_timeout", "60", ["code_timeout must be a number from 0.001 to 86400"]),
    ("code_timeout", 0, ["code_timeout 0 is out of range: use a value from 0.001 to 86400"]),
    ("code_timeout", math.inf, ["code_timeout inf is out of range"]),
    ("code_timeout", math.nan, ["code_timeout nan is out of range"]),
    ("settings", 5, ["settings must be a table of settings ([settings] with lines such as",
                     "got 5"]),
    ("settings", {"top_p": "0.5"}, ["settings.top_p must be a number from 0 to 1, got '0.5'"]),
    ("settings", {"top_p": 2}, ["settings.top_p 2 is out of range: use a value from 0 to 1"]),
    ("settings", {"top_k": 2.5}, ["settings.top_k must be a whole number from 0 to 1000000"]),
    ("settings", {"seed": 2**32}, ["settings.seed 4294967296 is out of range"]),
    ("settings", {"temperature": False}, ["settings.temperature must be a number"]),
    ("settings", {"stop": [1, 2]}, ["settings.stop must be a list of strings such as"]),
    ("settings", {"top_q": 0.5}, ["settings.top_q is not a known setting. Did you mean top_p?"]),
    ("loopz", 3, ["loopz is not a known option. Did you mean loops? Known options: "]),
    ("a\nb", 1, ["'a\\nb' is not a known option"]),
])
def test_each_bad_value_is_one_line_naming_the_key(key, value, words) -> None:
    message = refusal({"prompts": "hi", key: value})
    for word in words:
        assert word in message


@pytest.mark.parametrize("key, value, expected", [
    ("auto_run_code", True, True),
    ("models", "a.gguf\nb.gguf\n--- off\n", ("a.gguf", "b.gguf")),  # one per line, as before
    ("models", ["a", "b"], ("a", "b")),
    ("loops", 2.0, 2),  # a whole number written with a point
    ("code_timeout", 5, 5.0),
    ("seed", None, None),  # stored runs hold null for a seed left to be drawn
    ("settings", {"top_k": 5.0, "stop": "###"}, Settings(top_k=5, stop=("###",))),
    ("settings", {"seed": None, "stop": ["a"]}, Settings(stop=("a",))),
])
def test_good_values_are_normalised(key, value, expected) -> None:
    assert getattr(ChainConfig.from_dict({"prompts": "hi", key: value}), key) == expected


def test_the_schema_has_a_rule_for_every_field_and_nothing_else() -> None:
    assert set(FIELDS) == {f.name for f in dataclasses.fields(ChainConfig)}
    switches = {f.name for f in dataclasses.fields(ChainConfig) if f.type == "bool"}
    assert {"loop_guard", "allow_network", "auto_run_code"} <= switches
    assert all(isinstance(FIELDS[name], Switch) for name in switches)


def test_a_stored_run_round_trips() -> None:
    config = ChainConfig("a\nb", models=("x", "y"), loops=3, auto_run_code=True, seed=4,
                         allow_network=True, loop_guard=False, settings=Settings(top_k=3))
    assert ChainConfig.from_dict(config.to_dict(), "Stored run 1") == config


def test_direct_construction_is_checked_by_the_same_rules() -> None:
    with pytest.raises(ChainConfigError, match="^auto_run_code must be true or false"):
        ChainConfig("hi", auto_run_code="false")  # type: ignore[arg-type]
    with pytest.raises(ChainConfigError, match="^loops 0 is out of range"):
        ChainConfig("hi").replace(loops=0)
    with pytest.raises(ChainConfigError, match="settings must be Settings"):
        ChainConfig("hi", settings={"top_k": 1})  # type: ignore[arg-type]


def test_no_prompts_and_no_models() -> None:
    assert "there is no `prompts`" in refusal({"models": ["default"]})
    assert "No model selected" in refusal({"prompts": "hi", "models": ["---off"]})
    assert "must be a table of options" in refusal([1])  # type: ignore[arg-type]


def toml(text: str) -> dict:
    return chain_file_values(tomllib.loads(text), WHERE)


def test_options_table_is_merged_and_checked() -> None:
    values = toml('prompts = "hi"\n[options]\nloops = 2\nfeedback = true\n[settings]\ntop_k = 3\n')
    assert values == {"prompts": "hi", "loops": 2, "feedback": True, "settings": {"top_k": 3}}


@pytest.mark.parametrize("text, words", [
    ('prompts = "hi"\noptions = 5\n', "options must be a table of options"),
    ('prompts = "hi"\n[options]\nauto_run_code = "false"\n',
     "options.auto_run_code must be true or false, without quotes"),
    ('prompts = "hi"\n[options]\nloopz = 2\n', "options.loopz is not a known option. Did you"),
    ('prompts = "hi"\n[options]\nsettings = 2\n', "options.settings is not a known option"),
    ('prompts = "hi"\nloops = 2\n[options]\nloops = 3\n', "loops is given twice"),
    ('prompts = "a\\u0000b"\n', "Chain file c.toml, prompts, line 1, column 2: a NUL"),
])
def test_chain_file_errors(text, words) -> None:
    with pytest.raises(Exception) as err:
        toml(text)
    assert words in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("rule, value, phrase", [
    (Switch(), "no", "must be true or false, without quotes, got 'no' (text)"),
    (Text(optional=True), 1, "must be text in quotes or null, got 1"),
    (TextList(), [1], 'must be a list of strings in quotes, such as ["a", "b"], got [1] (a list)'),
    (Whole(1, 3), 4, "4 is out of range: use a whole number from 1 to 3"),
    (Number(0, 1), "x", "must be a number from 0 to 1, got 'x' (text)"),
    (Table({"a": Switch()}, "thing"), 1, "must be a table of things, got 1"),
])
def test_rules_refuse_with_a_phrase(rule, value, phrase) -> None:
    with pytest.raises(Refused) as err:
        rule.check(value)
    assert err.value.phrase == phrase


def test_nested_keys_are_named_with_dots() -> None:
    rule = Table({"inner": Table({"flag": Switch()})})
    with pytest.raises(Refused) as err:
        rule.check({"inner": {"flag": "yes"}})
    assert err.value.sentence("Here") == ("Here: inner.flag must be true or false, without "
                                          "quotes, got 'yes' (text).")


@pytest.mark.parametrize("value, text", [
    (4294967295, "4294967295"), (4294967295.0, "4294967295"), (1_048_576.0, "1048576"),
    (0.001, "0.001"), (1e-05, "0.00001"), (0.95, "0.95"), (86400, "86400"), (-2.0, "-2"),
    (math.inf, "inf"),
])
def test_plain_numbers(value, text) -> None:
    assert plain(value) == text


def test_settings_range_messages_use_plain_numbers() -> None:
    with pytest.raises(SettingsError) as err:
        Settings(seed=2**32)
    assert "0 to 4294967295" in str(err.value) and "e+" not in str(err.value)
    with pytest.raises(SettingsError) as err:
        Settings(n_ctx=2_000_000)
    assert "n_ctx 2000000 is out of range: use a whole number from 0 to 1048576." in str(
        err.value)
