"""llama.cpp's real ``llama-server`` on 127.0.0.1 for the tests: the binary `make llama-server`
builds (``SAMANTHA_LLAMA_SERVER``, else the one build in the cache folder), started on a free
port."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

VERSION = "0.3.36"


def binary() -> Path:
    given = os.environ.get("SAMANTHA_LLAMA_SERVER")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "samantha"
    built = sorted(cache.glob(f"llama-server-{VERSION}-*/llama-server"))  # one per kind of CPU
    path = Path(given) if given else built[0] if len(built) == 1 else cache / "llama-server"
    if not path.is_file():
        raise RuntimeError(f"No llama-server at {path}: `make llama-server` builds it (make test "
                           "does this first).")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """One llama-server process serving ``model`` under the name ``alias``."""

    def __init__(self, model: Path, alias: str = "default", slots: int = 1, n_ctx: int = 1024,
                 threads: int = 1, log: Path | None = None,
                 extra: list[str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log or os.devnull, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(binary()), "-m", str(model), "--host", "127.0.0.1", "--port", str(self.port),
             "--alias", alias, "-c", str(n_ctx * slots), "-np", str(slots), "-t", str(threads),
             "--no-webui", *(extra or [])],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama-server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("llama-server did not become ready")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
