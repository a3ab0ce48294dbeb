"""A model download on a thread of its own, its progress as events a few times a second (so
that a chain, the UI or the CLI shows it while it goes)."""

from __future__ import annotations

import queue
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from samantha.core.answer_events import DownloadProgress
from samantha.core.engine import Cancel

EVERY = 0.2  # seconds between progress events


def fetch(download: Callable[..., Path], url: str, cancel: Cancel | None
          ) -> Iterator[DownloadProgress]:
    """``download(url, progress=…, cancel=…)`` in a worker thread; its progress as events,
    the last one ``finished``; its error raised here."""
    updates: queue.Queue[tuple[int, int | None]] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["path"] = download(
                url, progress=lambda done, total: updates.put((done, total)), cancel=cancel)
        except BaseException as exc:  # handed over to the generating thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="samantha-download", daemon=True)
    worker.start()
    last = 0.0
    while worker.is_alive() or not updates.empty():
        try:
            done, total = updates.get(timeout=0.1)
        except queue.Empty:
            continue
        if time.monotonic() - last >= EVERY:
            last = time.monotonic()
            yield DownloadProgress(url, done, total)
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    size = Path(outcome["path"]).stat().st_size
    yield DownloadProgress(url, size, size, finished=True)
