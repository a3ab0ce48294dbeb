"""The live text stream: what it sends, to whom, and when it ends."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from starlette.applications import Starlette
from starlette.routing import Router
from starlette.testclient import TestClient

from samantha.ui.serving.feed import RunFeed
from samantha.ui.serving.live import LiveText, logged_in
from samantha.ui.serving.session import UiSession


class FakeFeed:
    """A run whose text grows by the given steps, one per read, then is done."""

    def __init__(self, *texts: str, show: bool = True, status: str = "working") -> None:
        self.texts = list(texts)
        self.reads = 0
        self.show = show
        self.status = status

    @property
    def done(self) -> bool:
        return self.reads >= len(self.texts) - 1

    @property
    def text(self) -> str:
        text = self.texts[min(self.reads, len(self.texts) - 1)]
        self.reads += 1
        return text

    def panel(self) -> str | None:
        return None

    def when_done(self, wake) -> None:
        pass  # its reads end it


def run_async(make_coroutine):
    """Runs a coroutine on a loop of its own thread (the browser tests' Playwright session keeps
    an event loop running on the main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def collect(live: LiveText, session: str) -> list[dict]:
    async def run() -> list[dict]:
        return [json.loads(m.removeprefix("data: ")) async for m in live.events(session)]

    return run_async(run)


def test_the_whole_text_first_then_what_was_added_then_done() -> None:
    live = LiveText(interval=0)
    live.attach("tab", FakeFeed("ab", "abcd", "abcd", "abcdef"))
    sent = {"show": True, "status": "working"}
    assert collect(live, "tab") == [{"offset": 0, "text": "ab", **sent},
                                    {"offset": 2, "text": "cd", **sent},
                                    {"offset": 4, "text": "ef", **sent},
                                    {"done": True, "status": "working"}]


def test_the_runs_end_is_sent_at_once_not_at_the_next_tick() -> None:
    release = threading.Event()

    class Chain:  # a run that ends when released
        id = 1

        def __iter__(self):
            release.wait(30)
            return iter(())

    feed = RunFeed(UiSession(), Chain(), paced=False)
    live = LiveText(interval=3600)  # an hour between ticks: only the end can wake the stream
    live.attach("tab", feed)
    feed.start()
    messages: list[dict] = []
    stream = threading.Thread(target=lambda: messages.extend(collect(live, "tab")), daemon=True)
    stream.start()
    stream.join(0.3)
    assert stream.is_alive()  # the run goes on: the stream waits
    release.set()
    stream.join(30)
    assert not stream.is_alive(), "the stream slept through the run's end"
    assert messages[-1]["done"] is True
    woken: list[bool] = []
    feed.when_done(lambda: woken.append(True))  # asked after the end: called at once
    assert woken == [True]


def test_a_new_status_is_sent_even_when_the_text_stays_the_same() -> None:
    class Loading(FakeFeed):
        @property
        def status(self) -> str:
            return "loading" if self.reads < 2 else "cycle 1"

        @status.setter
        def status(self, value: str) -> None:
            pass

    live = LiveText(interval=0)
    live.attach("tab", Loading("", "", "", "ab"))
    messages = collect(live, "tab")
    assert [m["status"] for m in messages] == ["loading", "cycle 1", "cycle 1", "cycle 1"]
    assert messages[1]["text"] == "" and messages[2]["text"] == "ab"


def test_learning_modes_panel_is_sent_when_it_changes_even_if_the_text_does_not() -> None:
    class Learning(FakeFeed):
        panels = ["<p>1</p>", "<p>1</p>", "<p>2</p>", "<p>2</p>"]

        def panel(self) -> str | None:
            return self.panels[min(self.reads, len(self.panels)) - 1]

    live = LiveText(interval=0, panel_every=1)
    live.attach("tab", Learning("a", "ab", "ab", "abc"))
    messages = collect(live, "tab")
    assert [(m.get("text"), m.get("panel")) for m in messages] == [
        ("a", "<p>1</p>"), ("b", None), ("", "<p>2</p>"), ("c", None), (None, None)]

    class EveryToken(Learning):
        panels = ["<p>1</p>", "<p>2</p>", "<p>3</p>", "<p>4</p>"]

    live = LiveText(interval=0, panel_every=2)  # read at every other update only
    live.attach("tab", EveryToken("a", "ab", "abc", "abcd"))
    messages = collect(live, "tab")
    assert [(m.get("text"), m.get("panel")) for m in messages] == [
        ("a", "<p>1</p>"), ("b", None), ("c", "<p>3</p>"), ("d", None), (None, None)]


def test_in_fast_mode_the_page_is_told_not_to_show_the_text() -> None:
    live = LiveText(interval=0)
    live.attach("tab", FakeFeed("ab", "abcd", show=False))
    assert [m.get("show") for m in collect(live, "tab")] == [False, False, None]


def test_a_cleared_output_is_sent_again_whole() -> None:
    live = LiveText(interval=0)
    cleared = "new text that is longer than fifty characters ....."
    live.attach("tab", FakeFeed("x" * 50, cleared))
    assert collect(live, "tab")[1] == {"offset": 0, "text": cleared, "show": True,
                                       "status": "working"}


def test_each_tab_gets_its_own_run() -> None:
    live = LiveText(interval=0)
    live.attach("one", FakeFeed("first tab"))
    live.attach("two", FakeFeed("second tab"))
    assert collect(live, "two")[0]["text"] == "second tab"
    assert collect(live, "one")[0]["text"] == "first tab"


def test_a_request_waits_for_its_run_and_gives_up_after_a_while() -> None:
    live = LiveText(interval=0, wait=0.3)
    assert collect(live, "nobody") == [{"done": True}]

    async def late_start() -> list[str]:
        async def attach_later() -> None:
            await asyncio.sleep(0.1)
            live.attach("late", FakeFeed("hello"))

        task = asyncio.create_task(attach_later())
        messages = [m async for m in live.events("late")]
        await task
        return messages

    assert '"hello"' in run_async(late_start)[0]


def test_detach_forgets_only_the_same_run() -> None:
    live = LiveText(interval=0, wait=0)
    old, new = FakeFeed("old"), FakeFeed("new")
    live.attach("tab", old)
    live.attach("tab", new)
    live.detach("tab", old)  # a finished run must not take its successor away
    assert collect(live, "tab")[0]["text"] == "new"
    live.detach("tab", new)
    assert collect(live, "tab") == [{"done": True}]


def test_the_route_streams_server_sent_events() -> None:
    live = LiveText(interval=0)
    token = live.token_for("session")
    live.attach(token, FakeFeed("streamed"))
    with TestClient(Starlette(routes=[live.route()])) as client:
        response = client.get(f"/samantha/live/{token}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text == ('data: {"offset": 0, "text": "streamed", "show": true, '
                             '"status": "working"}\n\n'
                             'data: {"done": true, "status": "working"}\n\n')


def test_with_a_password_only_a_logged_in_browser_may_listen() -> None:
    def request(cookies: dict, **app: object) -> SimpleNamespace:
        return SimpleNamespace(app=SimpleNamespace(**app), cookies=cookies)

    assert logged_in(request({}, auth=None, auth_dependency=None))
    locked = {"auth": [("samantha", "pw")], "auth_dependency": None, "cookie_id": "c",
              "tokens": {"good": "samantha"}}
    assert not logged_in(request({}, **locked))
    assert not logged_in(request({"access-token-c": "forged"}, **locked))
    assert logged_in(request({"access-token-c": "good"}, **locked))
    assert logged_in(request({"access-token-unsecure-c": "good"}, **locked))
    assert not logged_in(request({"access-token-c": "good"}, auth=[("a", "b")]))  # fail closed

    live = LiveText(interval=0, wait=0)

    async def locked_app(scope, receive, send):  # the route sees Gradio's app as request.app
        scope["app"] = SimpleNamespace(**locked)
        await live.route().handle(scope, receive, send)

    assert TestClient(locked_app).get("/samantha/live/tab").status_code == 401


def test_each_gradio_session_gets_its_own_secret_token() -> None:
    live = LiveText(remembered=2)
    first = live.token_for("session-a")
    assert live.token_for("session-a") == first and len(first) >= 32
    assert live.token_for("session-b") != first
    live.token_for("session-c")  # a third tab: the oldest is forgotten
    assert live.token_for("session-a") != first


def test_a_stream_bound_to_a_login_refuses_another_login() -> None:
    live = LiveText(interval=0, wait=0)
    locked = {"auth": [("samantha", "pw")], "auth_dependency": None, "cookie_id": "c",
              "tokens": {"mine": "samantha", "theirs": "samantha"}}
    secret = live.token_for("session")
    live.attach(secret, FakeFeed("text"), login="mine")

    async def locked_app(scope, receive, send):
        scope["app"] = SimpleNamespace(**locked)
        await Router(routes=[live.route()])(scope, receive, send)

    client = TestClient(locked_app)
    client.cookies.set("access-token-c", "theirs")
    assert client.get(f"/samantha/live/{secret}").status_code == 403
    client.cookies.set("access-token-c", "mine")
    answer = client.get(f"/samantha/live/{secret}")
    assert answer.status_code == 200 and '"text": "text"' in answer.text


def test_a_made_up_token_is_answered_at_once_and_a_tab_waits_at_most_twice() -> None:
    """1,000 requests for tokens nobody was given cost nothing: each is answered 404 at once
    (they used to wait 10 s each, polling, and slowed every other request)."""
    live = LiveText(interval=0, wait=60)
    with TestClient(Starlette(routes=[live.route()])) as client:
        started = time.monotonic()
        for i in range(1000):
            assert client.get(f"/samantha/live/made-up-{i}").status_code == 404
        assert time.monotonic() - started < 30  # not 1,000 × 60 s

    token = live.token_for("session")

    async def three_at_once() -> list[int]:
        router = Router(routes=[live.route()])
        statuses: list[int] = []

        async def one() -> None:
            scope = {"type": "http", "method": "GET", "path": f"/samantha/live/{token}",
                     "headers": [], "query_string": b"", "app": SimpleNamespace(auth=None)}

            async def receive():
                await asyncio.sleep(3600)

            async def send(message):
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            await router(scope, receive, send)

        waiting = [asyncio.ensure_future(one()) for _ in range(3)]
        await asyncio.sleep(0.3)
        assert statuses == [429]  # the third is refused; two wait for the tab's run
        live.attach(token, FakeFeed("done"))
        await asyncio.wait_for(asyncio.gather(*waiting), 10)
        return statuses

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (Playwright may hold this one)
        statuses = pool.submit(lambda: asyncio.run(three_at_once())).result()
    assert sorted(statuses) == [200, 200, 429]


def test_a_pages_token_is_handed_out_once_per_session() -> None:
    live = LiveText()
    token = live.hand_out("session-a")
    assert len(token) >= 32 and live.knows(token)
    assert live.hand_out("session-a") == ""  # a client that names the same session: nothing
    assert live.hand_out("") == ""
    assert live.token_for("session-a") == token  # the server still knows the tab's token
    assert live.hand_out("session-b") not in ("", token)


def test_a_run_the_full_disk_stopped_is_shown_interrupted_not_failed() -> None:
    from samantha.store.errors import DiskFullError
    from samantha.ui.words.table import texts
    from samantha.ui.words.wording import status_text

    class Chain:
        id = 3

        def __iter__(self):
            raise DiskFullError(None, "for run 3", run_id=3)

    class Broken:
        id = 4

        def __iter__(self):
            raise RuntimeError("a bug")

    t = texts("en")
    for chain, status in ((Chain(), "interrupted"), (Broken(), "failed")):
        feed = RunFeed(UiSession(), chain, paced=False)
        feed.start()
        deadline = time.monotonic() + 10
        while not feed.done and time.monotonic() < deadline:
            time.sleep(0.01)
        assert feed.progress.status == status
    assert status_text(feed.progress, t) == "Run failed."
    interrupted = RunFeed(UiSession(), Chain(), paced=False)
    interrupted.start()
    while not interrupted.done:
        time.sleep(0.01)
    assert "resume it from History" in status_text(interrupted.progress, t)
