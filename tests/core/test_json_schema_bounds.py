"""The bounds on JSON schemas, as tables: real schemas pass, each bound refuses just past its
limit with one line that names it, before ``json.loads`` or the converter could recurse."""

from __future__ import annotations

import json
import tomllib

import pytest

from samantha.core.chain import ChainConfig, ChainConfigError, chain_file_values
from samantha.core.errors import SettingsError
from samantha.core.grammar_bounds import GrammarBoundError
from samantha.core.json_schema_bounds import (
    MAX_SCHEMA_BYTES,
    MAX_SCHEMA_COUNT,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_PROPERTIES,
    checked_schema,
    schema_text,
)
from samantha.core.settings import Settings

PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "email": {"type": "string", "pattern": "^[a-z]{1,64}@[a-z]{2,63}\\.[a-z]{2,6}$"},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
        "address": {"$ref": "#/$defs/address"},
    },
    "required": ["name"],
    "$defs": {"address": {"type": "object", "properties": {
        "street": {"type": "string"}, "zip": {"type": "string", "pattern": "^\\d{5}$"}}}},
}


def nested_objects(levels: int) -> str:
    """``levels`` objects, one inside the other's properties (2 JSON levels each), as text."""
    return '{"type": "object", "properties": {"a": ' * levels + '{"type": "integer"}' + \
        "}}" * levels


def arrays(depth: int) -> str:
    return '{"type": "array", "items": ' * (depth - 1) + '{"type": "integer"}' + "}" * (depth - 1)


def refusal(text: str) -> str:
    with pytest.raises(GrammarBoundError) as caught:
        checked_schema(text)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("json_schema: ")
    return message


@pytest.mark.parametrize("text", [
    json.dumps(PERSON), '{"type": "integer"}', "{}", arrays(MAX_SCHEMA_DEPTH),
    json.dumps({"type": "string", "minLength": MAX_SCHEMA_COUNT, "maxLength": MAX_SCHEMA_COUNT}),
    json.dumps({"type": "object", "properties": {f"p{i}": {"type": "integer"}
                                                  for i in range(MAX_SCHEMA_PROPERTIES)}}),
    json.dumps({"type": "string", "pattern": "^(a{2,1000}|[{}]\\{99999\\})$"}),
    json.dumps({"type": "object", "properties": {"maxLength": {"type": "integer"}}}),
], ids=["person", "integer", "empty", "deepest", "longest-string", "most-properties",
        "escaped-braces-in-pattern", "property-named-like-a-count"])
def test_real_and_largest_allowed_schemas_pass(text: str) -> None:
    assert checked_schema(text) == json.loads(text)


@pytest.mark.parametrize("text, words", [
    (json.dumps({"enum": ["x" * 1000] * 300}), [f"above the limit of {MAX_SCHEMA_BYTES}",
                                               "MAX_SCHEMA_BYTES"]),
    (arrays(MAX_SCHEMA_DEPTH + 1), [f"more than {MAX_SCHEMA_DEPTH} deep", "MAX_SCHEMA_DEPTH",
                                    "line 1, column"]),
    (nested_objects(1500), ["MAX_SCHEMA_DEPTH", "$defs"]),  # 3,000 levels of JSON
    ("[" * 100_000, ["MAX_SCHEMA_DEPTH"]),
    (json.dumps({"type": "string", "minLength": 100_000_000}),
     ["minLength 100000000 at /minLength", f"limit of {MAX_SCHEMA_COUNT}", "MAX_SCHEMA_COUNT"]),
    (json.dumps({"type": "string", "maxLength": 20_000}), ["maxLength 20000"]),
    (json.dumps({"type": "object", "properties": {"xs": {"type": "array", "maxItems": 1e9}}}),
     ["maxItems 1000000000.0 at /properties/xs/maxItems"]),
    (json.dumps({"anyOf": [{"type": "object", "minProperties": 5000}]}),
     ["minProperties 5000 at /anyOf/0/minProperties"]),
    (json.dumps({"type": "string", "pattern": "^a{0,5000}$"}),
     ["pattern at /pattern repeats something 5000 times ({0,5000})", "MAX_SCHEMA_COUNT"]),
    (json.dumps({"type": "string", "pattern": "^a{100000000}$"}), ["100000000 times"]),
    (json.dumps({"type": "string", "pattern": "^" + "(" * 100 + "a" + ")" * 100 + "$"}),
     ["pattern at /pattern nests groups", "MAX_SCHEMA_DEPTH"]),
    (json.dumps({"type": "object", "properties": {f"p{i}": {"type": "integer"}
                                                   for i in range(MAX_SCHEMA_PROPERTIES + 1)}}),
     [f"{MAX_SCHEMA_PROPERTIES + 1} properties at /properties", "MAX_SCHEMA_PROPERTIES"]),
])
def test_each_bound_refuses_with_one_line_naming_it(text: str, words: list[str]) -> None:
    message = refusal(text)
    for word in words:
        assert word in message, message


def test_text_that_is_not_json_is_left_to_the_caller() -> None:
    with pytest.raises(json.JSONDecodeError):
        checked_schema('{"type": ')


def test_a_table_is_measured_before_it_is_written_as_json() -> None:
    deep: dict = {"type": "integer"}
    for _ in range(3000):  # json.dumps would die of RecursionError
        deep = {"type": "array", "items": deep}
    with pytest.raises(GrammarBoundError, match="MAX_SCHEMA_DEPTH"):
        schema_text(deep)
    assert json.loads(schema_text(PERSON)) == PERSON


def test_every_schema_setting_is_checked() -> None:
    """The settings (any front end, stored runs) and chain files go through the one check."""
    with pytest.raises(SettingsError, match="MAX_SCHEMA_DEPTH"):
        Settings(json_schema=nested_objects(1500))
    with pytest.raises(SettingsError, match="MAX_SCHEMA_COUNT"):
        Settings().replace(json_schema={"type": "string", "minLength": 100_000_000})
    assert Settings(json_schema=json.dumps(PERSON)).json_schema == json.dumps(PERSON)
    chain = tomllib.loads('prompts = "Hi."\n[settings]\n'
                          'json_schema = { type = "string", maxLength = 100000 }\n')
    with pytest.raises(ChainConfigError) as caught:
        ChainConfig.from_dict(chain_file_values(chain, "Chain file c.toml"), "Chain file c.toml")
    message = str(caught.value)
    assert message.startswith("Chain file c.toml: settings.json_schema maxLength 100000")
    assert "MAX_SCHEMA_COUNT" in message and "\n" not in message
