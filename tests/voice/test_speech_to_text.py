"""Speech to text through the real Vosk, on Korean said by espeak-ng: word lists, voice
commands in a stream, dictation after ok, and the errors of bad audio and bad models."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from samantha.voice.commands import VOCABULARIES, Command
from samantha.voice.speech_to_text import (
    Listener,
    ListenError,
    load_model,
    read_wav,
    recogniser,
    transcribe,
)


@pytest.fixture(scope="module")
def model(korean_model: Path):
    return load_model(korean_model)


def heard(model, path: Path, words=None, language: str | None = "ko") -> list:
    rate, pcm = read_wav(path)
    listener = Listener(model, rate, VOCABULARIES[language] if language else None, words)
    return listener.accept(pcm) + listener.finish()


def test_a_word_list_hears_its_words_exactly(model, speak) -> None:
    path = speak("안녕하세요", "사만다 시작")
    rate, pcm = read_wav(path)
    assert transcribe(model, rate, pcm, ["안녕하세요", "사만다", "시작", "하나"]) == \
        ["안녕하세요", "사만다 시작"]


def test_without_a_word_list_the_whole_model_decodes(model, speak) -> None:
    rate, pcm = read_wav(speak("안녕하세요"))
    said = transcribe(model, rate, pcm)
    assert said and all(text.strip() for text in said)  # espeak's voice: poor, but words


@pytest.mark.parametrize("phrase,name", [("사만다 시작", "start"), ("사만다 정지", "stop"),
                                         ("사만다 모두 정지", "stop_all"), ("사만다 읽어", "read"),
                                         ("사만다 지워", "clean")])
def test_commands_are_heard_with_the_command_words(model, speak, phrase: str, name: str) -> None:
    [one] = heard(model, speak(phrase))
    assert one.text == phrase and one.command == Command("action", name=name)


def test_a_stream_of_utterances_in_pieces(model, speak) -> None:
    """A command, then a prompt, fed as a page sends them: a quarter of a second at a time;
    the prompt is dictated from the end of its ok on."""
    rate, pcm = read_wav(speak("사만다 시작", "오케이 안녕하세요"))
    listener = Listener(model, rate, VOCABULARIES["ko"], words=["안녕하세요", "하나", "둘"])
    found = []
    step = rate // 4 * 2  # bytes: a quarter second of 16-bit samples
    for start in range(0, len(pcm), step):
        found += listener.accept(pcm[start:start + step])
    found += listener.finish()
    assert [h.command for h in found] == [Command("action", name="start"),
                                          Command("prompt", prompt="안녕하세요")]
    assert found[1].text == "오케이 안녕하세요"


def test_silence_says_nothing(model, tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes(b"\0\0" * 32000)
    assert heard(model, path) == []
    rate, pcm = read_wav(path)
    assert transcribe(model, rate, pcm) == []


def test_stereo_is_mixed_down(model, speak, tmp_path: Path) -> None:
    rate, pcm = read_wav(speak("사만다 시작"))
    mono = np.frombuffer(pcm, "<i2")
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2), out.setsampwidth(2), out.setframerate(rate)
        out.writeframes(np.stack([mono, mono], axis=1).astype("<i2").tobytes())
    assert read_wav(path) == (rate, pcm)


@pytest.mark.parametrize("content,message", [
    (b"", "is not a WAV file Samantha can read"),
    (b"%PDF-1.7 not audio at all", "is not a WAV file Samantha can read"),
])
def test_a_file_that_is_not_wav(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "speech.wav"
    path.write_bytes(content)
    with pytest.raises(ListenError, match=message) as caught:
        read_wav(path)
    assert "Convert it to 16-bit PCM WAV" in str(caught.value)


def test_eight_bit_audio_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "8bit.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(1), out.setframerate(8000)
        out.writeframes(b"\x80" * 800)
    with pytest.raises(ListenError, match="8-bit samples; Vosk takes 16-bit PCM"):
        read_wav(path)
    with pytest.raises(ListenError, match="does not exist"):
        read_wav(tmp_path / "nothing.wav")


def test_words_the_model_does_not_know(model) -> None:
    with pytest.raises(ListenError, match="does not know 'hello'"):
        recogniser(model, 16000, ["안녕하세요", "hello"])
    with pytest.raises(ListenError, match="does not know 'xyz'"):
        Listener(model, 16000, VOCABULARIES["ko"], words=["xyz"])
    with pytest.raises(ListenError, match="knows none of the command words 'ok', 'okay', "
                       "'samantha'.*another language"):
        Listener(model, 16000, VOCABULARIES["en"])  # English command words, a Korean model


def test_a_damaged_model_folder(tmp_path: Path) -> None:
    folder = tmp_path / "vosk-model-small-en-us-0.15"
    (folder / "am").mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "am" / "final.mdl").write_bytes(b"not a model")
    (folder / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    with pytest.raises(ListenError, match="Vosk could not load the model in .*Unzip"):
        load_model(folder)
