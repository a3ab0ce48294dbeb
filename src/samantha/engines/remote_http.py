"""The one HTTP boundary of the remote backends (httpx): JSON requests and streamed lines, each
read within its bounds, and errors that say what was wrong and what to do.

Every wait is cut into short slices (:mod:`samantha.engines.http_slices`), so Stop and an
answer's time limits act while the server says nothing. A streamed line is read from raw chunks
and cut as soon as it passes the answer's ``line_bytes``; a JSON body is read up to
``body_bytes`` before it is parsed; a redirect is named, not followed. What the adapters read
from the JSON is checked for its shape as they read it (``json_object``, ``json_text`` …): JSON
of another shape is a :class:`WrongShape`, which the adapter says in one line naming the
backend, the path, what was expected and what to check.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
from collections.abc import Generator, Iterator
from typing import Any

import httpx

from samantha.core.backend_specs import BackendError, BackendInputError, BackendSpec
from samantha.core.engine import Cancel
from samantha.core.remote_limits import StreamLimits, StreamWatch
from samantha.engines.http_slices import SlicedTransport, Stopped, Watches

#: Reaching a server takes milliseconds on a LAN and well under a second across the world.
CONNECT_SECONDS = 5.0
#: The JSON questions (models, props, tokenize) take well under a second; a busy server a few.
REPLY_SECONDS = 60.0
#: Of an error's body, enough for its message.
ERROR_BYTES = 64 * 1024

#: The lines of one streamed answer; ``close()`` ends its connection.
Lines = Generator[str, None, None]


class Http:
    """A client for one backend. The key is read from its environment variable here.
    ``transport`` replaces the network (tests); Stop then closes the connection from a
    watcher thread, as the slices cannot be asked."""

    def __init__(self, spec: BackendSpec, transport: httpx.BaseTransport | None = None) -> None:
        self.spec = spec
        self.watches = Watches()
        self._foreign = transport is not None
        headers = {"Accept-Encoding": "identity"}  # a compressed body could not be bounded
        if spec.api_key_env:
            key = os.environ.get(spec.api_key_env)
            if not key:
                raise BackendInputError(
                    f"Backend {spec.name} needs its key in the environment variable "
                    f"{spec.api_key_env}, which is not set: export {spec.api_key_env}=… and try "
                    "again.")
            headers["Authorization"] = f"Bearer {key}"
        self.client = httpx.Client(
            base_url=spec.url, headers=headers,
            transport=transport or SlicedTransport(self.watches,
                                                   spec.url.lower().startswith("https:")),
            timeout=httpx.Timeout(REPLY_SECONDS, connect=CONNECT_SECONDS))

    def close(self) -> None:
        self.client.close()

    def get(self, path: str, timeout: float | None = None,
            watch: StreamWatch | None = None) -> Any:
        return self._json("GET", path, None, timeout, watch)

    def post(self, path: str, body: dict[str, Any], timeout: float | None = None,
             watch: StreamWatch | None = None) -> Any:
        """POST ``body`` and read the JSON answer. With ``watch`` (a request on the way to an
        answer) Stop and the answer's time limits act on it; Stop raises :class:`Stopped`."""
        return self._json("POST", path, body, timeout, watch)

    def status(self, path: str, timeout: float = CONNECT_SECONDS) -> int:
        """The HTTP status of a GET (0: nothing answers there); its body is not read."""
        try:
            with self.client.stream("GET", path, timeout=timeout) as response:
                if response.is_redirect:
                    raise self._redirected(response, path)
                return response.status_code
        except httpx.HTTPError:
            return 0

    def lines(self, path: str, body: dict[str, Any], watch: StreamWatch) -> Lines:
        """The non-empty lines of a streamed answer (SSE ``data:`` lines or NDJSON), each at
        most ``line_bytes``. Closing the iterator, Stop, or a time limit of ``watch`` closes
        the connection, which ends the server's work; Stop ends the lines quietly."""
        request = self.client.build_request(
            "POST", path, json=body,
            timeout=httpx.Timeout(watch.limits.answer_seconds, connect=CONNECT_SECONDS))
        try:
            with self.watches.watching(watch):
                response = self.client.send(request, stream=True)
        except Stopped:
            return
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        done = threading.Event()
        if self._foreign:
            threading.Thread(target=_close_on_cancel, args=(response, watch, done),
                             name="samantha-stream-watch", daemon=True).start()
        try:
            with self.watches.watching(watch):
                self._check(response, path)
            for line in bounded_lines(self._chunks(response, watch), watch.limits,
                                      self.spec.name):
                if line.strip():
                    yield line
        except Stopped:
            return
        except (httpx.HTTPError, RuntimeError) as exc:
            if watch.is_set():
                return
            raise BackendError(f"The stream from backend {self.spec.name} broke off: "
                               f"{type(exc).__name__}: {exc}. What it wrote so far is kept; "
                               "check the server's log.") from None
        finally:
            done.set()
            response.close()

    def _chunks(self, response: httpx.Response, watch: StreamWatch) -> Iterator[bytes]:
        """The bytes as they come; the watch is asked between two chunks too."""
        raw, watches = response.iter_bytes(), self.watches
        while True:
            before, watches.current = watches.current, watch  # as watches.watching, per chunk
            try:
                watches.slice(None, httpx.ReadTimeout)
                chunk = next(raw, None)
            finally:
                watches.current = before
            if chunk is None:
                return
            yield chunk

    # -- bounded JSON ------------------------------------------------------------------------------
    def _json(self, method: str, path: str, body: dict[str, Any] | None,
              timeout: float | None, watch: StreamWatch | None) -> Any:
        request = self.client.build_request(method, path, json=body,
                                            timeout=timeout or httpx.USE_CLIENT_DEFAULT)
        limits = watch.limits if watch is not None else self.spec.limits
        try:
            with self.watches.watching(watch):
                response = self.client.send(request, stream=True)
                try:
                    self._check(response, path)
                    data = self._body(response, path, limits)
                finally:
                    response.close()
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        try:
            return json.loads(data)
        except ValueError:
            raise BackendError(
                f"Backend {self.spec.name} answered {path} with something that is not JSON: "
                f"{data[:120].decode('utf-8', 'replace')!r}. Is {self.spec.url} the server you "
                "meant?") from None

    def _body(self, response: httpx.Response, path: str, limits: StreamLimits) -> bytes:
        """The whole body, refused as soon as it passes ``body_bytes``."""
        refused = limits.met("body_bytes", f"Backend {self.spec.name}'s answer to {path} was "
                             "refused", f"check that {self.spec.url} is the server you meant")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limits.body_bytes:
            raise BackendError(refused)
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > limits.body_bytes:
                raise BackendError(refused)
        return bytes(data)

    def _check(self, response: httpx.Response, path: str) -> None:
        """Raise for a redirect, a compressed body (it could not be bounded) or a refusal
        (its message read, bounded). Bodies are read with ``iter_bytes``: with no encoding
        that is the raw bytes, as they come."""
        if response.is_redirect or 300 <= response.status_code < 400:
            raise self._redirected(response, path)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise BackendError(
                f"Backend {self.spec.name} answered {path} compressed ({encoding[:40]}) though "
                "Samantha asks for plain answers, which it can bound: is "
                f"{self.spec.url} the server you meant, or a proxy in front of it?")
        if response.status_code >= 400:
            raise self._refused(response.status_code, self._error_text(response), path)

    def _error_text(self, response: httpx.Response) -> str:
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= ERROR_BYTES:
                break
        return bytes(data[:ERROR_BYTES]).decode("utf-8", errors="replace")

    # -- errors ----------------------------------------------------------------------------------
    def _redirected(self, response: httpx.Response, path: str) -> BackendError:
        name, code = self.spec.name, response.status_code
        where = response.headers.get("location", "").strip()[:300]
        if not where:
            return BackendInputError(f"Backend {name} at {self.spec.url} answered {code} to {path} "
                                "without saying where to go. Is it the server you meant?")
        target = str(response.request.url.join(where))
        base = target.removesuffix(path)
        return BackendInputError(
            f"Backend {name} at {self.spec.url} redirected {path} to {target} ({code}); "
            "Samantha does not follow redirects: give that address instead (`samantha "
            f"backends add {name} {base}`).")

    def _unreachable(self, exc: httpx.HTTPError) -> BackendError:
        what = ("took too long to answer" if isinstance(exc, httpx.TimeoutException)
                else f"cannot be reached ({type(exc).__name__}: {exc})")
        return BackendError(
            f"Backend {self.spec.name} at {self.spec.url} {what}. Is the server running and "
            f"listening there? `samantha backends check {self.spec.name}` tries it.")

    def _refused(self, code: int, text: str, path: str) -> BackendError:
        name = self.spec.name
        said = error_message(text)
        if code in (401, 403):
            how = (f"the key in ${self.spec.api_key_env} was refused" if self.spec.api_key_env
                   else "it wants a key: add the backend again with --api-key-env VARIABLE")
            return BackendInputError(f"Backend {name} refused the request ({code}): {how}. {said}")
        if code == 404:
            return BackendInputError(
                f"Backend {name} has no {path} ({code}: {said}). Is it a {self.spec.kind} "
                f"server? `samantha backends check {name}` finds its kind.")
        if code == 503:
            return BackendError(f"Backend {name} is not ready ({code}: {said}); it may still "
                                "be loading its model: try again in a moment.")
        return BackendError(f"Backend {name} answered {code} to {path}: {said}")


