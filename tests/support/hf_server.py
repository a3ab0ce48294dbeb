"""A scriptable Hugging Face-like file server on 127.0.0.1, for download tests without internet.

Layout, as the Hub answers a plain HTTP client:

* ``GET/HEAD /<org>/<repo>/resolve/<rev>/<path>``: a 302 to ``/cdn/<org>/<repo>/<path>``
  carrying ``X-Linked-Etag`` (the sha256, quoted), ``X-Linked-Size``, ``X-Repo-Commit`` and
  ``ETag``, like the Hub's redirect to its CDN (``redirect=False`` serves the body directly).
* ``/cdn/…``: the bytes, with ``Content-Length``, ``Accept-Ranges``, ``Range`` -> 206 with
  ``Content-Range``, and an ``ETag``.
* ``/api/models/<org>/<repo>``: ``{"id": …, "siblings": [{"rfilename": …}, …]}``.
* Any other added path (``add_plain``): a plain web server's file, with a non-sha ``ETag``.

Per test, set attributes to script failures: ``cut_after`` (close the connection after that many
body bytes, once), ``status`` (answer every request with it), ``error_code`` (sent as
``X-Error-Code``), ``ignore_range``, ``stall`` (send the headers, then wait until ``release`` is set
or 10 s), ``hide_hash`` (publish no sha256, as a plain mirror: size and a non-hash ETag only).
``sent`` counts the body bytes written; ``requests`` logs (method, path, Range, Authorization) for
each request.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHUNK = 1 << 20
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass(frozen=True)
class Served:
    source: Path
    size: int
    sha256: str  # what the server advertises (a test may make it lie)
    etag: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


class HFServer:
    def __init__(self) -> None:
        self.files: dict[str, Served] = {}  # "/org/repo/path" (hub) or "/path" (plain)
        self.hub_paths: set[str] = set()
        self.redirect = True
        self.cut_after: int | None = None
        self.status: int | None = None
        self.error_code: str | None = None
        self.ignore_range = False
        self.stall = False
        self.hide_hash = False
        self.release = threading.Event()
        self.sent = 0
        self.requests: list[tuple[str, str, str | None, str | None]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.hf = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HFServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def add_hub(self, repo: str, path_in_repo: str, source: Path, *,
                sha256: str | None = None) -> str:
        """Serve ``source`` as ``repo``'s file; return its resolve URL."""
        key = f"/{repo}/{path_in_repo}"
        self.files[key] = self._served(source, sha256)
        self.hub_paths.add(key)
        return f"{self.url}/{repo}/resolve/main/{path_in_repo}"

    def add_plain(self, path: str, source: Path) -> str:
        served = self._served(source, None)
        self.files[path] = Served(source, served.size, "", f"{served.size:x}-5f3e2a")
        return self.url + path

    def reset_counts(self) -> None:
        with self._lock:
            self.sent = 0
            self.requests.clear()

    def count(self, n: int) -> None:
        with self._lock:
            self.sent += n

    @staticmethod
    def _served(source: Path, sha256: str | None) -> Served:
        real = sha256_of(source)
        return Served(source, source.stat().st_size, sha256 or real, real)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    @property
    def hf(self) -> HFServer:
        return self.server.hf  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        return

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        hf, path = self.hf, unquote(urlsplit(self.path).path)
        with hf._lock:
            hf.requests.append((self.command, path, self.headers.get("Range"),
                                self.headers.get("Authorization")))
        if hf.status is not None:
            return self._empty(hf.status, {"X-Error-Code": hf.error_code or ""})
        if path.startswith("/api/models/"):
            return self._api(path.removeprefix("/api/models/"))
        hub = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
        if hub and f"/{hub[1]}/{hub[3]}" in hf.hub_paths:
            key = f"/{hub[1]}/{hub[3]}"
            served = hf.files[key]
            linked = {"X-Linked-Etag": f'"{served.sha256}"', "X-Linked-Size": str(served.size),
                      "X-Repo-Commit": COMMIT, "ETag": f'"{served.sha256}"'}
            if hf.hide_hash:
                linked = {"X-Linked-Size": str(served.size), "ETag": f'"{served.etag[:12]}"'}
            if hf.redirect:
                return self._empty(302, {**linked, "Location": f"/cdn{key}"})
            return self._file(served, body, linked)
        if path.startswith("/cdn/") and path.removeprefix("/cdn") in hf.hub_paths:
            served = hf.files[path.removeprefix("/cdn")]
            etag = served.etag[:12] if hf.hide_hash else served.etag
            return self._file(served, body, {"ETag": f'"{etag}"'})
        if path in hf.files and path not in hf.hub_paths:
            served = hf.files[path]
            return self._file(served, body, {"ETag": f'"{served.etag}"'})
        return self._empty(404, {"X-Error-Code": "EntryNotFound"})

    def _api(self, repo: str) -> None:
        names = sorted(k.removeprefix(f"/{repo}/") for k in self.hf.hub_paths
                       if k.startswith(f"/{repo}/"))
        if not names:
            return self._empty(401, {"X-Error-Code": "RepoNotFound"})
        siblings = [{"rfilename": n} for n in [".gitattributes", "README.md", *names]]
        data = json.dumps({"id": repo, "sha": COMMIT, "siblings": siblings}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _empty(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if value:
                self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _file(self, served: Served, body: bool, headers: dict[str, str]) -> None:
        hf = self.hf
        start, end = 0, served.size - 1
        wanted = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range") or "")
        if wanted and not hf.ignore_range:
            start = int(wanted[1])
            end = int(wanted[2]) if wanted[2] else end
            if start >= served.size:
                return self._empty(416, {"Content-Range": f"bytes */{served.size}"})
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{served.size}")
        else:
            self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        if not body:
            return
        if hf.stall:
            hf.release.wait(10)
            self.close_connection = True
            return
        self._send_bytes(served.source, start, end - start + 1)

    def _send_bytes(self, source: Path, start: int, length: int) -> None:
        hf = self.hf
        with hf._lock:
            limit, hf.cut_after = hf.cut_after, None  # one-shot
        if limit is not None:
            length = min(length, limit)
            self.close_connection = True
        with open(source, "rb") as handle:
            handle.seek(start)
            while length > 0:
                block = handle.read(min(CHUNK, length))
                if not block:
                    break
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                    return
                hf.count(len(block))
                length -= len(block)
