"""The early refusal of a prompt item that cannot fit the context, by its size in bytes."""

from __future__ import annotations

import random

import pytest

from samantha.core.chain import ChainConfig
from samantha.core.contextfit import (
    ContextLimits,
    check_fit,
    fewest_tokens,
    fit_pairs,
    usable_context,
)
from samantha.core.errors import ItemTooLongError, PromptTooLongError
from samantha.core.runner import make_plan


@pytest.mark.parametrize("n_bytes, longest, tokens", [(0, 4, 0), (1, 4, 1), (8, 4, 2),
                                                      (9, 4, 3), (5_000_000, 48, 104_167)])
def test_fewest_tokens(n_bytes, longest, tokens) -> None:
    assert fewest_tokens(n_bytes, longest) == tokens


@pytest.mark.parametrize("n_ctx, trained, usable", [(512, None, 512), (500, 2048, 512),
                                                    (513, None, 768), (0, 32768, 32768),
                                                    (0, 100, 256), (0, None, None)])
def test_the_context_is_rounded_up_as_the_engine_may(n_ctx, trained, usable) -> None:
    assert usable_context(n_ctx, trained) == usable


def test_an_item_refused_says_its_number_size_context_and_what_to_do() -> None:
    with pytest.raises(ItemTooLongError) as err:
        check_fit("default", 3, 5_000_000, 512, ContextLimits(48, 32768))
    message = str(err.value)
    assert isinstance(err.value, PromptTooLongError) and "\n" not in message
    for words in ("Prompt item 3 has 5000000 bytes", "at least 104167 tokens for default",
                  "holds 512 tokens", "Shorten the item or split it", "raise n_ctx",
                  "trained on 32768"):
        assert words in message, message


def test_n_ctx_0_means_the_trained_context() -> None:
    with pytest.raises(ItemTooLongError, match="holds 1024 tokens .n_ctx 0: the model's trai"):
        check_fit("m", 1, 48 * 1024, 0, ContextLimits(48, 1024))
    check_fit("m", 1, 48 * 1023, 0, ContextLimits(48, 1024))  # may fit: left to generation
    check_fit("m", 1, 10**9, 0, ContextLimits(48, None))  # no context known: nothing to judge


def test_only_items_that_surely_cannot_fit_are_refused() -> None:
    limits = ContextLimits(10, None)
    check_fit("m", 1, 511 * 10, 512, limits)  # 511 tokens may fit
    for n_bytes in (511 * 10 + 1, 512 * 10):  # 512 tokens at least: no room for an answer
        with pytest.raises(ItemTooLongError):
            check_fit("m", 1, n_bytes, 512, limits)
    check_fit("m", 1, 700 * 10, 513, limits)  # the engine may give 768 for 513


def test_each_model_with_each_item_it_answers() -> None:
    config = ChainConfig("a\nb\nc", models=("x", "y", "x"))
    pairs = [(m, n) for m, n, _ in fit_pairs(make_plan(config, random.Random(0)))]
    assert pairs == [("x", 1), ("x", 2), ("x", 3), ("y", 1), ("y", 2), ("y", 3)]
    single = make_plan(config.replace(single=True), random.Random(0))
    assert [(m, n) for m, n, _ in fit_pairs(single)] == [("x", 1), ("y", 2), ("x", 3)]
