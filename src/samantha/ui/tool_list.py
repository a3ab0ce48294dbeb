"""The tools a tab started (JupyterLab, Datasette, D-Tale), for its Tools list, with a Stop for
each.

A tool's address can carry its secret (JupyterLab's token runs code as you), so, unlike the
Runs list, a tab is shown only the tools it started (or asked for again): ``GET
/samantha/tools/<token>``, the token being the tab's own secret (see ``live.py``). Stopping one
takes a ``POST`` with a header of ours, which another site's page cannot send unasked. The page
asks every two seconds while the Tools panel is open, so a tool that ended on its own drops out.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from samantha.ui.live import logged_in
from samantha.ui.runs import HEADER


class ToolList:
    def __init__(self, toolbox: Callable[[], Any], known: Callable[[str], bool]) -> None:
        self.toolbox, self.known = toolbox, known  # the Workbench's Toolbox, made when asked
        self._owners: dict[str, set[str]] = {}  # tool id -> the tokens of the tabs it serves
        self._lock = threading.Lock()

    def started(self, token: str, tool: Any) -> None:
        with self._lock:
            self._owners.setdefault(tool.id, set()).add(token)

    def listing(self, token: str) -> list[dict[str, str]]:
        with self._lock:
            mine = {tool_id for tool_id, tokens in self._owners.items() if token in tokens}
        return [{"id": tool.id, "name": tool.name, "url": tool.url,
                 "started": tool.started.astimezone().strftime("%H:%M")}
                for tool in self.toolbox().running() if tool.id in mine]

    def stop(self, token: str, tool_id: str) -> bool:
        with self._lock:
            if token not in self._owners.get(tool_id, ()):
                return False
            self._owners.pop(tool_id, None)
        return self.toolbox().stop(tool_id)

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
