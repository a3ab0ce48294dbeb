"""Fixtures of the sandbox tests: both backends, bubblewrap required, a local server."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest

from samantha.execution import Sandbox, SandboxUnavailable


@pytest.fixture(scope="session")
def bubblewrap() -> Sandbox:
    """The bubblewrap backend; its tests fail (never skip) where bubblewrap does not work."""
    sandbox = Sandbox("bubblewrap")
    try:
        sandbox.bubblewrap()
    except SandboxUnavailable as exc:
        pytest.fail(str(exc))
    return sandbox


@pytest.fixture(params=["bubblewrap", "rlimits"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sandbox(backend: str, request: pytest.FixtureRequest) -> Sandbox:
    if backend == "bubblewrap":
        return request.getfixturevalue("bubblewrap")
    return Sandbox("rlimits")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path / "run" / "work"



@pytest.fixture
def server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that answers "hello" to each connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b"hello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    listener.close()

