"""``samantha say``: text to a WAV file, offline, and the voice list."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_say_writes_a_wav_and_lists_the_voices(samantha, tmp_path: Path) -> None:
    out = tmp_path / "hello.wav"
    samantha("say", "Hello from Samantha.", "-o", str(out), "--voice", "roa/pt-br")
    with wave.open(str(out)) as audio:
        assert audio.getnframes() / audio.getframerate() > 0.5
    listed = samantha("say", "--list-voices").stdout
    assert "roa/pt-br" in listed and "Portuguese" in listed
    assert "No voice" in samantha("say", "Hi", "--voice", "nope", "-o", str(out), code=2).stderr
    assert "Give the text" in samantha("say", code=2).stderr
