"""The models Samantha can see: ``*.gguf`` files in the model folders, with their metadata.

Reading a header takes a moment for big vocabularies, so what was read is cached by path, size
and modification time: listing fifty models again is instant. Split models
(``name-00001-of-00003.gguf``) appear once, with the size of all their parts.

Nothing in a folder breaks the list: a file that cannot be read or whose header is bad is
listed with its reason (``error``), and a folder that is gone or cannot be read is skipped here
and said so by :func:`folder_problem`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import struct
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Iterable

from samantha.core.errors import ModelError
from samantha.models.gguf_file import read_header

_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<parts>\d{5})\.gguf$", re.I)


@dataclass(frozen=True)
class ModelEntry:
    name: str  # the model name to give: a bundled model's short name, else the file name
    path: str
    size: int  # bytes, all parts together
    parts: int
    architecture: str | None = None
    quantization: str | None = None
    parameters: int | None = None
    context_length: int | None = None
    chat_template: bool | None = None
    error: str | None = None  # why the file cannot be used, when it cannot
    file: str = ""  # the file name (the first part's, for split models)
    bundled: bool = False  # one of the models that come with Samantha (see models.bundled)
    purpose: str | None = None  # what a bundled model is for


READER = 3  # the header reader's version: entries cached by an older one are read again


def folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot be listed (``not found``, ``not a folder``, ``cannot be read:
    …``), or None when it can."""
    try:
        if not folder.exists():
            return "not found"
        if not folder.is_dir():
            return "not a folder"
        with os.scandir(folder):
            return None
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"


def _model_names(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            names = [entry.name for entry in entries]
    except OSError:
        return []  # folder_problem says why
    return [folder / name for name in sorted(names) if name.lower().endswith(".gguf")]


def gguf_files(folders: Iterable[Path]) -> list[tuple[Path, list[Path]]]:
    """(first part, all parts) of each model in the folders (not recursive), by name."""
    models: dict[Path, list[Path]] = {}
    for folder in folders:
        for path in _model_names(folder):
            split = _SPLIT.match(path.name)
            if split:
                first = path.with_name(f"{split['stem']}-00001-of-{split['parts']}.gguf")
                models.setdefault(first, []).append(path)
            else:
                models.setdefault(path, []).append(path)
    return sorted(((first, sorted(parts)) for first, parts in models.items()),
                  key=lambda item: (item[0].name.lower(), str(item[0])))


class MetadataCache:
    """GGUF facts per file, kept in a JSON file and trusted while size and mtime are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError):
            data = {}  # a damaged cache is only a cache: rebuild it
        self._data: dict[str, dict] = data if isinstance(data, dict) else {}
        self._dirty = False

    def entry(self, first: Path, parts: list[Path]) -> ModelEntry:
        try:
            stats = [p.stat() for p in parts]
            key = str(first.resolve())
        except (OSError, RuntimeError) as exc:  # gone since listed, a broken link, a loop
            reason = getattr(exc, "strerror", None) or exc
            return ModelEntry(first.name, str(first), 0, len(parts), file=first.name,
                              error=f"{first} cannot be read ({reason}).")
        stamp = [stats[0].st_size, stats[0].st_mtime_ns, len(parts), READER]
        cached = self._data.get(key)
        if isinstance(cached, dict) and cached.get("stamp") == stamp:
            try:
                return ModelEntry(**cached["entry"])
            except (TypeError, KeyError):
                pass  # damaged: read the file again
        entry = _read_entry(first, parts, sum(s.st_size for s in stats))
        self._data[key] = {"stamp": stamp, "entry": asdict(entry)}
        self._dirty = True
        return entry

    def save(self) -> None:
        """Keep what was read (a cache that cannot be written is only slower next time)."""
        if not self._dirty:
            return
        part = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            part.write_text(json.dumps(self._data), encoding="utf-8")
            part.replace(self.path)
        except OSError:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
            return
        self._dirty = False


def _read_entry(first: Path, parts: list[Path], size: int) -> ModelEntry:
    base = partial(ModelEntry, name=first.name, path=str(first), size=size, parts=len(parts),
                   file=first.name)
    try:
        header = read_header(first)
    except ModelError as exc:
        return base(error=str(exc))
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError,
            struct.error) as exc:  # a check the reader lacks: still one entry, not a crash
        return base(error=f"{first} could not be read ({type(exc).__name__}: {exc}); please "
                          "report this file to Samantha.")
    return base(architecture=header.architecture, quantization=header.quantization,
                parameters=header.parameters, context_length=header.context_length,
                chat_template=header.chat_template is not None)


def list_models(folders: Iterable[Path], cache: MetadataCache) -> list[ModelEntry]:
    entries = [cache.entry(first, parts) for first, parts in gguf_files(folders)]
    cache.save()
    return entries
