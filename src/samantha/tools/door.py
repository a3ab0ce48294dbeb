"""The door of a tool Samantha starts (JupyterLab, Datasette, D-Tale): who may come in.

Standard library only: this module also runs inside the tools' own processes (JupyterLab's may
be the analysis environment's Python, which loads it from its file).

Each running tool has a door: a folder of its own (mode 0700) that Samantha makes before the tool
starts and names to it in ``SAMANTHA_DOOR``. It holds

- ``secret``: random, never handed to a page. Samantha's own requests (the readiness check)
  carry it as ``Authorization: Bearer …``.
- ``tickets/``: one empty file per one-time ticket, named by the ticket's SHA-256 (the folder
  never holds a ticket itself). A tab's link carries a ticket. The tool redeems it by deleting
  that file (so only one request can), if it is younger than :data:`TICKET_SECONDS`, and answers
  with a cookie that lets that browser in from then on.

So a tool's secret goes to no page, a link opens the tool once, for the tab it was made for, and a
local process without a link (or sandboxed code) gets nothing. Every door also refuses a request
whose Host is not this computer's loopback (127.0.0.1, ::1, localhost): a web page reaching the
tool through DNS rebinding names its own host.

:class:`WsgiDoor` and :class:`AsgiDoor` put a door in front of a WSGI (D-Tale's Flask) or ASGI
(Datasette) application; JupyterLab's door is an identity provider of its own (see
``inside/jupyter_config.py``), with Jupyter's own Host check.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV = "SAMANTHA_DOOR"  # the environment variable naming a tool's door folder
# A link is for opening now. One left unused in a page goes stale after ten minutes; the tab's
# Tools list then shows a fresh one.
TICKET_SECONDS = 600.0
# A ticket is 32 characters; what is longer is not one of ours, and is refused before it is
# hashed (a link is not a way to make a tool hash megabytes).
MAX_TICKET_CHARS = 100
ENTER = "/samantha-door/enter"  # where a ticket is redeemed (Datasette, D-Tale)
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
REFUSED_HOST = ("This tool answers only on this computer's own address (127.0.0.1 or "
                "localhost), and this request named another host.\n")
NOT_ADMITTED = ("This tool opens only through the link Samantha gives the tab that started it: "
                "press the tool's button in Samantha's Tools panel again. / Esta ferramenta só "
                "abre pelo link que o Samantha dá à aba que a iniciou: carregue de novo no botão "
                "dela no painel Ferramentas.\n")
USED_TICKET = ("This link was already used, or is older than {:.0f} minutes. Press the tool's "
               "button in Samantha's Tools panel for a new one. / Este link já foi usado, ou "
               "tem mais de {:.0f} minutos: carregue de novo no botão da ferramenta no "
               "Samantha.\n")


@dataclass(frozen=True)
class Answer:
    """What a door answers instead of the tool."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Door:
    """A tool's door folder: its secret and its tickets (see the module's notes)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.tickets = self.folder / "tickets"
        self._secret: str | None = None

    @classmethod
    def make(cls, folder: Path | str) -> Door:
        """A new door in ``folder`` (made, mode 0700), with a fresh secret."""
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True)
        (folder / "tickets").mkdir(mode=0o700)
        descriptor = os.open(folder / "secret", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(32))
        return cls(folder)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Door:
        folder = environ.get(ENV)
        if not folder:
            raise SystemExit(f"{ENV} is not set: this tool is started by Samantha, with a door.")
        return cls(folder)

    @property
    def secret(self) -> str:
        if self._secret is None:
            self._secret = (self.folder / "secret").read_text(encoding="ascii").strip()
        return self._secret

    def is_secret(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.secret.encode())

    # -- tickets ----------------------------------------------------------------------------------
    def issue(self) -> str:
        """A new one-time ticket (stale ones are cleared away first)."""
        now = time.time()
        for old in self.tickets.iterdir():
            try:
                if now - old.stat().st_mtime >= TICKET_SECONDS:
                    old.unlink()
            except OSError:
                pass  # redeemed meanwhile
        ticket = secrets.token_urlsafe(24)
        self._file(ticket).touch(mode=0o600, exist_ok=False)
        return ticket

    def fresh(self, ticket: str) -> bool:
        """Is ``ticket`` unused and younger than :data:`TICKET_SECONDS` (Samantha's side)?"""
        try:
            made = self._file(ticket).stat().st_mtime
        except (OSError, ValueError):
            return False
        return time.time() - made < TICKET_SECONDS

    def redeem(self, ticket: str) -> bool:
        """Use ``ticket`` up: True for the one request that deletes it while it is fresh."""
        if not ticket or len(ticket) > MAX_TICKET_CHARS:
            return False
        fresh = self.fresh(ticket)
        try:
            self._file(ticket).unlink()
        except (OSError, ValueError):
            return False
        return fresh

    def _file(self, ticket: str) -> Path:
        return self.tickets / hashlib.sha256(ticket.encode("utf-8", "replace")).hexdigest()

    # -- the browser's cookie ---------------------------------------------------------------------
    @property
    def cookie_name(self) -> str:
        """One name per tool (tools on other ports of 127.0.0.1 share the browser's cookies)."""
        return "samantha-door-" + self._sign("name")[:12]

    @property
    def cookie_value(self) -> str:
        return self._sign("browser")

    def _sign(self, what: str) -> str:
        return hmac.new(self.secret.encode(), what.encode(), hashlib.sha256).hexdigest()

    def admits(self, headers: Mapping[str, str]) -> bool:
        """Does the request carry the secret (Samantha) or the door's cookie (a browser)?"""
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.is_secret(given.strip()):
            return True
        value = cookies(headers.get("cookie", "")).get(self.cookie_name, "")
        return bool(value) and hmac.compare_digest(value.encode(), self.cookie_value.encode())

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def cookies(header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            found.setdefault(name, value.strip('"'))
    return found


def local_host(host: str) -> bool:
    """Is ``host`` (a Host header: name or address, and maybe a port) this computer?"""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8888
        name = host[1:host.find("]")] if "]" in host else ""
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in LOOPBACK_NAMES or (name.startswith("127.") and name.replace(".", "").isdigit())


def decide(door: Door, path: str, query: str, headers: Mapping[str, str]) -> Answer | None:
    """The door's answer to a request, or None to let it through to the tool. ``headers`` have
    lower-case names."""
    if not local_host(headers.get("host", "")):
        return _text(403, REFUSED_HOST)
    if path == ENTER:
        return _enter(door, urllib.parse.parse_qs(query), door.admits(headers))
    if door.admits(headers):
        return None
    return _text(403, NOT_ADMITTED)


def _enter(door: Door, query: Mapping[str, list[str]], admitted: bool) -> Answer:
    """Redeem the link's ticket: the door's cookie, and on to the page it names. A browser
    already let in goes on whatever the ticket (a tab's link opened again)."""
    ticket = (query.get("ticket") or [""])[0]
    headers: tuple[tuple[str, str], ...] = ()
    if door.redeem(ticket):
        cookie = f"{door.cookie_name}={door.cookie_value}; Path=/; HttpOnly; SameSite=Lax"
        headers = (("Set-Cookie", cookie),)
    elif not admitted:
        minutes = TICKET_SECONDS / 60
        return _text(403, USED_TICKET.format(minutes, minutes))
    target = (query.get("next") or ["/"])[0]
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        target = "/"  # only a page of this tool
    return Answer(303, (("Location", target), *headers, ("Cache-Control", "no-store"),
                        ("Content-Length", "0")), b"")


def _text(status: int, text: str) -> Answer:
    body = text.encode("utf-8")
    return Answer(status, (("Content-Type", "text/plain; charset=utf-8"),
                           ("Cache-Control", "no-store"), ("Content-Length", str(len(body)))),
                  body)


def enter_link(base: str, page: str, ticket: str) -> str:
    """The address that redeems ``ticket`` and opens ``page`` (Datasette, D-Tale)."""
    return base + ENTER + "?" + urllib.parse.urlencode({"ticket": ticket, "next": page})


REASONS = {303: "See Other", 403: "Forbidden"}


class WsgiDoor:
    """A door in front of a WSGI application (D-Tale's Flask)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], door: Door) -> None:
        self.app, self.door = app, door

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {key[5:].replace("_", "-").lower(): str(value)
                   for key, value in environ.items() if key.startswith("HTTP_")}
        answer = decide(self.door, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                        headers)
        if answer is None:
            return self.app(environ, start_response)
        start_response(f"{answer.status} {REASONS[answer.status]}", list(answer.headers))
        return [answer.body]


class AsgiDoor:
    """A door in front of an ASGI application (Datasette)."""

    def __init__(self, app: Callable[..., Awaitable[None]], door: Door) -> None:
        self.app, self.door = app, door

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope.get("type") not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = headers[key] + "; " + text if key in headers else text
        answer = decide(self.door, scope.get("path", ""),
                        scope.get("query_string", b"").decode("latin-1"), headers)
        if answer is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                                    for k, v in answer.headers]})
            await send({"type": "http.response.body", "body": answer.body})
