"""What was said of a run's answers, written into its exports: the leaderboard, then each
answer's checks, judgements and votes (Markdown, so the HTML page and the notebook get the same;
JSON as plain values). Judges' reasons and check details are model- or user-written: in Markdown
they are escaped to plain text on one line, and the HTML page sanitises what is left."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Sequence

from samantha.core.leaderboard import Leaderboard
from samantha.core.records import CheckRecord, JudgementRecord, RunRecord, VoteRecord
from samantha.documents.export import inline_text
from samantha.documents.leaderboard import board_dict, board_markdown


@dataclass(frozen=True)
class RunResults:
    """A run's stored judgements, checks and votes, and its leaderboard."""

    board: Leaderboard
    judgements: Sequence[JudgementRecord] = field(default=())
    checks: Sequence[CheckRecord] = field(default=())
    votes: Sequence[VoteRecord] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.judgements or self.checks or self.votes)


def results_markdown(run: RunRecord, results: RunResults) -> str:
    """The results section of a run's Markdown export ("" when nothing was said)."""
    if results.empty:
        return ""
    number = {c.id: f"{c.number} ({inline_text(c.model)})" for c in run.cycles}
    parts = [board_markdown(results.board, "Results")]
    if results.checks:
        parts.append("### Checks\n\n" + "\n".join(
            f"- Cycle {number.get(c.cycle_id, '?')}: "
            f"{ {True: 'passed', False: 'FAILED', None: 'not checked'}[c.passed]} "
            f"{inline_text(c.spec[:80])}: {inline_text(c.detail)}" for c in results.checks))
    if results.judgements:
        lines = []
        for j in results.judgements:
            said = (", ".join(f"{inline_text(k)} {v}" for k, v in j.scores.items())
                    if j.scores is not None else f"unread ({inline_text(j.problem or '')})")
            reason = f" — {inline_text(j.reason)}" if j.reason else ""
            lines.append(f"- Cycle {number.get(j.cycle_id, '?')}, judged by "
                         f"{inline_text(j.judge)}: {said}{reason}")
        parts.append("### Judgements\n\n" + "\n".join(lines))
    if results.votes:
        parts.append("### Votes\n\n" + "\n".join(
            f"- Cycle {number.get(v.first_cycle, '?')} (shown first) vs cycle "
            f"{number.get(v.second_cycle, '?')}, by {inline_text(v.voter)}: "
            f"{v.winner or 'unread (' + inline_text(v.problem or '') + ')'}"
            for v in results.votes))
    return "\n\n".join(part.rstrip() for part in parts) + "\n"


def results_dict(results: RunResults) -> dict[str, Any]:
    """The results as plain values, for the JSON export."""
    return {"leaderboard": board_dict(results.board),
            "judgements": [dataclasses.asdict(j) for j in results.judgements],
            "checks": [dataclasses.asdict(c) for c in results.checks],
            "votes": [dataclasses.asdict(v) for v in results.votes]}