def watch_of(cancel: Cancel | None, spec: BackendSpec) -> StreamWatch | None:
    """A watch for a request on the way to an answer, so Stop gives up its wait."""
    return None if cancel is None else StreamWatch(cancel, spec.limits, spec.name)


def bounded_lines(chunks: Iterator[bytes], limits: StreamLimits, backend: str
                  ) -> Iterator[str]:
    """The lines of a byte stream (``\n`` or ``\r\n``), none longer than ``line_bytes``: a
    line that passes it is refused at once, before the rest of it is read."""
    pending = bytearray()
    searched = 0
    for chunk in chunks:
        pending += chunk
        start = 0
        ready: list[bytes] = []
        while (cut := pending.find(b"\n", searched)) >= 0:
            ready.append(bytes(pending[start:cut]))
            start = searched = cut + 1
        del pending[:start]
        searched = len(pending)
        if searched > limits.line_bytes or any(len(r) > limits.line_bytes for r in ready):
            raise BackendError(limits.met("line_bytes", f"The answer from backend {backend} "
                                          "was cut", "what it wrote before that line is kept"))
        for line in ready:
            yield line.decode("utf-8", errors="replace").rstrip("\r")
    if pending:
        yield pending.decode("utf-8", errors="replace").rstrip("\r")


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


