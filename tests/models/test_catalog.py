"""Listing model folders: nothing in a folder, and no folder, breaks the list."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.tiny_model import HOSTILE_HEADERS, write_hostile_gguf, write_tiny_llama

from samantha.models import catalog
from samantha.models.library import ModelLibrary

HOSTILE_REASONS = {
    "arrays 5,000 deep": "nests arrays more than 8 deep",
    "alignment 0": "'general.alignment' is 0, not a positive power of two",
    "alignment 'abc'": "'general.alignment' is a string",
    "tensor type 999": "tensor type 999, which ggml does not know",
}


def hostile_folder(folder: Path) -> dict[str, str]:
    """A folder with one good tiny model and a file per hostile header: file name -> reason."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tiny_llama(folder / "good.gguf")
    names = {}
    for i, case in enumerate(HOSTILE_HEADERS):
        name = f"bad-{i}.gguf"
        write_hostile_gguf(folder / name, case)
        names[name] = HOSTILE_REASONS[case]
    return names


def library(tmp_path: Path, *folders: Path) -> ModelLibrary:
    return ModelLibrary(tmp_path / "models", list(folders), tmp_path / "cache" / "meta.json")


def test_bad_files_are_listed_with_their_reason_beside_the_good_one(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    reasons = hostile_folder(folder)
    (folder / "link.gguf").symlink_to(folder / "gone.gguf")  # a broken link
    for attempt in ("read", "cached"):
        entries = {e.name: e for e in library(tmp_path, folder).list()}
        assert entries["good.gguf"].error is None, attempt
        assert entries["good.gguf"].architecture == "llama"
        for name, reason in reasons.items():
            assert reason in entries[name].error and str(folder / name) in entries[name].error
        assert "cannot be read (No such file" in entries["link.gguf"].error


def test_a_gone_or_odd_folder_is_said_and_skipped(tmp_path: Path) -> None:
    good = tmp_path / "good"
    hostile_folder(good)
    gone, a_file = tmp_path / "gone", tmp_path / "file"
    a_file.write_text("x")
    lib = library(tmp_path, gone, a_file, good)
    assert [e.name for e in lib.list() if not e.error] == ["good.gguf"]
    assert lib.folder_notes() == {gone: "not found", a_file: "not a folder"}


def test_an_unreadable_folder_is_said_and_skipped(tmp_path: Path, monkeypatch) -> None:
    locked, good = tmp_path / "locked", tmp_path / "good"
    locked.mkdir()
    hostile_folder(good)
    scandir = os.scandir

    def refusing(path):  # root reads any folder: refuse as the kernel would for a user
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(catalog.os, "scandir", refusing)
    lib = library(tmp_path, locked, good)
    assert "good.gguf" in [e.name for e in lib.list()]
    assert lib.folder_notes() == {locked: "cannot be read: Permission denied"}


def test_the_samantha_folder_is_not_said_missing_before_its_first_download(tmp_path) -> None:
    assert library(tmp_path).folder_notes() == {}


@pytest.mark.parametrize("cache", ["[1, 2]", "CORRUPT-ENTRY"])
def test_a_damaged_cache_is_read_again(tmp_path: Path, cache: str) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    write_tiny_llama(folder / "good.gguf")
    lib = library(tmp_path, folder)
    first = lib.list()
    if cache == "CORRUPT-ENTRY":  # a cached entry whose fields are not ModelEntry's
        data = json.loads(lib.cache_file.read_text())
        for value in data.values():
            value["entry"] = {"bogus": 1}
        cache = json.dumps(data)
    lib.cache_file.write_text(cache)
    assert lib.list() == first


def test_a_cache_that_cannot_be_written_does_not_stop_the_list(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    write_tiny_llama(folder / "good.gguf")
    (tmp_path / "cache").write_text("a file where the cache folder would be")
    assert "good.gguf" in [e.name for e in library(tmp_path, folder).list()]


def test_the_models_tab_lists_bad_files_and_odd_folders(tmp_path: Path) -> None:
    """The functions the Models tab and the model choices call, on a real Workbench."""
    from samantha.ui.chat.model_list import model_choices
    from samantha.ui.models.tab import ModelsTab
    from samantha.ui.words.table import texts
    from samantha.workbench.facade import Workbench

    folder, gone = tmp_path / "downloads", tmp_path / "gone"
    reasons = hostile_folder(folder)
    gone.mkdir()
    bench = Workbench(tmp_path / "home")
    try:
        bench.add_model_folder(folder)
        bench.add_model_folder(gone)
        gone.rmdir()  # remembered in settings.json, then deleted
        tab = ModelsTab(bench, texts("en"))
        rows = {row[0]: row for row in tab.rows()}
        assert rows["good.gguf"][2] == "llama"
        for name, reason in reasons.items():
            assert reason in rows[name][-1]
        assert f"`{gone}` (⚠️ not found)" in tab.folder_text()
        choices = model_choices(bench)
        assert "good.gguf" in choices and not any(c.startswith("bad-") for c in choices)
    finally:
        bench.close()
