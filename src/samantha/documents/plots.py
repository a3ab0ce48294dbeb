"""Learning-mode plots as PNG images (matplotlib, no screen needed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from samantha.core.trace import (
    TokenStep,
    candidate_bars,
    entropy_series,
    rank_series,
    visible,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CHOSEN, OTHER = "#e4572e", "#4c72b0"


def learning_figure(steps: Sequence[TokenStep], focus: int | None = None) -> Figure:
    """Three panels: the candidates of one step (the most uncertain one unless ``focus`` is a
    step number), the ranks of the tokens chosen although not the most likely, and the entropy
    along the response."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if not steps:
        raise ValueError("no tokens to plot")
    step = next((s for s in steps if s.step == focus), None) or max(steps, key=lambda s: s.entropy)
    figure = Figure(figsize=(10, 9), layout="constrained")
    bars_ax, ranks_ax, entropy_ax = figure.subplots(3, 1)

    bars = candidate_bars(step)
    bars_ax.bar(range(len(bars)), [b["p"] for b in bars],
                color=[CHOSEN if b["chosen"] else OTHER for b in bars])
    bars_ax.set_xticks(range(len(bars)), [b["label"] for b in bars], rotation=45, ha="right",
                       fontsize=8)
    bars_ax.set_xlabel("candidates, most likely first (rank. text, ␣ is a space)")
    bars_ax.set_ylabel("probability")
    bars_ax.set_title(f"Candidates for token {step.step} (chosen in orange: "
                      f"'{visible(step.piece)}', "
                      f"rank {step.rank})")

    ranks = rank_series(steps)
    if ranks:
        ranks_ax.stem([r["step"] for r in ranks], [r["rank"] for r in ranks])
        ranks_ax.set_ylim(0, max(r["rank"] for r in ranks) + 1)
    else:
        ranks_ax.text(0.5, 0.5, "none: every token chosen was the model's most likely one",
                      ha="center", va="center", transform=ranks_ax.transAxes)
        ranks_ax.set_yticks([])
    ranks_ax.set_xlim(0.5, len(steps) + 0.5)
    ranks_ax.set_xlabel("token")
    ranks_ax.set_ylabel("rank of the chosen token")
    ranks_ax.set_title(f"Tokens chosen although not the most likely: {len(ranks)} of "
                       f"{len(steps)}")

    series = entropy_series(steps)
    entropy_ax.plot([e["step"] for e in series], [e["entropy"] for e in series], color=OTHER,
                    marker="o" if len(series) < 40 else None, markersize=3)
    entropy_ax.set_xlim(0.5, len(steps) + 0.5)
    entropy_ax.set_xlabel("token")
    entropy_ax.set_ylabel("entropy (nats)")
    entropy_ax.set_title("How unsure the model was at each token")
    for axis in (ranks_ax, entropy_ax):
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    ranks_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def save_learning_plot(steps: Sequence[TokenStep], path: Path, focus: int | None = None) -> Path:
    learning_figure(steps, focus).savefig(path, dpi=100)
    return path
