"""Learning-mode traces as HTML: the answer coloured token by token, the candidates after each
stage of the chain, and a self-contained page of a whole trace for a teacher to hand out.

Everything is plain HTML with inline styles (no script, no network), so the same pieces show in
the web UI and in a page opened from a file; the page is cleaned and forbids scripts
(:mod:`samantha.documents.inert`).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence

from samantha.core.trace import (
    TokenStep,
    is_chosen,
    stage_summary,
    visible,
    vocabulary_size,
)
from samantha.core.whatif import WhatIf
from samantha.documents import charts, inert
from samantha.documents.inside_views import ROWS as INSIDE_ROWS
from samantha.documents.inside_views import attention_svg, certainty_svg, layer_grid_html

#: Colours of a chosen token by its probability (the legend says so): at least ``low``.
BANDS = ((0.9, "#2e7d32", "p ≥ 0.9"), (0.5, "#7cb342", "0.5 ≤ p < 0.9"),
         (0.2, "#fbc02d", "0.2 ≤ p < 0.5"), (0.05, "#fb8c00", "0.05 ≤ p < 0.2"),
         (0.0, "#e53935", "p < 0.05"))

STYLE = """
.trace-answer { line-height: 2; font-family: ui-monospace, monospace; white-space: pre-wrap; }
.trace-answer .tok { position: relative; border-radius: 3px; padding: 1px 0; color: #111;
  cursor: help; }
