"""What the Arena tab shows, as pure functions of stored records: the pair (the prompt and two
answers, as inert text), the names revealed, the ratings table and the progress line.

The answers are model-written: they are shown as text (escaped, their line breaks kept), and
the whole fragment goes through :func:`samantha.documents.inert.clean`, as the branch view of
:func:`samantha.ui.views.side_by_side` does, so markup or a ``javascript:`` link in an answer is
shown as the characters it is and never runs.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

from samantha.core.arena import Standing, names
from samantha.core.records import CycleRecord
from samantha.documents import inert
from samantha.ui.views import short_model
from samantha.ui.words.table import Text

#: The Arena tab's styles (added to the page's CSS in ui/app.py): two columns that share the
#: width, long answers scrolled in their own box.
CSS = """
#arena-pair .arena-columns { display: flex; gap: 1rem; }
#arena-pair .arena-answer { flex: 1; min-width: 0; border: 1px solid var(--border-color-primary);
  border-radius: 6px; padding: 6px 10px; }
#arena-pair h4 { margin: 2px 0 6px 0; }
#arena-pair .arena-text { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 26em;
  overflow-y: auto; font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  font-size: 13px; }
#arena-pair .arena-prompt { margin-bottom: 8px; }
#arena-pair .arena-prompt .arena-text { max-height: 8em; }
#arena-vote-help .info-text { font-size: 12px; opacity: 0.8; }
#history-leaderboard table.leaderboard { width: 100%; border-collapse: collapse;
  font-size: 11px; }
#history-leaderboard table.leaderboard th, #history-leaderboard table.leaderboard td {
  padding: 2px 4px !important; text-align: left; vertical-align: top;
  border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; }
#history-leaderboard svg { max-width: 100%; height: auto; }
"""


def display_names(cycles: Sequence[CycleRecord], t: Mapping[str, Text]) -> dict[str, str]:
    """Each contestant's name (as :func:`samantha.core.arena.names` makes it) as a person reads
    it: the model's file name without its folders, and its run when there are several."""
    several = len({c.run_id for c in cycles}) > 1
    name_of = names(cycles)
    return {name_of[c.id]: t["arena_contestant"].label.format(model=short_model(c.model),
                                                               run=c.run_id)
            if several else short_model(c.model) for c in cycles}


def _text(text: str) -> str:
    return f'<div class="arena-text">{html.escape(text)}</div>'


def pair_html(prompt: str, first: str, second: str, t: Mapping[str, Text],
              revealed: tuple[str, str] | None = None) -> str:
    """The prompt above, Answer A and Answer B side by side; after the vote (``revealed``: the
    two names), each heading names its model."""
    heads = [t["arena_answer_a"].label, t["arena_answer_b"].label]
    if revealed is not None:
        heads = [f"{head} · {name}" for head, name in zip(heads, revealed)]
    columns = "".join(f'<div class="arena-answer"><h4>{html.escape(head)}</h4>{_text(text)}'
                      "</div>" for head, text in zip(heads, (first, second)))
    return inert.clean(f'<div class="arena-prompt"><h4>{html.escape(t["arena_prompt"].label)}'
                       f"</h4>{_text(prompt)}</div>"
                       f'<div class="arena-columns">{columns}</div>')


def reveal_html(a: str, b: str, choice: str, t: Mapping[str, Text]) -> str:
    """"A was …, B was …" and the vote saved, names in bold."""
    names = t["msg_arena_reveal"].label.format(a="\0a", b="\0b")
    line = html.escape(names).replace("\0a", f"<strong>{html.escape(a)}</strong>").replace(
        "\0b", f"<strong>{html.escape(b)}</strong>")
    saved = html.escape(t["msg_arena_saved"].label.format(choice=choice))
    return inert.clean(f'<p class="arena-reveal">{line}</p><p>{saved}</p>')


def note_html(text: str) -> str:
    """A plain message in the reveal's place (nothing to vote on, say)."""
    return inert.clean(f"<p>{html.escape(text)}</p>")


def rating_rows(found: Sequence[Standing], shown: Mapping[str, str]) -> list[list[object]]:
    """The ratings table: model, rating, its interval, games, share won. An interval of no
    width (every resample of the votes gave the same rating: one vote, or votes that all
    agree) measures nothing: a dash, which the note under the table explains."""
    return [[shown.get(s.name, s.name), f"{s.rating.value:.0f}", _interval(s),
             s.games, f"{s.share:.0%}"] for s in found]


def _interval(standing: Standing) -> str:
    low, high = f"{standing.rating.low:.0f}", f"{standing.rating.high:.0f}"
    return "—" if low == high else f"{low} – {high}"


def vote_help_html(t: Mapping[str, Text]) -> str:
    """The vote buttons' help texts, shown with the Help switch (as every control's)."""
    lines = "".join(f"<div><strong>{html.escape(t[key].label)}</strong>: "
                    f"{html.escape(t[key].help)}</div>"
                    for key in ("arena_a_better", "arena_b_better", "arena_tie", "arena_next"))
    return f'<div class="info-text">{lines}</div>'
