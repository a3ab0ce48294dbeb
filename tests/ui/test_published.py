"""The UI's private folder of published files (and Gradio's uploads): a server that died leaves
its folder behind, and the next one removes it; a live server's folder is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from samantha.ui.serving.published import OWNER, PREFIX, PublishedFiles, process_mark


def folder_of(pid_mark: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    (folder / "upload.bin").write_bytes(b"\0" * 1024)
    (folder / OWNER).write_text(pid_mark, encoding="ascii")
    return folder


def test_the_folder_of_a_dead_server_is_removed_and_a_live_ones_kept() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = folder_of(process_mark(gone.pid))  # marked while it ran, then killed (kill -9)
    gone.kill()
    gone.wait()
    reused = folder_of(f"{os.getpid()} 1")  # this pid, another start time: another process
    alive = folder_of(process_mark(os.getppid()))
    unmarked = Path(tempfile.mkdtemp(prefix=PREFIX))  # a server still starting
    files = PublishedFiles.for_this_process()
    try:
        assert not dead.exists() and not reused.exists()
        assert alive.exists() and unmarked.exists()
        assert (files.root / OWNER).read_text() == process_mark(os.getpid())
    finally:
        files.close()
        for folder in (alive, unmarked):
            subprocess.run(["rm", "-rf", str(folder)], check=True)
