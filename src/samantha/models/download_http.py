"""One streamed HTTP download into a ``.part`` file, and the errors a download can meet.

:class:`Transfer` sends one GET (with ``Range`` when a ``.part`` of the same URL and the same
server version is waiting), then :meth:`Transfer.download` streams the body into the ``.part``:
it stops at once when the first bytes are not the GGUF magic, checks ``cancel`` between chunks,
and at the end checks the size and the sha256 the server advertised. Renaming the ``.part`` is
the caller's job. Next to the ``.part`` a small ``.part.json`` records the URL and the server's
version of the file (sha256, ETag or Last-Modified), so a resume never splices two versions.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import httpx

from samantha.core.engine import Cancel
from samantha.core.errors import ModelError, SamanthaError
from samantha.models.download_registry import write_atomic
from samantha.models.gguf_file import MAGIC

Progress = Callable[[int, int | None], None]
CHUNK_SIZE = 1 << 20
USER_AGENT = "samantha (GGUF workbench)"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTENT_RANGE = re.compile(r"^bytes\s+(\d+)-(\d+)/(\d+|\*)$")
_RESUMES = "Run the download again: it resumes where it stopped."


class DownloadError(SamanthaError):
    """A download that failed on the way (the network, the server, a corrupt or wrong file, a
    full disk); ``status`` is the HTTP status when the server answered one. A link that is not a
    model's is a :class:`~samantha.core.errors.ModelError` before any download starts."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LinkError(ModelError, DownloadError):
    """The link leads to no model: the server has no such file or refuses it (HTTP 401, 403,
    404, 410), or what it sends is not the file asked for. Something the user fixes (exit code
    2), unlike a download that failed on the way."""


class DownloadCancelled(DownloadError):
    """The user cancelled; the ``.part`` file stays for a later resume."""


@dataclass(frozen=True)
class Remote:
    """What the server said about the file: full size, sha256, version, where this body starts."""

    size: int | None
    sha256: str | None
    validator: str | None
    offset: int


def make_client(timeout: float) -> httpx.Client:
    return httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 20.0)),
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
    )


def sidecar_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    sidecar_path(part).unlink(missing_ok=True)


def human_size(n: int | None) -> str:
    if n is None:
        return "an unknown size"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n} bytes"


