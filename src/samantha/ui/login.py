"""Failed logins slowed down, per client: an ASGI middleware around Gradio's ``/login``.

The first ``free`` wrong passwords in a row from one client address are answered at once; each
one after that waits twice as long as the one before (0.25 s, 0.5 s, 1 s, … up to ``longest``
seconds) before Gradio even checks it. A right password resets that client's count. Guessing a
password of 8 characters or more through the login page becomes hopeless, while a user who
mistypes a few times never notices.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

LOGIN_PATHS = ("/login", "/login/")
MIN_PASSWORD = 8  # characters; shorter passwords are refused when the UI starts


class LoginThrottle:
    def __init__(self, app: Any, free: int = 5, first: float = 0.25, longest: float = 8.0,
                 remembered: int = 1024) -> None:
        self.app = app
        self.free, self.first, self.longest, self.remembered = free, first, longest, remembered
        self.failures: OrderedDict[str, int] = OrderedDict()

    def delay(self, client: str) -> float:
        """Seconds the next login of ``client`` waits before it is checked."""
        extra = self.failures.get(client, 0) - self.free
        return 0.0 if extra < 0 else min(self.first * 2 ** extra, self.longest)

    def _count(self, client: str, succeeded: bool) -> None:
        if succeeded:
            self.failures.pop(client, None)
            return
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
        wait = self.delay(client)
        if wait:
            await asyncio.sleep(wait)
        status: dict[str, int] = {}

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        self._count(client, status.get("code") == 200)
