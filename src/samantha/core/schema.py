"""Declarative checks for the values a chain file, a stored run or the preferences file hold.

A *rule* checks one value and returns it normalised (a whole float becomes an int, a list of
names a tuple) or raises :class:`Refused` with a phrase that follows the key's name in the
message: ``loops 0 is out of range: use a whole number from 1 to 1000000``. A :class:`Table` is a
rule made of rules, so nested keys are named with dots (``settings.top_p``) and unknown keys are
refused with the closest known one. Callers turn a :class:`Refused` into their own one-line
error (``ChainConfigError``, ``SettingsError``, ...) with :meth:`Refused.sentence`.

Numbers in messages are written by :func:`plain`, everywhere: ``4294967295``, never
``4.29497e+09``.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping, Protocol


class Refused(Exception):
    """A value a rule does not allow. ``key`` is filled in (with dots) by the enclosing tables."""

    def __init__(self, phrase: str, key: str = "") -> None:
        super().__init__(phrase)
        self.phrase, self.key = phrase, key

    def within(self, outer: str) -> "Refused":
        return Refused(self.phrase, f"{outer}.{self.key}" if self.key else outer)

    def sentence(self, where: str | None = None) -> str:
        """``Chain file x.toml: loops 0 is out of range: use ...`` (one line)."""
        text = f"{_name(self.key)} {self.phrase}." if self.key else f"{self.phrase}."
        return f"{where}: {text}" if where else text


class Rule(Protocol):
    def check(self, value: Any) -> Any: ...


def plain(value: Any) -> str:
    """A number as digits a user can type back: ``4294967295``, ``0.001``, ``60``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def shown(value: Any) -> str:
    """A value as it appears in a message: short, on one line, with what kind of value it is."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return plain(value)
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kinds: dict[type, str] = {str: "text", list: "a list", tuple: "a list", dict: "a table"}
    kind = kinds.get(type(value))
    return f"{text} ({kind})" if kind else text


def _name(key: str) -> str:
    return key if re.fullmatch(r"[\w.]+", key) else repr(key)


@dataclass(frozen=True)
class Switch:
    """``true`` or ``false``; a string such as ``"false"`` or ``"yes"`` is refused."""

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        quotes = ", without quotes" if isinstance(value, str) else ""
        raise Refused(f"must be true or false{quotes}, got {shown(value)}")


@dataclass(frozen=True)
class Choice:
    """One of a few words (``""``, when allowed, for none)."""

    values: tuple[str, ...]

    def check(self, value: Any) -> str:
        if isinstance(value, str) and value in self.values:
            return value
        allowed = ", ".join(repr(v) if not v else v for v in self.values)
        raise Refused(f"must be one of {allowed}, got {shown(value)}")


@dataclass(frozen=True)
class Text:
    what: str = ""  # what the text is, for the message ("the path of a Python interpreter")
    optional: bool = False  # None (JSON null) allowed

    def check(self, value: Any) -> str | None:
        if isinstance(value, str) or (value is None and self.optional):
            return value
        what = f" ({self.what})" if self.what else ""
        none = " or null" if self.optional else ""
        raise Refused(f"must be text{what} in quotes{none}, got {shown(value)}")


@dataclass(frozen=True)
class TextList:
    """A list of strings; with ``lines``, also one string holding one entry per line."""

    what: str = "strings"
    example: str = '["a", "b"]'
    lines: bool = False

    def check(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str) and self.lines:
            return tuple(value.splitlines())
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        per_line = ", or one per line in a text" if self.lines else ""
        raise Refused(f"must be a list of {self.what} in quotes, such as {self.example}"
                      f"{per_line}, got {shown(value)}")


@dataclass(frozen=True)
class Whole:
    """A whole number in a closed range (``2.0`` is taken as 2; ``true`` is not a number)."""

    low: int
    high: int
    optional: bool = False  # None allowed (a seed left to be drawn)

    def check(self, value: Any) -> int | None:
        if value is None and self.optional:
            return None
        span = f"a whole number from {plain(self.low)} to {plain(self.high)}"
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or (isinstance(value, float) and not value.is_integer())):
            raise Refused(f"must be {span}, got {shown(value)}")
        whole = int(value)
        if not self.low <= whole <= self.high:
            raise Refused(f"{plain(whole)} is out of range: use {span}")
        return whole


@dataclass(frozen=True)
class Number:
    """Any number (whole or not) in a closed range, as a float."""

    low: float
    high: float

    def check(self, value: Any) -> float:
        span = f"from {plain(self.low)} to {plain(self.high)}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Refused(f"must be a number {span}, got {shown(value)}")
        if not self.low <= value <= self.high:  # NaN is never in range
            raise Refused(f"{plain(value)} is out of range: use a value {span}")
        return float(value)


@dataclass(frozen=True)
class Table:
    """A table (TOML table, JSON object) whose keys each have a rule; returns a checked dict."""

    rules: Mapping[str, Rule]
    noun: str = "key"  # "option", "setting": for the messages
    example: str = ""  # how to write one, e.g. "[settings] with lines such as top_p = 0.9"

    def check(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            example = f" ({self.example})" if self.example else ""
            raise Refused(f"must be a table of {self.noun}s{example}, got {shown(value)}")
        return check_table(value, self.rules, self.noun)


def check_table(data: Mapping[str, Any], rules: Mapping[str, Rule],
                noun: str = "key") -> dict[str, Any]:
    """Every key of ``data`` checked by its rule; unknown keys refused with a suggestion."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        rule = rules.get(key)
        if rule is None:
            raise Refused(unknown(str(key), rules, noun), str(key))
        try:
            out[key] = rule.check(value)
        except Refused as exc:
            raise exc.within(str(key)) from None
    return out


def unknown(key: str, known: Any, noun: str) -> str:
    """``is not a known option. Did you mean loops? Known options: ...``"""
    names = sorted(known)
    close = difflib.get_close_matches(key, names, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"is not a known {noun}.{hint} Known {noun}s: {', '.join(names)}"
