"""Plan traces for every mode (the predecessor's traces where SPEC keeps them)."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from samantha.core.plan import Plan, model_order
from samantha.core.promptscript import parse


def trace(models, script="p1\np2", responses=1, single=False, loops=1, shuffle=False, seed=0):
    entries = model_order(models, loops, shuffle, random.Random(seed))
    plan = Plan(tuple(entries), parse(script), responses, single)
    return [(c.model, c.round, c.item) for c in plan], plan


def test_models_then_rounds_then_items() -> None:
    cycles, plan = trace(["A", "B"], responses=2)
    assert cycles == [("A", 1, 1), ("A", 1, 2), ("A", 2, 1), ("A", 2, 2),
                      ("B", 1, 1), ("B", 1, 2), ("B", 2, 1), ("B", 2, 2)]
    assert len(plan) == 8 and [c.number for c in plan] == list(range(1, 9))


def test_loops_repeat_the_model_list() -> None:
    cycles, _ = trace(["A", "B"], script="p", loops=2)
    assert [m for m, _, _ in cycles] == ["A", "B", "A", "B"]


def test_single_response_more_models_than_items() -> None:
    cycles, plan = trace(["A", "B", "C"], single=True)
    assert cycles == [("A", 1, 1), ("B", 1, 2)]
    assert plan.skipped == ["model 3 (C) skipped: there is no prompt item 3 for it"]


def test_single_response_more_items_than_models() -> None:
    cycles, plan = trace(["A", "B"], script="p1\np2\np3", single=True)
    assert cycles == [("A", 1, 1), ("B", 1, 2)]
    assert plan.skipped == ["prompt item 3 skipped: there is no model 3 for it"]


def test_single_response_final_item_pairs_with_the_last_model() -> None:
    cycles, plan = trace(["J", "A1", "A2", "J"], script="q\n$$$\na1\n$$$\na2\n$$$\n[[judge]]",
                         single=True)
    assert [m for m, _, _ in cycles] == ["J", "A1", "A2", "J"]
    assert list(plan)[-1].prompt.final


def test_shuffle_needs_three_distinct_models() -> None:
    assert model_order(["A", "B", "A", "B"], 1, True, random.Random(1)) == ["A", "B", "A", "B"]


def test_shuffle_is_reproducible_and_has_no_equal_neighbours() -> None:
    models = ["A", "B", "C"]
    first = model_order(models, 4, True, random.Random(7))
    assert first == model_order(models, 4, True, random.Random(7))
    assert Counter(first) == Counter(models * 4)
    assert all(a != b for a, b in zip(first, first[1:]))
    orders = {tuple(model_order(models, 4, True, random.Random(s))) for s in range(10)}
    assert len(orders) > 1


def test_shuffle_without_a_valid_order_still_ends() -> None:
    order = model_order(["A", "A", "A", "A", "B", "C"], 1, True, random.Random(3))
    assert Counter(order) == Counter("AAAABC")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("ABCDE"), min_size=3, max_size=12), st.integers(1, 4),
       st.integers(0, 1000))
def test_shuffle_finds_an_order_whenever_one_exists(models, loops, seed) -> None:
    order = model_order(models, loops, True, random.Random(seed))
    assert Counter(order) == Counter(models * loops)
    biggest = max(Counter(order).values())
    if len(set(models)) >= 3 and biggest <= (len(order) + 1) // 2:
        assert all(a != b for a, b in zip(order, order[1:]))


def test_a_million_loops_are_planned_lazily() -> None:
    plan = Plan(tuple(["A"] * 1_000_000), parse("p"), 1, False)
    assert len(plan) == 1_000_000
    first = next(iter(plan))
    assert first.number == 1 and first.model == "A"
