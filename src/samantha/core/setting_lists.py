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
from samantha.core.grammar_bounds import check_grammar
from samantha.core.json_schema_bounds import checked_schema, schema_text
from samantha.core.schema import shown

#: Every stage the chain can hold, in the default order (llama.cpp's, with tail-free after
#: top-k where the classic llama.cpp had it).
STAGES = ("penalties", "dry", "top-n-sigma", "top-k", "tail-free", "typical", "top-p", "min-p",
          "xtc", "temperature")
DEFAULT_ORDER = STAGES
DEFAULT_BREAKERS = ("\n", ":", "\"", "*")

#: DRY's sequence breakers. Each one is looked for in every token of the vocabulary once per
#: model and list, and at every step the answer is walked back to the latest breaker, trying
#: each tail of each token that can start one. Measured on the 262,144-token vocabulary: 2,000
#: breakers took 441 s before the first token (43 s with each rest tokenized once); 32 breakers
#: of 40 bytes built to share their starts take 0.44 s once and 23 ms per token on a 4,000-token
#: answer whose every token starts one of them (the 4 defaults: 0.03 s and 2 ms).
MAX_BREAKERS = 32
#: llama.cpp cuts each breaker to 40 bytes; a longer one is refused rather than cut unseen.
MAX_BREAKER_BYTES = 40
#: Logit bias entries. Every copy of the settings reads them again (a few times per cycle):
#: about 2 µs each here, so 65,536 cost about 0.15 s a copy (262,144, a whole vocabulary,
#: cost 0.6 s). Applying them is one numpy step per token. OpenAI's API takes 300.
MAX_LOGIT_BIAS = 65_536

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
        names = _json(text, "samplers", SAMPLERS_HELP) if text.startswith("[") else \
            text.split(",")
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
            value = _json(text, "logit_bias", LOGIT_BIAS_HELP)
        else:
            value = [_pair(part) for part in _split(text)]
    if isinstance(value, dict):
        value = list(value.items())
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"logit_bias must be ID=VALUE pairs, got {value!r}. "
                            f"{LOGIT_BIAS_HELP}")
    if len(value) > MAX_LOGIT_BIAS:
        raise SettingsError(f"logit_bias: {len(value)} entries, above the limit of "
                            f"{MAX_LOGIT_BIAS} (MAX_LOGIT_BIAS: every copy of the settings reads "
                            "them all). Bias fewer tokens.")
    out: list[tuple[int | str, float]] = []
    for item in value:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise SettingsError(f"logit_bias: {item!r} is not a pair of a token and a value.")
        out.append((_key(item[0]), _bias(item[0], item[1])))
    return tuple(out)


def parse_breakers(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (_json(value, "dry_sequence_breakers", BREAKERS_HELP)
                 if value.strip().startswith("[") else [value])
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
        raise SettingsError(f"dry_sequence_breakers must be a list of strings, got {value!r}.")
    breakers = tuple(s for s in value if s)
    if len(breakers) > MAX_BREAKERS:
        raise SettingsError(f"dry_sequence_breakers: {len(breakers)} breakers, above the limit "
                            f"of {MAX_BREAKERS} (MAX_BREAKERS: each is matched against the "
                            "whole vocabulary before the first token). Keep the ones that "
                            "matter, such as line ends and speaker names.")
    for breaker in breakers:
        size = len(breaker.encode("utf-8"))
        if size > MAX_BREAKER_BYTES:
            raise SettingsError(f"dry_sequence_breakers: {breaker[:20]!r}... is {size} bytes, "
                                f"above the limit of {MAX_BREAKER_BYTES} (MAX_BREAKER_BYTES: "
                                "llama.cpp cuts breakers there). Shorten it.")
    return breakers


def _json(text: str, name: str, help_text: str) -> Any:
    """A list's JSON text, read; JSON that is wrong or nested past Python's recursion limit is
    one line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{name}: {shown(text)} is not valid JSON ({exc.msg} at column "
                            f"{exc.colno}). {help_text}") from None
    except RecursionError:
        raise SettingsError(f"{name}: the JSON nests too deep to read. {help_text}") from None


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


def _pair(part: str) -> tuple[int | str, str]:
    key, sep, number = part.rpartition("=")
    if not sep or not key.strip():
        raise SettingsError(f"logit_bias: {part!r} is not ID=VALUE or 'TEXT'=VALUE. "
                            f"{LOGIT_BIAS_HELP}")
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        return key[1:-1], number  # quoted: always text
    return (int(key) if key.isdigit() else key), number


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
    """A GBNF grammar's text, within the bounds that keep llama.cpp alive and quick (every
    grammar, from any front end, a chain file or a stored run, comes through here)."""
    if not isinstance(value, str):
        raise SettingsError(f"grammar must be the text of a GBNF grammar, got {value!r}.")
    if value.strip():
        check_grammar(value)
    return value


def parse_json_schema(value: Any) -> str:
    """A JSON schema's text, checked to be JSON (with the line and column of the fault) and
    within the bounds of :mod:`samantha.core.json_schema_bounds`."""
    if isinstance(value, dict):
        value = schema_text(value)
    if not isinstance(value, str):
        raise SettingsError(f"json_schema must be the text of a JSON schema, got {value!r}.")
    if value.strip():
        try:
            schema = checked_schema(value)
        except json.JSONDecodeError as exc:
            raise SettingsError(f"json_schema, line {exc.lineno}, column {exc.colno}: this is "
                                f"not JSON ({exc.msg}). Fix the schema there, e.g. "
                                '{"type": "object", "properties": {"n": {"type": '
                                '"integer"}}}.') from None
        if not isinstance(schema, dict):
            raise SettingsError("json_schema must be a JSON object such as "
                                '{"type": "object"}.')
    return value
