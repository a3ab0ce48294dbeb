"""The sockets under the remote backends' HTTP. Every wait (connecting, sending, the TLS
handshake, waiting for an answer's bytes) is cut into slices of at most
:data:`SLICE_SECONDS`, and between two slices the thread's :class:`StreamWatch` (the answer
being waited for, if any) is asked whether to go on. So Stop, Stop all and Ctrl+C act within a
slice, and a time limit ends a wait when it is met, even while the server sends nothing at all
(before its headers, before its first byte, between two bytes).

httpcore does the HTTP; this module gives it its network (:class:`SlicedBackend`), and
:class:`SlicedTransport` puts that under httpx.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from samantha.core.backend_specs import BackendError
from samantha.core.remote_limits import StreamWatch

#: Stop is seen within this; shorter slices only wake the thread more often.
SLICE_SECONDS = 0.1


class Stopped(BackendError):
    """Stop / Next, Stop all: the wait for a backend was given up (nothing went wrong)."""


class Watches(threading.local):
    """The watch of the answer each thread is waiting for (None: a request of its own)."""

    current: StreamWatch | None = None

    @contextlib.contextmanager
    def watching(self, watch: StreamWatch | None) -> Iterator[None]:
        before, self.current = self.current, watch
        try:
            yield
        finally:
            self.current = before

    def slice(self, deadline: float | None, timeout: type[Exception]) -> float:
        """How long the next wait may be; raises when Stop was pressed, a limit of the
        answer is met, or the request's own ``deadline`` passed (``timeout``)."""
        wait = SLICE_SECONDS
        watch = self.current
        if watch is not None:
            if watch.is_set():
                raise Stopped(f"Stopped while waiting for backend {watch.backend}.")
            left, said = watch.check()
            if said:
                raise BackendError(said)
            wait = min(wait, left)
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise timeout("timed out")
            wait = min(wait, left)
        return max(wait, 0.001)


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


class SlicedStream(httpcore.NetworkStream):
    def __init__(self, sock: socket.socket, watches: Watches) -> None:
        self._sock, self._watches = sock, watches

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        deadline = _deadline(timeout)
        while True:
            self._sock.settimeout(self._watches.slice(deadline, httpcore.ReadTimeout))
            try:
                return self._sock.recv(max_bytes)
            except TimeoutError:
                continue
            except OSError as exc:
                raise httpcore.ReadError(str(exc)) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        deadline = _deadline(timeout)
        while buffer:
            self._sock.settimeout(self._watches.slice(deadline, httpcore.WriteTimeout))
            try:
                buffer = buffer[self._sock.send(buffer):]
            except TimeoutError:
                continue
            except OSError as exc:
                raise httpcore.WriteError(str(exc)) from exc

    def close(self) -> None:
        self._sock.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        deadline = _deadline(timeout)
        try:
            sock = ssl_context.wrap_socket(self._sock, server_hostname=server_hostname,
                                           do_handshake_on_connect=False)
            while True:
                sock.settimeout(self._watches.slice(deadline, httpcore.ConnectTimeout))
                try:
                    sock.do_handshake()
                    break
                except TimeoutError:
                    continue
        except OSError as exc:
            self.close()
            raise httpcore.ConnectError(str(exc)) from exc
        except BaseException:
            self.close()
            raise
        return SlicedStream(sock, self._watches)

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object" and isinstance(self._sock, ssl.SSLSocket):
            # httpcore's sync streams give the SSLObject too; SSLSocket keeps it private
            return self._sock._sslobj  # type: ignore[attr-defined]  # not in typeshed
        if info == "client_addr":
            return self._sock.getsockname()
        if info == "server_addr":
            return self._sock.getpeername()
        if info == "socket":
            return self._sock
        if info == "is_readable":  # an idle kept-alive connection the server has closed
            with selectors.DefaultSelector() as selector:
                selector.register(self._sock, selectors.EVENT_READ)
                return bool(selector.select(0))
        return None


class SlicedBackend(httpcore.NetworkBackend):
    def __init__(self, watches: Watches) -> None:
        self._watches = watches

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        deadline = _deadline(timeout)
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        error: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _, address in found:
            sock = socket.socket(family, kind, proto)
            try:
                if local_address is not None:
                    sock.bind((local_address, 0))
                for option in socket_options or ():
                    sock.setsockopt(*option)
                self._connect(sock, address, deadline)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return SlicedStream(sock, self._watches)
            except OSError as exc:
                sock.close()
                error = exc
            except BaseException:
                sock.close()
                raise
        raise httpcore.ConnectError(str(error))

    def _connect(self, sock: socket.socket, address: Any, deadline: float | None) -> None:
        sock.setblocking(False)
        code = sock.connect_ex(address)
        with selectors.DefaultSelector() as selector:
            selector.register(sock, selectors.EVENT_WRITE)
            while code in (errno.EINPROGRESS, errno.EAGAIN, errno.EALREADY, errno.EWOULDBLOCK):
                if selector.select(self._watches.slice(deadline, httpcore.ConnectTimeout)):
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    break
        if code:
            raise OSError(code, f"cannot connect to {address}: error {code}")
        sock.setblocking(True)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("backends are reached over TCP")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


#: httpcore's errors as httpx's, most specific first.
ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError), (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError), (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError))


@contextlib.contextmanager
def as_httpx() -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _mapped(exc) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise _mapped(exc) from exc


def _mapped(exc: Exception) -> httpx.HTTPError:
    kind = next(theirs for ours, theirs in ERRORS if isinstance(exc, ours))
    return kind(str(exc))


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with as_httpx():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class SlicedTransport(httpx.BaseTransport):
    """An httpx transport whose sockets wait in slices, asking ``watches`` between them."""

    def __init__(self, watches: Watches, secure: bool = True) -> None:
        # httpx's own defaults, but for the network; the certificates (15 ms to load) only
        # for an https backend
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context() if secure else None, max_connections=100,
            max_keepalive_connections=20, keepalive_expiry=5.0,
            network_backend=SlicedBackend(watches))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream,
            extensions=request.extensions)
        with as_httpx():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers,
                              stream=_Body(answer.stream), extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()
