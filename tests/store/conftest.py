"""Fixtures of the run history tests: a store in a fresh folder, and arguments for a cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from samantha.store import RunStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the history goes; the folders do not exist yet."""
    return tmp_path / "deep" / "folder" / "history.sqlite"


@pytest.fixture
def store(db: Path) -> Iterator[RunStore]:
    with RunStore(db) as opened:
        yield opened


def _cycle_args(number: int, **overrides: object) -> dict[str, object]:
    args: dict[str, object] = dict(
        number=number, model="default", model_path="/models/m.gguf", model_sha256="ab" * 32,
        round=1, item=number, prompt=f"prompt {number}",
        messages=[{"role": "user", "content": f"prompt {number}"}],
        settings={"temperature": 0.7, "seed": 42}, random_overrides=None,
    )
    args.update(overrides)
    return args


@pytest.fixture
def cycle_args() -> Callable[..., dict[str, object]]:
    """``cycle_args(number, **overrides)``: keyword arguments for ``RunStore.start_cycle``."""
    return _cycle_args
