"""Download GGUF models from Hugging Face or any HTTP(S) link into the models folder.

Every download goes to ``<name>.part`` and is renamed only once it is complete and verified:
the size the server announced, the sha256 it publishes (Hugging Face's ``X-Linked-Etag``), the
GGUF magic (checked on the first chunk) and a readable GGUF header. An interrupted or cancelled
download resumes with an HTTP ``Range`` request. Two modes:

* ``keep``: each model under its own file name; a different file of the same name is never
  overwritten (the new one gets ``<stem>-<8 hex of its sha256>.gguf``).
* ``test``: the predecessor's ``MODEL_FOR_TESTING.gguf`` slot, which holds only the last URL
  model; the previous one is replaced only when the new one is complete and verified.

``downloads.json`` remembers which URL became which file, so a link is fetched only once.
The HTTP code is our own (httpx) rather than huggingface_hub's ``hf_hub_download``, which (in
2.4) verifies no content hash, only warns when the disk is full, cannot be cancelled between
chunks nor stopped on a wrong first chunk, and fetches xet-stored files through its own protocol.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from samantha.core.errors import ModelError
from samantha.models.download_http import (
    Cancel,
    DownloadCancelled,
    DownloadError,
    LinkError,
    Progress,
    Remote,
    Transfer,
    discard,
    human_size,
    make_client,
    probe,
    sidecar_path,
    status_error,
    transport_error,
)
from samantha.models.download_registry import (
    Record,
    Registry,
    load_registry,
    save_registry,
)
from samantha.models.download_url import (
    ModelURL,
    hf_endpoint,
    parse_model_url,
    parse_repo_ref,
    resolve_url,
)
from samantha.models.files import sha256_file
from samantha.models.gguf_file import read_header

__all__ = [
    "DEFAULT_TIMEOUT", "DownloadCancelled", "DownloadError", "Expected", "LinkError", "ModelURL",
    "TEST_SLOT_NAME", "download_model", "list_repo_gguf_files", "parse_model_url",
]

TEST_SLOT_NAME = "MODEL_FOR_TESTING.gguf"
DEFAULT_TIMEOUT = 30.0
Mode = Literal["test", "keep"]


@dataclass(frozen=True)
class Expected:
    """The size and sha256 a download must have (a catalogue entry's), whatever the server says."""

    size: int
    sha256: str


def download_model(url: str, models_dir: Path, *, mode: Mode = "keep",
                   progress: Progress | None = None, cancel: Cancel | None = None,
                   token: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                   expect: Expected | None = None) -> Path:
    """Download the model at ``url`` into ``models_dir`` (or reuse it) and return its path.

    ``progress(done_bytes, total_bytes_or_None)`` is called after every chunk; ``cancel.is_set()``
    is checked between chunks and stops with :class:`DownloadCancelled`, keeping the ``.part``.
    ``token`` (default ``$HF_TOKEN``) is sent to Hugging Face only. ``timeout`` bounds the wait for
    the connection and for each chunk, in seconds. With ``expect``, a file of another size or
    sha256 is refused (before its bytes when the server announces them, else once they are in).
    """
    if mode not in ("test", "keep"):
        raise ModelError(f"Unknown download mode {mode!r}: use 'keep' (one file per model) or "
                         "'test' (the single MODEL_FOR_TESTING.gguf slot).")
    target = parse_model_url(url)
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    reused = _reuse(load_registry(models_dir), target, models_dir, mode)
    if reused is not None and _as_expected(models_dir, target, expect):
        return _finished(reused, progress)
    part = models_dir / f"{target.filename}.part"
    headers = _headers(target, token)
    with make_client(timeout) as client:
        compare = mode == "keep" and (models_dir / target.filename).exists()
        if compare:  # ask with HEAD first: the same model may be there already
            announced = probe(client, target.url, headers)
            if announced is not None:
                _check_announced(part, target, announced, expect)
            existing = _same_file(models_dir, target, announced)
            if existing is not None:
                discard(part)
                return _finished(existing, progress)
            compare = announced is None
        with Transfer(client, target.url, part, headers=headers, hub_page=_hub_page(target),
                      timeout=timeout) as transfer:
            remote = transfer.remote
            _check_announced(part, target, remote, expect)
            existing = _same_file(models_dir, target, remote) if compare else None
            if existing is not None:
                discard(part)
                return _finished(existing, progress)
            _check_space(models_dir, target.filename, remote)
            sha = transfer.download(progress, cancel)
    _check_received(part, target, sha, expect)
    _check_gguf(part, target)
    final = _install(part, models_dir, target.filename, sha, mode)
    sidecar_path(part).unlink(missing_ok=True)
    return _remember(models_dir, target, final, sha, remote, mode)


def list_repo_gguf_files(repo: str, token: str | None = None, *,
                         timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """The ``.gguf`` files of a Hugging Face repository (``org/repo`` or its link), as sorted
    ``resolve`` URLs. A ``…/tree/<rev>/<folder>`` link lists that revision and folder only."""
    ref = parse_repo_ref(repo)
    endpoint = hf_endpoint()
    api = f"{endpoint}/api/models/{ref.repo_id}"
    if ref.revision != "main":
        api += f"/revision/{ref.revision.replace('/', '%2F')}"
    headers = _auth(token)
    page = f"{endpoint}/{ref.repo_id}"
    with make_client(timeout) as client:
        try:
            response = client.get(api, headers=headers)
        except httpx.RequestError as exc:
            raise transport_error(exc, api, timeout, 0, None) from exc
        if response.status_code != 200:
            raise status_error(response, page, page, what="repository")
        try:
            siblings = response.json().get("siblings") or []
            names = [str(s["rfilename"]) for s in siblings]
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            raise DownloadError(f"{api} did not answer with a model's file list ({exc}). Check "
                                "that HF_ENDPOINT points to a Hugging Face server.") from exc
    prefix = f"{ref.folder}/" if ref.folder else ""
    files = sorted(n for n in names if n.lower().endswith(".gguf") and n.startswith(prefix))
    return [resolve_url(endpoint, ref.repo_id, ref.revision, name) for name in files]


def downloaded(url: str, models_dir: Path) -> tuple[Path, str] | None:
    """Where this URL's model already is, and its sha256, without asking the network."""
    target = parse_model_url(url)
    registry = load_registry(models_dir)
    for record in (registry.kept(target.url), registry.test_slot):
        if record is not None and record.url == target.url and record.present(models_dir):
            return record.path(models_dir), record.sha256
    return None


def _reuse(registry: Registry, target: ModelURL, models_dir: Path, mode: Mode) -> Path | None:
    """The file this URL was already saved as, put in place for ``mode``; None to download."""
    slot, kept = registry.test_slot, registry.kept(target.url)
    if mode == "test":
        if slot is not None and slot.url == target.url and slot.present(models_dir):
            return slot.path(models_dir)
        if kept is not None and kept.present(models_dir):
            final = models_dir / TEST_SLOT_NAME
            os.replace(_link_or_copy(kept.path(models_dir)), final)
            save_registry(models_dir, load_registry(models_dir).with_test_slot(
                Record(target.url, final.name, kept.size, kept.sha256, kept.etag)))
            return final
        return None
    if kept is not None and kept.present(models_dir):
        return kept.path(models_dir)
    if slot is not None and slot.url == target.url and slot.present(models_dir):
        copy = _link_or_copy(slot.path(models_dir))
        final = _place_kept(models_dir, target.filename, copy, slot.sha256)
        save_registry(models_dir, load_registry(models_dir).with_kept(
            Record(target.url, final.name, slot.size, slot.sha256, slot.etag)))
        return final
    return None


def _finished(path: Path, progress: Progress | None) -> Path:
    if progress is not None:
        size = path.stat().st_size
        progress(size, size)
    return path


def _remember(models_dir: Path, target: ModelURL, final: Path, sha: str, remote: Remote,
              mode: Mode) -> Path:
    record = Record(target.url, final.name, final.stat().st_size, sha, remote.validator)
    registry = load_registry(models_dir)
    registry = registry.with_test_slot(record) if mode == "test" else registry.with_kept(record)
    save_registry(models_dir, registry)
    return final


def _candidates(filename: str, sha: str) -> list[str]:
    stem, suffix = os.path.splitext(filename)
    return [filename, *(f"{stem}-{sha[:n]}{suffix}" for n in (8, 16, 64))]


def _same_file(models_dir: Path, target: ModelURL, remote: Remote | None) -> Path | None:
    """An existing file under one of this model's names with the content the server announces
    (then recorded as this URL's download), or None."""
    if remote is None or remote.sha256 is None or remote.size is None:
        return None
    for name in _candidates(target.filename, remote.sha256):
        path = models_dir / name
        if (path.is_file() and path.stat().st_size == remote.size
                and sha256_file(path) == remote.sha256):
            _remember(models_dir, target, path, remote.sha256, remote, "keep")
            return path
    return None


def _install(part: Path, models_dir: Path, filename: str, sha: str, mode: Mode) -> Path:
    """Rename a verified ``.part``: into the test slot, or under a name of its own."""
    if mode == "keep":
        return _place_kept(models_dir, filename, part, sha)
    final = models_dir / TEST_SLOT_NAME
    try:
        os.replace(part, final)  # the previous model stays until this instant
    except OSError as exc:  # e.g. on Windows, while the old model is loaded
        discard(part)
        raise DownloadError(f"Could not replace {final} ({exc}). Unload the model that uses it "
                            "and run the download again.") from exc
    return final


def _place_kept(models_dir: Path, filename: str, part: Path, sha: str) -> Path:
    """Give a verified file its name without overwriting a different file of that name."""
    size = part.stat().st_size
    for name in _candidates(filename, sha):
        path = models_dir / name
        if path.is_file() and path.stat().st_size == size and sha256_file(path) == sha:
            part.unlink()
            return path
        if _claim(part, path):
            return path
    raise ModelError(f"Could not find a free name for {filename} in {models_dir}; move or remove "
                     "the files named after it and run again.")


def _claim(source: Path, path: Path) -> bool:
    """Move ``source`` to ``path`` unless ``path`` exists (atomically where hard links work)."""
    try:
        os.link(source, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system: check, then rename
        if path.exists():
            return False
        os.replace(source, path)
        return True
    source.unlink()
    return True


def _link_or_copy(path: Path) -> Path:
    """A new name for ``path``'s content in the same folder (a hard link, else a copy)."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(temp)
    try:
        os.link(path, temp)
    except OSError:
        shutil.copyfile(path, temp)
    return Path(temp)


def _as_expected(models_dir: Path, target: ModelURL, expect: Expected | None) -> bool:
    """Whether the file this URL was saved as is the expected one (always, without ``expect``)."""
    record = load_registry(models_dir).kept(target.url)
    return expect is None or (record is not None and record.sha256 == expect.sha256
                              and record.size == expect.size)


def _check_announced(part: Path, target: ModelURL, remote: Remote,
                     expect: Expected | None) -> None:
    """Refuse, before its bytes, a file the server announces with another size or sha256."""
    if expect is None:
        return
    said = []
    if remote.size is not None and remote.size != expect.size:
        said.append(f"{remote.size:,} bytes")
    if remote.sha256 is not None and remote.sha256 != expect.sha256:
        said.append(f"sha256 {remote.sha256}")
    if said:
        discard(part)
        raise DownloadError(
            f"{target.url} is not the file the catalogue names: the server announces "
            f"{' and '.join(said)}, the catalogue {expect.size:,} bytes and sha256 "
            f"{expect.sha256}. Nothing was kept; the file may have been replaced upstream.")


def _check_received(part: Path, target: ModelURL, sha: str, expect: Expected | None) -> None:
    if expect is None:
        return
    size = part.stat().st_size
    if sha != expect.sha256 or size != expect.size:
        discard(part)
        raise DownloadError(
            f"The download of {target.filename} is corrupt: {size:,} bytes with sha256 {sha}, "
            f"but the catalogue says {expect.size:,} bytes with sha256 {expect.sha256}. The file "
            "was removed; run the download again.")


def _check_space(models_dir: Path, filename: str, remote: Remote) -> None:
    if remote.size is None:
        return
    needed = remote.size - remote.offset
    free = shutil.disk_usage(models_dir).free
    if free < needed:
        raise DownloadError(
            f"Not enough disk space in {models_dir}: {filename} needs {human_size(needed)} more "
            f"but only {human_size(free)} is free. Free some space (or choose another models "
            "folder) and run again.")


def _check_gguf(part: Path, target: ModelURL) -> None:
    try:
        read_header(part)
    except ModelError as exc:
        discard(part)
        raise LinkError(
            f"The file downloaded from {target.url} is not a usable GGUF model ({exc}) and was "
            "removed. Check that the link points to a complete .gguf model file.") from exc


def _headers(target: ModelURL, token: str | None) -> dict[str, str]:
    return _auth(token) if target.kind == "hf" else {}


def _auth(token: str | None) -> dict[str, str]:
    token = token or os.environ.get("HF_TOKEN") or None
    return {"Authorization": f"Bearer {token}"} if token else {}


def _hub_page(target: ModelURL) -> str | None:
    return f"{hf_endpoint()}/{target.repo_id}" if target.kind == "hf" else None
