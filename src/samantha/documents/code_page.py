"""A code run as a self-contained HTML page: the predecessor's pop-up, done safely.

Output is shown as preformatted text; when the code printed HTML (a table from pandas, a page),
it is rendered, cleaned like everything on the page (:mod:`samantha.documents.inert`: no script, no
handler, no frame, no link but http(s) and mailto), and the page forbids scripts. Figures are
embedded as data URIs; the page loads nothing from outside.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from samantha.documents import inert

_HTML_OUTPUT = re.compile(r"^\s*<(!doctype|html|table|div|p|h[1-6]|ul|ol|style|body)\b",
                          re.IGNORECASE)

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;
line-height:1.5;background:#fff;color:#1d1d1f}
pre{background:#f4f4f6;padding:.75rem;overflow:auto;border-radius:6px;white-space:pre-wrap}
.err{color:#b00020}.note{color:#8a5a00}img{max-width:100%;border:1px solid #ddd;margin:.5rem 0}
.html-output{overflow:auto;border:1px solid #ddd;border-radius:6px;padding:.5rem}
.html-output table{border-collapse:collapse}.html-output th,.html-output td{border:1px solid #ccc;
padding:2px 6px}
@media (prefers-color-scheme:dark){body{background:#151517;color:#e8e8ea}
pre{background:#232327}.err{color:#ff7a85}.note{color:#e0b15a}}
"""


class CodeRunView(Protocol):
    stdout: str
    stderr: str
    exit_status: int | None
    seconds: float
    limit: str | None
    figures: Sequence[Path]
    files: Sequence[Path]


def looks_like_html(text: str) -> bool:
    return bool(_HTML_OUTPUT.match(text))


def code_result_page(result: CodeRunView, title: str = "Python output") -> str:
    """The page the UI shows (and exports) for one code run."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    status = "finished" if result.exit_status == 0 else f"exit status {result.exit_status}"
    parts.append(f"<p>{html.escape(status)} in {result.seconds:.1f} s</p>")
    if result.limit:
        parts.append(f'<p class="note">{html.escape(result.limit)}</p>')
    isolation = getattr(result, "isolation_line", None)
    if callable(isolation) and isolation():
        parts.append(f'<p class="note">{html.escape(isolation())}</p>')
    out = result.stdout.strip()
    if out and looks_like_html(out):
        parts.append(f'<div class="html-output" title="HTML printed by the code">{out}</div>')
    elif out:
        parts.append(f"<pre>{html.escape(out)}</pre>")
    if result.stderr.strip():
        parts.append(f'<pre class="err">{html.escape(result.stderr.strip())}</pre>')
    for figure in result.figures:
        data = base64.b64encode(Path(figure).read_bytes()).decode("ascii")
        parts.append(f'<img alt="{html.escape(Path(figure).name)}" '
                     f'src="data:image/png;base64,{data}">')
    if result.files:
        names = "".join(f"<li>{html.escape(Path(f).name)}</li>" for f in result.files)
        parts.append(f"<p>Files written:</p><ul>{names}</ul>")
    return inert.page(title, "".join(parts), STYLE)
