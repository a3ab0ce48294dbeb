"""Failed logins slowed down, per client: an ASGI middleware around Gradio's ``/login``.

The first ``free`` wrong passwords in a row from one client address are answered at once; each
one after that waits twice as long as the one before (0.25 s, 0.5 s, 1 s, … up to ``longest``
seconds) before Gradio even checks it. A right password resets that client's count. Guessing a
password of 8 characters or more through the login page becomes hopeless, while a user who
mistypes a few times never notices.

The count holds under concurrency: an address has one login being checked at a time (a second
one meanwhile is answered 429 at once, without being checked), and each attempt counts as
failed from the moment it arrives until it succeeds. Sending 500 passwords at once thus checks
one. The user at the computer is never held up by someone guessing from the same address (say,
another program on this computer): the address with the key that Samantha prints logs in without
the form (see ``doors.py``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from typing import Any

LOGIN_PATHS = ("/login", "/login/")
MIN_PASSWORD = 8  # characters; shorter passwords are refused when the UI starts
BUSY = ("One login at a time from an address: wait for the answer to the last one (or open "
        "the address with the key that Samantha printed when it started).")


class LoginThrottle:
    def __init__(self, app: Any, free: int = 5, first: float = 0.25, longest: float = 8.0,
                 remembered: int = 1024) -> None:
        self.app = app
        self.free, self.first, self.longest, self.remembered = free, first, longest, remembered
        self.failures: OrderedDict[str, int] = OrderedDict()
        self.checking: set[str] = set()  # addresses with a login being checked

    def delay(self, client: str) -> float:
        """Seconds the next login of ``client`` waits before it is checked."""
        extra = self.failures.get(client, 0) - self.free
        return 0.0 if extra < 0 else min(self.first * 2 ** extra, self.longest)

    def _failed(self, client: str) -> None:
        self.failures[client] = self.failures.get(client, 0) + 1
        self.failures.move_to_end(client)
        while len(self.failures) > self.remembered:  # many addresses: forget the oldest
            self.failures.popitem(last=False)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or \
                scope["path"] not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if client in self.checking:
            await _busy(send)
            return
        self.checking.add(client)
        try:
            wait = self.delay(client)
            self._failed(client)  # until it succeeds: a dropped request counts too
            if wait:
                await asyncio.sleep(wait)
            status: dict[str, int] = {}

            async def watch(message: dict) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            await self.app(scope, receive, watch)
            if status.get("code") == 200:
                self.failures.pop(client, None)
        finally:
            self.checking.discard(client)


async def _busy(send: Any) -> None:
    body = BUSY.encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", b"1")]})
    await send({"type": "http.response.body", "body": body})


def gradio_logged_in(scope: dict) -> bool:
    """Does this request carry a login of Gradio's (``scope["app"]`` is Gradio's app)?"""
    app = scope.get("app")
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", {})
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name.lower() == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, found = part.strip().partition("=")
                cookies.setdefault(key, found)
    token = (cookies.get(f"access-token-{cookie_id}")
             or cookies.get(f"access-token-unsecure-{cookie_id}"))
    return token is not None and token in tokens


def gradio_log_in(scope: dict, user: str = "samantha") -> list[tuple[str, str]]:
    """A login of Gradio's for ``user``, made as its login form would: the cookie to set."""
    app = scope["app"]
    token = secrets.token_urlsafe(16)
    app.tokens[token] = user
    return [(f"access-token-unsecure-{app.cookie_id}", token)]
