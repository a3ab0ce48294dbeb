"""Pure view functions: from Samantha's values to what the UI's components display."""

from __future__ import annotations

import html
import re
from typing import Any, Mapping, Sequence

from samantha.core.settings import Settings, coerce
from samantha.core.trace import (
    TokenStep,
    is_chosen,
    stage_summary,
    unlikely_choices,
    visible,
    vocabulary_size,
)
from samantha.documents import charts, inert
from samantha.ui.words.table import Text

PACES = ["OFF", "0", "0.3", "1", "3", "10", "NEXT TOKEN"]  # the values of the pace choice
LOOP_CHOICES = [1, 2, 3, 5, 10, 100, 1000000]


def pace_choices(t: Mapping[str, Text]) -> list[tuple[str, str]]:
    """The pace radio's (label, value) pairs: OFF and NEXT TOKEN in the interface's language."""
    names = {"OFF": t["learning_off"].label, "NEXT TOKEN": t["learning_step"].label}
    return [(names.get(value, value), value) for value in PACES]


def pace_of(choice: str) -> float | str | None | bool:
    """The learning-mode radio: OFF -> False (no learning), NEXT TOKEN -> 'step', else seconds."""
    if choice in (None, "", "OFF"):
        return False
    if choice == "NEXT TOKEN":
        return "step"
    seconds = float(choice)
    return None if seconds == 0 else seconds


def model_lines(text: str) -> list[str]:
    """The models field: one per line; blank lines and lines starting with --- are ignored."""
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("---")]


def short_model(spec: str) -> str:
    """A model as a person tells it apart in a list: a file's name without its folders (a
    path or a URL); anything else (``default``, a backend's ``org/model@name``) as it is."""
    text = str(spec).strip()
    remote = "@" in text and "://" not in text
    if remote or ("/" not in text and "\\" not in text):
        return text
    name = re.split(r"[/\\]", text.split("?")[0].split("#")[0].rstrip("/\\"))[-1]
    return name or text


def candidate_rows(step: TokenStep | None) -> list[list[Any]]:
    if step is None:
        return []
    return [["▶" if is_chosen(step, c) else "", rank, c.id, visible(c.piece),
             round(c.logit, 3), round(c.p, 5)] for rank, c in enumerate(step.candidates, 1)]


def candidate_table(step: TokenStep | None, t: Mapping[str, Text]) -> str:
    """The candidates of one token as an HTML table in rank order, the chosen one marked, and
    whitespace visible (``␣of``, ``⏎``); cleaned (docs/inert.py): the pieces are model text."""
    return inert.clean(_candidate_table(step, t)) if step is not None else ""


def _candidate_table(step: TokenStep, t: Mapping[str, Text]) -> str:
    head = "<th></th>" + "".join(f"<th>{html.escape(h)}</th>"
                                 for h in t["candidate_headers"].label.split("|"))
    rows = []
    for mark, rank, token, piece, logit, p in candidate_rows(step):
        css = ' class="chosen"' if mark else ""
        rows.append(f'<tr{css} data-token="{token}"><td>{mark}</td><td>{rank}</td>'
                    f"<td>{token}</td>"
                    f"<td><code>{html.escape(piece)}</code></td><td>{logit:.3f}</td>"
                    f"<td>{p:.4f}</td></tr>")
    return f'<table class="candidates"><thead><tr>{head}</tr></thead>' \
           f'<tbody>{"".join(rows)}</tbody></table>'


