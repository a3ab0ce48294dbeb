"""The web UI answers only its own page: the checks every request passes before Gradio sees it.

A web UI on 127.0.0.1 is reachable by more than its user's tab. A page of any other site can send
requests to it (a form, ``fetch`` in no-cors mode, an image), a page on another localhost port is
"same site" for the browser's cookies, a site that rebinds its DNS name to 127.0.0.1 becomes "same
origin", and any local process (model-written code allowed on the network, another user of the
computer) can call it directly. Jupyter and Ollama closed the same doors the same way; so do we:

1. **Host.** The ``Host`` header must name this server: ``127.0.0.1``, ``localhost``, ``::1``, what
   ``--host`` names, and, when listening on every address, this computer's names and any IP
   literal (a rebinding attack always uses a DNS name). Everything else: 403.
2. **Origin.** A request that says where it comes from (``Origin``) must come from this server's
   own page; ``Sec-Fetch-Site`` (sent by every current browser, even where ``Origin`` is left out)
   must be ``same-origin`` or ``none`` (typed, bookmarked), except a plain navigation to the page
   itself (a link from elsewhere opens the UI; it cannot act in it).
3. **A secret.** Without a password, every request carries this server's key: the terminal prints
   ``http://127.0.0.1:7860/?key=…``; that address sets an ``HttpOnly`` cookie and goes on to the
   page. Scripts send ``Authorization: Bearer <key>``. With a password, Gradio's login is the
   secret: before it, only what the login page needs answers; the key's address also logs in (so
   the user at the computer is never held up by someone guessing passwords).
4. **Bounds.** A request body longer than its route's limit is refused before it is read.
5. **Headers.** No page of ours may be framed by another site, and the HTML files the UI publishes
   (answers as HTML, exports) are served in a sandbox: an opaque origin where no script runs.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl, urlencode

from samantha.ui.serving.microphone import LONGEST

KEY_PARAM = "key"
KEY_BYTES = 24  # 192 bits from the operating system's generator
KEY_FILE = "ui-key"  # in the data home, readable by its owner only
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")

# Request bodies, checked against Content-Length (or counted) before a handler reads them.
UPLOAD_LIMIT = 64 * 2**20  # a PDF or a text file to import: the largest upload the UI needs
BODY_LIMIT = 8 * 2**20  # any other request: a prompt script of a few hundred pages fits
VOICE_LIMIT = LONGEST  # 30 s of 16 kHz 16-bit sound at a time (see listening.py)
UPLOAD_PATHS = ("/gradio_api/upload",)
VOICE_PREFIX = "/samantha/voice/"

# What answers without the key: Gradio asks its own server once at start (it runs the app's
# startup events, once; nothing is read or changed after that).
OPEN_PATHS = ("/gradio_api/startup-events",)
# What answers before a login (with a password): the login page and what it loads.
LOGIN_PAGE_PATHS = ("/", "/login", "/login/", "/theme.css", "/gradio_api/theme.css",
                    "/favicon.ico", "/manifest.json", "/gradio_api/login_check",
                    "/gradio_api/login_check/", "/gradio_api/startup-events")
LOGIN_PAGE_PREFIXES = ("/assets/", "/static/", "/svelte/")

# Every response: never inside another site's frame (a click there would be a click here).
FRAME_HEADERS = [(b"x-frame-options", b"SAMEORIGIN"), (b"x-content-type-options", b"nosniff"),
                 (b"referrer-policy", b"no-referrer")]
FRAME_POLICY = b"frame-ancestors 'self'"
# The files the UI publishes for a tab (answers as HTML, exports): shown, never run.
PUBLISHED_POLICY = (b"sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                    b"img-src data:; frame-ancestors 'none'")


@dataclass(frozen=True)
class Doors:
    """Who may come in: the names this server answers to, its key, whether a password is set."""

    hosts: frozenset[str]
    any_ip: bool  # listening on every address: an IP literal in Host is fine
    key: str
    port: int
    password: bool = False
    published: str = ""  # the folder whose HTML files are served in a sandbox

    @property
    def cookie(self) -> str:
        return f"samantha-key-{self.port}"  # per port: two Samanthas on one computer

    def host_allowed(self, header: str | None) -> bool:
        name = host_name(header or "")
        if not name:
            return False
        if name in self.hosts:
            return True
        return self.any_ip and is_ip(name)

    def origin_allowed(self, origin: str | None, host: str) -> bool:
        """An ``Origin`` header, if any, names this server's own page (the Host just checked)."""
        if origin is None:
            return True
        return origin.lower() in (f"http://{host}".lower(), f"https://{host}".lower())

    def has_key(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.key.encode())

    def entry_url(self, base: str) -> str:
        return f"{base}?{KEY_PARAM}={self.key}"


