"""Small charts as inline SVG: the learning panels' pictures (and the trace page's), drawn on
the server.

A chart is a string of SVG, cheap for the page (no plotting library runs in the browser) and
exact about what it shows: bars in the order given, labelled axes, whole-number token axes.
An empty series gives an empty string, so no empty frame is ever shown.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Callable, Sequence

CHOSEN, OTHER, LINE = "#e4572e", "#4c72b0", "#4c72b0"
FONT = "font-family:ui-sans-serif,system-ui,sans-serif;font-size:12px"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    chosen: bool = False
    note: str = ""  # shown at the end of the bar (e.g. the probability)


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px;{FONT}" role="img" '
            f'aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>{body}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="currentColor" '
            f'{extra}>{html.escape(text)}</text>')


def bar_chart(bars: Sequence[Bar], title: str, value_label: str, width: int = 560) -> str:
    """Horizontal bars, top to bottom in the order given (rank order for candidates), values
    from 0 to 1 (probabilities); the chosen bar in orange."""
    if not bars:
        return ""
    row, left, top, right = 20, 150, 24, 70
    height = top + row * len(bars) + 34
    span = width - left - right
    scale = max(max(b.value for b in bars), 1e-9)
    parts = [_text(0, 14, title, extra='font-weight="bold"')]
    for i, bar in enumerate(bars):
        y = top + i * row
        length = max(span * bar.value / scale, 1.0)
        color = CHOSEN if bar.chosen else OTHER
        weight = ' font-weight="bold"' if bar.chosen else ""
        parts.append(_text(left - 6, y + 14, bar.label, "end", weight))
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
                     f'fill="{color}"><title>{html.escape(bar.label)}: {bar.value:.4f}'
                     '</title></rect>')
        parts.append(_text(left + length + 4, y + 14, bar.note or f"{bar.value:.4f}",
                           extra=weight))
    axis_y = top + row * len(bars) + 4
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + span}" y2="{axis_y}" '
                 'stroke="currentColor" stroke-opacity="0.5"/>')
    for fraction in (0, 0.5, 1):
        x = left + span * fraction
        parts.append(_text(x, axis_y + 14, f"{scale * fraction:.2f}", "middle"))
    parts.append(_text(left + span / 2, axis_y + 28, value_label, "middle"))
    return _svg(width, height, "".join(parts), title)


def integer_ticks(low: int, high: int, most: int = 8) -> list[int]:
    """Whole-number ticks from ``low`` to ``high``, at most about ``most`` of them, on round
    steps (1, 2, 5, 10, 20, 50, …)."""
    if high <= low:
        return [low]
    raw = (high - low) / max(most - 1, 1)
    step = min(s for s in (b * 10 ** p for b in (1, 2, 5) for p in range(12)) if s >= raw)
    first = math.ceil(low / step) * step
    return list(range(first, high + 1, step))


def _frame(width: int, height: int, xs: Sequence[int], y_high: float, x_label: str,
           y_label: str, y_ticks: Sequence[float], y_format: str
           ) -> tuple[list[str], Callable[[float, float], tuple[float, float]]]:
    """Axes with ticks; returns the parts and a function from data to pixel coordinates."""
    left, right, top, bottom = 58, 12, 24, 40  # left: room for "0.00" beside the axis label
    x_low, x_high = min(xs), max(max(xs), min(xs) + 1)
    span_x, span_y = width - left - right, height - top - bottom

    def at(x: float, y: float) -> tuple[float, float]:
        return (left + span_x * (x - x_low) / (x_high - x_low),
                top + span_y * (1 - y / y_high if y_high else 1))

    parts = [f'<line x1="{left}" y1="{top + span_y}" x2="{left + span_x}" y2="{top + span_y}" '
             'stroke="currentColor" stroke-opacity="0.5"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + span_y}" '
             'stroke="currentColor" stroke-opacity="0.5"/>']
    for tick in integer_ticks(x_low, x_high):
        x, _ = at(tick, 0)
        parts.append(_text(x, top + span_y + 14, str(tick), "middle"))
    for y_tick in y_ticks:
        _, y = at(0, y_tick)
        parts.append(_text(left - 6, y + 4, format(y_tick, y_format), "end"))
    parts.append(_text(left + span_x / 2, height - 6, x_label, "middle"))
    parts.append(_text(12, top + span_y / 2, y_label, "middle",
                       f'transform="rotate(-90 12 {top + span_y / 2:.1f})"'))
    return parts, at


def line_chart(xs: Sequence[int], ys: Sequence[float], title: str, x_label: str,
               y_label: str, width: int = 560, height: int = 190) -> str:
    """A line over whole-number x values (tokens along the answer)."""
    if not xs:
        return ""
    y_high = max(max(ys), 1e-9) * 1.1
    ticks = [0.0, y_high / 2, y_high / 1.1]
    parts, at = _frame(width, height, xs, y_high, x_label, y_label, ticks, ".2f")
    points = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in zip(xs, ys))
    parts.insert(0, _text(0, 14, title, extra='font-weight="bold"'))
    parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    if len(xs) == 1:
        cx, cy = at(xs[0], ys[0])
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{LINE}"/>')
    return _svg(width, height, "".join(parts), title)


def stem_chart(xs: Sequence[int], ys: Sequence[int], length: int, title: str, x_label: str,
               y_label: str, empty: str, width: int = 560, height: int = 190) -> str:
    """Stems at the tokens ``xs`` (of an answer ``length`` tokens long) with heights ``ys``
    (ranks); ``empty`` is said in words when there is no stem."""
    if length <= 0:
        return ""
    if not xs:
        body = _text(0, 14, title, extra='font-weight="bold"') + _text(0, 40, empty)
        return _svg(width, 56, body, title)
    top_rank = max(ys)
    ticks = sorted({1, *integer_ticks(1, top_rank, 4)})
    parts, at = _frame(width, height, [1, length], top_rank, x_label, y_label, ticks, "d")
    parts.insert(0, _text(0, 14, title, extra='font-weight="bold"'))
    for x, y in zip(xs, ys):
        (x0, y0), (_, y1) = at(x, 0), at(x, y)
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x0:.1f}" y2="{y1:.1f}" '
                     f'stroke="{CHOSEN}" stroke-width="2"/>')
        parts.append(f'<circle cx="{x0:.1f}" cy="{y1:.1f}" r="3.5" fill="{CHOSEN}">'
                     f'<title>token {x}: rank {y}</title></circle>')
    return _svg(width, height, "".join(parts), title)


def interval_chart(rows: Sequence[tuple[str, float, float, float]], low: float, high: float,
                   title: str, value_label: str, width: int = 560) -> str:
    """One row per (label, value, interval low, interval high), top to bottom: a dot at the
    value and a line across the interval, on an axis from ``low`` to ``high``."""
    if not rows or not high > low:
        return ""
    row, left, top, right = 22, 170, 24, 60
    height = top + row * len(rows) + 34
    span = width - left - right

    def x_of(value: float) -> float:
        return left + span * (min(max(value, low), high) - low) / (high - low)

    parts = [_text(0, 14, title, extra='font-weight="bold"')]
    for i, (label, value, start, end) in enumerate(rows):
        y = top + i * row + row / 2
        tip = html.escape(f"{label}: {value:.2f} [{start:.2f}, {end:.2f}]")
        parts.append(_text(left - 6, y + 4, label, "end"))
        parts.append(f'<line x1="{x_of(start):.1f}" y1="{y:.1f}" x2="{x_of(end):.1f}" '
                     f'y2="{y:.1f}" stroke="{OTHER}" stroke-width="3"><title>{tip}</title>'
                     '</line>')
        parts.append(f'<circle cx="{x_of(value):.1f}" cy="{y:.1f}" r="5" fill="{CHOSEN}">'
                     f"<title>{tip}</title></circle>")
        parts.append(_text(x_of(high) + 6, y + 4, f"{value:.2f}"))
    axis_y = top + row * len(rows) + 4
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + span}" y2="{axis_y}" '
                 'stroke="currentColor" stroke-opacity="0.5"/>')
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_text(left + span * fraction, axis_y + 14,
                           f"{low + (high - low) * fraction:g}", "middle"))
    parts.append(_text(left + span / 2, axis_y + 28, value_label, "middle"))
    return _svg(width, height, "".join(parts), title)
