"""The one HTTP boundary of the remote backends (httpx): JSON requests, streamed lines, and
errors that say what was wrong and what to do. A stream is closed as soon as its cancel is
set, even while the server is still thinking (a watcher closes the connection)."""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Iterator

import httpx

from samantha.core.engine import Cancel
from samantha.core.remote import BackendError, BackendSpec

CONNECT_SECONDS = 5.0
READ_SECONDS = 600.0  # a long prompt on a slow machine may take minutes before its first token


class Http:
    """A client for one backend. The key is read from its environment variable here."""

    def __init__(self, spec: BackendSpec, transport: httpx.BaseTransport | None = None) -> None:
        self.spec = spec
        headers = {}
        if spec.api_key_env:
            key = os.environ.get(spec.api_key_env)
            if not key:
                raise BackendError(
                    f"Backend {spec.name} needs its key in the environment variable "
                    f"{spec.api_key_env}, which is not set: export {spec.api_key_env}=… and try "
                    "again.")
            headers["Authorization"] = f"Bearer {key}"
        self.client = httpx.Client(
            base_url=spec.url, headers=headers, transport=transport,
            timeout=httpx.Timeout(READ_SECONDS, connect=CONNECT_SECONDS))

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, timeout: float | None = None) -> Any:
        return self._json(self._send("GET", path, None, timeout), path)

    def post(self, path: str, body: dict[str, Any], timeout: float | None = None) -> Any:
        return self._json(self._send("POST", path, body, timeout), path)

    def status(self, path: str, timeout: float = CONNECT_SECONDS) -> int:
        """The HTTP status of a GET (0: nothing answers there)."""
        try:
            return self.client.get(path, timeout=timeout).status_code
        except httpx.HTTPError:
            return 0

    def lines(self, path: str, body: dict[str, Any], cancel: Cancel) -> Iterator[str]:
        """The non-empty lines of a streamed answer (SSE ``data:`` lines or NDJSON). Closing the
        iterator, or setting ``cancel``, closes the connection, which ends the server's work."""
        try:
            request = self.client.build_request("POST", path, json=body)
            response = self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        done = threading.Event()
        watcher = threading.Thread(target=_close_on_cancel, args=(response, cancel, done),
                                   name="samantha-stream-watch", daemon=True)
        watcher.start()
        try:
            if response.status_code >= 400:
                response.read()
                raise self._refused(response, path)
            for line in response.iter_lines():
                if line.strip():
                    yield line
        except (httpx.HTTPError, RuntimeError) as exc:
            if cancel.is_set():
                return
            raise BackendError(f"The stream from backend {self.spec.name} broke off: "
                               f"{type(exc).__name__}: {exc}. What it wrote so far is kept; "
                               "check the server's log.") from None
        finally:
            done.set()
            response.close()

    # -- errors ----------------------------------------------------------------------------------
    def _send(self, method: str, path: str, body: dict[str, Any] | None,
              timeout: float | None) -> httpx.Response:
        try:
            response = self.client.request(method, path, json=body,
                                           timeout=timeout or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise self._refused(response, path)
        return response

    def _json(self, response: httpx.Response, path: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise BackendError(
                f"Backend {self.spec.name} answered {path} with something that is not JSON: "
                f"{response.text[:120]!r}. Is {self.spec.url} the server you meant?") from None

    def _unreachable(self, exc: httpx.HTTPError) -> BackendError:
        what = ("took too long to answer" if isinstance(exc, httpx.TimeoutException)
                else f"cannot be reached ({type(exc).__name__}: {exc})")
        return BackendError(
            f"Backend {self.spec.name} at {self.spec.url} {what}. Is the server running and "
            f"listening there? `samantha backends check {self.spec.name}` tries it.")

    def _refused(self, response: httpx.Response, path: str) -> BackendError:
        code, name = response.status_code, self.spec.name
        said = error_message(response.text)
        if code in (401, 403):
            how = (f"the key in ${self.spec.api_key_env} was refused" if self.spec.api_key_env
                   else "it wants a key: add the backend again with --api-key-env VARIABLE")
            return BackendError(f"Backend {name} refused the request ({code}): {how}. {said}")
        if code == 404:
            return BackendError(
                f"Backend {name} has no {path} ({code}: {said}). Is it a {self.spec.kind} "
                f"server? `samantha backends check {name}` finds its kind.")
        if code == 503:
            return BackendError(f"Backend {name} is not ready ({code}: {said}); it may still "
                                "be loading its model: try again in a moment.")
        return BackendError(f"Backend {name} answered {code} to {path}: {said}")


def error_message(text: str) -> str:
    """The message inside a server's JSON error body, or the start of the body."""
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:200] or "no message"
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or error)[:300]
    return str(error)[:300]


def _close_on_cancel(response: httpx.Response, cancel: Cancel, done: threading.Event) -> None:
    while not done.wait(0.05):
        if cancel.is_set():
            response.close()
            return


def sse_data(line: str) -> dict[str, Any] | None:
    """The JSON of an SSE ``data:`` line (None for other lines and ``[DONE]``)."""
    if not line.startswith("data:"):
        return None
    payload = line[5:].strip()
    if payload == "[DONE]" or not payload:
        return None
    try:
        return json.loads(payload)
    except ValueError:
        raise BackendError(f"A streamed line is not JSON: {payload[:120]!r}") from None
