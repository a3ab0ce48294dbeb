"""Text to speech, offline, on the real speech engine (espeak-ng here)."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from samantha.core.errors import InputError
from samantha.voice.text_to_speech import Speaker, VoiceError, speakable, speech_file


@pytest.fixture(scope="module")
def speaker() -> Speaker:
    return Speaker()


def seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_answers_are_read_without_code_and_markdown_marks() -> None:
    text = "# Title\nHere is **the** code:\n```python\nprint(1)\n```\nDone, `x` works | yes."
    assert speakable(text) == "Title Here is the code: Done, x works yes."
    assert speakable("```python\nonly code\n```") == ""


def test_english_and_portuguese_voices_exist(speaker: Speaker) -> None:
    ids = {voice.id for voice in speaker.voices()}
    assert speaker.voice_for("en") in ids and speaker.voice_for("pt") in ids
    assert speaker.voice_for("pt") != speaker.voice_for("en")


def test_a_longer_text_gives_a_longer_recording(speaker: Speaker, tmp_path: Path) -> None:
    short = speaker.save("Hello.", tmp_path / "short.wav", speaker.voice_for("en"))
    long = speaker.save("Hello. I am Samantha, and I read answers aloud without any network.",
                        tmp_path / "long.wav", speaker.voice_for("en"))
    assert 0.2 < seconds(short) < seconds(long)
    text = "Hello! How can I help you today?"
    english = seconds(speaker.save(text, tmp_path / "en.wav", speaker.voice_for("en")))
    again = seconds(speaker.save(text, tmp_path / "again.wav", speaker.voice_for("en")))
    portuguese = seconds(speaker.save(text, tmp_path / "pt.wav", speaker.voice_for("pt")))
    assert abs(english - again) < 0.03 < 0.06 < abs(english - portuguese)  # the voice is used


def test_bad_requests_are_explained(speaker: Speaker, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing to read"):
        speaker.save("```\ncode\n```", tmp_path / "x.wav")
    with pytest.raises(InputError, match="No voice 'klingon'"):
        speaker.save("Hello.", tmp_path / "x.wav", voice="klingon")
    with pytest.raises(VoiceError, match="espeak-ng"):
        Speaker(driver="no_such_driver").voices()


def test_the_speech_folder_keeps_only_the_latest_files(tmp_path: Path) -> None:
    for n in range(25):
        path = speech_file(tmp_path)
        path.write_bytes(b"x")
    assert len(list(tmp_path.glob("speech-*.wav"))) <= 21
