"""Generation settings: one frozen value, validated ranges, the two presets and random draws.

Every parameter is described once, in :data:`PARAMETERS` (name, type, range, help text), and the
CLI, the prompt-script parser and the UI all read that table, so a range or a help text is never
written twice.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any, Mapping

from samantha.core.errors import SettingsError
from samantha.core.prompt_format import AUTO, parse_prompt_format
from samantha.core.schema import Number, Refused, Rule, Whole, shown
from samantha.core.setting_lists import (
    DEFAULT_BREAKERS,
    DEFAULT_ORDER,
    parse_breakers,
    parse_grammar,
    parse_json_schema,
    parse_logit_bias,
    parse_samplers,
)

SEED_MAX = 2**32 - 1


@dataclass(frozen=True)
class Param:
    """One tunable parameter: its type, its closed range and what it does."""

    name: str
    kind: type
    low: float
    high: float
    help: str

    @property
    def rule(self) -> Rule:
        """Its type and range as a schema rule (a seed may be left out: None)."""
        if self.kind is int:
            return Whole(int(self.low), int(self.high), optional=self.name == "seed")
        return Number(self.low, self.high)


PARAMETERS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("n_ctx", int, 0, 1_048_576,
              "Context window in tokens: system prompt + previous response + user prompt + answer "
              "must fit. 0 uses the model's trained context. Takes effect when the model is "
              "(re)loaded."),
        Param("max_tokens", int, 0, 1_048_576,
              "Most tokens the model may write in one answer. 0 means up to the end of the "
              "context window."),
        Param("temperature", float, 0.0, 5.0,
              "Divides the scores of the remaining candidates before the draw: below 1 sharpens "
              "the distribution, above 1 flattens it. 0 always takes the most likely candidate "
              "(greedy)."),
        Param("top_k", int, 0, 1_000_000,
              "Keeps only the k most likely candidates. 0 keeps all of them."),
        Param("tfs_z", float, 0.0, 5.0,
              "Tail-free sampling: cuts the long tail of unlikely candidates where the curvature "
              "of the sorted probabilities flattens out. Smaller keeps fewer; 0 keeps one; "
              "1 or more switches it off."),
        Param("typical_p", float, 0.0, 1.0,
              "Locally typical sampling: keeps the candidates whose surprise is closest to the "
              "average surprise, up to this cumulative probability. 0 keeps one; 1 switches it "
              "off."),
        Param("top_p", float, 0.0, 1.0,
              "Nucleus sampling: keeps the most likely candidates until their probabilities add "
              "up to p. 0 keeps one; 1 switches it off."),
        Param("min_p", float, 0.0, 1.0,
              "Drops candidates whose probability is below min_p times that of the most likely "
              "one. 1 keeps only the most likely; 0 switches it off."),
        Param("presence_penalty", float, -2.0, 2.0,
              "Subtracted from the score of every token the answer already used (within the "
              "last penalty_last_n tokens): pushes the model towards new words."),
        Param("frequency_penalty", float, -2.0, 2.0,
              "Subtracted from a token's score once per time the answer already used it (within "
              "the last penalty_last_n tokens): discourages saying the same words again and "
              "again."),
        Param("repeat_penalty", float, 0.1, 2.0,
              "Divides the score of tokens the answer already used (within the last "
              "penalty_last_n tokens), multiplies it when negative: above 1 discourages "
              "repetition, 1 switches it off."),
        Param("penalty_last_n", int, 0, 65_536,
              "How many of the answer's most recent tokens the three penalties look at. 0 "
              "switches the penalties off."),
        Param("dry_multiplier", float, 0.0, 5.0,
              "DRY (don't repeat yourself): how hard to push back on a token that would "
              "continue a repetition of something the answer already said, longer than "
              "dry_allowed_length tokens. The push grows with the length of the repetition. 0 "
              "switches it off; 0.8 is a usual value."),
        Param("dry_base", float, 1.0, 4.0,
              "DRY: how fast the push grows with each extra repeated token "
              "(multiplier x base ^ (length - allowed length)). Default 1.75."),
        Param("dry_allowed_length", int, 0, 1024,
              "DRY: repetitions up to this many tokens are left alone (names, common phrases). "
              "Default 2."),
        Param("dry_penalty_last_n", int, -1, 1_048_576,
              "DRY: how many of the answer's latest tokens it looks at for repetitions; -1 the "
              "whole answer, 0 switches DRY off."),
        Param("top_n_sigma", float, 0.0, 10.0,
              "Top-n-sigma: keeps only the candidates whose score is within n standard "
              "deviations of the best score, so the cut adapts to how sure the model is. 0 "
              "switches it off; 1 is a usual value."),
        Param("xtc_probability", float, 0.0, 1.0,
              "XTC (exclude top choices): the chance, at each token, of removing every "
              "candidate more likely than xtc_threshold except the least likely of them, which "
              "steers the model away from its most predictable words. 0 switches it off."),
        Param("xtc_threshold", float, 0.0, 1.0,
              "XTC: candidates above this probability count as top choices. Above 0.5 XTC does "
              "nothing (only one candidate can be above it). Default 0.1."),
        Param("dynatemp_range", float, 0.0, 5.0,
              "Dynamic temperature: the temperature moves between temperature - range and "
              "temperature + range, higher when the model hesitates between many candidates "
              "(high entropy), lower when it is sure. 0 keeps the temperature fixed."),
        Param("dynatemp_exponent", float, 0.0, 10.0,
              "Dynamic temperature: how the entropy maps to the temperature (1 is linear; "
              "larger keeps the temperature low until the model is quite unsure)."),
        Param("mirostat", int, 0, 2,
              "Mirostat replaces the filters and the draw: it aims at a steady level of "
              "surprise (mirostat_tau) and adjusts itself after each token. 1 is version 1, 2 "
              "version 2, 0 switches it off (the filters run as usual)."),
        Param("mirostat_tau", float, 0.0, 20.0,
              "Mirostat: the target surprise, in bits per token: lower is more focused and "
              "predictable, higher more varied. Default 5."),
        Param("mirostat_eta", float, 0.0, 1.0,
              "Mirostat: how fast it corrects itself towards the target after each token. "
              "Default 0.1."),
        Param("min_keep", int, 0, 1_048_576,
              "The fewest candidates top-p, min-p, typical and XTC may leave (0 or 1: at least "
              "one, as always)."),
        Param("seed", int, 0, SEED_MAX,
              "Seed of the random draw: the same seed, settings, model and prompt give the same "
              "answer. Leave empty for a fresh random seed (it is shown and stored)."),
    )
}

#: Keys a prompt script's ``{key=value}`` block may set (SPEC §2.5).
ITEM_KEYS = (
    "max_tokens", "temperature", "top_k", "top_p", "min_p", "typical_p", "tfs_z",
    "presence_penalty", "frequency_penalty", "repeat_penalty", "seed", "stop",
    "dry_multiplier", "dry_base", "dry_allowed_length", "dry_penalty_last_n", "top_n_sigma",
    "xtc_probability", "xtc_threshold", "dynatemp_range", "dynatemp_exponent", "mirostat",
    "mirostat_tau", "mirostat_eta", "min_keep", "samplers", "logit_bias", "prompt_format",
)

STOP_HELP = (
    "Strings that end the answer as soon as the model writes one of them; they are not shown. "
    'A JSON list such as ["###", "User:"].'
)


@dataclass(frozen=True)
class Settings:
    """Everything that shapes one generation. Defaults: the predecessor's deterministic preset."""

    n_ctx: int = 4000
    max_tokens: int = 4000
    temperature: float = 0.0
    top_k: int = 40
    tfs_z: float = 0.0
    typical_p: float = 0.0
    top_p: float = 0.0
    min_p: float = 1.0
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    repeat_penalty: float = 1.0
    penalty_last_n: int = 64
    dry_multiplier: float = 0.0
    dry_base: float = 1.75
    dry_allowed_length: int = 2
    dry_penalty_last_n: int = -1
    dry_sequence_breakers: tuple[str, ...] = DEFAULT_BREAKERS
    top_n_sigma: float = 0.0
    xtc_probability: float = 0.0
    xtc_threshold: float = 0.1
    dynatemp_range: float = 0.0
    dynatemp_exponent: float = 1.0
    mirostat: int = 0
    mirostat_tau: float = 5.0
    mirostat_eta: float = 0.1
    min_keep: int = 0
    logit_bias: tuple[tuple[int | str, float], ...] = ()
    samplers: tuple[str, ...] = DEFAULT_ORDER
    grammar: str = ""  # GBNF; the answer must follow it
    json_schema: str = ""  # or a JSON schema (it becomes a grammar)
    seed: int | None = None
    stop: tuple[str, ...] = field(default_factory=tuple)
    prompt_format: str = AUTO  # how the messages become the model's text (core/prompt_format)

    def __post_init__(self) -> None:
        for name in (*PARAMETERS, *LISTS):
            object.__setattr__(self, name, _valid(name, getattr(self, name)))

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed (only those are checked again: the others were);
        unknown names raise :class:`SettingsError`."""
        _reject_unknown(changes, PARAMETERS.keys() | LISTS.keys())
        new = copy.copy(self)
        for name, value in changes.items():
            object.__setattr__(new, name, _valid(name, value))
        return new

    def with_seed(self, seed: int) -> "Settings":
        return self.replace(seed=seed)

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))  # every value is a number, a text or a tuple of them
        for name in ("stop", "samplers", "dry_sequence_breakers"):
            data[name] = list(data[name])
        data["logit_bias"] = {str(k) if isinstance(k, int) else k: (v if v != -math.inf
                                                                  else "-inf")
                              for k, v in self.logit_bias}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Settings":
        _reject_unknown(data, PARAMETERS.keys() | LISTS.keys())
        return cls(**dict(data))


def _valid(name: str, value: Any) -> Any:
    """A setting's value, checked against its range (a list's, parsed); the seed may be None
    (drawn when the answer starts)."""
    if name in LISTS:
        return LISTS[name](value)
    if value is None and name == "seed":
        return None
    return _checked(PARAMETERS[name], value)


#: Ranges of the per-cycle random draw (SPEC §3.7).
RANDOM_RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.1, 1.0),
    "tfs_z": (0.1, 1.0),
    "top_p": (0.1, 1.0),
    "min_p": (0.1, 1.0),
    "typical_p": (0.1, 1.0),
    "presence_penalty": (0.0, 0.3),
    "frequency_penalty": (0.0, 0.3),
    "repeat_penalty": (1.0, 1.2),
}


def random_overrides(rng: random.Random) -> dict[str, float]:
    """Independent uniform draws, rounded to two decimals, for one cycle."""
    return {name: round(rng.uniform(low, high), 2) for name, (low, high) in RANDOM_RANGES.items()}


def parse_stop(value: Any) -> tuple[str, ...]:
    """Stop strings from a JSON list (text), a list, or a single string. Never ``eval``."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ()
        if text[0] not in '["':
            return (value,)
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SettingsError(
                f"stop: {text!r} is not valid JSON ({exc.msg} at column {exc.colno}). "
                'Write a JSON list of strings, for example ["###", "User:"].'
            ) from None
        if isinstance(value, str):
            value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
        raise SettingsError(
            f"stop must be a list of strings, got {value!r}. "
            'Write a JSON list of strings, for example ["###", "User:"].'
        )
    return tuple(s for s in value if s)


