"""Refusing, before any model loads, a prompt item that cannot fit the context window.

No token of a model's vocabulary stands for more bytes of text than its longest piece, so an
item of B bytes needs at least ``ceil(B / longest)`` tokens, whatever the tokenizer does with it.
When that lower bound already fills the context, the run is refused at its start (exit 2 in the
CLI) instead of tokenizing megabytes of text and failing the cycle. An item closer to the limit
is left to the exact count at generation (:class:`PromptTooLongError`, a failed cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from samantha.core.errors import ItemTooLongError
from samantha.core.plan import Plan
from samantha.core.promptscript import PromptItem

CONTEXT_STEP = 256  # engines may round the context up (llama.cpp: to a multiple of 256)


@dataclass(frozen=True)
class ContextLimits:
    """What a model's header says about fitting text: read once per model file."""

    longest_token: int  # bytes of the longest piece of its vocabulary
    trained_context: int | None  # tokens; what n_ctx 0 means


def fewest_tokens(n_bytes: int, longest_token: int) -> int:
    return -(-n_bytes // longest_token)


def usable_context(n_ctx: int, trained: int | None) -> int | None:
    """The largest context the engine may give for ``n_ctx`` (0: the trained one), rounded up."""
    size = n_ctx or trained
    if not size:
        return None
    return -(-size // CONTEXT_STEP) * CONTEXT_STEP


def fit_pairs(plan: Plan) -> Iterator[tuple[str, int, PromptItem]]:
    """Each model of the plan with each item it answers (model, item number, item), once."""
    items = plan.script.items
    if plan.single:
        for number, (model, item) in enumerate(zip(plan.entries, items), start=1):
            yield model, number, item
        return
    for model in dict.fromkeys(plan.entries):
        for number, item in enumerate(items, start=1):
            yield model, number, item


def check_fit(model: str, number: int, n_bytes: int, n_ctx: int,
              limits: ContextLimits) -> None:
    """Raise :class:`ItemTooLongError` when an item of ``n_bytes`` surely cannot fit."""
    context = usable_context(n_ctx, limits.trained_context)
    if context is None:
        return
    at_least = fewest_tokens(n_bytes, limits.longest_token)
    if at_least >= context:
        raise ItemTooLongError(number, n_bytes, at_least, model, limits.longest_token, n_ctx,
                               limits.trained_context)
