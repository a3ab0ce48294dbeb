"""The runs in progress in this server, for the Runs list every tab shows, with a Stop for each.

A run belongs to the tab that started it, but it goes on when that tab is closed or reloaded
(chains run unattended), so any tab must be able to see it and stop it. The list is served as
JSON beside Gradio (``GET /samantha/runs``) and polled by the page every two seconds: a Gradio
update per poll would cost every open tab ~25 ms of work. Stopping takes a ``POST`` with a
header of ours, which a page of another site cannot send without the browser asking first.

A run that waits for the model (another run has it) says which run it waits for, in its tab's
status line and in the list; a step-by-step run whose tab is gone stops by itself
(:meth:`ActiveRuns.tab_closed`, see :mod:`samantha.core.control`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from samantha.core.backend_specs import parse_ref
from samantha.core.control import STEP, RunControl
from samantha.core.placement import BackendStatus
from samantha.core.progress import Progress
from samantha.ui.serving.live import logged_in
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

HEADER = "X-Samantha-Request"


@dataclass
class ActiveRun:
    id: int
    title: str
    models: tuple[str, ...]
    control: RunControl
    progress: Callable[[], Progress]
    started: float = field(default_factory=time.time)
    tab: str = ""  # the tab that started it (its live-stream token)
    status: Callable[[], str] | None = None  # its status line (else described from progress)


class ActiveRuns:
    """Which runs are going on in this server (one per busy tab)."""

    def __init__(self, describe: Callable[[Progress], str] = lambda p: p.phase) -> None:
        self.describe = describe  # a run's progress in the interface's language
        self._runs: dict[int, ActiveRun] = {}
        self._lock = threading.Lock()

    def add(self, run: ActiveRun) -> None:
        with self._lock:
            self._runs[run.id] = run

    def remove(self, run_id: int) -> None:
        with self._lock:
            self._runs.pop(run_id, None)

    def stop(self, run_id: int) -> bool:
        with self._lock:
            run = self._runs.get(run_id)
        if run is not None:
            run.control.stop_run()
        return run is not None

    def tab_closed(self, tab: str) -> None:
        """The tab ``tab`` is gone (closed or reloaded): its runs go on unattended, except one
        paced token by token, which stops by itself (nobody is left to press Next token)."""
        with self._lock:
            runs = [r for r in self._runs.values() if tab and r.tab == tab]
        for run in runs:
            run.control.tab_gone()

    def waiting_line(self, control: RunControl, bench: Workbench, t: Mapping[str, Text]
                     ) -> Callable[[Progress], str | None]:
        """The status line of the run of ``control`` while it waits for the model ``bench``
        has lent to another generation (None while it does not wait)."""
        def line(progress: Progress) -> str | None:
            turn = getattr(bench, "model_turn", None)
            holder = turn.holder_for(control) if turn is not None else None
            if holder is None:
                return None
            holder = getattr(holder, "control", holder)  # a lane's cancel: its run's control
            if holder is control:  # another cycle of the same run (--concurrency)
                return None
            with self._lock:
                run = next((r for r in self._runs.values() if r.control is holder), None)
            return waiting_text(t, progress, run)
        return line

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            runs = sorted(self._runs.values(), key=lambda r: r.id)
        return [{"id": r.id, "title": r.title, "models": list(r.models),
                 "status": r.status() if r.status else self.describe(r.progress()),
                 "stopping": r.control.run_stopped} for r in runs]

    # -- HTTP -------------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [Route("/samantha/runs", self.list_endpoint, methods=["GET"]),
                Route("/samantha/runs/{run_id:int}/stop", self.stop_endpoint, methods=["POST"])]

    async def list_endpoint(self, request: Request) -> Response:
        if not logged_in(request):
            return PlainTextResponse("Log in to Samantha first.", status_code=401)
        return JSONResponse(self.listing(), headers={"Cache-Control": "no-store"})

    async def stop_endpoint(self, request: Request) -> Response:
        if not logged_in(request):
            return PlainTextResponse("Log in to Samantha first.", status_code=401)
        if request.headers.get(HEADER) != "stop":
            return PlainTextResponse(f"Stopping a run needs the {HEADER} header.",
                                     status_code=403)
        if not self.stop(request.path_params["run_id"]):
            return PlainTextResponse("No such run in progress.", status_code=404)
        return JSONResponse({"stopping": True})


def run_backends(bench: Workbench, models: Sequence[str]) -> list[BackendStatus]:
    """The states of the remote backends in use, for a run with remote models (none else)."""
    if not any(parse_ref(model) is not None for model in models):
        return []
    return [s for s in bench.remotes.placement.status() if s.cycles or s.busy]


def waiting_text(t: Mapping[str, Text], progress: Progress, holder: ActiveRun | None) -> str:
    """``Cycle 1 of 1 · waiting for run 4 (step by step, in another tab) to let the model
    go…``: what a run waits for, when another generation has the model."""
    if holder is None:  # a branch, a what-if: an answer of no run in this list
        detail = t["status_waiting_model"].label
    elif holder.control.pace != STEP:
        detail = t["status_waiting_run"].label.format(run=holder.id)
    elif holder.control.tab_is_gone:
        detail = t["status_waiting_closed"].label.format(
            run=holder.id, seconds=f"{holder.control.unattended:g}")
    else:
        detail = t["status_waiting_step"].label.format(run=holder.id)
    if not progress.cycle:
        return detail[:1].upper() + detail[1:]
    return t["status_cycle"].label.format(cycle=progress.cycle, total=progress.total) + \
        " · " + detail
