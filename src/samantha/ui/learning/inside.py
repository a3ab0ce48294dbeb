"""The learning panel's choices for the inside views: which layer's heads are enlarged under the
layers x heads heat-map, and how many times (and with what seed) the token is drawn again.

The controls' values arrive as Gradio gives them (a number, or None for an empty box); each
view checks its own and, for a value out of bounds, shows one line saying what to type instead
(the heat-map keeps its grid). Layers are numbered from 0, as in the layer grid and the
heat-map's rows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping

from samantha.core.settings import SEED_MAX
from samantha.core.trace import TokenStep
from samantha.documents import inert
from samantha.documents.inside_views import attention_svg, draws_svg
from samantha.ui.words.table import Text

#: The draws chart's default: enough for the shares to resemble the probabilities at a glance.
DRAWS = 100
#: At most this many draws: the shares then match the probabilities to about 1 % (the error of
#: a share shrinks as 1/sqrt(n)), and a draw of the chart stays a few milliseconds.
MAX_DRAWS = 10_000
SEED = 0


@dataclass(frozen=True)
class InsideChoice:
    """The controls' values as given: ``layer`` None for the last layer, ``draws`` and
    ``seed`` None for their defaults; checked when drawn (:func:`heads_view`,
    :func:`draws_view`)."""

    layer: Any = None
    draws: Any = DRAWS
    seed: Any = SEED


def _whole(value: Any, default: int | None) -> int | None | str:
    """``value`` as a whole number, ``default`` when empty, or its text when it is none."""
    if value is None or value == "":
        return default
    try:
        number = float(value)
        if number == int(number):
            return int(number)
    except (TypeError, ValueError, OverflowError):
        pass
    return str(value)


def _number(n: int, lang: str) -> str:
    """``n`` with thousands separated as ``lang`` writes them (10,000 or 10.000)."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "pt" else text


def _shown(value: Any) -> str:
    """A value the user typed, as a message quotes it (short)."""
    text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"


def _line(text: str) -> str:
    return f'<p class="inside-choice">⚠️ {html.escape(text)}</p>'


def heads_view(step: TokenStep | None, choice: InsideChoice, words: Mapping[str, str],
               t: Mapping[str, Text]) -> str:
    """The heat-map of ``step``'s heads with the chosen layer enlarged (the last one when none
    is chosen); for a layer the model does not have, a line saying which exist, then the grid
    alone. "" when the step kept no attention."""
    view = step.attention if step is not None else None
    if view is None or not view.layers:
        return ""
    count = len(view.layers)
    layer = _whole(choice.layer, count - 1)
    if isinstance(layer, int) and 0 <= layer < count:
        return inert.clean(attention_svg(step, layer, words))
    note = t["msg_inside_layer"].label.format(layer=_shown(choice.layer), last=count - 1)
    return inert.clean(_line(note) + attention_svg(step, None, words))


def draws_view(step: TokenStep | None, choice: InsideChoice, words: Mapping[str, str],
               t: Mapping[str, Text], lang: str = "en") -> str:
    """``step``'s final distribution drawn ``choice.draws`` times with ``choice.seed``; for a
    count or a seed out of bounds, a line saying which values work. "" without a final
    distribution."""
    if step is None or not step.final:
        return ""
    n, seed = _whole(choice.draws, DRAWS), _whole(choice.seed, SEED)
    if not (isinstance(n, int) and 1 <= n <= MAX_DRAWS):
        return _line(t["msg_inside_draws"].label.format(most=_number(MAX_DRAWS, lang),
                                                        n=_shown(choice.draws)))
    if not (isinstance(seed, int) and 0 <= seed <= SEED_MAX):
        return _line(t["msg_inside_seed"].label.format(most=_number(SEED_MAX, lang),
                                                       seed=_shown(choice.seed)))
    return inert.clean(draws_svg(step, n, seed, words))
