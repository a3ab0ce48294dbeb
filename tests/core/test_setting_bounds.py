"""Settings that used to hang a run or its planning: DRY's sequence breakers, logit bias sizes,
lists nested past Python's recursion limit, and the number of planned cycles."""

from __future__ import annotations

import json
import random

import pytest

from samantha.core.chain import ChainConfig
from samantha.core.errors import SettingsError
from samantha.core.plan import MAX_PLANNED_CYCLES, Plan, PlanTooBig, model_order
from samantha.core.promptscript import parse
from samantha.core.runner import ChainRunner
from samantha.core.setting_lists import MAX_BREAKER_BYTES, MAX_BREAKERS, MAX_LOGIT_BIAS
from samantha.core.settings import Settings, coerce
from samantha.core.stages_dry import dry_breakers


def test_breakers_up_to_the_limit_pass() -> None:
    breakers = [f"Name{i}:" for i in range(MAX_BREAKERS)]
    assert Settings(dry_sequence_breakers=tuple(breakers)).dry_sequence_breakers == tuple(
        breakers)
    assert coerce("dry_sequence_breakers", json.dumps(["x" * MAX_BREAKER_BYTES])) == (
        "x" * MAX_BREAKER_BYTES,)


@pytest.mark.parametrize("value, words", [
    ([f"b{i}" for i in range(2000)], ["2000 breakers", f"limit of {MAX_BREAKERS}",
                                       "MAX_BREAKERS"]),
    (json.dumps([f"b{i}" for i in range(MAX_BREAKERS + 1)]), [f"{MAX_BREAKERS + 1} breakers"]),
    (["é" * 21], ["42 bytes", f"limit of {MAX_BREAKER_BYTES}", "MAX_BREAKER_BYTES"]),
    ("[" * 100_000, ["nests too deep"]),
])
def test_breakers_past_the_limits_are_one_line(value, words: list[str]) -> None:
    with pytest.raises(SettingsError) as caught:
        coerce("dry_sequence_breakers", value) if isinstance(value, str) else \
            Settings(dry_sequence_breakers=value)
    message = str(caught.value)
    assert message.startswith("dry_sequence_breakers") and "\n" not in message
    for word in words:
        assert word in message


def test_a_breakers_rest_is_tokenized_once_per_place_not_per_token() -> None:
    """Thousands of tokens end with the start of a breaker; the rest after that start is the
    same for all of them (2,000 breakers took 441 s before the first token, most of it here)."""
    pieces = ["\n", *(f"w{i}:" for i in range(5000)), *(f"v{i}:\n" for i in range(50))]
    asked: list[str] = []

    def tokenize(text: str) -> list[int]:
        asked.append(text)
        return [0]

    breakers = dry_breakers([":\n"], pieces, tokenize)
    assert asked == ["\n"]
    assert breakers[1] == ((0,),) and breakers[5001] == ((),)


def test_logit_bias_up_to_the_limit_passes_and_one_more_is_refused() -> None:
    most = {str(i): -1.0 for i in range(MAX_LOGIT_BIAS)}
    assert len(Settings(logit_bias=json.dumps(most)).logit_bias) == MAX_LOGIT_BIAS
    most[str(MAX_LOGIT_BIAS)] = -1.0
    for given in (json.dumps(most), most, ",".join(f"{k}={v}" for k, v in most.items())):
        with pytest.raises(SettingsError, match=f"{MAX_LOGIT_BIAS + 1} entries.*MAX_LOGIT_BIAS"):
            Settings(logit_bias=given)


@pytest.mark.parametrize("name, text", [
    ("logit_bias", '{"a":' * 100_000), ("samplers", "[" * 100_000), ("samplers", "[top-k"),
])
def test_bad_or_deep_json_in_a_list_setting_is_one_line(name: str, text: str) -> None:
    with pytest.raises(SettingsError) as caught:
        coerce(name, text)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message and len(message) < 700


def test_a_plan_past_the_limit_is_refused_before_it_is_built() -> None:
    with pytest.raises(PlanTooBig) as caught:
        Plan(tuple(["A"] * 100_000), parse("p"), 100_000, False)
    assert str(caught.value) == (
        "The run would have 10000000000 cycles (100000 model turns x 100000 responses x 1 "
        f"prompt item(s)), above the limit of {MAX_PLANNED_CYCLES} (MAX_PLANNED_CYCLES). "
        "Lower loops or responses, or split the run.")
    with pytest.raises(PlanTooBig, match="2 models x 1000000000000 loops"):
        model_order(["A", "B"], 10**12, False, random.Random(0))  # not a list of 2e12 names


def test_a_plan_at_the_limit_passes() -> None:
    plan = Plan(tuple(["A"] * 1000), parse("p1\np2"), MAX_PLANNED_CYCLES // 2000, False)
    assert len(plan) == MAX_PLANNED_CYCLES
    single = Plan(tuple(["A"] * MAX_PLANNED_CYCLES), parse("p"), 1, True)
    assert len(single) == 1


def test_a_chain_of_loops_times_responses_past_the_limit_does_not_start() -> None:
    config = ChainConfig("Say hi.", loops=100_000, responses=100_000)
    with pytest.raises(PlanTooBig, match="10000000000 cycles"):
        ChainRunner(backend=None, config=config)  # type: ignore[arg-type]
