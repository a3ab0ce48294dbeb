"""The models Samantha can see: ``*.gguf`` files in the model folders, with their metadata.

Reading a header takes a moment for big vocabularies, so what was read is cached by path, size
and modification time: listing fifty models again is instant. Split models
(``name-00001-of-00003.gguf``) appear once, with the size of all their parts.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from samantha.core.errors import ModelError
from samantha.models.gguf_file import read_header

_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<parts>\d{5})\.gguf$", re.I)


@dataclass(frozen=True)
class ModelEntry:
    name: str  # the file name (the first part's, for split models)
    path: str
    size: int  # bytes, all parts together
    parts: int
    architecture: str | None = None
    quantization: str | None = None
    parameters: int | None = None
    context_length: int | None = None
    chat_template: bool | None = None
    error: str | None = None  # why the file cannot be used, when it cannot


def gguf_files(folders: Iterable[Path]) -> list[tuple[Path, list[Path]]]:
    """(first part, all parts) of each model in the folders (not recursive), by name."""
    models: dict[Path, list[Path]] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.gguf")) + sorted(folder.glob("*.GGUF")):
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
        self._data: dict[str, dict] = {}
        if path.is_file():
            try:
                self._data = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                self._data = {}  # a damaged cache is only a cache: rebuild it
        self._dirty = False

    def entry(self, first: Path, parts: list[Path]) -> ModelEntry:
        stats = [p.stat() for p in parts]
        key = str(first.resolve())
        stamp = [first.stat().st_size, first.stat().st_mtime_ns, len(parts)]
        cached = self._data.get(key)
        if cached and cached.get("stamp") == stamp:
            return ModelEntry(**cached["entry"])
        entry = _read_entry(first, parts, sum(s.st_size for s in stats))
        self._data[key] = {"stamp": stamp, "entry": asdict(entry)}
        self._dirty = True
        return entry

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        part.write_text(json.dumps(self._data), encoding="utf-8")
        part.replace(self.path)
        self._dirty = False


def _read_entry(first: Path, parts: list[Path], size: int) -> ModelEntry:
    base = dict(name=first.name, path=str(first), size=size, parts=len(parts))
    try:
        header = read_header(first)
    except ModelError as exc:
        return ModelEntry(**base, error=str(exc))
    return ModelEntry(**base, architecture=header.architecture,
                      quantization=header.quantization, parameters=header.parameters,
                      context_length=header.context_length,
                      chat_template=header.chat_template is not None)


def list_models(folders: Iterable[Path], cache: MetadataCache) -> list[ModelEntry]:
    entries = [cache.entry(first, parts) for first, parts in gguf_files(folders)]
    cache.save()
    return entries
