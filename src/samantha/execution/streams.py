"""Reading a child's output: one thread per stream, a cap on what is kept, the rest drained."""

from __future__ import annotations

import codecs
import os
import threading
from typing import IO

CHUNK = 64 * 1024


class CappedReader:
    """Reads a pipe to its end in a thread, keeping the first ``cap`` bytes. Reading goes on
    after the cap (and what comes is dropped), so a chatty child never blocks on a full pipe."""

    def __init__(self, pipe: IO[bytes], cap: int, name: str) -> None:
        self._pipe = pipe
        self._cap = cap
        self._kept = bytearray()
        self._total = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name=f"samantha-{name}", daemon=True)

    def start(self) -> "CappedReader":
        self._thread.start()
        return self

    def _drain(self) -> None:
        fd = self._pipe.fileno()
        while True:
            try:
                chunk = os.read(fd, CHUNK)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                room = self._cap - len(self._kept)
                if room > 0:
                    self._kept += chunk[:room]
                self._total += len(chunk)

    def finish(self, timeout: float) -> None:
        """Wait for the end of the stream; close the pipe if it came. A pipe still held open
        (by a process that left the process group) is abandoned to its daemon thread."""
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._pipe.close()

    @property
    def total(self) -> int:
        with self._lock:
            return self._total

    @property
    def truncated(self) -> bool:
        return self.total > self._cap

    def text(self) -> str:
        """What was kept, decoded (invalid UTF-8 replaced), with a note when bytes were dropped."""
        with self._lock:
            kept, total = bytes(self._kept), self._total
        # a character cut by the cap is left out rather than shown as a replacement character
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = decoder.decode(kept, final=total <= self._cap)
        if total > self._cap:
            if text and not text.endswith("\n"):
                text += "\n"
            text += f"[output truncated: {total:,} bytes written, the first {self._cap:,} kept]\n"
        return text
