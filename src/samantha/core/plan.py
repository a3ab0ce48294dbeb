"""The order of a run's cycles: models x loops (optionally shuffled) -> rounds -> items."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Sequence

from samantha.core.errors import InputError
from samantha.core.promptscript import PromptItem, PromptScript

if TYPE_CHECKING:
    from samantha.core.chain import ChainConfig


#: Cycles one run may plan (models x loops x responses x prompt items). Each cycle is at least
#: one generation, so a million is days of work already; the size is checked before anything
#: is built (10^10 cycles used to be planned on and on). At the limit, planning takes 0.01 s
#: and 15 MB, going through the cycles 0.9 s, and a run in batch slots, which lists them,
#: 1.6 s and 200 MB.
MAX_PLANNED_CYCLES = 1_000_000


class PlanTooBig(InputError):
    """A run whose plan has more cycles than :data:`MAX_PLANNED_CYCLES`."""


@dataclass(frozen=True)
class Cycle:
    """One model answering one prompt item."""

    number: int  # 1-based position in the run
    model: str
    entry: int  # 1-based position of the model in the (expanded, shuffled) model list
    round: int  # response round, 1-based
    item: int  # prompt item number, 1-based
    prompt: PromptItem


def model_order(models: Sequence[str], loops: int, shuffle: bool, rng: random.Random) -> list[str]:
    """The model list repeated ``loops`` times; with ``shuffle`` and 3+ distinct models, a random
    order with no two equal neighbours wherever such an order exists. Each entry answers at
    least once, so a list longer than :data:`MAX_PLANNED_CYCLES` is refused before it is
    built."""
    if len(models) * loops > MAX_PLANNED_CYCLES:
        raise _too_big(len(models) * loops, f"{len(models)} models x {loops} loops")
    order = list(models) * loops
    if shuffle and len(set(order)) >= 3:
        return _shuffle_apart(order, rng)
    return order


def _shuffle_apart(names: list[str], rng: random.Random) -> list[str]:
    """Build the order one place at a time, choosing at random among the names that keep a valid
    completion possible. Linear in the list length times the distinct names; never loops."""
    counts = Counter(names)
    order: list[str] = []
    previous: str | None = None
    for remaining in range(len(names), 0, -1):
        options = sorted(n for n in counts if counts[n] and n != previous)
        if not options and previous is not None:  # only the previous name is left: no valid order
            options = [previous]
        safe = [n for n in options if _completable(counts, n, remaining - 1)]
        choice = rng.choice(safe or options)
        order.append(choice)
        counts[choice] -= 1
        previous = choice
    return order


def _completable(counts: Counter[str], placed: str, rest: int) -> bool:
    """Can ``rest`` names (``counts`` less one ``placed``) follow ``placed`` with no neighbours
    equal? Yes when no other name needs more than half the places (rounded up) and ``placed``
    itself fits in the places not next to it."""
    for name, count in counts.items():
        left = count - (name == placed)
        if left > (rest // 2 if name == placed else (rest + 1) // 2):
            return False
    return True


@dataclass(frozen=True)
class Plan:
    """The cycles of a run, produced lazily (a million loops must not build a million objects)."""

    entries: tuple[str, ...]
    script: PromptScript
    responses: int = 1
    single: bool = False

    def __post_init__(self) -> None:
        if len(self) > MAX_PLANNED_CYCLES:
            raise _too_big(len(self), f"{len(self.entries)} model turns x {self.responses} "
                           f"responses x {len(self.script.items)} prompt item(s)")

    @property
    def skipped(self) -> list[str]:
        """In single-response mode, the models and items that have no partner."""
        if not self.single:
            return []
        items, models = len(self.script.items), len(self.entries)
        notes = [f"model {i + 1} ({name}) skipped: there is no prompt item {i + 1} for it"
                 for i, name in enumerate(self.entries) if i >= items]
        notes += [f"prompt item {i + 1} skipped: there is no model {i + 1} for it"
                  for i in range(models, items)]
        return notes

    def __len__(self) -> int:
        if self.single:
            return min(len(self.entries), len(self.script.items))
        return len(self.entries) * self.responses * len(self.script.items)

    def __iter__(self) -> Iterator[Cycle]:
        number = 0
        if self.single:
            for index, (model, item) in enumerate(zip(self.entries, self.script.items)):
                number += 1
                yield Cycle(number, model, index + 1, 1, index + 1, item)
            return
        for entry, model in enumerate(self.entries, start=1):
            for round_ in range(1, self.responses + 1):
                for index, item in enumerate(self.script.items, start=1):
                    number += 1
                    yield Cycle(number, model, entry, round_, index, item)


def _too_big(cycles: int, product: str) -> PlanTooBig:
    return PlanTooBig(f"The run would have {cycles} cycles ({product}), above the limit of "
                      f"{MAX_PLANNED_CYCLES} (MAX_PLANNED_CYCLES). Lower loops or responses, "
                      "or split the run.")


def independent(config: "ChainConfig", plan: Plan) -> bool:
    """Can the cycles of this chain run at the same time? Yes when none feeds another: no
    feedback (nor cumulative responses, nor interpreter output fed back) and no final item
    waiting on the answers before it. The one rule for fan-out over backends and for local
    batch slots."""
    return not (config.feeds_back or config.cumulative
                or any(item.final for item in plan.script.items))
