"""The runs in progress in this server, for the Runs list every tab shows, with a Stop for each.

A run belongs to the tab that started it, but it goes on when that tab is closed or reloaded
(chains run unattended), so any tab must be able to see it and stop it. The list is served as
JSON beside Gradio (``GET /samantha/runs``) and polled by the page every two seconds: a Gradio
update per poll would cost every open tab ~25 ms of work. Stopping takes a ``POST`` with a
header of ours, which a page of another site cannot send without the browser asking first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from samantha.core.control import RunControl
from samantha.core.progress import Progress
from samantha.ui.live import logged_in

HEADER = "X-Samantha-Request"


@dataclass
class ActiveRun:
    id: int
    title: str
    models: tuple[str, ...]
    control: RunControl
    progress: Callable[[], Progress]
    started: float = field(default_factory=time.time)


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

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            runs = sorted(self._runs.values(), key=lambda r: r.id)
        return [{"id": r.id, "title": r.title, "models": list(r.models),
                 "status": self.describe(r.progress()),
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
