"""Downloads against a real HTTP server on 127.0.0.1 that behaves like the Hugging Face Hub."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path
from typing import Iterator

import gguf
import numpy as np
import pytest
from support.hf_server import HFServer, sha256_of

from samantha.core.errors import ModelError
from samantha.models import download
from samantha.models.download import (
    TEST_SLOT_NAME,
    DownloadCancelled,
    DownloadError,
    download_model,
    list_repo_gguf_files,
    parse_model_url,
)

MB = 1 << 20


def write_gguf(path: Path, name: str, floats: int, seed: int) -> Path:
    """A valid GGUF holding one f32 tensor of ``floats`` values."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    data = np.random.default_rng(seed).standard_normal(floats).astype(np.float32)
    writer.add_tensor("weights", data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two different 16 MB GGUF files, a small one, and a 64 MB file that is not GGUF."""
    folder = tmp_path_factory.mktemp("sources")
    junk = folder / "page.html"
    with open(junk, "wb") as handle:
        handle.write(b"<!DOCTYPE html><html>Sign in to download this file</html>")
        handle.truncate(64 * MB)  # sparse: costs no disk
    return {
        "a": write_gguf(folder / "a.gguf", "model a", 4 * MB, seed=1),
        "b": write_gguf(folder / "b.gguf", "model b", 4 * MB, seed=2),
        "small": write_gguf(folder / "small.gguf", "small", 1000, seed=3),
        "junk": junk,
    }


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HFServer]:
    hub = HFServer().start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield hub
    hub.stop()


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def registry(models: Path) -> dict:
    return json.loads((models / "downloads.json").read_text())


def leftovers(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir() if ".part" in p.name or p.suffix == ".tmp")


# -- the real model ------------------------------------------------------------------------------

def test_full_download_of_the_real_model(server: HFServer, models: Path,
                                         default_model_path: Path) -> None:
    url = server.add_hub("google/gemma-3-270m-GGUF", "gemma-3-270m-Q4_K_M.gguf", default_model_path)
    size = default_model_path.stat().st_size
    seen: list[tuple[int, int | None]] = []
    path = download_model(url, models, progress=lambda done, total: seen.append((done, total)))

    assert path == models / "gemma-3-270m-Q4_K_M.gguf"
    assert sha256_of(path) == sha256_of(default_model_path)
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    entry = registry(models)["files"][url]
    assert entry["file"] == path.name and entry["size"] == size and len(entry["sha256"]) == 64
    assert leftovers(models) == []

    server.reset_counts()
    assert download_model(url, models) == path
    assert server.requests == [] and server.sent == 0


def test_interrupted_download_resumes(server: HFServer, models: Path,
                                      default_model_path: Path) -> None:
    url = server.add_hub("google/gemma-3-270m-GGUF", "gemma.gguf", default_model_path)
    size = default_model_path.stat().st_size
    server.cut_after = size // 2
    with pytest.raises(DownloadError, match="resumes where it stopped"):
        download_model(url, models)
    assert (models / "gemma.gguf.part").stat().st_size == size // 2
    assert not (models / "gemma.gguf").exists()

    server.reset_counts()
    path = download_model(url, models)
    assert server.sent == size - size // 2
    assert ("GET", "/cdn/google/gemma-3-270m-GGUF/gemma.gguf", f"bytes={size // 2}-") \
        in [r[:3] for r in server.requests]
    assert sha256_of(path) == sha256_of(default_model_path)
    assert leftovers(models) == []


# -- verification --------------------------------------------------------------------------------

def test_wrong_hash_is_refused_and_removed(server: HFServer, models: Path,
                                           sources: dict[str, Path]) -> None:
    url = server.add_hub("org/repo", "a.gguf", sources["a"], sha256="0" * 64)
    with pytest.raises(DownloadError, match="corrupt: its sha256 is [0-9a-f]{64} but the server"):
        download_model(url, models)
    assert sorted(p.name for p in models.iterdir()) == []


def test_non_gguf_body_is_refused_on_its_first_chunk(server: HFServer, models: Path,
                                                     sources: dict[str, Path]) -> None:
    url = server.add_hub("org/repo", "model.gguf", sources["junk"])
    with pytest.raises(DownloadError, match=r"not a GGUF model: it starts with b'<!DO'"):
        download_model(url, models)
    assert server.sent < 32 * MB  # of 64 MB: stopped early
    assert list(models.iterdir()) == []


def test_truncated_gguf_is_refused(server: HFServer, models: Path, tmp_path: Path,
                                   sources: dict[str, Path]) -> None:
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(sources["a"].read_bytes()[: 2 * MB])  # complete as served, but not a model
    url = server.add_hub("org/repo", "cut.gguf", cut)
    with pytest.raises(DownloadError, match="not a usable GGUF model .*truncated"):
        download_model(url, models)
    assert list(models.iterdir()) == []


# -- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, code, message", [
    (404, "EntryNotFound", r"No such file \(HTTP 404\).*Check the link"),
    (403, "", r"gated or private. Accept the model's terms on its page \(http.*/org/repo\)"
              r".*HF_TOKEN"),
    (401, "GatedRepo", r"gated or private.*HF_TOKEN"),
    (401, "RepoNotFound", r"No such repository, or it is private"),
    (500, "", r"server failed \(HTTP 500\).*resumes"),
    (418, "", r"answered HTTP 418"),
])
def test_http_errors(server: HFServer, models: Path, sources: dict[str, Path], status: int,
                     code: str, message: str) -> None:
    url = server.add_hub("org/repo", "a.gguf", sources["a"])
    server.status, server.error_code = status, code
    with pytest.raises(DownloadError, match=message) as caught:
        download_model(url, models)
    assert caught.value.status == status
    assert leftovers(models) == []


def test_connection_refused_and_timeout(server: HFServer, models: Path,
                                        sources: dict[str, Path]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadError, match="Could not connect to 127.0.0.1.*resumes"):
        download_model(f"http://127.0.0.1:{port}/m.gguf", models, timeout=2)

    url = server.add_hub("org/repo", "a.gguf", sources["a"])
    server.stall = True
    with pytest.raises(DownloadError, match=r"sent nothing for 0.5 s.*resumes"):
        download_model(url, models, timeout=0.5)


def test_disk_space_is_checked_before_downloading(server: HFServer, models: Path,
                                                  sources: dict[str, Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = server.add_hub("org/repo", "a.gguf", sources["a"])
    usage = shutil.disk_usage(sources["a"].parent)
    monkeypatch.setattr(download.shutil, "disk_usage",
                        lambda path: usage._replace(free=3 * 1_000_000))
    with pytest.raises(DownloadError,
                       match=r"Not enough disk space .* needs 16.\d\d MB more but only 3.00 MB"):
        download_model(url, models)
    assert list(models.iterdir()) == []


# -- links ---------------------------------------------------------------------------------------

def test_plain_http_link(server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    url = server.add_plain("/files/models/small.gguf", sources["small"])
    assert parse_model_url(url).kind == "http"
    path = download_model(url, models)
    assert path == models / "small.gguf" and path.read_bytes() == sources["small"].read_bytes()
    assert registry(models)["files"][url]["file"] == "small.gguf"


def test_blob_and_query_links_are_normalised(server: HFServer, models: Path,
                                             sources: dict[str, Path]) -> None:
    resolve = server.add_hub("org/repo", "q4/small.gguf", sources["small"])
    for link in (f"{server.url}/org/repo/blob/main/q4/small.gguf",
                 f"{resolve}?download=true",
                 "https://huggingface.co/org/repo/resolve/main/q4/small.gguf?download=true"):
        parsed = parse_model_url(link)
        assert (parsed.url, parsed.kind, parsed.filename) == (resolve, "hf", "small.gguf")
        assert (parsed.repo_id, parsed.revision, parsed.path_in_repo) == \
            ("org/repo", "main", "q4/small.gguf")
    assert download_model(f"{server.url}/org/repo/blob/main/q4/small.gguf?download=true",
                          models) == models / "small.gguf"
    assert list(registry(models)["files"]) == [resolve]


@pytest.mark.parametrize("link, message", [
    ("not a link", "not an http"),
    ("ftp://example.com/m.gguf", "not an http"),
    ("https://example.com/model.bin", "does not end in .gguf"),
    ("https://huggingface.co/org/repo", "repository page, not a file"),
    ("https://huggingface.co/org/repo/tree/main", "repository page, not a file"),
    ("https://huggingface.co/org/repo/resolve/main/README.md", "not a .gguf file"),
])
def test_invalid_links(link: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as caught:
        parse_model_url(link)
    assert "huggingface.co/" in str(caught.value)  # an example of a valid link


# -- modes ---------------------------------------------------------------------------------------

def test_test_slot_keeps_the_previous_model_until_the_new_one_is_complete(
        server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    url_a = server.add_hub("org/a", "model-a.gguf", sources["a"])
    url_b = server.add_hub("org/b", "model-b.gguf", sources["b"])
    slot = models / TEST_SLOT_NAME
    assert download_model(url_a, models, mode="test") == slot
    assert slot.read_bytes() == sources["a"].read_bytes()

    server.cut_after = 5 * MB
    with pytest.raises(DownloadError):
        download_model(url_b, models, mode="test")
    assert slot.read_bytes() == sources["a"].read_bytes()
    assert registry(models)["test_slot"]["url"] == url_a

    assert download_model(url_b, models, mode="test") == slot
    assert slot.read_bytes() == sources["b"].read_bytes()
    assert registry(models)["test_slot"]["url"] == url_b
    assert sorted(p.name for p in models.iterdir()) == [TEST_SLOT_NAME, "downloads.json"]

    server.reset_counts()
    download_model(url_b, models, mode="test")
    assert server.sent == 0  # the slot holds it already


def test_keep_mode_never_overwrites_a_different_file(server: HFServer, models: Path,
                                                     sources: dict[str, Path]) -> None:
    url_a = server.add_hub("org/a", "model.gguf", sources["a"])
    url_b = server.add_hub("org/b", "model.gguf", sources["b"])
    first = download_model(url_a, models)
    second = download_model(url_b, models)
    assert first == models / "model.gguf"
    assert second == models / f"model-{sha256_of(sources['b'])[:8]}.gguf"
    assert first.read_bytes() == sources["a"].read_bytes()
    assert second.read_bytes() == sources["b"].read_bytes()
    assert download_model(url_a, models) == first and download_model(url_b, models) == second


def test_keep_mode_reuses_an_identical_file_without_downloading(
        server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    models.mkdir()
    shutil.copyfile(sources["a"], models / "model.gguf")  # put there by hand, same content
    url = server.add_hub("org/a", "model.gguf", sources["a"])
    assert download_model(url, models) == models / "model.gguf"
    assert server.sent == 0
    assert registry(models)["files"][url]["file"] == "model.gguf"


def test_plain_links_without_a_hash_never_overwrite_nor_splice(
        server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    url_a = server.add_plain("/x/model.gguf", sources["a"])
    url_b = server.add_plain("/y/model.gguf", sources["b"])
    server.cut_after = 2 * MB
    with pytest.raises(DownloadError):
        download_model(url_a, models)  # leaves model.gguf.part, which belongs to url_a

    server.reset_counts()
    first = download_model(url_b, models)  # does not continue url_a's part
    assert server.sent == sources["b"].stat().st_size
    assert first == models / "model.gguf" and first.read_bytes() == sources["b"].read_bytes()

    second = download_model(url_a, models)
    assert second == models / f"model-{sha256_of(sources['a'])[:8]}.gguf"
    assert second.read_bytes() == sources["a"].read_bytes()
    assert first.read_bytes() == sources["b"].read_bytes()
    assert leftovers(models) == []


def test_modes_share_what_they_downloaded(server: HFServer, models: Path,
                                          sources: dict[str, Path]) -> None:
    url = server.add_hub("org/a", "model.gguf", sources["a"])
    kept = download_model(url, models)
    server.reset_counts()
    slot = download_model(url, models, mode="test")
    assert slot == models / TEST_SLOT_NAME and server.sent == 0
    assert slot.read_bytes() == kept.read_bytes()


def test_a_lost_or_unreadable_registry_only_costs_a_new_download(
        server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    url = server.add_hub("org/a", "small.gguf", sources["small"])
    path = download_model(url, models)
    (models / "downloads.json").write_text("{not json")
    assert download_model(url, models) == path
    path.unlink()
    server.reset_counts()
    assert download_model(url, models) == path and server.sent == path.stat().st_size


def test_unknown_mode() -> None:
    with pytest.raises(ModelError, match="'keep'.*'test'"):
        download_model("https://example.com/m.gguf", Path("."), mode="fast")  # type: ignore


# -- resume and cancel ---------------------------------------------------------------------------

def test_cancel_leaves_a_part_that_resumes(server: HFServer, models: Path,
                                           sources: dict[str, Path]) -> None:
    url = server.add_hub("org/a", "model.gguf", sources["a"])
    size = sources["a"].stat().st_size
    cancel = threading.Event()

    def progress(done: int, total: int | None) -> None:
        if done >= 4 * MB:
            cancel.set()

    with pytest.raises(DownloadCancelled, match="cancelled after .* resumes"):
        download_model(url, models, progress=progress, cancel=cancel)
    kept = (models / "model.gguf.part").stat().st_size
    assert 4 * MB <= kept < size

    server.reset_counts()
    path = download_model(url, models)
    # Only the rest was asked for (the first, cancelled response may still be draining into
    # the count, so the byte total is checked loosely and the request exactly).
    assert (f"bytes={kept}-") in [r[2] for r in server.requests if r[0] == "GET"]
    assert server.sent < size
    assert path.read_bytes() == sources["a"].read_bytes()


def test_server_that_ignores_ranges_gets_a_full_download(server: HFServer, models: Path,
                                                         sources: dict[str, Path]) -> None:
    url = server.add_hub("org/a", "model.gguf", sources["a"])
    size = sources["a"].stat().st_size
    server.cut_after = 3 * MB
    with pytest.raises(DownloadError):
        download_model(url, models)
    server.reset_counts()
    server.ignore_range = True
    path = download_model(url, models)
    assert server.sent == size
    assert path.read_bytes() == sources["a"].read_bytes()


def test_changed_file_on_the_server_restarts_instead_of_splicing(
        server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    url = server.add_hub("org/a", "model.gguf", sources["a"])
    server.cut_after = 3 * MB
    with pytest.raises(DownloadError):
        download_model(url, models)
    server.add_hub("org/a", "model.gguf", sources["b"])  # a new version, new sha256 and ETag
    server.reset_counts()
    path = download_model(url, models)
    assert path.read_bytes() == sources["b"].read_bytes()
    assert [r[1:3] for r in server.requests] == [
        ("/org/a/resolve/main/model.gguf", f"bytes={3 * MB}-"),  # the old part is not spliced:
        ("/cdn/org/a/model.gguf", f"bytes={3 * MB}-"),           # its sha256 changed
        ("/org/a/resolve/main/model.gguf", None),
        ("/cdn/org/a/model.gguf", None),
    ]


def test_token_goes_to_the_hub_only(server: HFServer, models: Path, sources: dict[str, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    hub = server.add_hub("org/a", "small.gguf", sources["small"])
    plain = server.add_plain("/elsewhere/small.gguf", sources["small"])
    download_model(hub, models)
    download_model(plain, models / "other")
    auth = {path: token for _, path, _, token in server.requests}
    assert auth["/org/a/resolve/main/small.gguf"] == "Bearer hf_secret"
    assert auth["/elsewhere/small.gguf"] is None


# -- repositories --------------------------------------------------------------------------------

def test_list_repo_gguf_files(server: HFServer, models: Path, sources: dict[str, Path]) -> None:
    for name in ("b.gguf", "a.gguf", "q8/c.gguf"):
        server.add_hub("org/repo", name, sources["small"])
    base = f"{server.url}/org/repo/resolve/main"
    expected = [f"{base}/a.gguf", f"{base}/b.gguf", f"{base}/q8/c.gguf"]
    assert list_repo_gguf_files("org/repo") == expected
    assert list_repo_gguf_files(f"{server.url}/org/repo") == expected
    assert list_repo_gguf_files("https://huggingface.co/org/repo/tree/main") == expected
    assert list_repo_gguf_files(f"{server.url}/org/repo/tree/main/q8") == [f"{base}/q8/c.gguf"]
    assert download_model(expected[0], models) == models / "a.gguf"

    with pytest.raises(ModelError, match="No such repository, or it is private"):
        list_repo_gguf_files("org/missing")
    with pytest.raises(ModelError, match="not a Hugging Face model repository"):
        list_repo_gguf_files("https://example.com/org/repo")
