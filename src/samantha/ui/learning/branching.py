"""A branch streamed beside its original answer: the Chat tab's candidates and the History
tab's trace viewer both start one (see :mod:`samantha.workbench.branches`)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from samantha.core.answer_events import TokenEvent
from samantha.core.errors import SamanthaError
from samantha.core.run_events import CycleFinished
from samantha.ui import views
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

BRANCH_MORE = 40  # tokens a branch writes after its candidate, unless told


def stream_branch(bench: Workbench, t: Mapping[str, Text], point: Any,
                  more: int | None = BRANCH_MORE) -> Iterator[str]:
    """The original answer and the branch from ``point`` (a BranchPoint) side by side, as the
    branch grows; the last one says where the branch was stored."""
    from samantha.workbench.branches import BranchStarted, find_parent, run_branch

    text, branch_id = "", None
    try:
        original = find_parent(bench, point).cycle.response
        for event in run_branch(bench, point, {}, more):
            if isinstance(event, BranchStarted):
                branch_id = event.run_id
            elif isinstance(event, TokenEvent):
                text += event.text
                if event.index % 8 == 0:
                    yield views.side_by_side(original, text, t)
            elif isinstance(event, CycleFinished):
                text = event.result.text
    except SamanthaError as exc:
        yield f"<p>⚠️ {html.escape(str(exc))}</p>"
        return
    note = t["msg_branch_stored"].label.format(
        run=branch_id, parent=point.run, cycle=point.cycle, step=point.step)
    yield views.side_by_side(original, text, t, note)
