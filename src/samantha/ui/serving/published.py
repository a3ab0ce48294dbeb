"""The files the web UI shows (figures, speech, exports), copied where only the UI can serve them.

Gradio serves the files of its own upload folder and of ``allowed_paths``. Samantha allows no
path at all (so the data home, with the history, the models and every run's folder, is never
served) and gives the server an upload folder of its own, private to this process. A file a tab
is shown is copied there under a random folder name, and Gradio hands that tab a URL made from
a hash with a secret seed: another tab, or anyone on the machine, cannot guess it.

The folder is also Gradio's upload folder. A server that died without cleaning up leaves its
folder behind: the next one removes the folders whose server is gone (each names its process in
a file ``owner``: its pid and start time).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

PREFIX = "samantha-ui-"
OWNER = "owner"


class PublishedFiles:
    """Copies of the files shown in the UI, each under an unguessable folder of ``root``."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @classmethod
    def for_this_process(cls) -> "PublishedFiles":
        """A folder for this server, after removing those of servers that are gone."""
        base = Path(tempfile.gettempdir())
        for folder in base.glob(f"{PREFIX}*"):
            if folder.is_dir() and not folder.is_symlink() and _abandoned(folder):
                shutil.rmtree(folder, ignore_errors=True)
        files = cls()
        (files.root / OWNER).write_text(process_mark(os.getpid()), encoding="ascii")
        return files

    @property
    def root(self) -> Path:
        if self._root is None:  # made on first use (build_app without launch, in tests)
            self._root = Path(tempfile.mkdtemp(prefix=PREFIX))
        return self._root

    def publish(self, path: str | Path) -> str:
        """A copy of ``path`` that the UI may serve; its own path is returned."""
        source = Path(path)
        folder = self.root / "shown" / secrets.token_hex(16)
        folder.mkdir(parents=True)
        target = folder / source.name
        shutil.copyfile(source, target)
        return str(target)

    def close(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


def process_mark(pid: int) -> str:
    """``pid`` and its start time (a pid alone may be reused by another process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        started = stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = "?"
    return f"{pid} {started}"


def _abandoned(folder: Path) -> bool:
    """True when the server that made ``folder`` is gone (and the folder is ours to remove)."""
    try:
        if folder.stat().st_uid != os.getuid():
            return False
        pid, started = (folder / OWNER).read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return False  # not marked: a server still starting, or not ours
    if started == "?" or not pid.isdigit():
        return False
    return process_mark(int(pid)) != f"{pid} {started}"
