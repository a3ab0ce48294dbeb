"""The files the web UI shows (figures, speech, exports), copied where only the UI can serve them.

Gradio serves the files of its own upload folder and of ``allowed_paths``. Samantha allows no
path at all (so the data home, with the history, the models and every run's folder, is never
served) and gives the server an upload folder of its own, private to this process. A file a tab
is shown is copied there under a random folder name, and Gradio hands that tab a URL made from
a hash with a secret seed: another tab, or anyone on the machine, cannot guess it.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path


class PublishedFiles:
    """Copies of the files shown in the UI, each under an unguessable folder of ``root``."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        if self._root is None:  # made on first use (build_app without launch, in tests)
            self._root = Path(tempfile.mkdtemp(prefix="samantha-ui-"))
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
