"""A leaderboard written out: JSON, Markdown, CSV, a self-contained HTML page with its chart, and a
Jupyter notebook that draws the chart again from the numbers.

Every model name and criterion here came from a chain file or a judge: in HTML they are escaped
text, in Markdown their table characters are escaped, in CSV they are quoted (and a leading
``=``, ``+``, ``-`` or ``@`` is defused, so a spreadsheet does not run it as a formula).
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from typing import Any

from samantha.core.leaderboard import Leaderboard, Row
from samantha.core.ratings import Interval
from samantha.documents.charts import interval_chart

BOARD_FORMATS = ("md", "html", "json", "csv", "ipynb")


@dataclass(frozen=True)
class BoardWords:
    """How a leaderboard is said (English by default; the web UI passes its language's)."""

    model: str = "Model"
    answers: str = "Answers"
    overall: str = "Overall (mean [{level} interval])"
    judged: str = "Judged"
    unread: str = "{judged} ({unread} unread)"
    checks: str = "Checks passed"
    speed: str = "Tokens/s"
    rating: str = "Rating (Elo-like)"
    empty: str = "No answers to rank yet."
    chart: str = "Overall score by model"
    axis: str = "mean score, {level} interval"
    bias: str = ("Judge {judge}: {consistent} of {pairs} pairs judged the same in both orders; "
                 "the answer shown first won {share} of {decisive} decisive votes (50% is no "
                 "position bias).")


ENGLISH = BoardWords()


def board_dict(board: Leaderboard) -> dict[str, Any]:
    """The leaderboard as plain values (the JSON export, ``--json``)."""
    return {
        "level": board.level,
        "scale": list(board.scale) if board.scale else None,
        "criteria": list(board.criteria),
        "rows": [_row_dict(row) for row in board.rows],
        "position_bias": [{"judge": b.judge, "pairs": b.pairs, "consistent": b.consistent,
                           "decisive": b.decisive, "first_won": b.first_won,
                           "first_share": b.first_share} for b in board.bias],
    }


def _interval(value: Interval | None) -> dict[str, float] | None:
    return None if value is None else {"mean": value.value, "low": value.low,
                                       "high": value.high}


def _row_dict(row: Row) -> dict[str, Any]:
    return {"model": row.name, "answers": row.answers, "overall": _interval(row.overall),
            "criteria": {k: _interval(v) for k, v in row.criteria.items()},
            "judged": row.judged, "malformed": row.malformed,
            "checks": {"passed": row.checks_passed, "failed": row.checks_failed,
                       "not_checked": row.checks_unknown, "pass_rate": row.pass_rate},
            "tokens_per_second": row.tokens_per_second,
            "rating": None if row.rating is None else {"elo": row.rating.value,
                                                       "low": row.rating.low,
                                                       "high": row.rating.high},
            "votes": row.votes}


def _mean(value: Interval | None) -> str:
    return "—" if value is None else f"{value.value:.2f} [{value.low:.2f}, {value.high:.2f}]"


def _rate(row: Row) -> str:
    if row.pass_rate is None:
        return "—"
    done = row.checks_passed + row.checks_failed
    return f"{row.pass_rate:.0%} ({row.checks_passed}/{done})"


def _cells(row: Row, board: Leaderboard, words: BoardWords = ENGLISH) -> list[str]:
    speed = "—" if row.tokens_per_second is None else f"{row.tokens_per_second:.1f}"
    rating = "—" if row.rating is None else f"{row.rating.value:.0f} " + (
        f"[{row.rating.low:.0f}, {row.rating.high:.0f}]" if row.rating.high > row.rating.low
        else "[—]")  # votes that all agree: resampling cannot tell how far off it may be
    return [row.name, str(row.answers), _mean(row.overall),
            *(_mean(row.criteria.get(key)) for key in board.criteria),
            words.unread.format(judged=row.judged, unread=row.malformed), _rate(row), speed,
            rating]


def _header(board: Leaderboard, words: BoardWords = ENGLISH) -> list[str]:
    return [words.model, words.answers, words.overall.format(level=f"{board.level:.0%}"),
            *board.criteria, words.judged, words.checks, words.speed, words.rating]


def _bias_lines(board: Leaderboard, words: BoardWords = ENGLISH) -> list[str]:
    lines = []
    for b in board.bias:
        if not b.pairs:  # votes in one order only (a chain's verdicts): nothing to compare
            continue
        share = "—" if b.first_share is None else f"{b.first_share:.0%}"
        lines.append(words.bias.format(judge=b.judge, consistent=b.consistent, pairs=b.pairs,
                                       share=share, decisive=b.decisive))
    return lines


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def board_markdown(board: Leaderboard, title: str = "Leaderboard") -> str:
    if not board.rows:
        return f"## {title}\n\nNo answers to rank yet.\n"
    header = _header(board)
    lines = [f"## {title}", "", "| " + " | ".join(map(_md_cell, header)) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_md_cell, _cells(row, board))) + " |" for row in board.rows]
    scale = f" Scores go from {board.scale[0]} to {board.scale[1]}." if board.scale else ""
    lines += ["", f"Means of the judges' scores with {board.level:.0%} bootstrap intervals."
                  f"{scale} Unread judgements are counted, never scored.", ""]
    lines += [f"- {_md_cell(line)}" for line in _bias_lines(board)]
    return "\n".join(lines).rstrip() + "\n"