def coerce(name: str, text: str) -> Any:
    """Convert a value written as text (CLI, prompt script) to the parameter's type, checked."""
    if name in LISTS:
        return LISTS[name](text)
    _reject_unknown({name: text}, PARAMETERS.keys() | LISTS.keys())
    param = PARAMETERS[name]
    raw = text.strip()
    try:
        value = param.kind(raw) if param.kind is float else _as_int(raw)
    except ValueError:
        kind = "a whole number" if param.kind is int else "a number"
        raise SettingsError(f"{name} must be {kind}, got {raw!r}.") from None
    return _checked(param, value)


def _as_int(raw: str) -> int:
    number = float(raw)
    if not number.is_integer():
        raise ValueError(raw)
    return int(number)


class StopRule:
    """``stop`` in a table: a list of strings, or one string (a JSON list or the stop itself)."""

    def check(self, value: Any) -> tuple[str, ...]:
        try:
            return parse_stop(value)
        except SettingsError:
            raise Refused(f"must be a list of strings such as [\"###\", \"User:\"], got "
                          f"{shown(value)}") from None


def setting_rules() -> dict[str, Rule]:
    """A rule per setting, for tables of settings (a chain file's ``[settings]``)."""
    return {**{name: p.rule for name, p in PARAMETERS.items()},
            **{name: ListRule(name, parse) for name, parse in LISTS.items()},
            "stop": StopRule()}


