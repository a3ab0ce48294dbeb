"""Hostile HTTP servers on 127.0.0.1 for the remote-backend tests: raw sockets, one thread per
connection, so a server can do what no framework lets it (never answer, send one line of
64 MiB, stream forever, keep a connection alive with comments only, redirect).

A server answers ``GET /v1/models`` with one model (``hostile``, a generic OpenAI-compatible
dialect) unless told otherwise, and ``POST /v1/chat/completions`` with its behaviour.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

Handler = Callable[["Connection"], None]
MODELS = json.dumps({"object": "list", "data": [{"id": "hostile", "object": "model",
                                                 "owned_by": "hostile"}]}).encode()
SSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"


def chunk(text: str, finish: str | None = None) -> bytes:
    data = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}
    return b"data: " + json.dumps(data).encode() + b"\n\n"


class Connection:
    """One accepted connection, its request read."""

    def __init__(self, sock: socket.socket, server: HostileServer) -> None:
        self.sock, self.server = sock, server
        self.method, self.path, self.body = "", "", b""

    def read_request(self) -> bool:
        data = b""
        while b"\r\n\r\n" not in data:
            more = self.sock.recv(65536)
            if not more:
                return False
            data += more
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.path = lines[0].split(" ")[:2]
        length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:])
                       if k.strip().lower() == "content-length"), 0)
        while len(rest) < length:
            more = self.sock.recv(65536)
            if not more:
                return False
            rest += more
        self.body = rest
        return True

    def send(self, data: bytes) -> bool:
        """Send; False once the client has closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def json(self, data: bytes, status: str = "200 OK") -> None:
        self.send(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: "
                  f"{len(data)}\r\n\r\n".encode() + data)

    def hold(self) -> None:
        """Say nothing until the client goes away or the server stops."""
        self.sock.settimeout(0.05)
        while not self.server.stopping.is_set():
            try:
                if self.sock.recv(1) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return


class HostileServer:
    """Serves ``routes`` ("METHOD /path" -> handler) on a free port of 127.0.0.1. ``asked``
    is set when a POST comes; ``closed`` when a client closes a streamed connection (the
    handler's ``send`` failed)."""

    def __init__(self, routes: dict[str, Handler], backlog: int = 16) -> None:
        self.routes = {"GET /v1/models": lambda c: c.json(MODELS), **routes}
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(backlog)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stopping = threading.Event()
        self.closed = threading.Event()
        self.asked = threading.Event()  # a POST came (the client waits for its answer)
        self.requests: list[tuple[str, str, bytes]] = []
        self.sent = 0  # bytes sent by streaming handlers
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._sockets.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        """Requests on this connection, one after the other (kept alive as real servers do;
        a streamed answer, which has no length, ends with the connection)."""
        connection = Connection(sock, self)
        try:
            while not self.stopping.is_set() and connection.read_request():
                self.requests.append((connection.method, connection.path, connection.body))
                if connection.method == "POST":
                    self.asked.set()
                handler = self.routes.get(f"{connection.method} {connection.path}")
                if handler is None:
                    connection.json(b'{"error": "not found"}', "404 Not Found")
                    continue
                handler(connection)
                if connection.method == "POST":  # streamed: no length, the close ends it
                    return
        except OSError:
            pass
        finally:
            sock.close()

    def stream(self, connection: Connection, parts: Iterator[bytes]) -> None:
        """Send each part until the client closes (then ``closed`` is set) or the server
        stops."""
        for part in parts:
            if self.stopping.is_set():
                return
            if not connection.send(part):
                self.closed.set()
                return
            self.sent += len(part)

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in [self._accepting, *self._threads]:
            thread.join(5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


# -- behaviours --------------------------------------------------------------------------------
def forever(connection: Connection) -> None:
    """Tokens as fast as the client takes them, whatever max_tokens says."""
    connection.send(SSE)
    connection.server.stream(connection, (chunk("tok ") for _ in iter(int, 1)))


def tokens_then(count: int, then: Handler) -> Handler:
    """``count`` tokens ("a0 ", "a1 ", …), then ``then``."""
    def handler(connection: Connection) -> None:
        connection.send(SSE)
        connection.server.stream(connection, (chunk(f"a{i} ") for i in range(count)))
        then(connection)
    return handler


def long_line(size: int) -> Handler:
    """One SSE line of ``size`` bytes, in 1 MiB pieces."""
    def parts() -> Iterator[bytes]:
        yield b'data: {"choices": [{"index": 0, "delta": {"content": "'
        piece = b"x" * (1024 * 1024)
        for _ in range(size // len(piece)):
            yield piece
        yield b'"}}]}\n\n'
    return lambda connection: connection.server.stream(connection, parts())


def every(seconds: float, part: bytes) -> Handler:
    """``part`` every ``seconds`` (a keep-alive comment, a token), until the client goes."""
    def parts() -> Iterator[bytes]:
        while True:
            yield part
            time.sleep(seconds)  # the server's pace, not a wait for the test
    return lambda connection: connection.server.stream(connection, parts())


def comments(seconds: float) -> Handler:
    return every(seconds, b": keep-alive\n\n")


def silent(connection: Connection) -> None:
    """Reads the request and never answers."""
    connection.hold()


def headers_only(connection: Connection) -> None:
    """Answers 200 with its headers, then never a byte of the body."""
    connection.send(SSE)
    connection.hold()


def huge_json(size: int, declared: bool) -> Handler:
    """A JSON body of ``size`` bytes (its Content-Length given or not), sent until the client
    goes away."""
    def handler(connection: Connection) -> None:
        head = f"Content-Length: {size}\r\n" if declared else "Connection: close\r\n"
        connection.send(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{head}\r\n"
                        .encode())
        piece = b"m" * (1024 * 1024)
        start = b'{"object": "list", "data": [{"id": "'
        connection.server.stream(connection, iter([start] + [piece] * (size // len(piece))))
    return handler


def redirect(to: str, status: str = "307 Temporary Redirect") -> Handler:
    def handler(connection: Connection) -> None:
        connection.send(f"HTTP/1.1 {status}\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n"
                        .encode())
    return handler
