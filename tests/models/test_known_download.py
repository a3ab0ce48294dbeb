"""A catalogue entry's download against a real Hugging Face-like server on 127.0.0.1: progress,
resume after a cut, reuse, and every file that is not the catalogue's refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from support.hf_server import HFServer, sha256_of

from samantha.models.download import DownloadError
from samantha.models.known import (
    KnownModel,
    download_known,
    downloaded_path,
    find,
    shipped,
)
from tests.models.test_download import write_gguf

MB = 1 << 20
REPO, FILE = "test/tiny-chat-GGUF", "tiny-chat-Q4_K_M.gguf"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The entry's file (16 MB) and another GGUF of exactly the same size."""
    folder = tmp_path_factory.mktemp("catalogue-files")
    return {"right": write_gguf(folder / "right.gguf", "right", 4 * MB, seed=11),
            "other": write_gguf(folder / "other.gguf", "other", 4 * MB, seed=12)}


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HFServer]:
    server = HFServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield server
    server.stop()


@pytest.fixture
def entry(files: dict[str, Path]) -> KnownModel:
    """A shipped entry pointed at a small file of the same shape: its size and sha256."""
    right = files["right"]
    return replace(find(shipped(), "qwen2.5-0.5b"), repo=REPO, revision="main", file=FILE,
                   size=right.stat().st_size, sha256=sha256_of(right))


def serve(hub: HFServer, source: Path, sha256: str | None = None) -> None:
    hub.add_hub(REPO, FILE, source, sha256=sha256)


def leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir() if ".part" in p.name) if models.exists() else []


def test_the_download_reports_progress_and_lands_verified(hub: HFServer, entry: KnownModel,
                                                          files, tmp_path: Path) -> None:
    serve(hub, files["right"])
    models = tmp_path / "models"
    seen: list[tuple[int, int | None]] = []
    path = download_known(entry, models, progress=lambda done, total: seen.append((done, total)))
    assert path == models / FILE and sha256_of(path) == entry.sha256
    assert seen[0] == (0, entry.size) and seen[-1] == (entry.size, entry.size)
    assert len(seen) >= 4 and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert downloaded_path(entry, models) == path and leftovers(models) == []
    hub.reset_counts()
    assert download_known(entry, models) == path  # known now: no request at all
    assert hub.requests == []


def test_a_cut_download_resumes_where_it_stopped(hub: HFServer, entry: KnownModel, files,
                                                 tmp_path: Path) -> None:
    serve(hub, files["right"])
    models = tmp_path / "models"
    hub.cut_after = 5 * MB
    with pytest.raises(DownloadError, match="resumes where it stopped"):
        download_known(entry, models)
    assert (models / f"{FILE}.part").stat().st_size == 5 * MB
    assert downloaded_path(entry, models) is None
    hub.reset_counts()
    path = download_known(entry, models)
    assert sha256_of(path) == entry.sha256
    ranges = [r for method, path, r, _ in hub.requests
              if method == "GET" and path.startswith("/cdn/")]  # the file's bytes
    assert ranges == [f"bytes={5 * MB}-"] and hub.sent == entry.size - 5 * MB


def test_a_file_the_server_announces_differently_is_refused_unread(
        hub: HFServer, entry: KnownModel, files, tmp_path: Path) -> None:
    serve(hub, files["other"])  # replaced upstream: same size, another sha256 (announced)
    models = tmp_path / "models"
    with pytest.raises(DownloadError, match="not the file the catalogue names") as caught:
        download_known(entry, models)
    assert entry.sha256 in str(caught.value) and sha256_of(files["other"]) in str(caught.value)
    assert leftovers(models) == [] and not (models / FILE).exists()


def test_another_size_is_refused_too(hub: HFServer, entry: KnownModel, files,
                                     tmp_path: Path) -> None:
    serve(hub, files["right"])
    with pytest.raises(DownloadError, match=f"{entry.size + 1:,} bytes"):
        download_known(replace(entry, size=entry.size + 1), tmp_path / "models")
    assert leftovers(tmp_path / "models") == []


def test_corrupt_bytes_from_a_mirror_that_publishes_no_hash_are_refused(
        hub: HFServer, entry: KnownModel, files, tmp_path: Path) -> None:
    serve(hub, files["other"])
    hub.hide_hash = True  # only the size is announced, and it is the right one
    models = tmp_path / "models"
    with pytest.raises(DownloadError, match="is corrupt") as caught:
        download_known(entry, models)
    assert hub.sent == entry.size  # every byte came in, and was checked
    assert entry.sha256 in str(caught.value)
    assert leftovers(models) == [] and not (models / FILE).exists()
    assert downloaded_path(entry, models) is None


def test_corrupt_bytes_under_the_right_hash_are_refused(hub: HFServer, entry: KnownModel,
                                                        files, tmp_path: Path) -> None:
    serve(hub, files["other"], sha256=entry.sha256)  # a server announcing what we expect
    models = tmp_path / "models"
    with pytest.raises(DownloadError, match="corrupt"):
        download_known(entry, models)
    assert leftovers(models) == [] and not (models / FILE).exists()


def test_a_file_already_there_that_is_not_the_catalogues_is_not_reused(
        hub: HFServer, entry: KnownModel, files, tmp_path: Path) -> None:
    serve(hub, files["other"])
    models = tmp_path / "models"
    other = replace(entry, sha256=sha256_of(files["other"]))
    download_known(other, models)  # the same link, saved when it held another file
    hub.reset_counts()
    serve(hub, files["right"])
    path = download_known(entry, models)
    assert sha256_of(path) == entry.sha256 and hub.sent == entry.size
    assert downloaded_path(entry, models) == path
