"""The user's models: where they are, what they are, and the ones that come from URLs."""

from __future__ import annotations

import builtins
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from samantha.core.engine import Cancel
from samantha.models import bundled
from samantha.models.catalog import (
    MetadataCache,
    ModelEntry,
    folder_problem,
    list_models,
)
from samantha.models.download_url import parse_model_url
from samantha.models.resolve import resolve_model

if TYPE_CHECKING:
    from samantha.models.download import Mode

Progress = Callable[[int, int | None], None]


def is_url(name: str) -> bool:
    return name.strip().lower().startswith(("http://", "https://"))


class ModelLibrary:
    """Model folders (the Samantha folder first), their GGUF files, and URL models, which are
    downloaded into the Samantha folder on first use and reused afterwards."""

    def __init__(self, models_dir: Path, folders: Sequence[Path], cache_file: Path,
                 url_mode: Mode = "keep") -> None:
        self.models_dir = models_dir
        self.folders = [models_dir, *(f for f in folders if f != models_dir)]
        self.cache_file = cache_file
        self.url_mode = url_mode

    def list(self) -> list[ModelEntry]:
        """Every model in the folders, the bundled ones first under their short names (once
        each); a bad file is an entry with its ``error``, and a folder that cannot be listed is
        skipped (see :meth:`folder_notes`)."""
        entries = list_models(self.folders, MetadataCache(self.cache_file))
        marked = []
        for entry in entries:
            model = None if entry.error else bundled.which(Path(entry.path), self.models_dir)
            marked.append(entry if model is None else replace(
                entry, name=model.name, bundled=True, purpose=model.purpose))
        order = [m.name for m in bundled.BUNDLED]
        return sorted(marked, key=lambda e: order.index(e.name) if e.bundled else len(order))

    def not_in_place(self) -> builtins.list[bundled.Bundled]:
        """The installed bundled models not in the Samantha folder yet (put there on first
        use of a bundled model)."""
        return bundled.not_in_place(self.models_dir)

    def names(self) -> builtins.list[str]:
        """The model names to offer: the installed bundled models, then the usable files."""
        return bundled.names(e.name for e in self.list() if not e.error)

    def folder_notes(self) -> dict[Path, str]:
        """Why a folder cannot be listed (gone, not a folder, unreadable), by folder. The
        Samantha folder is not listed before it exists: it is made on the first download."""
        notes = {f: folder_problem(f) for f in self.folders
                 if f != self.models_dir or self.models_dir.exists()}
        return {f: note for f, note in notes.items() if note}

    def resolve(self, name: str, progress: Progress | None = None,
                cancel: Cancel | None = None) -> Path:
        """A model file for ``name``: ``default``, a path, a file name in the folders, or a URL
        (downloaded now unless it already was)."""
        if is_url(name):
            return self.download(name, progress=progress, cancel=cancel)
        return resolve_model(name, self.folders, self.models_dir)

    def download(self, url: str, mode: Mode | None = None, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> Path:
        parse_model_url(url)  # a clear error for a link that is not a model
        from samantha.models.download import download_model  # with the HTTP client: on demand

        return download_model(url, self.models_dir, mode=mode or self.url_mode,
                              progress=progress, cancel=cancel)
