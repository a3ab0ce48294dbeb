"""Speech to text, offline, through Vosk: a WAV file or a stream of 16-bit mono PCM in, what was
said out, and (with a language's command words) what it asks Samantha to do.

Commands are heard by a recogniser restricted to the command words (Vosk's word-list mode),
which stays accurate where free decoding does not; the prompt after ``ok`` is dictated with
the whole model (or with the words the user gives), from the end of the ``ok`` on.
"""

from __future__ import annotations

import json
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from samantha.core.errors import InputError
from samantha.voice.commands import NOTHING, Command, Vocabulary, parse

PIECE = 8000  # bytes fed at a time (0.25 s at 16 kHz): Vosk ends utterances between pieces
LONGEST = 60  # seconds of one utterance kept for its dictation; older audio is dropped
INSTALL = "Speech to text needs Vosk: pip install 'samantha[voice]' (or vosk)."


class ListenError(InputError):
    """Audio or a model Vosk cannot use."""


@dataclass(frozen=True)
class Heard:
    """One utterance: what was said and what it asks."""

    text: str
    command: Command = NOTHING

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "command": self.command.to_dict()}


def load_model(path: Path) -> Any:
    """A ``vosk.Model`` of the folder ``path`` (already checked by
    :func:`samantha.models.vosk_models.check_model_folder`), Kaldi's log silenced."""
    vosk = _vosk()
    try:
        return vosk.Model(str(path))
    except Exception:  # Vosk raises a bare Exception('Failed to create a model')
        raise ListenError(f"Vosk could not load the model in {path}: a damaged or incomplete "
                          "folder? Unzip the model again.") from None


def _vosk() -> Any:
    try:
        import vosk
    except ImportError:
        raise ListenError(INSTALL) from None
    vosk.SetLogLevel(-1)  # Kaldi would log every model load and recogniser to stderr
    return vosk


def read_wav(path: Path) -> tuple[int, bytes]:
    """(sample rate, 16-bit mono PCM) of the WAV file ``path`` (stereo is mixed down)."""
    try:
        with wave.open(str(path), "rb") as audio:
            rate, width, channels = audio.getframerate(), audio.getsampwidth(), \
                audio.getnchannels()
            frames = audio.readframes(audio.getnframes())
    except FileNotFoundError:
        raise ListenError(f"{path} does not exist.") from None
    except (wave.Error, EOFError) as exc:
        why = f" ({exc})" if str(exc) else ""
        raise ListenError(f"{path} is not a WAV file Samantha can read{why}. Convert it to "
                          "16-bit PCM WAV first, e.g. sox IN -r 16000 -c 1 -b 16 OUT.wav."
                          ) from None
    except OSError as exc:
        raise ListenError(f"Cannot read {path}: {exc.strerror}.") from None
    if width != 2:
        raise ListenError(f"{path} has {8 * width}-bit samples; Vosk takes 16-bit PCM. Convert "
                          "it, e.g. sox IN -b 16 OUT.wav.")
    if channels > 1:
        import numpy as np

        samples = np.frombuffer(frames, "<i2").reshape(-1, channels).mean(axis=1)
        frames = samples.astype("<i2").tobytes()
    return rate, frames


def missing_words(model: Any, words: Iterable[str]) -> list[str]:
    """The words the model's vocabulary lacks (a word list may only use the others)."""
    return [w for w in words if model.vosk_model_find_word(w) < 0]


def recogniser(model: Any, rate: int, words: list[str] | None = None) -> Any:
    """A Vosk recogniser at ``rate``, restricted to ``words`` when given (each must be in the
    model's vocabulary: Vosk would drop the others with only a log line)."""
    vosk = _vosk()
    if words is None:
        return vosk.KaldiRecognizer(model, rate)
    missing = missing_words(model, [w for w in words if w != "[unk]"])
    if missing:
        raise ListenError(f"The model does not know {', '.join(map(repr, missing))}: a word "
                          "list may only use words of its vocabulary. Check the spelling, or "
                          "use a model of that language.")
    known = [w for w in words if w != "[unk]"]
    if model.vosk_model_find_word("[unk]") >= 0:
        known.append("[unk]")  # what is not a listed word stays unknown, not a forced match
    return vosk.KaldiRecognizer(model, rate, json.dumps(known, ensure_ascii=False))


