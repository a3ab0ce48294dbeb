"""Text to speech, offline, through pyttsx3: espeak-ng on Linux, SAPI5 on Windows, NSSpeech on
macOS. Answers are read without their code blocks and Markdown marks."""

from __future__ import annotations

import contextlib
import io
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samantha.core.errors import InputError

FENCE = re.compile(r"```.*?(```|$)", re.S)
MARKS = re.compile(r"[*_`#>|]+")
KEEP_FILES = 20  # spoken answers kept in the speech folder


class VoiceError(InputError):
    """Text to speech is not available here."""


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


def speakable(text: str) -> str:
    """What is worth reading aloud: no code blocks, no Markdown marks, one space between words."""
    text = FENCE.sub(" ", text)
    return " ".join(MARKS.sub(" ", text).split())


def languages_of(voice: Any) -> tuple[str, ...]:
    out = []
    for language in getattr(voice, "languages", None) or ():
        if isinstance(language, bytes):  # espeak gives b'\x05en-us'
            language = language[1:].decode("ascii", "replace")
        out.append(str(language).lower())
    return tuple(out)


class Speaker:
    """One speech engine for the process; calls are serialised (pyttsx3 is not thread-safe)."""

    def __init__(self, driver: str | None = None) -> None:
        self.driver = driver
        self._engine: Any = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init(self.driver) if self.driver else pyttsx3.init()
            except Exception as exc:  # no driver, no espeak-ng library, no audio system
                raise VoiceError(
                    f"Text to speech is not available ({type(exc).__name__}: {exc}). On Linux "
                    "install espeak-ng (sudo apt-get install espeak-ng); Windows and macOS "
                    "have their own voices.") from exc
        return self._engine

    def voices(self) -> list[Voice]:
        with self._lock:
            engine = self._get()
            return [Voice(v.id, v.name, languages_of(v)) for v in engine.getProperty("voices")]

    def voice_for(self, language: str) -> str | None:
        """The first voice for this language (``pt`` prefers Brazilian Portuguese)."""
        voices = self.voices()
        wanted = ["pt-br", "pt"] if language == "pt" else [language, f"{language}-us"]
        for code in wanted:
            for voice in voices:
                if code in voice.languages or voice.id.lower().endswith("/" + code):
                    return voice.id
        return None

    def save(self, text: str, path: Path, voice: str | None = None, rate: int | None = None
             ) -> Path:
        """Speak ``text`` into a WAV file at ``path``."""
        words = speakable(text)
        if not words:
            raise InputError("There is nothing to read aloud (the text is empty or only code).")
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            engine = self._get()
            if voice:
                if voice not in {v.id for v in engine.getProperty("voices")}:
                    raise InputError(f"No voice {voice!r}: `samantha say --list-voices` "
                                     "shows the voices.")
                engine.setProperty("voice", voice)
            if rate:
                engine.setProperty("rate", rate)
            with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved"
                engine.save_to_file(words, str(path))
                engine.runAndWait()
        if not path.exists() or path.stat().st_size <= 44:
            raise VoiceError(f"The speech engine wrote no audio to {path}.")
        return path


def speech_file(folder: Path) -> Path:
    """A new file name in the speech folder, keeping only the latest few files."""
    folder.mkdir(parents=True, exist_ok=True)
    old = sorted(folder.glob("speech-*.wav"), key=lambda p: p.stat().st_mtime)
    for stale in old[:-KEEP_FILES]:
        stale.unlink(missing_ok=True)
    return folder / f"speech-{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 10**6}.wav"