def host_name(header: str) -> str:
    """``Host`` without its port, lower-case (``[::1]:7860`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> tuple[frozenset[str], bool]:
    """The names a server listening on ``host`` answers to, and whether any IP literal is
    fine (a server on every address is reached by this computer's addresses)."""
    names = {*LOOPBACK_NAMES, host.lower(), *(name.lower() for name in extra)}
    wildcard = host in WILDCARDS
    if wildcard:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    names.discard("")
    return frozenset(names), wildcard


def server_key(home: Path) -> str:
    """This data home's UI key: made once, kept in a file only its owner can read (so a browser
    that has it keeps working after a restart). Delete the file to make a new one."""
    path = home / KEY_FILE
    try:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_urlsafe(KEY_BYTES)
    home.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{KEY_FILE}.{secrets.token_hex(4)}")
    with open(_private(partial), "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    partial.replace(path)
    return key


def _private(path: Path) -> int:
    import os

    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


class TooLarge(Exception):
    """A request body went past its limit while it was read."""


class DoorKeeper:
    """ASGI middleware that applies :class:`Doors` to every request before the UI sees it.

    ``logged_in(scope)`` tells, with a password, whether the request carries a Gradio login;
    ``log_in(scope)`` makes one (for the key's address) and gives the cookies to set;
    ``page(kind)`` is the page shown without the key ("needed") or with a wrong one ("wrong")."""

    def __init__(self, app: Any, doors: Doors, logged_in: Callable[[dict], bool],
                 log_in: Callable[[dict], list[tuple[str, str]]],
                 page: Callable[[str], str]) -> None:
        self.app, self.doors = app, doors
        self.logged_in, self.log_in, self.page = logged_in, log_in, page

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, text = refusal
            if status == 401 and not self.doors.password and _wants_page(scope, headers):
                await _html(send, 401, self.page("needed"))  # how to get in, with a form
                return
            await _refuse(scope, receive, send, status, text, headers)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and scope["path"] == "/" and KEY_PARAM in _query(scope):
            await self.enter(scope, send)
            return
        limit = body_limit(scope["path"])
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(scope, receive, send, 413, too_large(limit), headers)
            return
        await self._pass(scope, _bounded(receive, limit), send, headers, limit)

    def refusal(self, scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why this request is refused (status and one line), or None."""
        doors, host = self.doors, headers.get("host", "")
        if not doors.host_allowed(host):
            return 403, (f"Samantha answers only its own address ({host!r} is not one): open "
                         f"http://127.0.0.1:{doors.port}/ or the address it printed.")
        if not doors.origin_allowed(headers.get("origin"), host):
            return 403, "Samantha answers only its own page (this request came from another site)."
        site = headers.get("sec-fetch-site")
        navigation = (scope.get("method") == "GET" and scope["path"] == "/"
                      and headers.get("sec-fetch-mode") == "navigate")
        if site in ("cross-site", "same-site") and not navigation:
            return 403, "Samantha answers only its own page (this request came from another site)."
        if self.admitted(scope, headers):
            return None
        if doors.password:
            return 401, "Log in to Samantha first."
        return 401, "This Samantha needs its key: open the address it printed when it started."

    def admitted(self, scope: dict, headers: dict[str, str]) -> bool:
        doors, path = self.doors, scope["path"]
        if path in OPEN_PATHS and scope.get("method") == "GET":
            return True
        cookies = _cookies(headers)
        if doors.has_key(cookies.get(doors.cookie)) or doors.has_key(_bearer(headers)):
            return True
        if scope["type"] == "http" and scope["method"] == "GET" and path == "/" \
                and KEY_PARAM in _query(scope):
            return True  # the key's address: checked in enter()
        if doors.password:
            return self.logged_in(scope) or (
                path in LOGIN_PAGE_PATHS or path.startswith(LOGIN_PAGE_PREFIXES))
        return False

    async def enter(self, scope: dict, send: Any) -> None:
        """The key's address: remember the key in a cookie (and, with a password, log in), then
        show the page at its own address (the key is not left in the address bar)."""
        query = _query(scope)
        if not self.doors.has_key(query.pop(KEY_PARAM, None)):
            await _html(send, 401, self.page("wrong"))
            return
        cookies = [(self.doors.cookie, self.doors.key)]
        if self.doors.password:
            cookies += self.log_in(scope)
        rest = urlencode(query)
        location = f"{scope.get('root_path', '')}/" + (f"?{rest}" if rest else "")
        headers = [(b"location", location.encode()), (b"cache-control", b"no-store"),
                   (b"content-length", b"0"), *FRAME_HEADERS]
        for name, value in cookies:
            headers.append((b"set-cookie", (f"{name}={value}; Path=/; HttpOnly; "
                                            "SameSite=Strict; Max-Age=31536000").encode()))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _pass(self, scope: dict, receive: Any, send: Any, headers: dict[str, str],
                    limit: int) -> None:
        started = False
        sandboxed = self._published_html(scope)

        async def with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [*FRAME_HEADERS, (b"content-security-policy",
                                          PUBLISHED_POLICY if sandboxed else FRAME_POLICY)]
                if sandboxed and scope["path"].endswith(".html"):  # shown, in the sandbox
                    # (Gradio hands HTML files out as downloads, having no such sandbox)
                    extra += [(b"content-type", b"text/html; charset=utf-8"),
                              (b"content-disposition", b"inline")]
                names = {name for name, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except TooLarge:
            if not started:
                await _refuse(scope, receive, send, 413, too_large(limit), headers)

    def _published_html(self, scope: dict) -> bool:
        """A file the UI published for a tab (``/gradio_api/file=<folder>/…``): every such file
        gets the sandbox policy (HTML or not: a picture cannot run script either way)."""
        path = scope["path"]
        marker = "/gradio_api/file="
        return bool(self.doors.published) and path.startswith(marker) and \
            path[len(marker):].startswith(self.doors.published)


def body_limit(path: str) -> int:
    if path.startswith(VOICE_PREFIX):
        return VOICE_LIMIT
    if path.rstrip("/") in UPLOAD_PATHS:
        return UPLOAD_LIMIT
    return BODY_LIMIT


def too_large(limit: int) -> str:
    return (f"This request is larger than {limit // 2**20 or 1} MB, the limit for this address "
            f"({limit:,} bytes): send a smaller file.")


def _bounded(receive: Any, limit: int) -> Any:
    """``receive`` that raises :class:`TooLarge` once the body passes ``limit`` bytes (a body sent
    in chunks, without a length)."""
    seen = 0

    async def bounded() -> dict:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge
        return dict(message)

    return bounded


def _headers(scope: dict) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _query(scope: dict) -> dict[str, str]:
    return dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            found.setdefault(name, value)
    return found


def _bearer(headers: dict[str, str]) -> str | None:
    kind, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if kind.lower() == "bearer" and value else None


async def _refuse(scope: dict, receive: Any, send: Any, status: int, text: str,
                  headers: dict[str, str]) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": text[:120]})
        return
    if _wants_page(scope, headers):
        await _html(send, status, _plain_page(text))
        return
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"), *FRAME_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _wants_page(scope: dict, headers: dict[str, str]) -> bool:
    return scope["method"] == "GET" and "text/html" in headers.get("accept", "")


async def _html(send: Any, status: int, page: str) -> None:
    body = page.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"),
                            (b"content-security-policy",
                             b"default-src 'none'; style-src 'unsafe-inline'; "
                             b"form-action 'self'; frame-ancestors 'none'"),
                            *FRAME_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _plain_page(text: str) -> str:
    return (f"<!doctype html><meta charset=utf-8><title>Samantha</title>"
            f"<p>{html.escape(text)}</p>")


def key_page(title: str, explanation: str, field: str, button: str, error: str = "") -> str:
    """The page shown without the key: what to do, and a field to paste the key into."""
    wrong = f'<p class="wrong">{html.escape(error)}</p>' if error else ""
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Samantha</title>"
        "<meta name=viewport content='width=device-width'>"
        "<style>body{font:16px system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;"
        "color:#ddd;background:#1f2937}input{font:inherit;width:24em;max-width:100%}"
        "button{font:inherit}.wrong{color:#f87171}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(explanation)}</p>{wrong}"
        f"<form method=get action='./'><label>{html.escape(field)} "
        f"<input name={KEY_PARAM} autocomplete=off autofocus></label> "
        f"<button>{html.escape(button)}</button></form></body></html>")
