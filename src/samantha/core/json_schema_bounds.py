"""Bounds on a JSON schema, checked before it is parsed and before it becomes a grammar.

A schema becomes GBNF through llama-cpp-python's converter (for the local model) or llama.cpp's
own (llama-server). Measured on llama-cpp-python 0.3.36: the converter recurses in Python
once or twice per level of the schema (it died of RecursionError past 496 levels of nested
objects, about 1,000 levels of JSON, and so does ``json.loads`` on 3,000 levels); it writes a
string's ``minLength`` as that many copies of a character rule and its ``maxLength`` as that
many nested groups (``minLength`` 100,000,000 took 2 GB and no answer; a ``maxLength`` of
20,000 nests past what llama.cpp's parser survives); regular expressions in ``pattern`` do the
same with ``{m,n}``; and an object's optional properties cost it time in the square of their
number (900 took 5 s).

:func:`checked_schema` reads the text once without recursion (size, then nesting depth, then
``json.loads``, then a walk with a stack of its own) and refuses, in one line naming the limit,
a schema past any of the bounds below. The grammar the converter writes is then checked like
any grammar (:mod:`samantha.core.grammar_bounds`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from samantha.core.grammar_bounds import GrammarBoundError

#: Schema text. Real schemas (function calling, forms, API bodies) are a few KB.
MAX_SCHEMA_BYTES = 256 * 1024
#: Nesting of JSON objects and arrays (each level of a schema is two: the schema and its
#: "properties" or "items"). Real schemas stay under 20; 64 is a 15th of where the converter
#: died, and keeps the grammar it writes (whose rule names repeat the path) small.
MAX_SCHEMA_DEPTH = 64
#: ``minLength``, ``maxLength``, ``minItems``, ``maxItems``, ``minProperties``, ... and
#: ``{m,n}`` in a ``pattern``: the converter writes each count out (copies, or nested
#: groups), so 1,000 stays well inside the grammar's own limits.
MAX_SCHEMA_COUNT = 1_000
#: Properties of one object: the converter's time grows with the square of the optional ones
#: (256 take it 0.05 s, 900 took 5 s) and it recurses once per optional property.
MAX_SCHEMA_PROPERTIES = 256

COUNT_KEYS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties",
              "maxProperties", "minContains", "maxContains")

_BRACKETS = re.compile(r'"(?:\\.|[^"\\])*"?|[\[\]{}]', re.DOTALL)
_PATTERN_PARTS = re.compile(r"\\.|\{\s*(\d*)\s*(?:,\s*(\d*)\s*)?\}|[()]", re.DOTALL)


def checked_schema(text: str) -> Any:
    """The parsed JSON of a schema's text, once it is within every bound (else
    :class:`GrammarBoundError`); text that is not JSON raises ``json.JSONDecodeError`` for the
    caller to explain."""
    size = len(text.encode("utf-8"))
    if size > MAX_SCHEMA_BYTES:
        raise GrammarBoundError(
            f"json_schema: is {size} bytes, above the limit of {MAX_SCHEMA_BYTES} bytes "
            "(MAX_SCHEMA_BYTES). Shorten it: name shared parts once in $defs and $ref them.")
    _check_depth(text)
    schema = json.loads(text)  # at most MAX_SCHEMA_DEPTH levels: no RecursionError
    _check_values(schema)
    return schema


def schema_text(value: Any) -> str:
    """A schema given as a table (a chain file's TOML) as JSON text, its depth checked first."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_SCHEMA_DEPTH:
                raise _too_deep("in the table")
            stack += [(child, depth + 1) for child in
                      (item.values() if isinstance(item, dict) else item)]
    return json.dumps(value)


def _check_depth(text: str) -> None:
    depth = 0
    for match in _BRACKETS.finditer(text):
        mark = match[0]
        if mark in "[{":
            depth += 1
            if depth > MAX_SCHEMA_DEPTH:
                at = match.start()
                line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
                raise _too_deep(f"at line {line}, column {column}")
        elif mark in "]}":
            depth -= 1


def _too_deep(where: str) -> GrammarBoundError:
    return GrammarBoundError(
        f"json_schema: nests objects and lists more than {MAX_SCHEMA_DEPTH} deep ({where}), "
        f"above the limit of {MAX_SCHEMA_DEPTH} (MAX_SCHEMA_DEPTH: the converter to a grammar "
        "recurses once per level). Flatten it: define deep parts once in $defs and $ref "
        "them.")


def _check_values(schema: Any) -> None:
    """Counts, patterns and properties, wherever they are in the schema (a walk with its own
    stack; the path names where in the message)."""
    stack: list[tuple[Any, str]] = [(schema, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, list):
            stack += [(child, f"{path}/{index}") for index, child in enumerate(item)]
            continue
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            where = f"{path}/{key}"
            if key in COUNT_KEYS and _number(value) and value > MAX_SCHEMA_COUNT:
                raise GrammarBoundError(
                    f"json_schema: {key} {value} at {where} is above the limit of "
                    f"{MAX_SCHEMA_COUNT} (MAX_SCHEMA_COUNT: the grammar spells each one out). "
                    f"Use a smaller {key}, or leave it out.")
            if key == "pattern" and isinstance(value, str):
                _check_pattern(value, where)
            if key == "properties" and isinstance(value, dict) \
                    and len(value) > MAX_SCHEMA_PROPERTIES:
                raise GrammarBoundError(
                    f"json_schema: {len(value)} properties at {where}, above the limit of "
                    f"{MAX_SCHEMA_PROPERTIES} (MAX_SCHEMA_PROPERTIES: the converter's time "
                    "grows with their square). Group them into nested objects.")
            stack.append((value, where))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_pattern(pattern: str, where: str) -> None:
    depth = 0
    for match in _PATTERN_PARTS.finditer(pattern):
        if match[0] == "(":
            depth += 1
            if depth > MAX_SCHEMA_DEPTH:
                raise GrammarBoundError(
                    f"json_schema: the pattern at {where} nests groups more than "
                    f"{MAX_SCHEMA_DEPTH} deep, above the limit of {MAX_SCHEMA_DEPTH} "
                    "(MAX_SCHEMA_DEPTH: the converter recurses once per group). Simplify it.")
        elif match[0] == ")":
            depth -= 1
        elif match[0].startswith("{"):
            counts = [int(n) for n in match.groups() if n]
            if counts and max(counts) > MAX_SCHEMA_COUNT:
                raise GrammarBoundError(
                    f"json_schema: the pattern at {where} repeats something {max(counts)} "
                    f"times ({match[0]}), above the limit of {MAX_SCHEMA_COUNT} "
                    "(MAX_SCHEMA_COUNT: the grammar spells each one out). Use a smaller count, "
                    "or * or + for no maximum.")
