"""Inside the model, as HTML and SVG: what each layer would say (the logit lens), where the
attention heads looked, how sure the model was along the answer, and what repeated draws give.

Each view is a string (plain HTML or inline SVG, no script, nothing to fetch), shown by learning
mode's panel and by the offline trace page (:mod:`samantha.documents.trace_html`). Every piece
of model text is escaped here; the callers still pass the result through
:func:`samantha.documents.inert.clean`. A step without the data gives "" (no empty frame).
"""

from __future__ import annotations

import html
import math
from typing import Mapping, Sequence

from samantha.core.certainty import certainty, draws
from samantha.core.lens import AttentionView
from samantha.core.trace import TokenStep, visible
from samantha.documents.charts import CHOSEN, OTHER, _svg, _text, integer_ticks

#: Observed shares of the draws (beside the probabilities, in :data:`OTHER`).
DRAWN = "#55a868"
#: Attention weight 0 and 1 (the colours between are mixed linearly).
PALE, DARK = (238, 243, 251), (8, 48, 107)
SINK_WEIGHT = 0.5  # a position holding this much of a head's weight in most heads is a sink
DETAIL_COLUMNS = 32  # positions shown in one layer's enlarged heat-map (most weight first)
DRAWN_ROWS = 10  # tokens shown in the draws chart; the rest are summed in one row
PIECES_UNDER = 24  # the timeline writes the tokens under its axis up to this many

ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    ("lens_cheap",
     "What each layer would say: the stream after each layer read through the model's last "
     "norm and output, as if it stopped there, among the final candidates only. Last layer "
     "at the top.", "",
     "O que cada camada diria: o fluxo depois de cada camada lido pela última normalização e "
     "pela saída do modelo, como se ele parasse ali, só entre os candidatos finais. Última "
     "camada no alto.", ""),
    ("lens_full",
     "What each layer would say: the stream after each layer read through the model's last "
     "norm and output, as if it stopped there, over the whole vocabulary. Last layer at the "
     "top.", "",
     "O que cada camada diria: o fluxo depois de cada camada lido pela última normalização e "
     "pela saída do modelo, como se ele parasse ali, sobre o vocabulário inteiro. Última "
     "camada no alto.", ""),
    ("lens_lead", "The chosen token leads from layer {layer} on.", "",
     "O token escolhido lidera a partir da camada {layer}.", ""),
    ("lens_no_lead", "The chosen token does not lead at the last layer.", "",
     "O token escolhido não lidera na última camada.", ""),
    ("lens_layer", "layer", "", "camada", ""),
    ("lens_rank", "rank of the chosen", "", "posição do escolhido", ""),
    ("lens_p", "p of the chosen", "", "p do escolhido", ""),
    ("lens_top", "the layer's top tokens", "", "os primeiros tokens da camada", ""),
    ("lens_mark", "◀ first leads", "", "◀ passa a liderar", ""),
    ("attn_title", "Where the heads looked", "", "Para onde as cabeças olharam", ""),
    ("attn_legend",
     "A row per layer (first at the top), a column per head; each strip is the context from "
     "its first token, darker where the head put more weight (its 8 heaviest positions "
     "kept).", "",
     "Uma linha por camada (a primeira no alto), uma coluna por cabeça; cada faixa é o "
     "contexto desde o primeiro token, mais escura onde a cabeça pôs mais peso (as suas 8 "
     "posições de mais peso guardadas).", ""),
    ("attn_layer", "Layer {layer}, head by head", "", "Camada {layer}, cabeça por cabeça", ""),
    ("attn_layer_legend", "The positions its heads weighed most, in hundredths of the weight.",
     "", "As posições que as suas cabeças mais pesaram, em centésimos do peso.", ""),
    ("attn_head", "head", "", "cabeça", ""),
    ("attn_sink",
     "Attention sink (orange): position {position} ({piece}) holds half the weight or more in "
     "{n} of {heads} heads.", "",
     "Sorvedouro de atenção (laranja): a posição {position} ({piece}) tem metade do peso ou "
     "mais em {n} de {heads} cabeças.", ""),
    ("certainty_title", "How sure the model was, token by token", "",
     "Quão seguro o modelo estava, token a token", ""),
    ("certainty_entropy", "entropy H (nats)", "", "entropia H (nats)", ""),
    ("certainty_effective", "effective candidates e^H", "", "candidatos efetivos e^H", ""),
    ("certainty_surprisal", "surprisal of the chosen, −ln p (nats)", "",
     "surpresa do escolhido, −ln p (nats)", ""),
    ("draws_title", "{n} draws from the final distribution (seed {seed})", "",
     "{n} sorteios da distribuição final (semente {seed})", ""),
    ("draws_p", "probability", "", "probabilidade", ""),
    ("draws_share", "share of the draws", "", "fração dos sorteios", ""),
    ("draws_others", "{k} others", "", "{k} outros", ""),
)

WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {key: english for key, english, _, _, _ in ROWS},
    "pt": {key: portuguese for key, _, _, portuguese, _ in ROWS},
}
EN = WORDS["en"]


def _p(p: float) -> str:
    """A probability as read: 3 decimals, small ones in powers of ten, a stored 0 (below the
    trace's 6 decimals) as ≈0."""
    if p <= 0:
        return "≈0"
    return f"{p:.3f}" if p >= 0.001 else f"{p:.1e}"


def _lines(text: str, x: float, y: float, fill: str = "currentColor",
           most: int = 88) -> list[str]:
    """``text`` as SVG lines of at most ``most`` characters (an SVG text does not wrap), 11 px,
    16 px apart from ``y`` down."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return [f'<text x="{x}" y="{y + 16 * i}" fill="{fill}" style="font-size:11px">'
            f"{html.escape(line)}</text>" for i, line in enumerate(lines)]


def _short(text: str, most: int = 12) -> str:
    text = visible(text)
    return text if len(text) <= most else text[: most - 1] + "…"


# -- the logit lens ------------------------------------------------------------------------------
def layer_grid_html(step: TokenStep | None, words: Mapping[str, str] = EN) -> str:
    """A row per layer, the last at the top: the chosen token's rank and probability there
    and the layer's top tokens (the chosen one marked); the first layer from which the chosen
    token leads to the end is marked; the caption says over what the lens reads."""
    lens = None if step is None else step.layers
    if step is None or lens is None or not lens.layers:
        return ""
    lead = lens.first_lead
    rows = []
    for view in reversed(lens.layers):
        tops = " ".join(
            (f'<mark class="lens-chosen">{html.escape(visible(step.piece_of(token)))} '
             f"{_p(p)}</mark>" if token == lens.chosen else
             f'<span class="lens-tok">{html.escape(visible(step.piece_of(token)))} '
             f"{_p(p)}</span>") for token, p in view.top)
        first = view.layer == lead
        mark = f' <strong>{html.escape(words["lens_mark"])}</strong>' if first else ""
        css = ' class="first-lead"' if first else ""
        rows.append(f"<tr{css}><td>{view.layer}{mark}</td><td>{view.chosen_rank}</td>"
                    f"<td>{_p(view.chosen_p)}</td><td>{tops}</td></tr>")
    caption = words["lens_full" if lens.mode == "full" else "lens_cheap"]
    note = (words["lens_lead"].format(layer=lead) if lead is not None
            else words["lens_no_lead"])
    head = "".join(f"<th>{html.escape(words[k])}</th>"
                   for k in ("lens_layer", "lens_rank", "lens_p", "lens_top"))
    return (f'<table class="layer-grid" data-mode="{html.escape(lens.mode)}">'
            f"<caption>{html.escape(caption)} {html.escape(note)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


# -- attention -----------------------------------------------------------------------------------
def shade(weight: float) -> str:
    """The colour of an attention weight (0: pale, 1: dark blue)."""
    w = min(max(weight, 0.0), 1.0)
    return "#" + "".join(f"{round(a + (b - a) * w):02x}" for a, b in zip(PALE, DARK))


def sinks(view: AttentionView) -> dict[int, int]:
    """Positions holding at least half the weight in most heads: position -> how many heads."""
    heads = [head for layer in view.layers for head in layer]
    counts: dict[int, int] = {}
    for head in heads:
        for position, weight in head:
            if weight >= SINK_WEIGHT:
                counts[position] = counts.get(position, 0) + 1
    return {pos: n for pos, n in sorted(counts.items()) if n * 2 > len(heads)}


def _label(step: TokenStep, view: AttentionView, position: int) -> str:
    token = view.tokens.get(position)
    return f"{position}:{_short(step.piece_of(token)) if token is not None else '?'}"


def attention_svg(step: TokenStep | None, layer: int | None = None,
                  words: Mapping[str, str] = EN) -> str:
    """The heat-map of every layer's heads (the stored top positions of each head coloured by
    weight, the others blank), then, when ``layer`` is given, that layer's heads enlarged with
    their positions labelled. Attention sinks are marked in orange."""
    view = None if step is None else step.attention
    if step is None or view is None or not view.layers or not view.layers[0]:
        return ""
    found = sinks(view)
    grid = _attention_grid(step, view, found, words)
    if layer is None or not 0 <= layer < len(view.layers):
        return grid
    return grid + _attention_layer(step, view, layer, found, words)


def _attention_grid(step: TokenStep, view: AttentionView, found: Mapping[int, int],
                    words: Mapping[str, str]) -> str:
    heads, count = max(len(layer) for layer in view.layers), max(view.positions, 1)
    left, top, width = 64, 78, 560
    cell = min(120.0, (width - left) / heads - 4)
    row, strip = 14, 10
    each = cell / count
    parts = [_text(0, 14, words["attn_title"], extra='font-weight="bold"'),
             *_lines(words["attn_legend"], 0, 32)]
    for h in range(heads):
        parts.append(_text(left + h * (cell + 4) + cell / 2, top - 8,
                           f"{words['attn_head']} {h}", "middle"))
    for number, layer in enumerate(view.layers):
        y = top + number * row
        parts.append(_text(left - 6, y + strip, f"{words['lens_layer']} {number}", "end",
                           'style="font-size:11px"'))
        for h, head in enumerate(layer):
            x0 = left + h * (cell + 4)
            parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{cell:.1f}" height="{strip}" '
                         f'fill="#{"".join(f"{c:02x}" for c in PALE)}"/>')
            for position, weight in head:
                tip = html.escape(f"{words['lens_layer']} {number}, {words['attn_head']} {h}: "
                                  f"{_label(step, view, position)} {weight:.3f}")
                parts.append(f'<rect x="{x0 + position * each:.1f}" y="{y}" '
                             f'width="{max(each, 1.0):.1f}" height="{strip}" '
                             f'fill="{shade(weight)}"><title>{tip}</title></rect>')
                if position in found and weight >= SINK_WEIGHT:
                    parts.append(f'<rect x="{x0 + position * each:.1f}" y="{y + strip}" '
                                 f'width="{max(each, 2.0):.1f}" height="2" fill="{CHOSEN}"/>')
    y = top + len(view.layers) * row + 14
    total = sum(len(layer) for layer in view.layers)
    for position, n in found.items():
        line = words["attn_sink"].format(position=position, n=n, heads=total,
                                         piece=_label(step, view, position).split(":", 1)[1])
        wrapped = _lines(line, 0, y, CHOSEN)
        parts += wrapped
        y += 16 * len(wrapped)
    return _svg(width, y + 4, "".join(parts), words["attn_title"])


def _attention_layer(step: TokenStep, view: AttentionView, number: int,
                     found: Mapping[int, int], words: Mapping[str, str]) -> str:
    layer = view.layers[number]
    weights: dict[int, float] = {}
    for head in layer:
        for position, weight in head:
            weights[position] = weights.get(position, 0.0) + weight
    columns = sorted(sorted(weights, key=lambda p: -weights[p])[:DETAIL_COLUMNS])
    left, top, cell = 64, 130, 24
    width = max(left + cell * len(columns) + 24, 560)
    title = words["attn_layer"].format(layer=number)
    parts = [_text(0, 14, title, extra='font-weight="bold"'),
             *_lines(words["attn_layer_legend"], 0, 32)]
    for c, position in enumerate(columns):
        x = left + c * cell + cell / 2
        ink = CHOSEN if position in found else "currentColor"
        parts.append(f'<text x="{x:.1f}" y="{top - 6}" fill="{ink}" '
                     f'transform="rotate(-60 {x:.1f} {top - 6})" style="font-size:11px">'
                     f"{html.escape(_label(step, view, position))}</text>")
        if position in found:
            parts.append(f'<rect x="{x - cell / 2 + 1:.1f}" y="{top - 4}" width="{cell - 2}" '
                         f'height="3" fill="{CHOSEN}"/>')
    for h, head in enumerate(layer):
        y = top + h * cell
        parts.append(_text(left - 6, y + cell * 0.7, f"{words['attn_head']} {h}", "end"))
        stored = dict(head)
        for c, position in enumerate(columns):
            x = left + c * cell
            if position not in stored:  # beyond the head's heaviest: blank, as weight 0
                parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" '
                             f'height="{cell - 2}" fill="{shade(0.0)}"/>')
                continue
            weight = stored[position]
            tip = html.escape(f"{words['attn_head']} {h}: {_label(step, view, position)} "
                              f"{weight:.3f}")
            parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{shade(weight)}"><title>{tip}</title></rect>')
            if weight >= 0.1:
                ink = "#ffffff" if weight >= 0.5 else "#111111"
                parts.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell * 0.68:.1f}" '
                             f'text-anchor="middle" fill="{ink}" style="font-size:10px">'
                             f"{round(weight * 100)}</text>")
    height = top + len(layer) * cell + 10
    return _svg(width, height, "".join(parts), title)


# -- certainty along the answer ------------------------------------------------------------------
def certainty_svg(steps: Sequence[TokenStep], words: Mapping[str, str] = EN) -> str:
    """Entropy, effective candidates (e^H) and the chosen token's surprisal, one panel under
    the other on the same token axis, labelled with the tokens when there are few."""
    rows = certainty(steps)
    if not rows:
        return ""
    width, left, right, panel, gap = 560, 58, 12, 80, 26
    few = len(rows) <= PIECES_UNDER
    xs = [r.step for r in rows]
    low, high = min(xs), max(max(xs), min(xs) + 1)

    def x_of(x: float) -> float:
        return left + (width - left - right) * (x - low) / (high - low)

    series = (("certainty_entropy", [r.entropy for r in rows]),
              ("certainty_effective", [r.effective for r in rows]),
              ("certainty_surprisal", [r.surprisal for r in rows]))
    parts = [_text(0, 14, words["certainty_title"], extra='font-weight="bold"')]
    y0 = 24
    for key, values in series:
        finite = [v for v in values if math.isfinite(v)]
        top_value = max(max(finite, default=0.0), 1e-9) * 1.1
        parts.append(_text(left, y0 + 12, words[key], extra='style="font-size:11px"'))
        base = y0 + gap + panel - 16

        def y_of(v: float, base: float = base, top_value: float = top_value) -> float:
            return base - (panel - 16) * min(v, top_value) / top_value

        parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" '
                     'stroke="currentColor" stroke-opacity="0.5"/>')
        parts.append(_text(left - 6, base + 4, "0", "end"))
        parts.append(_text(left - 6, y_of(top_value / 1.1) + 4, f"{top_value / 1.1:.2f}", "end"))
        points = " ".join(f"{x_of(x):.1f},{y_of(v if math.isfinite(v) else top_value):.1f}"
                          for x, v in zip(xs, values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{OTHER}" '
                     'stroke-width="1.5"/>')
        for x, v, step in zip(xs, values, steps):
            shown = f"{v:.2f}" if math.isfinite(v) else "∞"
            tip = html.escape(f"{x} {visible(step.piece)}: {shown}")
            parts.append(f'<circle cx="{x_of(x):.1f}" cy="{y_of(min(v, top_value)):.1f}" '
                         f'r="2.5" fill="{OTHER}"><title>{tip}</title></circle>')
        y0 = base + 8
    axis = y0 + 6
    if few:
        for x, step in zip(xs, steps):
            parts.append(f'<text x="{x_of(x):.1f}" y="{axis + 8}" fill="currentColor" '
                         f'transform="rotate(-45 {x_of(x):.1f} {axis + 8})" text-anchor="end" '
                         f'style="font-size:11px">{html.escape(_short(step.piece, 10))}</text>')
        height = axis + 70
    else:
        for tick in integer_ticks(low, high):
            parts.append(_text(x_of(tick), axis + 10, str(tick), "middle"))
        height = axis + 20
    return _svg(width, height, "".join(parts), words["certainty_title"])


# -- draws ---------------------------------------------------------------------------------------
def draws_svg(step: TokenStep | None, n: int = 100, seed: int = 0,
              words: Mapping[str, str] = EN) -> str:
    """Each final candidate's probability (blue) beside the share of ``n`` seeded draws that
    gave it (green); the chosen token in bold orange; past :data:`DRAWN_ROWS` the rest summed."""
    if step is None or not step.final:
        return ""
    result = draws(step, n, seed)
    rows = [(visible(step.piece_of(i)), p, c, i == step.token_id)
            for i, p, c in result.rows[:DRAWN_ROWS]]
    rest = result.rows[DRAWN_ROWS:]
    if rest:
        rows.append((words["draws_others"].format(k=len(rest)), sum(p for _, p, _ in rest),
                     sum(c for _, _, c in rest), False))
    title = words["draws_title"].format(n=n, seed=seed)
    width, left, right, top, row = 560, 150, 90, 44, 26
    span = width - left - right
    scale = max(max(max(p, c / n) for _, p, c, _ in rows), 1e-9)
    parts = [_text(0, 14, title, extra='font-weight="bold"'),
             f'<rect x="{left}" y="22" width="10" height="8" fill="{OTHER}"/>',
             _text(left + 14, 30, words["draws_p"]),
             f'<rect x="{left + 130}" y="22" width="10" height="8" fill="{DRAWN}"/>',
             _text(left + 144, 30, words["draws_share"])]
    for k, (label, p, count, chosen) in enumerate(rows):
        y = top + k * row
        style = f'font-weight="bold" fill="{CHOSEN}"' if chosen else 'fill="currentColor"'
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" {style}>'
                     f"{html.escape(_short(label, 18))}</text>")
        for offset, value, colour, note in ((2, p, OTHER, f"{p:.3f}"),
                                            (12, count / n, DRAWN, f"{count}/{n}")):
            length = max(span * value / scale, 1.0)
            parts.append(f'<rect x="{left}" y="{y + offset}" width="{length:.1f}" height="9" '
                         f'fill="{colour}"><title>{html.escape(label)}: {note}</title></rect>')
            parts.append(_text(left + length + 4, y + offset + 9, note,
                               extra='style="font-size:11px"'))
    return _svg(width, top + row * len(rows) + 6, "".join(parts), title)