class Transfer:
    """A streamed GET of ``url`` into ``part``; a context manager (it closes the response)."""

    def __init__(self, client: httpx.Client, url: str, part: Path, *, headers: dict[str, str],
                 hub_page: str | None, timeout: float, magic: bytes = MAGIC,
                 kind: str = "a GGUF model") -> None:
        self.client, self.url, self.part = client, url, part
        self.headers, self.hub_page, self.timeout = headers, hub_page, timeout
        self.magic, self.kind = magic, kind  # what the file must start with, and what it is
        self.remote = Remote(None, None, None, 0)
        self.done = 0
        self._saved_validator: str | None = None
        self._response: httpx.Response | None = None

    def __enter__(self) -> Transfer:
        offset = self._resumable()
        response = self._send(offset)
        if offset and not self._continues(response, offset):
            discard(self.part)  # the server ignored the range, or the file changed: start over
            offset = 0
            if response.status_code != 200:
                response.close()
                response = self._send(0)
        self._response = response
        self.remote = _remote(response, offset)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._response is not None:
            self._response.close()

    def download(self, progress: Progress | None, cancel: Cancel | None) -> str:
        """Stream the body into the ``.part``; return its sha256 once size and hash check out."""
        remote, name = self.remote, self.part.name.removesuffix(".part")
        digest = hashlib.sha256()
        if remote.offset:
            _hash_file(digest, self.part, remote.offset)
        write_atomic(sidecar_path(self.part), json.dumps(
            {"url": self.url, "validator": remote.validator, "size": remote.size}))
        self.done = remote.offset
        magic = self.magic
        head = magic if remote.offset else b""
        _report(progress, self.done, remote.size)
        unreported = 0
        with open(self.part, "ab" if remote.offset else "wb") as out:
            for chunk in self._chunks():  # as received: a broken connection loses nothing
                if len(head) < len(magic):
                    head += chunk[: len(magic) - len(head)]
                    if len(head) == len(magic) and head != magic:
                        break
                out.write(chunk)
                digest.update(chunk)
                self.done += len(chunk)
                unreported += len(chunk)
                if unreported >= CHUNK_SIZE:
                    unreported = 0
                    _report(progress, self.done, remote.size)
                    self._check(cancel, name)
        if unreported:
            _report(progress, self.done, remote.size)
        if len(head) == len(magic) and head != magic:
            discard(self.part)
            raise LinkError(
                f"{self.url} is not {self.kind}: it starts with {head!r}, not {magic!r} (a web "
                "page or another format?). The download was stopped and removed; check the link.")
        return self._verify(digest.hexdigest(), name)

    def _check(self, cancel: Cancel | None, name: str) -> None:
        if cancel is not None and cancel.is_set():
            raise DownloadCancelled(
                f"Download of {name} cancelled after {human_size(self.done)} of "
                f"{human_size(self.remote.size)}. {_RESUMES}")

    def _verify(self, sha: str, name: str) -> str:
        size = self.remote.size
        if size is not None and self.done < size:
            raise DownloadError(
                f"The download of {name} ended early ({human_size(self.done)} of "
                f"{human_size(size)}). {_RESUMES}")
        if size is not None and self.done > size:
            discard(self.part)
            raise DownloadError(
                f"The server sent {self.done:,} bytes for {name} but announced {size:,}. The "
                "download was removed; run it again.")
        if self.remote.sha256 and sha != self.remote.sha256:
            discard(self.part)
            raise DownloadError(
                f"The download of {name} is corrupt: its sha256 is {sha} but the server "
                f"publishes {self.remote.sha256}. The file was removed; run the download again.")
        return sha

    def _chunks(self) -> Iterator[bytes]:
        assert self._response is not None
        try:
            yield from self._response.iter_raw()
        except httpx.RequestError as exc:
            raise transport_error(exc, self.url, self.timeout, self.done, self.remote.size) from exc

    def _resumable(self) -> int:
        """Bytes of a ``.part`` that belongs to this URL, or 0 (after removing a stray one)."""
        if not self.part.is_file():
            sidecar_path(self.part).unlink(missing_ok=True)
            return 0
        try:
            saved = json.loads(sidecar_path(self.part).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        size = self.part.stat().st_size
        if (not isinstance(saved, dict) or saved.get("url") != self.url or size == 0
                or (isinstance(saved.get("size"), int) and size >= saved["size"])):
            discard(self.part)
            return 0
        self._saved_validator = saved.get("validator")
        return size

    def _send(self, offset: int) -> httpx.Response:
        headers = dict(self.headers)
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            request = self.client.build_request("GET", self.url, headers=headers)
            response = self.client.send(request, stream=True)
        except httpx.RequestError as exc:
            raise transport_error(exc, self.url, self.timeout, offset, None) from exc
        if response.status_code in (200, 206) or (offset and response.status_code == 416):
            return response
        response.close()
        raise status_error(response, self.url, self.hub_page)

    def _continues(self, response: httpx.Response, offset: int) -> bool:
        if response.status_code != 206:
            return False
        match = _CONTENT_RANGE.match(response.headers.get("content-range", "").strip())
        if not match or int(match.group(1)) != offset:
            return False
        return _remote(response, offset).validator == self._saved_validator


def probe(client: httpx.Client, url: str, headers: dict[str, str]) -> Remote | None:
    """What a HEAD request says about the file (size, sha256), or None if it says nothing."""
    try:
        response = client.head(url, headers=headers)
    except httpx.RequestError:
        return None  # the GET that follows reports the problem
    return _remote(response, 0) if response.status_code == 200 else None


def status_error(response: httpx.Response, url: str, hub_page: str | None,
                 what: str = "file") -> DownloadError:
    """A clear message for an HTTP error status (Hugging Face's X-Error-Code when present)."""
    status = response.status_code
    code = response.headers.get("x-error-code", "")
    said = response.headers.get("x-error-message", "")
    said = f" The server said: {said}" if said else ""
    if hub_page is not None and code == "RepoNotFound":
        message = (f"No such repository, or it is private (HTTP {status}): {url}. Check the link; "
                   "for a private repository set HF_TOKEN to an access token that can read it "
                   "(or pass a token).")
    elif hub_page is not None and code == "RevisionNotFound":
        message = (f"No such revision (HTTP {status}): {url}. Check the branch or commit in the "
                   "link.")
    elif status in (401, 403) and hub_page is not None:
        message = (f"Access denied (HTTP {status}) to {url}: the model is gated or private. Accept "
                   f"the model's terms on its page ({hub_page}) while logged in, then set HF_TOKEN "
                   "to an access token of that account (or pass a token) and run again.")
    elif status in (401, 403):
        message = (f"Access denied (HTTP {status}) by {urlsplit(url).netloc} for {url}: the link "
                   "needs a login or has expired. Get a fresh link and run again.")
    elif status in (404, 410):
        message = (f"No such {what} (HTTP {status}): {url}. Check the link: the repository, "
                   "revision and file name must all exist (copy it again from the model's page).")
    elif status == 429:
        message = (f"Too many requests (HTTP 429) to {urlsplit(url).netloc}. Wait a few minutes, "
                   f"then run again.")
    elif status >= 500:
        message = (f"The server failed (HTTP {status}) for {url}. Try again later: running the "
                   "download again resumes it.")
    else:
        message = f"The server answered HTTP {status} for {url}. Check the link and run again."
    wrong_link = status in (401, 403, 404, 410) or code in ("RepoNotFound", "RevisionNotFound")
    return (LinkError if wrong_link else DownloadError)(message + said, status=status)


def transport_error(exc: httpx.RequestError, url: str, timeout: float, done: int,
                    size: int | None) -> DownloadError:
    """A clear message for a connection that failed, timed out or broke."""
    try:
        host = exc.request.url.host or urlsplit(url).netloc
    except RuntimeError:
        host = urlsplit(url).netloc
    at = f" after {human_size(done)} of {human_size(size)}" if done else ""
    if isinstance(exc, httpx.ConnectTimeout):
        message = (f"Could not connect to {host} within {timeout:g} s. Check your internet "
                   f"connection. {_RESUMES}")
    elif isinstance(exc, httpx.ConnectError):
        message = (f"Could not connect to {host} ({exc}). Check your internet connection and the "
                   f"link's host name. {_RESUMES}")
    elif isinstance(exc, httpx.TimeoutException):
        message = f"{host} sent nothing for {timeout:g} s{at}. {_RESUMES}"
    elif isinstance(exc, httpx.TooManyRedirects):
        message = f"Too many redirects for {url}. Check the link."
    else:
        message = f"The connection to {host} broke{at} ({exc}). {_RESUMES}"
    return DownloadError(message)


def _remote(response: httpx.Response, offset: int) -> Remote:
    chain = [*response.history, response]
    sha = next((value for name in ("x-linked-etag", "etag") for r in chain
                if _SHA256.match(value := _etag(r.headers.get(name)))), None)
    validator = sha or _etag(response.headers.get("etag")) or response.headers.get("last-modified")
    return Remote(_total_size(response, offset, chain), sha, validator, offset)


def _total_size(response: httpx.Response, offset: int, chain: list[httpx.Response]) -> int | None:
    if response.status_code == 206:
        match = _CONTENT_RANGE.match(response.headers.get("content-range", "").strip())
        if match and match.group(3) != "*":
            return int(match.group(3))
    length = response.headers.get("content-length", "")
    if length.isdigit():
        return int(length) + (offset if response.status_code == 206 else 0)
    linked = next((r.headers["x-linked-size"] for r in chain if "x-linked-size" in r.headers), "")
    return int(linked) if linked.isdigit() else None


def _etag(value: str | None) -> str:
    """An ETag without its weak marker and quotes, lower-cased ("" when absent)."""
    return (value or "").strip().removeprefix("W/").strip('"').lower()


def _hash_file(digest: "hashlib._Hash", path: Path, length: int) -> None:
    with open(path, "rb") as handle:
        while length > 0 and (block := handle.read(min(CHUNK_SIZE * 8, length))):
            digest.update(block)
            length -= len(block)


def _report(progress: Progress | None, done: int, total: int | None) -> None:
    if progress is not None:
        progress(done, total)
