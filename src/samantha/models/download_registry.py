"""``downloads.json``: which URL was saved as which file, so a link is downloaded only once.

Kept models are listed by URL; the test slot (``MODEL_FOR_TESTING.gguf``) has one record, the
URL it currently holds. The file is rewritten atomically (a temporary file, then ``os.replace``).
An unreadable registry is treated as empty: the worst outcome is downloading a model again.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

REGISTRY_NAME = "downloads.json"
_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One downloaded file: where it came from, its name in the models folder, size and hash."""

    url: str
    file: str
    size: int
    sha256: str
    etag: str | None = None

    def path(self, models_dir: Path) -> Path:
        return models_dir / self.file

    def present(self, models_dir: Path) -> bool:
        """The file is still there with the size it had when it was downloaded."""
        path = self.path(models_dir)
        return path.is_file() and path.stat().st_size == self.size


@dataclass(frozen=True)
class Registry:
    files: tuple[Record, ...] = ()
    test_slot: Record | None = None

    def kept(self, url: str) -> Record | None:
        return next((r for r in self.files if r.url == url), None)

    def with_kept(self, record: Record) -> Registry:
        others = tuple(r for r in self.files if r.url != record.url)
        return replace(self, files=(*others, record))

    def with_test_slot(self, record: Record) -> Registry:
        return replace(self, test_slot=record)


def load_registry(models_dir: Path) -> Registry:
    try:
        data = json.loads((models_dir / REGISTRY_NAME).read_text(encoding="utf-8"))
        files = tuple(_record(url, value) for url, value in data.get("files", {}).items())
        slot = data.get("test_slot")
        return Registry(files, _record(slot["url"], slot) if slot else None)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Registry()


def save_registry(models_dir: Path, registry: Registry) -> None:
    data = {
        "version": _VERSION,
        "files": {r.url: _fields(r) for r in registry.files},
        "test_slot": asdict(registry.test_slot) if registry.test_slot else None,
    }
    write_atomic(models_dir / REGISTRY_NAME, json.dumps(data, indent=2) + "\n")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _fields(record: Record) -> dict[str, Any]:
    fields = asdict(record)
    del fields["url"]
    return fields


def _record(url: str, value: dict[str, Any]) -> Record:
    file = str(value["file"])
    if Path(file).name != file or file in ("", ".", ".."):
        raise ValueError(f"not a file name: {file!r}")
    return Record(url=str(url), file=file, size=int(value["size"]),
                  sha256=str(value["sha256"]), etag=value.get("etag"))