def stage_text(step: TokenStep | None, t: Mapping[str, Text]) -> str:
    if step is None:
        return ""
    line = _stage_line(step, t, code_span(visible(step.piece)))
    return f"**{line}**  \n`{stage_summary(step, vocabulary_size(step))}`"


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, whatever backticks it holds (a token's text is the
    model's: it must not end the span and be read as Markdown)."""
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def live_panel(step: TokenStep | None, t: Mapping[str, Text]) -> str:
    """The stage line and the candidates of a token as one piece of HTML, for the page script
    to show while an answer streams at full speed (see :mod:`samantha.ui.serving.live`)."""
    if step is None:
        return ""
    line = _stage_line(step, t, "\0")
    piece = f"<code>{html.escape(visible(step.piece))}</code>"
    line = html.escape(line).replace("\0", piece)
    summary = html.escape(stage_summary(step, vocabulary_size(step)))
    return inert.clean(f'<p class="live-stages"><strong>{line}</strong><br><code>{summary}'
                       f"</code></p>{_candidate_table(step, t)}")


def _stage_line(step: TokenStep, t: Mapping[str, Text], piece: str) -> str:
    return t["stage_line"].label.format(
        step=step.step, piece=piece, id=step.token_id, rank=step.rank, p=f"{step.p:.4f}",
        entropy=f"{step.entropy:.2f}")


def probability_chart(step: TokenStep | None, t: Mapping[str, Text]) -> str:
    """The candidates' probabilities as bars, most likely first, the chosen one in orange."""
    if step is None:
        return ""
    bars = [charts.Bar(f"{rank}. {visible(c.piece)}", c.p, is_chosen(step, c))
            for rank, c in enumerate(step.candidates, 1)]
    return inert.clean(charts.bar_chart(bars, t["probabilities_plot"].label,
                                        t["axis_probability"].label))


def rank_chart(steps: Sequence[TokenStep], t: Mapping[str, Text]) -> str:
    """Where a token other than the most likely was chosen, and its rank."""
    picked = [s for s in steps if s.rank > 1]
    return inert.clean(charts.stem_chart(
        [s.step for s in picked], [s.rank for s in picked], len(steps), t["ranks_plot"].label,
        t["axis_token"].label, t["axis_rank"].label, t["ranks_none"].label))


def entropy_chart(steps: Sequence[TokenStep], t: Mapping[str, Text]) -> str:
    return inert.clean(charts.line_chart([s.step for s in steps], [s.entropy for s in steps],
                                         t["entropy_plot"].label, t["axis_token"].label,
                                         t["axis_entropy"].label))


def unlikely_text(steps: Sequence[TokenStep]) -> str:
    return ", ".join(f"{visible(text)} ({rank})" for text, rank in unlikely_choices(steps))


def settings_from_values(values: dict[str, Any], stop_text: str, seed: Any) -> Settings:
    """Settings from the sliders (values outside a slider's range are refused by Settings) and
    the seed box (empty: a fresh random seed)."""
    data = dict(values)
    data["stop"] = stop_text or ""
    text = "" if seed is None else str(seed).strip()
    data["seed"] = coerce("seed", text) if text else None
    return Settings(**data)


def download_text(event: Any) -> str:
    name = event.url.rsplit("/", 1)[-1].split("?")[0]
    if event.finished:
        return f"✅ {name}: {event.done / 2**20:,.0f} MiB"
    share = f"{event.done * 100 // event.total}% · " if event.total else ""
    return f"⏬ {name}: {share}{event.done / 2**20:,.0f} / {(event.total or 0) / 2**20:,.0f} MiB"


def side_by_side(original: str, branch: str, t: Mapping[str, Text], note: str = "") -> str:
    """The original answer and a branch of it in two columns, where they part marked."""
    same = 0
    while same < min(len(original), len(branch)) and original[same] == branch[same]:
        same += 1

    def column(label: str, text: str) -> str:
        return (f'<div style="flex:1;min-width:0"><h4>{html.escape(label)}</h4>'
                f'<div style="white-space:pre-wrap;font-family:ui-monospace,monospace">'
                f'{html.escape(text[:same])}<mark>{html.escape(text[same:])}</mark></div></div>')

    return inert.clean(f'<div class="side-by-side" style="display:flex;gap:1rem">'
                       f'{column(t["branch_original"].label, original)}'
                       f'{column(t["branch_branch"].label, branch)}</div>'
                       + (f"<p><em>{html.escape(note)}</em></p>" if note else ""))


def iframe(page: str, height: int = 420) -> str:
    """Show a whole HTML page inside the UI without letting its scripts reach the UI."""
    return (f'<iframe sandbox="" style="width:100%;height:{height}px;border:1px solid #444;'
            f'border-radius:6px;background:#fff" srcdoc="{html.escape(page, quote=True)}">'
            "</iframe>")