@dataclass(frozen=True)
class ListRule:
    """A list-valued setting in a table, checked by its parser."""

    name: str
    parse: Any

    def check(self, value: Any) -> Any:
        try:
            return self.parse(value)
        except SettingsError as exc:
            raise Refused(str(exc).removeprefix(f"{self.name}: ").removeprefix(self.name)
                          .strip().rstrip(".")) from None


def _checked(param: Param, value: Any) -> Any:
    try:
        return param.rule.check(value)
    except Refused as exc:
        out_of_range = isinstance(value, (int, float)) and not isinstance(value, bool)
        help_text = f" {param.help}" if out_of_range else ""
        raise SettingsError(Refused(exc.phrase, param.name).sentence() + help_text) from None


def _reject_unknown(keys: Any, known: Any) -> None:
    for key in keys:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise SettingsError(
                f"Unknown parameter {key!r}.{hint} Known parameters: {', '.join(sorted(known))}."
            )


#: The settings that are lists, each with the function that reads and checks it.
LISTS: dict[str, Any] = {"stop": lambda v: parse_stop(v), "samplers": parse_samplers,
                         "logit_bias": parse_logit_bias,
                         "dry_sequence_breakers": parse_breakers, "grammar": parse_grammar,
                         "json_schema": parse_json_schema, "prompt_format": parse_prompt_format}

DETERMINISTIC = Settings()
STOCHASTIC = Settings(
    temperature=0.8, tfs_z=1.0, top_p=0.95, min_p=0.05, typical_p=1.0, top_k=40,
    presence_penalty=0.0, frequency_penalty=0.0, repeat_penalty=1.1,
)
