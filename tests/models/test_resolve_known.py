"""A catalogue model is named by its short name once downloaded, anywhere a model goes; before,
the name says how to get it."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.core.errors import ModelError
from samantha.models.known import shipped
from samantha.models.resolve import resolve_model


def test_a_downloaded_catalogue_model_is_found_by_its_short_name(tmp_path: Path) -> None:
    entry = shipped()[0]
    models = tmp_path / "models"
    models.mkdir()
    with pytest.raises(ModelError, match=f"samantha models get {entry.name}"):
        resolve_model(entry.name, [models], models)
    (models / entry.file).write_bytes(b"GGUF")  # downloaded (what it holds is not read here)
    assert resolve_model(entry.name.upper(), [models], models) == models / entry.file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.gguf").write_bytes(b"GGUF")
    assert resolve_model("mine.gguf", [models, elsewhere], models) == elsewhere / "mine.gguf"


def test_a_name_that_is_nothing_says_what_names_there_are(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Model not found: 'nothing'"):
        resolve_model("nothing", [tmp_path], tmp_path)