def transcribe(model: Any, rate: int, pcm: bytes, words: list[str] | None = None) -> list[str]:
    """The utterances said in ``pcm``, as text (empty utterances left out)."""
    heard = recogniser(model, rate, words)
    texts = []
    for start in range(0, len(pcm), PIECE):
        if heard.AcceptWaveform(pcm[start:start + PIECE]):
            texts.append(json.loads(heard.Result()).get("text", ""))
    texts.append(json.loads(heard.FinalResult()).get("text", ""))
    return [text for text in texts if text.strip()]


class Listener:
    """Hears a stream of 16-bit mono PCM for commands (``vocabulary``), or only transcribes it
    (no vocabulary). ``words`` restricts the dictation of prompts. Not for two threads at once:
    calls are serialised."""

    def __init__(self, model: Any, rate: int, vocabulary: Vocabulary | None,
                 words: list[str] | None = None) -> None:
        self.model, self.rate, self.vocabulary, self.words = model, rate, vocabulary, words
        listed = words
        if vocabulary is not None:  # the command words this model knows (synonyms may lack)
            lacking = set(missing_words(model, vocabulary.words()))
            addressing = vocabulary.ok + vocabulary.wake
            if lacking.issuperset(addressing):
                said = ", ".join(map(repr, addressing))
                raise ListenError(f"This model knows none of the command words {said}: it is "
                                  "another language's. Listen with the model's language, or use "
                                  "a model of the language of the commands.")
            listed = [w for w in vocabulary.words() if w not in lacking]
        self._heard = recogniser(model, rate, listed)
        self._heard.SetWords(True)  # each word's times: the prompt is dictated from the ok on
        self._audio = bytearray()  # the current utterance's audio
        self._begins = 0.0  # when it began, in seconds since the stream began
        self._lock = threading.Lock()
        if words is not None and vocabulary is not None:
            recogniser(model, rate, words)  # checks the words now, not at the first prompt

    def accept(self, pcm: bytes) -> list[Heard]:
        """What the utterances ended in ``pcm`` said."""
        found = []
        with self._lock:
            for start in range(0, len(pcm), PIECE):
                piece = pcm[start:start + PIECE]
                self._audio += piece
                if self._heard.AcceptWaveform(piece):
                    found.append(self._utterance(json.loads(self._heard.Result())))
                self._trim()
        return [heard for heard in found if heard.text]

    def finish(self) -> list[Heard]:
        """What the last, unfinished utterance said (the stream has ended)."""
        with self._lock:
            heard = self._utterance(json.loads(self._heard.FinalResult()))
        return [heard] if heard.text else []

    def _utterance(self, result: dict) -> Heard:
        text = result.get("text", "").strip()
        audio, begins = bytes(self._audio), self._begins
        self._begins += len(self._audio) / (2 * self.rate)
        self._audio.clear()
        vocabulary = self.vocabulary
        if not text or vocabulary is None:
            return Heard(text)
        command = parse(text, vocabulary)
        alone = command.kind == "none" and self._ok_alone(text, vocabulary)
        if command.kind == "prompt" or alone:
            said = self._dictate(audio, begins, result.get("result", []), vocabulary)
            command = parse(f"{vocabulary.ok[0]} {said}", vocabulary)
            text = f"{vocabulary.ok[0]} {said}".strip()
        return Heard(text, command)

    @staticmethod
    def _ok_alone(text: str, vocabulary: Vocabulary) -> bool:
        return text.lower().split()[-1] in vocabulary.ok  # "ok" then words not on the list

    def _dictate(self, audio: bytes, begins: float, words: list[dict],
                 vocabulary: Vocabulary) -> str:
        """The words said after the utterance's first ``ok``, by the whole model."""
        ok = next((w for w in words if w.get("word", "").lower() in vocabulary.ok), None)
        after = 0.0 if ok is None else max(0.0, float(ok["end"]) - begins)
        offset = min(len(audio), int(after * self.rate) * 2)
        return " ".join(transcribe(self.model, self.rate, audio[offset:], self.words))

    def _trim(self) -> None:
        extra = len(self._audio) - LONGEST * 2 * self.rate
        if extra > 0:
            del self._audio[:extra]
            self._begins += extra / (2 * self.rate)