.trace-answer .tok .alts { display: none; position: absolute; left: 0; top: 1.8em; z-index: 10;
  background: #fff; color: #111; border: 1px solid #888; border-radius: 4px; padding: 4px 6px;
  white-space: pre; font-size: 12px; line-height: 1.4; box-shadow: 0 2px 6px #0004; }
.trace-answer .tok:hover .alts, .trace-answer .tok:focus .alts { display: block; }
.trace-legend span { display: inline-block; padding: 0 6px; margin-right: 4px; color: #111;
  border-radius: 3px; }
table.stage-table { border-collapse: collapse; font-size: 12px; }
table.stage-table th, table.stage-table td { padding: 2px 6px; text-align: left;
  border-bottom: 1px solid #8884; }
table.stage-table td.removed { color: #999; text-decoration: line-through; }
table.stage-table tr.chosen td:first-child { font-weight: bold; color: #e4572e; }
.bar { display: inline-block; height: 9px; background: #4c72b0; margin-right: 4px;
  vertical-align: middle; }
tr.chosen .bar { background: #e4572e; }
table.layer-grid { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
table.layer-grid caption { text-align: left; padding: 2px 0 4px; }
table.layer-grid th, table.layer-grid td { padding: 2px 6px; text-align: left;
  border-bottom: 1px solid #8884; white-space: nowrap; }
table.layer-grid th, table.layer-grid td:last-child { white-space: normal; }
table.layer-grid td:not(:last-child) { width: 1%; }
table.layer-grid .lens-tok { margin-right: 6px; white-space: nowrap; }
table.layer-grid mark.lens-chosen { background: #e4572e; color: #fff; border-radius: 3px;
  padding: 0 3px; margin-right: 6px; white-space: nowrap; }
table.layer-grid tr.first-lead td { background: #e4572e22; }
"""


#: A whole probability's bar in the stage table, in pixels: short enough that the default chain's
#: table (raw scores and six stages) fits the Chat tab's column at 1366 px.
BAR_WIDTH = 48

PAGE_STYLE = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
              "padding:0 1rem}")


def colour(p: float) -> str:
    return next(c for low, c, _ in BANDS if p >= low)


def legend(words: Mapping[str, str]) -> str:
    cells = "".join(f'<span style="background:{c}">{html.escape(label)}</span>'
                    for _, c, label in BANDS)
    return (f'<div class="trace-legend">{html.escape(words["legend"])} {cells}</div>')


def coloured_answer(steps: Sequence[TokenStep], words: Mapping[str, str]) -> str:
    """The answer token by token, each coloured by its probability, its candidates shown when
    the pointer rests on it (or it has the focus)."""
    spans = []
    for step in steps:
        alts = "\n".join(f"{'▶' if is_chosen(step, c) else ' '} {rank:>2}. {visible(c.piece)}"
                         f"  {c.p:.4f}" for rank, c in enumerate(step.candidates, 1))
        head = words["token_head"].format(step=step.step, rank=step.rank, p=f"{step.p:.4f}")
        spans.append(
            f'<span class="tok" tabindex="0" data-step="{step.step}" '
            f'style="background:{colour(step.p)}">{html.escape(step.piece)}'
            f'<span class="alts">{html.escape(head)}\n{html.escape(alts)}</span></span>')
    return inert.clean(f'<div class="trace-answer">{"".join(spans)}</div>')


def stage_table(step: TokenStep | None, words: Mapping[str, str]) -> str:
    """The candidates after each stage, as bars: one column per stage (the raw scores first),
    one row per token; a token a stage removed is struck out from there on; the chosen one in
    orange. Probabilities are renormalised over what each stage kept."""
    if step is None or not step.views:
        return ""
    columns = [(words["raw"], {c.id: c.p for c in step.candidates}, len(step.candidates))]
    columns += [(f"{v.name} ({v.kept})", dict(v.survivors), v.kept) for v in step.views]
    tokens = list(dict.fromkeys([*(c.id for c in step.candidates),
                                 *(i for v in step.views for i, _ in v.survivors)]))
    head = "".join(f"<th>{html.escape(name)}</th>" for name, _, _ in columns)
    rows = []
    for token in tokens:
        cells, gone = [], False
        for at, (_, probs, kept) in enumerate(columns):
            if token in probs:
                p = probs[token]
                width = max(1, round(p * BAR_WIDTH))
                cells.append(f'<td><span class="bar" style="width:{width}px"></span>{p:.3f}</td>')
            elif at and (gone or len(probs) >= kept):  # the stage kept fewer: it went here
                gone = True
                cells.append(f'<td class="removed">{html.escape(words["removed"])}</td>')
            else:  # kept, but beyond the shown ones
                cells.append("<td>…</td>")
        css = ' class="chosen"' if token == step.token_id else ""
        label = f"<td><code>{html.escape(visible(step.piece_of(token)))}</code></td>"
        rows.append(f"<tr{css}>{label}{''.join(cells)}</tr>")
    return inert.clean(
        f'<table class="stage-table"><thead><tr><th>{html.escape(words["token"])}</th>'
        f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def what_if_table(step: TokenStep, other: WhatIf, asked: str, words: Mapping[str, str],
                  pieces: Mapping[int, str] | None = None) -> str:
    """The candidates after each stage of the other chain, on the same scores as ``step``:
    its stage table, under a line that says what was asked (and, for a stored trace, that
    the tokens beyond its candidates are unknown)."""
    known = {**step.pieces, **(pieces or {})}
    table = stage_table(dataclasses.replace(step, views=other.views, pieces=known), words)
    head = words["what_if_head"].format(asked=asked, chain=other.chain)
    note = (f"<p><em>{html.escape(words['what_if_partial'].format(n=len(step.candidates)))}"
            "</em></p>" if other.partial else "")
    return inert.clean(f"<p><strong>{html.escape(head)}</strong></p>{note}{table}")


def trace_page(steps: Sequence[TokenStep], title: str, answer_label: str,
               words: Mapping[str, str]) -> str:
    """A whole trace as one self-contained page: the coloured answer, then each token's
    candidates, stages and bars (and, when traced, what its layers would say and where its heads
    looked), and the charts along the answer (ranks, entropy, and the certainty timeline)."""
    vocabulary = vocabulary_size(steps[0]) if steps else 0
    sections = []
    for step in steps:
        bars = [charts.Bar(f"{rank}. {visible(c.piece)}", c.p, is_chosen(step, c))
                for rank, c in enumerate(step.candidates, 1)]
        head = words["token_head"].format(step=step.step, rank=step.rank, p=f"{step.p:.4f}")
        sections.append(
            f'<section id="token-{step.step}"><h3>{html.escape(head)}: '
            f"<code>{html.escape(visible(step.piece))}</code></h3>"
            f"<p><code>{html.escape(stage_summary(step, vocabulary))}</code></p>"
            f"{stage_table(step, words)}"
            f"{charts.bar_chart(bars, words['probabilities'], words['probability'])}"
            f"{inside(step, words)}</section>")
    picked = [s for s in steps if s.rank > 1]
    along = (charts.stem_chart([s.step for s in picked], [s.rank for s in picked], len(steps),
                               words["ranks"], words["token"], words["rank"], words["none"])
             + charts.line_chart([s.step for s in steps], [s.entropy for s in steps],
                                 words["entropy"], words["token"], words["nats"])
             + certainty_svg(steps, words))
    return inert.page(title, f"<h1>{html.escape(title)}</h1><h2>{html.escape(answer_label)}</h2>"
                      f"{legend(words)}{coloured_answer(steps, words)}{along}"
                      f"{''.join(sections)}", PAGE_STYLE + STYLE)


def inside(step: TokenStep, words: Mapping[str, str]) -> str:
    """What the layers would say for ``step`` and where its heads looked (its last layer's
    heads enlarged), when the trace holds them."""
    last = len(step.attention.layers) - 1 if step.attention is not None else None
    return layer_grid_html(step, words) + attention_svg(step, last, words)


#: The page's words, as the rows of the web UI's label tables (:mod:`samantha.ui.words.table`
#: holds them too, each key under "trace_"): (key, English, "", Portuguese, "").
ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("legend", "Colour: how likely the chosen token was.", "",
     "Cor: quão provável era o token escolhido.", ""),
    ("token_head", "Token {step} (rank {rank}, p {p})", "",
     "Token {step} (posição {rank}, p {p})", ""),
    ("raw", "raw scores", "", "pontuações brutas", ""),
    ("removed", "removed", "", "removido", ""),
    ("token", "token", "", "token", ""),
    ("probabilities", "Candidate probabilities", "", "Probabilidades dos candidatos", ""),
    ("probability", "probability", "", "probabilidade", ""),
    ("ranks", "Tokens chosen although not the most likely", "",
     "Tokens escolhidos sem serem os mais prováveis", ""),
    ("rank", "rank", "", "posição", ""),
    ("none", "Every token chosen was the most likely.", "",
     "Todo token escolhido era o mais provável.", ""),
    ("entropy", "Uncertainty of the model (entropy)", "", "Incerteza do modelo (entropia)", ""),
    ("nats", "entropy (nats)", "", "entropia (nats)", ""),
    ("answer", "The answer, token by token", "", "A resposta, token por token", ""),
    ("what_if_head", "What if {asked}: {chain}", "", "E se {asked}: {chain}", ""),
    ("what_if_partial",
     "Computed over the {n} stored candidates only: the rest of the vocabulary is unknown "
     "here.", "",
     "Calculado só sobre os {n} candidatos guardados: o resto do vocabulário é desconhecido "
     "aqui.", ""),
) + INSIDE_ROWS

#: The page's words in each language of the interface.
WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {key: english for key, english, _, _, _ in ROWS},
    "pt": {key: portuguese for key, _, _, portuguese, _ in ROWS},
}
