"""The settings that are lists rather than numbers: the order of the sampler chain
(``samplers``), the logit bias, and DRY's sequence breakers. Each one is read from text (the
command line, a prompt script's ``{…}`` block), a list or a table (chain files, stored runs)
and checked, with a message that says what is allowed."""

from __future__ import annotations

import difflib
import json
import math
from typing import Any

from samantha.core.errors import SettingsError

#: Every stage the chain can hold, in the default order (llama.cpp's, with tail-free after
#: top-k where the classic llama.cpp had it).
STAGES = ("penalties", "dry", "top-n-sigma", "top-k", "tail-free", "typical", "top-p", "min-p",
          "xtc", "temperature")
DEFAULT_ORDER = STAGES
DEFAULT_BREAKERS = ("\n", ":", "\"", "*")

SAMPLERS_HELP = (
    "The order of the sampler chain: the stages, in the order they run, separated by commas "
    f"({', '.join(STAGES)}). Any subset, any order; a stage left out never runs. The default is "
    "llama.cpp's order.")
LOGIT_BIAS_HELP = (
    "Added to the score of chosen tokens before any stage: ID=VALUE or 'TEXT'=VALUE pairs "
    "separated by commas (TEXT becomes its token ids with the model's tokenizer), or a JSON "
    "object. -inf bans a token; +5 makes it much more likely.")
BREAKERS_HELP = (
    "DRY's sequence breakers: a repetition does not continue across these strings (a JSON list; "
    'default ["\\n", ":", "\\"", "*"]).')


def parse_samplers(value: Any) -> tuple[str, ...]:
    """``"penalties,top-k,temperature"`` or a list of stage names (``top_k`` spellings too)."""
    if isinstance(value, str):
        text = value.strip()
        names = json.loads(text) if text.startswith("[") else text.split(",")
    elif isinstance(value, (list, tuple)):
        names = list(value)
    else:
        raise SettingsError(f"samplers must be stage names separated by commas, got {value!r}.")
    order: list[str] = []
    for raw in names:
        name = str(raw).strip().lower().replace("_", "-")
        name = {"typical-p": "typical", "typ-p": "typical", "tfs": "tail-free",
                "temp": "temperature"}.get(name, name)
        if not name:
            continue
        if name not in STAGES:
            close = difflib.get_close_matches(name, STAGES, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SettingsError(f"samplers: {raw!r} is not a stage.{hint} The stages are: "
                                f"{', '.join(STAGES)}.")
        if name in order:
            raise SettingsError(f"samplers: {name} is given twice; each stage runs once.")
        order.append(name)
    return tuple(order)


def parse_logit_bias(value: Any) -> tuple[tuple[int | str, float], ...]:
    """Token ids or texts with the value added to their score; text keys stay text until the
    model's tokenizer turns them into ids. ``-inf`` bans."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise SettingsError(f"logit_bias: {text!r} is not valid JSON ({exc.msg} at "
                                    f"column {exc.colno}). {LOGIT_BIAS_HELP}") from None
        else:
            value = [_pair(part) for part in _split(text)]
    if isinstance(value, dict):
        value = list(value.items())
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"logit_bias must be ID=VALUE pairs, got {value!r}. "
                            f"{LOGIT_BIAS_HELP}")
    out: list[tuple[int | str, float]] = []
    for item in value:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise SettingsError(f"logit_bias: {item!r} is not a pair of a token and a value.")
        out.append((_key(item[0]), _bias(item[0], item[1])))
    return tuple(out)


def parse_breakers(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip().startswith("[") else [value]
        except json.JSONDecodeError as exc:
            raise SettingsError(f"dry_sequence_breakers: not valid JSON ({exc.msg}). "
                                f"{BREAKERS_HELP}") from None
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
        raise SettingsError(f"dry_sequence_breakers must be a list of strings, got {value!r}.")
    return tuple(s for s in value if s)


def _split(text: str) -> list[str]:
    """Split on commas outside quotes."""
    parts, current, quote = [], "", ""
    for ch in text:
        if ch in "'\"" and (not quote or ch == quote):
            quote = "" if quote else ch
        if ch == "," and not quote:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in (p.strip() for p in parts) if p]


def _pair(part: str) -> tuple[str, str]:
    key, sep, number = part.rpartition("=")
    if not sep or not key.strip():
        raise SettingsError(f"logit_bias: {part!r} is not ID=VALUE or 'TEXT'=VALUE. "
                            f"{LOGIT_BIAS_HELP}")
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        return key[1:-1], number  # quoted: always text
    return (int(key) if key.isdigit() else key), number  # type: ignore[return-value]


def _key(key: Any) -> int | str:
    if isinstance(key, bool):
        raise SettingsError(f"logit_bias: {key!r} is not a token id or a text.")
    if isinstance(key, int):
        if key < 0:
            raise SettingsError(f"logit_bias: token id {key} is negative.")
        return key
    if isinstance(key, str) and key:
        return int(key) if key.isdigit() else key
    raise SettingsError(f"logit_bias: {key!r} is not a token id or a text.")


def _bias(key: Any, value: Any) -> float:
    try:
        number = float(str(value).strip()) if not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if math.isnan(number) or number == math.inf:
        raise SettingsError(f"logit_bias: the value for {key!r} must be a number or -inf, got "
                            f"{value!r}.")
    return number


GRAMMAR_HELP = ("A GBNF grammar the answer must follow (llama.cpp's grammar format): a file on "
                "the command line (--grammar FILE), the text itself elsewhere.")
JSON_SCHEMA_HELP = ("A JSON schema the answer must match (it becomes a grammar): a file on the "
                    "command line (--json-schema FILE), the text itself elsewhere.")


def parse_grammar(value: Any) -> str:
    if not isinstance(value, str):
        raise SettingsError(f"grammar must be the text of a GBNF grammar, got {value!r}.")
    return value


def parse_json_schema(value: Any) -> str:
    """A JSON schema's text, checked to be JSON (with the line and column of the fault)."""
    if isinstance(value, dict):
        return json.dumps(value)
    if not isinstance(value, str):
        raise SettingsError(f"json_schema must be the text of a JSON schema, got {value!r}.")
    if value.strip():
        try:
            schema = json.loads(value)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"json_schema, line {exc.lineno}, column {exc.colno}: this is "
                                f"not JSON ({exc.msg}). Fix the schema there, e.g. "
                                '{"type": "object", "properties": {"n": {"type": '
                                '"integer"}}}.') from None
        if not isinstance(schema, dict):
            raise SettingsError("json_schema must be a JSON object such as "
                                '{"type": "object"}.')
    return value