def board_csv(board: Leaderboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(board))
    for row in board.rows:
        writer.writerow([_defused(cell) for cell in _cells(row, board)])
    return out.getvalue()


def _defused(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and cell != "—" else cell


def board_chart(board: Leaderboard, words: BoardWords = ENGLISH) -> str:
    """The overall means with their intervals as an SVG chart ("" when nothing was judged)."""
    rows = [(row.name, row.overall) for row in board.rows if row.overall is not None]
    if not rows or board.scale is None:
        return ""
    return interval_chart([(name, i.value, i.low, i.high) for name, i in rows],
                          float(board.scale[0]), float(board.scale[1]),
                          words.chart, words.axis.format(level=f"{board.level:.0%}"))


def board_table_html(board: Leaderboard, words: BoardWords = ENGLISH) -> str:
    """The table, the chart and the judges' position bias, for a page (names escaped)."""
    if not board.rows:
        return f"<p>{html.escape(words.empty)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in _header(board, words))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>"
                                    for c in _cells(row, board, words)) + "</tr>"
                   for row in board.rows)
    bias = "".join(f"<li>{html.escape(line)}</li>" for line in _bias_lines(board, words))
    return (f'<table class="leaderboard"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table>{board_chart(board, words)}" + (f"<ul>{bias}</ul>" if bias else ""))


def board_html(board: Leaderboard, title: str = "Leaderboard") -> str:
    """A self-contained page (no script, no link out)."""
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
            "margin:2em}table{border-collapse:collapse}td,th{border:1px solid #bbb;"
            "padding:4px 8px;text-align:left}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{board_table_html(board)}</body></html>\n")


def board_notebook(board: Leaderboard, title: str = "Leaderboard") -> str:
    """A notebook: the table, and a cell that draws the means and intervals with matplotlib
    from the numbers (kept in the cell as JSON, so it runs with no Samantha installed)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    data = json.dumps(board_dict(board), ensure_ascii=False, indent=1)
    code = (f"import json\nimport matplotlib.pyplot as plt\n\nboard = json.loads({data!r})\n"
            "rows = [r for r in board['rows'] if r['overall']]\n"
            "names = [r['model'] for r in rows]\n"
            "means = [r['overall']['mean'] for r in rows]\n"
            "errors = [[m - r['overall']['low'] for m, r in zip(means, rows)],\n"
            "          [r['overall']['high'] - m for m, r in zip(means, rows)]]\n"
            "plt.barh(names, means, xerr=errors, capsize=4)\n"
            "plt.xlabel('mean score')\nplt.gca().invert_yaxis()\nplt.show()")
    notebook = new_notebook(cells=[new_markdown_cell(board_markdown(board, title)),
                                   new_code_cell(code)],
                            metadata={"kernelspec": {"name": "python3",
                                                     "display_name": "Python 3",
                                                     "language": "python"}})
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


def export_board(board: Leaderboard, fmt: str, title: str = "Leaderboard") -> str:
    """The leaderboard in one of :data:`BOARD_FORMATS`."""
    if fmt == "json":
        return json.dumps(board_dict(board), ensure_ascii=False, indent=2) + "\n"
    writers = {"md": board_markdown, "html": board_html, "ipynb": board_notebook}
    if fmt == "csv":
        return board_csv(board)
    if fmt not in writers:
        raise ValueError(f"Unknown format {fmt!r}: use one of {', '.join(BOARD_FORMATS)}.")
    return writers[fmt](board, title)
