"""The comparison view of a run: prompts down, models across, every answer side by side with its
speed, and each model's speed over the whole run."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from samantha.core.errors import SamanthaError
from samantha.core.promptscript import parse
from samantha.documents import inert


@dataclass(frozen=True)
class Answer:
    text: str
    tokens: int
    seconds: float
    status: str  # done | failed | skipped | running
    error: str | None

    @property
    def speed(self) -> float | None:
        return self.tokens / self.seconds if self.seconds > 0 and self.tokens else None


@dataclass(frozen=True)
class Grid:
    run_id: int
    models: list[str]  # columns, in the order they first answered
    rows: list[tuple[str, list[list[Answer]]]]  # (prompt, the answers of each model)

    def speed(self, model: str) -> float | None:
        """Tokens per second of the model over all its answers in the run."""
        column = self.models.index(model)
        answers = [a for _, cells in self.rows for a in cells[column]]
        tokens = sum(a.tokens for a in answers)
        seconds = sum(a.seconds for a in answers)
        return tokens / seconds if seconds > 0 and tokens else None


def prompt_label(prompt: str, prefix: str) -> str:
    """The item as the user wrote it: without the script's prefix, its first line, shortened."""
    if prefix and prompt.startswith(prefix):
        prompt = prompt[len(prefix):]
    line = next((part.strip() for part in prompt.splitlines() if part.strip()), "")
    return line if len(line) <= 80 else line[:79] + "…"


def compare(run: Any) -> Grid:
    """The grid of a stored run (a RunRecord)."""
    try:
        prefix = parse(run.config.get("prompts", "")).prefix
    except SamanthaError:
        prefix = ""
    models: list[str] = []
    items: dict[int, str] = {}
    for cycle in run.cycles:
        if cycle.model not in models:
            models.append(cycle.model)
        items.setdefault(cycle.item, prompt_label(cycle.prompt, prefix))
    cells: dict[int, list[list[Answer]]] = {item: [[] for _ in models] for item in items}
    for cycle in run.cycles:
        cells[cycle.item][models.index(cycle.model)].append(
            Answer(cycle.response, cycle.tokens, cycle.seconds, cycle.status, cycle.error))
    return Grid(run.id, models, [(f"{item}. {items[item]}", cells[item]) for item in
                                 sorted(items)])


def model_name(model: str) -> str:
    return model.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or model


def speed_text(speed: float | None) -> str:
    return f"{speed:.1f} tokens/s" if speed is not None else "–"


def answer_note(answer: Answer) -> str:
    if answer.status in ("failed", "skipped"):
        return f"{answer.status}: {answer.error or ''}".strip()
    return f"{answer.tokens} tokens, {speed_text(answer.speed)}"


def grid_markdown(grid: Grid, limit: int | None = None) -> str:
    """A Markdown table (answers on one line each, cut at ``limit`` characters if given)."""
    def cell(answers: list[Answer]) -> str:
        parts = []
        for answer in answers:
            text = answer.text if limit is None or len(answer.text) <= limit \
                else answer.text[:limit] + "…"
            text = html.escape(text, quote=False).replace("|", "\\|").replace("\n", "<br>")
            parts.append(f"{text}<br>*({answer_note(answer)})*")
        return "<br><br>".join(parts) or "–"

    names = [model_name(m) for m in grid.models]
    lines = [f"| Prompt | {' | '.join(names)} |", "|---" * (len(names) + 1) + "|"]
    for prompt, cells in grid.rows:
        label = html.escape(prompt, quote=False).replace("|", "\\|")
        lines.append(f"| {label} | {' | '.join(cell(c) for c in cells)} |")
    speeds = " | ".join(f"**{speed_text(grid.speed(m))}**" for m in grid.models)
    lines.append(f"| **Speed over the run** | {speeds} |")
    return "\n".join(lines)


def grid_html(grid: Grid) -> str:
    """A standalone, inert page with the whole answers."""
    def cell(answers: list[Answer]) -> str:
        return "".join(f'<div class="answer"><pre>{html.escape(a.text)}</pre>'
                       f'<p class="note">{html.escape(answer_note(a))}</p></div>'
                       for a in answers) or "–"

    head = "".join(f"<th>{html.escape(model_name(m))}</th>" for m in grid.models)
    body = "".join(f"<tr><th>{html.escape(prompt)}</th>"
                   + "".join(f"<td>{cell(c)}</td>" for c in cells) + "</tr>"
                   for prompt, cells in grid.rows)
    speeds = "".join(f"<td><b>{speed_text(grid.speed(m))}</b></td>" for m in grid.models)
    return inert.page(
        f"Samantha: run {grid.run_id} compared",
        f"<h1>Run {grid.run_id}: the models side by side</h1>"
        f"<table><thead><tr><th>Prompt</th>{head}</tr></thead>"
        f"<tbody>{body}<tr><th>Speed over the run</th>{speeds}</tr></tbody></table>",
        GRID_CSS)


GRID_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; background: #fafafa; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 8px; vertical-align: top; text-align: left; }
thead th { background: #eee; }
pre { white-space: pre-wrap; font-family: inherit; margin: 0; }
.note { color: #666; font-size: 0.85em; margin: 4px 0 12px; }
"""


def grid_json(grid: Grid) -> dict[str, Any]:
    return {
        "run_id": grid.run_id,
        "models": grid.models,
        "speed": {m: grid.speed(m) for m in grid.models},
        "rows": [{"prompt": prompt, "answers": {
            m: [{"text": a.text, "tokens": a.tokens, "seconds": a.seconds, "status": a.status,
                 "error": a.error, "tokens_per_second": a.speed} for a in cells[i]]
            for i, m in enumerate(grid.models)}} for prompt, cells in grid.rows],
    }