def _close_on_cancel(response: httpx.Response, watch: StreamWatch,
                     done: threading.Event) -> None:
    while not done.wait(0.05):
        if watch.is_set():
            response.close()
            return


def sse_data(line: str) -> dict[str, Any] | None:
    """The JSON object of an SSE ``data:`` line (None for other lines and ``[DONE]``); a
    payload that is not one raises :class:`WrongShape`."""
    if not line.startswith("data:"):
        return None
    payload = line[5:].strip()
    if payload == "[DONE]" or not payload:
        return None
    return json_line(payload, "a JSON object (one chunk of the answer)")


def json_line(line: str, expected: str) -> dict[str, Any]:
    """The JSON object of a streamed line (an SSE payload, or a line of NDJSON)."""
    try:
        data = json.loads(line)
    except ValueError:
        raise WrongShape(line, expected, f"a line that is not JSON ({line[:120]!r})") from None
    return json_object(data, expected)


# -- the shape of what servers send ----------------------------------------------------------------
class WrongShape(BackendError):
    """A value in a backend's JSON that is not what was expected, found where it is read. The
    adapter says it in full, naming the backend and the path: :meth:`answered` for a JSON
    answer, :meth:`streamed` for a line of a stream. Still a :class:`BackendError` if not."""

    def __init__(self, value: Any, expected: str, found: str | None = None) -> None:
        self.found = found or described(value)
        self.expected = expected
        super().__init__(f"A backend sent {self.found} where {expected} was expected.")

    def answered(self, spec: BackendSpec, path: str, server: str) -> BackendError:
        """Said of the answer to ``path`` (``server``: what it should be, e.g. "a
        llama-server")."""
        return BackendError(
            f"Backend {spec.name} answered {path} with {self.found}, where {self.expected} "
            f"was expected. Is {spec.url} {server}, and the one you meant?")

    def streamed(self, spec: BackendSpec, path: str) -> BackendError:
        """Said of a line of the stream from ``path``."""
        return BackendError(
            f"Backend {spec.name} sent {self.found} in its stream from {path}, where "
            f"{self.expected} was expected. What it wrote so far is kept; check the server's "
            "log.")


@contextlib.contextmanager
def shaped_answer(spec: BackendSpec, path: str, server: str) -> Iterator[None]:
    """Say a :class:`WrongShape` met inside as one of the answer to ``path``."""
    try:
        yield
    except WrongShape as exc:
        raise exc.answered(spec, path, server) from None


@contextlib.contextmanager
def shaped_stream(spec: BackendSpec, path: str) -> Iterator[None]:
    """Say a :class:`WrongShape` met inside as one of the stream from ``path``."""
    try:
        yield
    except WrongShape as exc:
        raise exc.streamed(spec, path) from None


def described(value: Any) -> str:
    """A JSON value as a message shows it: what it is, and its start."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    kinds = {dict: "an object", list: "a list", str: "text"}
    kind = next((k for t, k in kinds.items() if isinstance(value, t)), "the number")
    return f"{kind} {shown}" if kind == "the number" else f"{kind} ({shown})"


def json_object(value: Any, expected: str, null_ok: bool = False) -> dict[str, Any]:
    """An object (null: an empty one, when ``null_ok``)."""
    if value is None and null_ok:
        return {}
    if not isinstance(value, dict):
        raise WrongShape(value, expected)
    return value


def json_list(value: Any, expected: str) -> list[Any]:
    if not isinstance(value, list):
        raise WrongShape(value, expected)
    return value


def json_objects(value: Any, expected: str) -> list[dict[str, Any]]:
    """A list of objects (null: none)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise WrongShape(value, expected)
    return value


def json_text(value: Any, expected: str) -> str:
    """Text (null: none)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WrongShape(value, expected)
    return value


def json_whole(value: Any, expected: str) -> int | None:
    """A whole number of 0 or more (null: None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WrongShape(value, expected)
    return value


def json_number(value: Any, expected: str) -> float | None:
    """A number, infinities allowed (a log-probability may be -inf), NaN not (null: None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise WrongShape(value, expected)
    return float(value)


def json_numbers(value: Any, expected: str) -> dict[str, float]:
    """The finite numbers of an object (timings, usage; null: none): its other entries are
    left out."""
    return {k: v for k, v in json_object(value, expected, null_ok=True).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
