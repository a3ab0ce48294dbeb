"""The Runs list: every run in progress in the server, listed and stopped over HTTP."""

from __future__ import annotations

from types import SimpleNamespace

from starlette.applications import Starlette
from starlette.routing import Router
from starlette.testclient import TestClient

from samantha.core.control import RunControl
from samantha.core.progress import Progress
from samantha.ui.runs import HEADER, ActiveRun, ActiveRuns


def registry() -> tuple[ActiveRuns, RunControl]:
    runs = ActiveRuns(lambda p: f"cycle {p.cycle}")
    control = RunControl()
    runs.add(ActiveRun(7, "Who are you?", ("default",), control,
                       lambda: Progress(phase="generating", cycle=2)))
    return runs, control


def test_runs_are_listed_with_their_status_and_stopped_with_the_header() -> None:
    runs, control = registry()
    with TestClient(Starlette(routes=runs.routes())) as client:
        listed = client.get("/samantha/runs").json()
        assert listed == [{"id": 7, "title": "Who are you?", "models": ["default"],
                           "status": "cycle 2", "stopping": False}]
        refused = client.post("/samantha/runs/7/stop")  # what a page of another site can send
        assert refused.status_code == 403 and not control.run_stopped
        assert client.post("/samantha/runs/8/stop", headers={HEADER: "stop"}).status_code == 404
        assert client.post("/samantha/runs/7/stop", headers={HEADER: "stop"}).status_code == 200
    assert control.run_stopped and runs.listing()[0]["stopping"]
    runs.remove(7)
    assert runs.listing() == []


def test_with_a_password_the_list_needs_the_login() -> None:
    runs, control = registry()

    async def locked_app(scope, receive, send):  # the route sees Gradio's app as request.app
        scope["app"] = SimpleNamespace(auth=[("samantha", "pw")], auth_dependency=None,
                                       tokens={}, cookie_id="x")
        await Router(routes=runs.routes())(scope, receive, send)

    with TestClient(locked_app) as client:
        assert client.get("/samantha/runs").status_code == 401
        assert client.post("/samantha/runs/7/stop", headers={HEADER: "stop"}).status_code == 401
    assert not control.run_stopped
