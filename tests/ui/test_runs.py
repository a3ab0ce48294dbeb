"""The Runs list: every run in progress in the server, listed and stopped over HTTP; a closed
tab's step-by-step run let go; a run waiting for the model saying which run has it."""

from __future__ import annotations

from types import SimpleNamespace

from starlette.applications import Starlette
from starlette.routing import Router
from starlette.testclient import TestClient

from samantha.core.control import STEP, UNATTENDED_STEP_SECONDS, RunControl
from samantha.core.progress import Progress
from samantha.ui.serving.runs import HEADER, ActiveRun, ActiveRuns
from samantha.ui.words.table import texts


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


def test_a_closed_tab_lets_go_of_its_own_runs_only() -> None:
    runs = ActiveRuns()
    mine, other = RunControl(STEP), RunControl(STEP)
    runs.add(ActiveRun(1, "a", ("default",), mine, Progress, tab="tab-1"))
    runs.add(ActiveRun(2, "b", ("default",), other, Progress, tab="tab-2"))
    runs.tab_closed("tab-1")
    runs.tab_closed("")  # a request without a session names no tab
    assert mine.tab_is_gone and not other.tab_is_gone


def test_a_waiting_run_says_which_run_has_the_model() -> None:
    t = texts("en")
    runs = ActiveRuns()
    step, free, waiting = RunControl(STEP), RunControl(), RunControl()
    runs.add(ActiveRun(4, "a", ("default",), step, Progress, tab="tab-1"))
    runs.add(ActiveRun(5, "b", ("default",), free, Progress, tab="tab-2"))
    holder: list[object | None] = [None]
    bench = SimpleNamespace(model_turn=SimpleNamespace(
        holder_for=lambda run: holder[0] if run is waiting else None))
    line = runs.waiting_line(waiting, bench, t)
    now = Progress(phase="reading", cycle=1, total=2)
    assert line(now) is None  # not waiting
    holder[0] = step
    assert line(now) == ("Cycle 1 of 2 · waiting for run 4 (step by step, in another tab) to "
                         "let the model go: press Next token there, or its Stop in the Runs list")
    step.tab_gone()
    assert line(now) == ("Cycle 1 of 2 · waiting for run 4 (step by step, its tab closed) to let "
                         f"the model go: it stops by itself {UNATTENDED_STEP_SECONDS:g} s after "
                         "its tab closed")
    holder[0] = SimpleNamespace(control=free)  # a lane of run 5
    assert line(now) == "Cycle 1 of 2 · waiting for run 5 to let the model go"
    holder[0] = SimpleNamespace(control=waiting)  # another cycle of the same run
    assert line(now) is None
    holder[0] = object()  # a branch, a what-if
    assert line(Progress()) == ("Waiting for the model: another answer in this Samantha is "
                                "using it")
    pt = runs.waiting_line(waiting, bench, texts("pt"))
    assert pt(now).startswith("Ciclo 1 de 2 · esperando o modelo")


def test_the_list_shows_a_runs_own_status_line() -> None:
    runs = ActiveRuns(lambda p: "described")
    runs.add(ActiveRun(3, "a", ("default",), RunControl(), Progress,
                       status=lambda: "waiting for run 2 to let the model go"))
    assert runs.listing()[0]["status"] == "waiting for run 2 to let the model go"


def test_the_help_says_when_a_step_run_stops_by_itself() -> None:
    for lang in ("en", "pt"):
        t = texts(lang)
        for key in ("runs_list", "next_token"):
            assert f"{UNATTENDED_STEP_SECONDS:g} s" in t[key].help


def test_a_run_on_remote_backends_says_which_are_up_busy_and_benched() -> None:
    """The status line (and so the Runs list) ends with the backends' states while the run
    goes; a run of local models says nothing of backends."""
    from samantha.core.placement import Placement
    from samantha.ui.serving.feed import RunFeed
    from samantha.ui.serving.runs import run_backends
    from samantha.ui.serving.session import UiSession
    from samantha.ui.words.wording import backends_text

    placement = Placement()
    for name in ("a", "b", "c"):
        placement.declare(name, 1)
    placement.take([("a", "m")])
    placement.take([("b", "m")])
    placement.done("b", "m", False)
    placement.take([("c", "m")])
    placement.done("c", "m", True)
    bench = SimpleNamespace(remotes=SimpleNamespace(placement=placement))
    assert run_backends(bench, ("default",)) == []
    states = run_backends(bench, ("default", "m@*"))
    assert [s.state for s in states] == ["busy", "benched", "up"]
    assert backends_text(states, texts("en")) == "backends up: 1, busy: 1, benched: 1"
    assert backends_text(states, texts("pt")) == "servidores prontos: 1, ocupados: 1, em pausa: 1"
    assert backends_text([], texts("en")) is None
    feed = RunFeed(UiSession(), chain=None, paced=False, describe=lambda p: "Cycle 1 of 4",
                   backends=lambda: backends_text(states, texts("en")))
    feed.tracker.now = Progress(phase="generating", cycle=1, total=4)
    assert feed.status == "Cycle 1 of 4 · backends up: 1, busy: 1, benched: 1"
    feed.tracker.now = Progress(phase="finished", status="finished")
    assert feed.status == "Cycle 1 of 4"
