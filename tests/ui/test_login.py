"""Failed logins slowed down per client (the middleware around Gradio's /login)."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from samantha.ui.serving.login import LoginThrottle


def gradio(password: str = "right"):
    async def app(scope, receive, send):  # a login route: 200 for the right password
        await send({"type": "http.response.start", "headers": [],
                    "status": 200 if scope["password"] == password else 400})
        await send({"type": "http.response.body", "body": b""})
    return app


def attempt(throttle: LoginThrottle, password: str, client: str = "10.0.0.1") -> float:
    scope = {"type": "http", "method": "POST", "path": "/login", "client": (client, 1),
             "password": password}

    async def nothing(message):
        pass

    started = time.monotonic()
    # on a loop of its own thread: the browser tests' Playwright keeps one on the main thread
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(throttle(scope, None, nothing))).result()
    return time.monotonic() - started


def test_the_delay_doubles_after_the_free_attempts() -> None:
    throttle = LoginThrottle(gradio(), free=5, first=0.25, longest=8.0)
    delays = []
    for _ in range(12):
        delays.append(throttle.delay("10.0.0.1"))
        throttle._failed("10.0.0.1")
    assert delays == [0, 0, 0, 0, 0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert throttle.delay("10.0.0.2") == 0  # per client


def test_a_right_password_resets_the_count_and_other_paths_pass_untouched() -> None:
    throttle = LoginThrottle(gradio(), free=1, first=0.05, longest=0.05)
    attempt(throttle, "wrong")
    attempt(throttle, "wrong")
    assert throttle.delay("10.0.0.1") == 0.05 and attempt(throttle, "right") >= 0.05
    assert throttle.delay("10.0.0.1") == 0
    for _ in range(3):
        attempt(throttle, "wrong", client=f"10.1.0.{_}")
    assert len(throttle.failures) == 3


def test_remembers_a_bounded_number_of_clients() -> None:
    throttle = LoginThrottle(gradio(), remembered=2)
    for client in ("a", "b", "c"):
        throttle._failed(client)
    assert list(throttle.failures) == ["b", "c"]


def test_concurrent_wrong_passwords_from_one_address_check_one_at_a_time() -> None:
    """500 wrong passwords sent at once: one is checked, the others are answered 429 without
    being checked; the count still grows, so the next attempt waits."""
    checked = []

    async def slow_gradio(scope, receive, send):
        checked.append(scope["password"])
        await asyncio.sleep(0.05)  # the password hash takes time
        await send({"type": "http.response.start", "headers": [], "status": 400})
        await send({"type": "http.response.body", "body": b""})

    throttle = LoginThrottle(slow_gradio, free=5, first=0.25, longest=8.0)
    statuses = []

    async def one(i: int) -> None:
        scope = {"type": "http", "method": "POST", "path": "/login",
                 "client": ("127.0.0.1", 40000 + i), "password": f"guess {i}"}

        async def watch(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        await throttle(scope, None, watch)

    async def all_at_once() -> None:
        await asyncio.gather(*(one(i) for i in range(500)))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(all_at_once())).result()
    assert len(checked) == 1 and statuses.count(400) == 1 and statuses.count(429) == 499
    assert throttle.failures["127.0.0.1"] == 1
    for _ in range(5):  # the next ones, one after another, are slowed as before
        throttle._failed("127.0.0.1")
    assert throttle.delay("127.0.0.1") == 0.5
