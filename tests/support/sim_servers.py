"""Simulated OpenAI-compatible servers on 127.0.0.1, standing in for a rack of machines: each
has a number of slots (answers computed at once; more requests wait for one), a fixed time per
token, and can be told to fail. One asyncio loop serves them all.

In a test: ``with Farm(16, slots=4, seconds_per_token=0.005) as farm:`` (a thread). For the
scale bench, as a process of its own (so that its work is not counted as Samantha's)::

    python tests/support/sim_servers.py --servers 64 --slots 4 --rate 15 [--fail 0.1 --fail-at 10]

prints one JSON line with the servers' URLs, then serves until killed.

Each server answers ``GET /v1/models`` (its models), ``GET /props`` (``total_slots``, as
llama-server says it), ``GET /sim/stats`` (what it served) and ``POST /v1/chat/completions``
(streamed or not): ``max_tokens`` words ``w0 w1 …`` (each followed by a space), one per time
step. A failing server
("down") refuses new requests with 503 and breaks the streams in progress.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SimServer:
    name: str
    slots: int
    seconds_per_token: float
    models: tuple[str, ...] = ("sim",)
    down: bool = False
    down_at_token: int | None = None  # goes down after streaming this many tokens in all
    port: int = 0
    requests: int = 0
    answered: int = 0
    broken: int = 0
    active: int = 0
    peak: int = 0
    tokens: int = 0
    models_asked: dict[str, int] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stats(self) -> dict[str, Any]:
        return {"name": self.name, "requests": self.requests, "answered": self.answered,
                "broken": self.broken, "peak": self.peak, "tokens": self.tokens,
                "models": dict(self.models_asked), "down": self.down}


class Farm:
    """``count`` simulated servers served by one asyncio loop in a thread of its own."""

    def __init__(self, count: int, slots: int = 1, seconds_per_token: float = 0.01,
                 models: tuple[str, ...] = ("sim",), props: bool = True) -> None:
        self.servers = [SimServer(f"sim{i:02d}", slots, seconds_per_token, models)
                        for i in range(count)]
        self.props = props
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="sim-servers")
        self._listening: list[asyncio.base_events.Server] = []

    def __enter__(self) -> "Farm":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def __exit__(self, *exc: Any) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def fail(self, index: int, down: bool = True) -> None:
        """Take server ``index`` down (or bring it back)."""
        self.servers[index].down = down

    async def _start(self) -> None:
        for server in self.servers:
            server._slots = asyncio.Semaphore(server.slots)
            listening = await asyncio.start_server(
                lambda r, w, s=server: self._connection(s, r, w), "127.0.0.1", 0, backlog=512)
            server.port = listening.sockets[0].getsockname()[1]
            self._listening.append(listening)

    async def _stop(self) -> None:
        for listening in self._listening:
            listening.close()
        for task in asyncio.all_tasks(self.loop) - {asyncio.current_task()}:
            task.cancel()

    async def _connection(self, server: SimServer, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                keep = await self._answer(server, *request, writer)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _answer(self, server: SimServer, method: str, path: str, body: bytes,
                      writer: asyncio.StreamWriter) -> bool:
        if method == "GET" and path == "/v1/models":
            return await _json(writer, {"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "sim"} for m in server.models]})
        if method == "GET" and path == "/props" and self.props:
            return await _json(writer, {"total_slots": server.slots})
        if method == "GET" and path == "/sim/stats":
            return await _json(writer, server.stats())
        if method == "POST" and path == "/v1/chat/completions":
            return await self._complete(server, json.loads(body or b"{}"), writer)
        return await _json(writer, {"error": {"message": "not found"}}, "404 Not Found")

    async def _complete(self, server: SimServer, ask: dict[str, Any],
                        writer: asyncio.StreamWriter) -> bool:
        server.requests += 1
        model = str(ask.get("model", ""))
        server.models_asked[model] = server.models_asked.get(model, 0) + 1
        if server.down:
            return await _json(writer, {"error": {"message": "the server is down"}},
                               "503 Service Unavailable")
        if model not in server.models:
            return await _json(writer, {"error": {"message": f"no model {model}"}},
                               "404 Not Found")
        n = int(ask.get("max_tokens") or 16)
        assert server._slots is not None
        async with server._slots:
            server.active += 1
            server.peak = max(server.peak, server.active)
            try:
                if not ask.get("stream"):
                    await asyncio.sleep(n * server.seconds_per_token)
                    if server.down:
                        server.broken += 1
                        return False
                    server.tokens += n
                    server.answered += 1
                    return await _json(writer, _completion(model, n))
                return await self._stream(server, model, n, writer)
            finally:
                server.active -= 1

    async def _stream(self, server: SimServer, model: str, n: int,
                      writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                     b"Cache-Control: no-cache\r\nConnection: close\r\n\r\n")
        loop = asyncio.get_running_loop()
        started = loop.time()
        for i in range(n):  # on a schedule: the loop's own delays do not add up
            await asyncio.sleep(max(started + (i + 1) * server.seconds_per_token - loop.time(),
                                    0))
            if server.down or writer.transport.is_closing():  # down, or the client left
                server.broken += 1
                return False
            writer.write(_chunk({"content": f"w{i} "}, None, model))
            server.tokens += 1
            if server.down_at_token is not None and server.tokens >= server.down_at_token:
                server.down = True  # this stream and the others in progress break
            if i % 8 == 7:
                await writer.drain()
        writer.write(_chunk({}, "length", model, {"prompt_tokens": 8, "completion_tokens": n,
                                                  "total_tokens": 8 + n}))
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
        server.answered += 1
        return False


def _chunk(delta: dict[str, Any], finish: str | None, model: str,
           usage: dict[str, int] | None = None) -> bytes:
    data: dict[str, Any] = {"object": "chat.completion.chunk", "model": model, "choices": [
        {"index": 0, "delta": delta, "finish_reason": finish}]}
    if usage:
        data["usage"] = usage
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _completion(model: str, n: int) -> dict[str, Any]:
    return {"object": "chat.completion", "model": model, "choices": [
        {"index": 0, "message": {"role": "assistant",
                                 "content": "".join(f"w{i} " for i in range(n))},
         "finish_reason": "length"}],
        "usage": {"prompt_tokens": 8, "completion_tokens": n, "total_tokens": 8 + n}}


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:])
                   if k.strip().lower() == "content-length"), 0)
    body = await reader.readexactly(length) if length else b""
    return method, path.split("?")[0], body


async def _json(writer: asyncio.StreamWriter, data: Any, status: str = "200 OK") -> bool:
    body = json.dumps(data).encode()
    writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: "
                 f"{len(body)}\r\n\r\n".encode() + body)
    await writer.drain()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=16)
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--rate", type=float, default=15.0, help="tokens per second per slot")
    parser.add_argument("--model", action="append", default=None)
    parser.add_argument("--fail", type=float, default=0.0, help="share of servers that fail")
    parser.add_argument("--fail-at", type=float, default=0.0, help="seconds after the start")
    args = parser.parse_args()
    farm = Farm(args.servers, args.slots, 1.0 / args.rate, tuple(args.model or ("sim",)))
    with farm:
        print(json.dumps({"urls": [s.url for s in farm.servers]}), flush=True)
        failing = farm.servers[: round(args.fail * len(farm.servers))]
        if failing:
            time.sleep(args.fail_at)
            for server in failing:
                server.down = True
            print(json.dumps({"down": [s.name for s in failing]}), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    sys.exit(main())
