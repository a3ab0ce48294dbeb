from __future__ import annotations

import random

import pytest

from samantha.core.errors import SettingsError
from samantha.core.settings import (
    DETERMINISTIC,
    PARAMETERS,
    RANDOM_RANGES,
    STOCHASTIC,
    Settings,
    coerce,
    parse_stop,
    random_overrides,
)


def test_defaults_are_the_predecessors_deterministic_preset() -> None:
    s = DETERMINISTIC
    assert (s.n_ctx, s.max_tokens, s.temperature, s.tfs_z, s.top_p, s.min_p, s.typical_p,
            s.top_k, s.presence_penalty, s.frequency_penalty, s.repeat_penalty) == (
        4000, 4000, 0.0, 0.0, 0.0, 1.0, 0.0, 40, 0.0, 0.0, 1.0)
    assert s.stop == () and s.seed is None


def test_stochastic_preset() -> None:
    s = STOCHASTIC
    assert (s.temperature, s.tfs_z, s.top_p, s.min_p, s.typical_p, s.top_k, s.repeat_penalty) == (
        0.8, 1.0, 0.95, 0.05, 1.0, 40, 1.1)


@pytest.mark.parametrize("name, value", [
    ("top_p", 2.0), ("top_p", -0.1), ("temperature", 5.5), ("top_k", -1), ("min_p", 1.5),
    ("repeat_penalty", 0.0), ("seed", -1), ("n_ctx", -5), ("max_tokens", 1.5),
])
def test_out_of_range_values_are_refused_with_the_range(name: str, value: float) -> None:
    with pytest.raises(SettingsError) as err:
        Settings().replace(**{name: value})
    assert name in str(err.value)


def test_unknown_parameter_suggests_the_closest() -> None:
    with pytest.raises(SettingsError, match="Did you mean 'top_p'"):
        Settings().replace(top_q=0.5)


def test_from_dict_round_trip() -> None:
    s = STOCHASTIC.replace(seed=5, stop=["###"])
    assert Settings.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("text, expected", [
    ('["###", "User:"]', ("###", "User:")),
    ('"END"', ("END",)),
    ("END", ("END",)),
    ("", ()),
    ('["§§§"]', ("§§§",)),
    ('{"a": 1}', ('{"a": 1}',)),  # not a list or a JSON string: the text itself
])
def test_stop_is_parsed_as_json(text: str, expected: tuple) -> None:
    assert parse_stop(text) == expected


@pytest.mark.parametrize("text", ['["a"', "[1, 2]", '"unterminated', "[__import__('os')]"])
def test_bad_stop_lists_are_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="stop"):
        parse_stop(text)


@pytest.mark.parametrize("name, text, value", [
    ("top_k", "5", 5), ("top_k", "5.0", 5), ("temperature", " 0.7 ", 0.7), ("seed", "42", 42),
])
def test_coerce_text_values(name: str, text: str, value: object) -> None:
    assert coerce(name, text) == value


@pytest.mark.parametrize("name, text", [("top_k", "1.5"), ("temperature", "hot"),
                                        ("top_p", "3"), ("nope", "1")])
def test_coerce_refuses_bad_text(name: str, text: str) -> None:
    with pytest.raises(SettingsError):
        coerce(name, text)


def test_random_draws_stay_in_their_ranges_and_follow_the_seed() -> None:
    for seed in range(50):
        draw = random_overrides(random.Random(seed))
        for name, (low, high) in RANDOM_RANGES.items():
            assert low <= draw[name] <= high
        Settings().replace(**draw)  # always valid settings
    assert random_overrides(random.Random(1)) == random_overrides(random.Random(1))


def test_every_parameter_has_a_help_text() -> None:
    assert all(len(p.help) > 20 for p in PARAMETERS.values())
