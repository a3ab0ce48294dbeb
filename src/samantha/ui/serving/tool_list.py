"""The tools a tab started (JupyterLab, Datasette, D-Tale), for its Tools list, with a Stop for
each.

A tool opens only through a one-time link (see ``samantha.tools.door``), and each tab gets links
of its own: the tab that asked for a tool, and only it, is shown a link that lets its browser in.
The list is ``GET /samantha/tools/<token>``, the token being the tab's own secret (see
``live.py``); a link already used, or grown stale, is replaced by a fresh one when the list is
asked for again. Stopping one takes a ``POST`` with a header of ours, which another site's page
cannot send unasked. The page asks every two seconds while the Tools panel is open, so a tool
that ended on its own drops out.

When the UI starts, the tools that a Samantha on the same data home left running when it died
(``kill -9``, a crash) are found in the data home's ledger and stopped, in a thread of their own
so the page is not kept waiting.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from samantha.core.errors import SamanthaError
from samantha.ui.serving.live import logged_in
from samantha.ui.serving.runs import HEADER


class ToolList:
    def __init__(self, toolbox: Callable[[], Any], known: Callable[[str], bool]) -> None:
        self.toolbox, self.known = toolbox, known  # the Workbench's Toolbox, made when asked
        self._links: dict[str, dict[str, Any]] = {}  # tool id -> tab token -> the tab's Link
        self._lock = threading.Lock()

    def stop_orphans(self) -> threading.Thread:
        """Stop, in a thread of its own, the tools an earlier Samantha of this data home left
        running when it died."""
        sweep = threading.Thread(target=self._stop_orphans, daemon=True,
                                 name="samantha-tool-orphans")
        sweep.start()
        return sweep

    def started(self, token: str, tool: Any) -> Any:
        """The tab holding ``token`` asked for ``tool``: a link of its own, to open it with."""
        link = self.toolbox().link(tool.id, tool.page)
        with self._lock:
            self._links.setdefault(tool.id, {})[token] = link
        return link

    def listing(self, token: str) -> list[dict[str, str]]:
        with self._lock:
            mine = {tool_id: tabs[token] for tool_id, tabs in self._links.items()
                    if token in tabs}
        listed = []
        for tool in self.toolbox().running():
            if tool.id not in mine:
                continue
            try:
                link = self.toolbox().link(tool.id, mine[tool.id].page, mine[tool.id])
            except SamanthaError:  # stopped meanwhile
                continue
            with self._lock:
                if token in self._links.get(tool.id, {}):
                    self._links[tool.id][token] = link
            listed.append({"id": tool.id, "name": tool.name, "url": link.url,
                           "address": tool.base + link.page,
                           "started": tool.started.astimezone().strftime("%H:%M")})
        return listed

    def stop(self, token: str, tool_id: str) -> bool:
        with self._lock:
            if token not in self._links.get(tool_id, {}):
                return False
            self._links.pop(tool_id, None)
        return self.toolbox().stop(tool_id)

    def _stop_orphans(self) -> None:
        try:
            stopped, _ = self.toolbox().stop_orphans()
        except (OSError, SamanthaError) as exc:
            print(f"Could not look for tools left running by an earlier Samantha: {exc}",
                  file=sys.stderr, flush=True)
            return
        for entry in stopped:
            print(f"Stopped {entry.describe()}, left running by a Samantha that ended "
                  f"(process {entry.owner}).", file=sys.stderr, flush=True)

    # -- HTTP -------------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [Route("/samantha/tools/{token}", self.list_endpoint, methods=["GET"]),
                Route("/samantha/tools/{token}/{tool_id}/stop", self.stop_endpoint,
                      methods=["POST"])]

    def _refused(self, request: Request) -> Response | None:
        if not logged_in(request):
            return PlainTextResponse("Log in to Samantha first.", status_code=401)
        if not self.known(request.path_params["token"]):
            return PlainTextResponse("Not a tab of this server.", status_code=403)
        return None

    async def list_endpoint(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        tools = await run_in_threadpool(self.listing, request.path_params["token"])
        return JSONResponse(tools, headers={"Cache-Control": "no-store"})

    async def stop_endpoint(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        if request.headers.get(HEADER) != "stop":
            return PlainTextResponse(f"Stopping a tool needs the {HEADER} header.",
                                     status_code=403)
        params = request.path_params
        if not await run_in_threadpool(self.stop, params["token"], params["tool_id"]):
            return PlainTextResponse("No such tool of this tab.", status_code=404)
        return JSONResponse({"stopped": True})
