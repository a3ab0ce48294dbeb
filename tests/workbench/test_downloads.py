"""A model download on a thread of its own (workbench/downloads.py): its progress comes to the
generating thread as events, a few a second at most, the last one ``finished`` with the file's
size; an error of the download is raised there, in the caller's thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from samantha.core.answer_events import DownloadProgress
from samantha.core.errors import ModelError
from samantha.workbench.downloads import fetch

URL = "https://huggingface.co/org/repo/resolve/main/model.gguf"


class Download:
    """A download that reports ``steps``, then writes ``size`` bytes to ``path`` (or raises
    ``error``), noting the thread it ran on and the cancel it was given."""

    def __init__(self, path: Path, steps: list[tuple[int, int | None]], size: int,
                 error: Exception | None = None) -> None:
        self.path, self.steps, self.size, self.error = path, steps, size, error
        self.threads: list[threading.Thread] = []
        self.cancels: list[Any] = []

    def __call__(self, url: str, progress: Callable[[int, int | None], None],
                 cancel: Any) -> Path:
        self.threads.append(threading.current_thread())
        self.cancels.append(cancel)
        for done, total in self.steps:
            progress(done, total)
        if self.error is not None:
            raise self.error
        self.path.write_bytes(b"x" * self.size)
        return self.path


def test_the_progress_comes_as_events_and_ends_finished(tmp_path: Path) -> None:
    download = Download(tmp_path / "model.gguf", [(0, 300), (150, 300), (300, 300)], 300)
    events = list(fetch(download, URL, None))
    assert events[0] == DownloadProgress(URL, 0, 300)  # the first step is shown at once
    assert events[-1] == DownloadProgress(URL, 300, 300, finished=True)
    assert all(not e.finished and e.total == 300 for e in events[:-1])
    assert download.threads[0] is not threading.current_thread()


def test_the_last_event_gives_the_files_size_whatever_the_server_said(tmp_path: Path) -> None:
    download = Download(tmp_path / "model.gguf", [(0, None), (250, None)], 300)
    events = list(fetch(download, URL, None))
    assert events[0] == DownloadProgress(URL, 0, None)
    assert events[-1] == DownloadProgress(URL, 300, 300, finished=True)


def test_many_steps_give_a_few_events(tmp_path: Path) -> None:
    steps = [(done, 5000) for done in range(5000)]  # written as fast as a loop goes
    events = list(fetch(Download(tmp_path / "m.gguf", steps, 5000), URL, None))
    assert 2 <= len(events) <= 6  # one every 0.2 s at most, and the finished one
    dones = [e.done for e in events]
    assert dones == sorted(dones) and dones[-1] == 5000


def test_an_error_of_the_download_is_raised_in_the_callers_thread(tmp_path: Path) -> None:
    failure = ModelError("The server answered 404 for model.gguf.")
    events: list[DownloadProgress] = []
    with pytest.raises(ModelError) as raised:
        for event in fetch(Download(tmp_path / "m.gguf", [(0, 10)], 0, failure), URL, None):
            events.append(event)
    assert raised.value is failure
    assert events == [DownloadProgress(URL, 0, 10)]  # its progress came first, no "finished"


def test_stop_reaches_the_download(tmp_path: Path) -> None:
    cancel = threading.Event()
    download = Download(tmp_path / "m.gguf", [], 1)
    list(fetch(download, URL, cancel))
    assert download.cancels == [cancel]
