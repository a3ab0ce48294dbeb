"""Shared fixtures: a temporary data home per test, the real default model once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.engines.fake import FakeEngine
from samantha.models.resolve import default_model
from samantha.workbench.facade import Workbench


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data home for this test (also exported as SAMANTHA_HOME)."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("SAMANTHA_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home shared by the real-model tests, with the default model assembled once."""
    path = tmp_path_factory.mktemp("samantha-home")
    default_model(path / "models")
    return path


@pytest.fixture(scope="session")
def default_model_path(session_home: Path) -> Path:
    return default_model(session_home / "models")


@pytest.fixture(scope="session")
def real_workbench(session_home: Path) -> Workbench:
    """A Workbench on the real llama.cpp engine; the default model stays loaded between tests."""
    bench = Workbench(session_home)
    yield bench
    bench.unload()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from support.tiny_model import write_tiny_llama

    return write_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama.gguf")


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def fake_workbench(home: Path, fake_engine: FakeEngine, tmp_path: Path) -> Workbench:
    """A Workbench on the fake engine, with a placeholder model file called ``fake.gguf``."""
    bench = Workbench(home, engine=fake_engine)
    bench.models_dir.mkdir(parents=True, exist_ok=True)
    _write_empty_gguf(bench.models_dir / "fake.gguf")
    return bench


def _write_empty_gguf(path: Path) -> None:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("fake")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
