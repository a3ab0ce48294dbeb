"""Every label and help text of the web interface, in English and Portuguese.

One row per control: its key, then the English label and help, then the Portuguese label and help.
Keeping both languages on the same row makes a missing translation impossible and a stale one easy
to spot. Help texts appear on demand (a tooltip on names marked (?), or all of them with the Help
switch; Gradio ``info=`` under the controls) and are written for users:
what the control does, a tip, and the default. The sampling texts say what our sampler really
does (the table in :mod:`samantha.core.settings` is the ground truth).

Messages (keys ``msg_*``) have no help text; ``{}`` in them is filled with :meth:`str.format`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from samantha.documents import trace_html
from samantha.ui.words import (
    arena,
    chat,
    header,
    history,
    learning,
    models,
    options,
    sampling,
    tools,
    voice,
)

LANGUAGES = ("en", "pt")


@dataclass(frozen=True)
class Text:
    """What a control shows: its label and, under it, a help text ("" when obvious)."""

    label: str
    help: str = ""


# (key, English label, English help, Portuguese label, Portuguese help), screen by screen
_ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    header.ROWS + chat.ROWS + options.ROWS + sampling.ROWS + learning.ROWS + voice.ROWS
    + tools.ROWS + history.ROWS + arena.ROWS + models.ROWS
    + tuple((f"trace_{key}", en, en_help, pt, pt_help)
            for key, en, en_help, pt, pt_help in trace_html.ROWS))

#: Every key, in the order of the table (the header, the Chat tab's screens, History, Arena,
#: Models).
KEYS: tuple[str, ...] = tuple(row[0] for row in _ROWS)


def texts(lang: str) -> Mapping[str, Text]:
    """The label and help of every key in ``lang`` ("en" or "pt"), as a read-only mapping."""
    if lang not in LANGUAGES:
        raise ValueError(
            f"Unknown interface language {lang!r}: use one of {', '.join(LANGUAGES)}."
        )
    column = 1 + 2 * LANGUAGES.index(lang)
    table: dict[str, Text] = {}
    for row in _ROWS:
        key, *_ = row
        if len(row) != 5 or key in table:
            raise AssertionError(f"texts: malformed or repeated row {key!r}")
        table[key] = Text(row[column], row[column + 1])
    return MappingProxyType(table)


def guess_language(environ: Mapping[str, str]) -> str:
    """"pt" when the first set of LC_ALL, LC_MESSAGES, LANG starts with "pt", else "en"."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "pt" if value.strip().lower().startswith("pt") else "en"
    return "en"
