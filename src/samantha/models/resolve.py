"""Turn what the user typed (``default``, ``smollm2``, a path, a file name) into a model file on
disk."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from samantha.core.errors import ModelError
from samantha.models.bundled import BUNDLED, DEFAULT, find_bundled, place, place_others

DEFAULT_NAME = DEFAULT.name


def default_model(models_dir: Path) -> Path:
    """The packaged Gemma 3 270M (Q4_K_M) file, assembled once into ``models_dir``."""
    return place(DEFAULT, models_dir)


def resolve_model(name: str, folders: Sequence[Path], models_dir: Path) -> Path:
    """A bundled model's short name, a path to a ``.gguf`` file, or the name of a file in one of
    ``folders``. The first use of a bundled model puts the other installed ones in place too."""
    bundled = find_bundled(name)
    if bundled is not None:
        path = place(bundled, models_dir)
        place_others(bundled, models_dir)
        return path
    path = Path(name).expanduser()
    if path.is_file():
        return path
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
        if not name.endswith(".gguf") and (folder / f"{name}.gguf").is_file():
            return folder / f"{name}.gguf"
    known = known_file(name, folders, models_dir)
    if known is not None:
        return known
    looked = ", ".join(str(f) for f in folders) or "no model folders"
    short = ", ".join(f"`{b.name}`" for b in BUNDLED)
    raise ModelError(
        f"Model not found: {name!r} is not a file, and no file of that name is in {looked}. "
        f"Give a path to a .gguf file, a bundled model ({short}), or a name from "
        "`samantha models list`."
    )


def known_file(name: str, folders: Sequence[Path], models_dir: Path) -> Path | None:
    """The downloaded file of the catalogue's model called ``name`` (None: not a catalogue
    name). A catalogue model not downloaded yet says how to get it."""
    from samantha.models.known import catalogue  # the catalogue file: read only when needed

    wanted = name.strip().lower()
    entry = next((m for m in catalogue(models_dir.parent) if m.name.lower() == wanted), None)
    if entry is None:
        return None
    for folder in folders:
        if (folder / entry.file).is_file():
            return folder / entry.file
    raise ModelError(
        f"{entry.name} ({entry.title}, {entry.size / 1e9:.1f} GB) is in the catalogue but not "
        f"downloaded yet: `samantha models get {entry.name}`, or Models → Catalogue → "
        "Download, gets it.")
