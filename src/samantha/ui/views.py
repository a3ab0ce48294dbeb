"""Pure view functions: from Samantha's values to what the UI's components display."""

from __future__ import annotations

import html
from typing import Any, Sequence

from samantha.core.settings import Settings
from samantha.core.trace import TokenStep, printable, stage_summary, unlikely_choices

PACE_CHOICES = ["OFF", "0", "0.3", "1", "3", "10", "NEXT TOKEN"]
LOOP_CHOICES = [1, 2, 3, 5, 10, 100, 1000000]
CANDIDATE_HEADERS = ["", "rank", "id", "piece", "logit", "p"]


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


def candidate_rows(step: TokenStep | None) -> list[list[Any]]:
    if step is None:
        return []
    return [["▶" if c.id == step.token_id else "", rank, c.id, printable(c.piece),
             round(c.logit, 3), round(c.p, 5)] for rank, c in enumerate(step.candidates, 1)]


def candidate_table(step: TokenStep | None) -> str:
    """The candidates of one token as an HTML table, the chosen one marked."""
    if step is None:
        return ""
    head = "".join(f"<th>{h}</th>" for h in CANDIDATE_HEADERS)
    rows = []
    for mark, rank, token, piece, logit, p in candidate_rows(step):
        css = ' class="chosen"' if mark else ""
        rows.append(f"<tr{css}><td>{mark}</td><td>{rank}</td><td>{token}</td>"
                    f"<td><code>{html.escape(piece) or '&nbsp;'}</code></td><td>{logit:.3f}</td>"
                    f"<td>{p:.4f}</td></tr>")
    return f'<table class="candidates"><thead><tr>{head}</tr></thead>' \
           f'<tbody>{"".join(rows)}</tbody></table>'


def stage_text(step: TokenStep | None) -> str:
    if step is None:
        return ""
    return (f"**Token {step.step}:** `{printable(step.piece)}` (id {step.token_id}, rank "
            f"{step.rank}, p {step.p:.4f}, entropy {step.entropy:.2f})  \n"
            f"{stage_summary(step, step.stages[0].kept)}")


def probability_frame(step: TokenStep | None) -> Any:
    import pandas as pd

    rows = [] if step is None else [
        {"candidate": f"{rank}. {printable(c.piece)!s}", "probability": c.p,
         "chosen": "chosen" if c.id == step.token_id else "other"}
        for rank, c in enumerate(step.candidates, 1)]
    return pd.DataFrame(rows, columns=["candidate", "probability", "chosen"])


def rank_frame(steps: Sequence[TokenStep]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"token": s.step, "rank": s.rank} for s in steps if s.rank > 1],
                        columns=["token", "rank"])


def entropy_frame(steps: Sequence[TokenStep]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"token": s.step, "entropy": s.entropy} for s in steps],
                        columns=["token", "entropy"])


def unlikely_text(steps: Sequence[TokenStep]) -> str:
    return ", ".join(f"'{printable(text)}' {rank}" for text, rank in unlikely_choices(steps))


def settings_from_values(values: dict[str, Any], stop_text: str, seed: Any) -> Settings:
    """Settings from the sliders (values outside a slider's range are refused by Settings)."""
    data = dict(values)
    data["stop"] = stop_text or ""
    data["seed"] = None if seed in (None, "") else int(seed)
    return Settings(**data)


def download_text(event: Any) -> str:
    name = event.url.rsplit("/", 1)[-1].split("?")[0]
    if event.finished:
        return f"✅ {name}: {event.done / 2**20:,.0f} MiB"
    share = f"{event.done * 100 // event.total}% · " if event.total else ""
    return f"⏬ {name}: {share}{event.done / 2**20:,.0f} / {(event.total or 0) / 2**20:,.0f} MiB"


def iframe(page: str, height: int = 420) -> str:
    """Show a whole HTML page inside the UI without letting its scripts reach the UI."""
    return (f'<iframe sandbox="" style="width:100%;height:{height}px;border:1px solid #444;'
            f'border-radius:6px;background:#fff" srcdoc="{html.escape(page, quote=True)}">'
            "</iframe>")
