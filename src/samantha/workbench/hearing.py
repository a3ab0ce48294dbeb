"""Speech to text for the front ends: the Vosk models Samantha knows (downloaded, added,
packaged), the one in use, each loaded once per process, and listeners made from them."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any, Callable

from samantha.core.engine import Cancel
from samantha.models.vosk_models import (
    WHERE,
    VoiceModel,
    VoiceModelError,
    check_model_folder,
    download_voice_model,
    known_models,
    language_of,
)
from samantha.voice.commands import Vocabulary, vocabulary
from samantha.voice.speech_to_text import Listener, ListenError, load_model, read_wav, transcribe
from samantha.workbench.preferences import Preferences


class Hearing:
    def __init__(self, home: Path, preferences: Callable[[], Preferences]) -> None:
        self.home, self._preferences = Path(home), preferences
        self.folder = self.home / "voice-models"
        self._loaded: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def models(self) -> list[VoiceModel]:
        """Every model, the one in use first."""
        prefs = self._preferences()
        found = known_models(self.folder, prefs.voice_models)
        return sorted(found, key=lambda model: model.name != prefs.voice_model)

    def find(self, name: str | None = None, folders: bool = True) -> VoiceModel:
        """The model called ``name`` (None: the one in use); with ``folders``, a name that is
        no model's but a path is taken as a model's folder."""
        models = self.models()
        for model in models:
            if name in (None, model.name):
                return model
        if folders and name and (Path(name).expanduser().is_dir() or "/" in name):
            folder = check_model_folder(Path(name))
            return VoiceModel(folder.name, folder, language_of(folder), "given")
        if not models:
            raise VoiceModelError(f"No Vosk model yet: speech to text needs one. {WHERE}")
        raise VoiceModelError(f"No Vosk model is called {name!r}; there are "
                              f"{', '.join(m.name for m in models)} (samantha voice models).")

    def add(self, folder: Path, use: bool = True) -> VoiceModel:
        """Remember the model folder ``folder`` (checked, and loaded once to be sure)."""
        folder = check_model_folder(folder)
        self.loaded(folder)
        prefs = self._preferences()
        if str(folder) not in prefs.voice_models:
            prefs.voice_models.append(str(folder))
        model = next(m for m in known_models(self.folder, prefs.voice_models)
                     if m.path.resolve() == folder)
        if use:
            prefs.voice_model = model.name
        prefs.save(self.home)
        return model

    def download(self, url: str, progress: Callable[[int, int | None], None] | None = None,
                 cancel: Cancel | None = None) -> VoiceModel:
        folder = download_voice_model(url, self.folder, progress=progress, cancel=cancel)
        try:
            self.loaded(folder)
        except ListenError as exc:  # a model Vosk cannot load is not kept
            shutil.rmtree(folder, ignore_errors=True)
            raise VoiceModelError(f"{exc} The download was removed.") from None
        return next(m for m in self.models() if m.path == folder)

    def use(self, name: str) -> VoiceModel:
        model = self.find(name)
        prefs = self._preferences()
        prefs.voice_model = model.name
        prefs.save(self.home)
        return model

    def loaded(self, folder: Path) -> Any:
        """Vosk's model of ``folder``, loaded at the first ask."""
        with self._lock:
            if folder not in self._loaded:
                self._loaded[folder] = load_model(folder)
            return self._loaded[folder]

    def transcribe(self, wav: Path, model: VoiceModel, words: list[str] | None = None
                   ) -> list[str]:
        rate, pcm = read_wav(wav)
        return transcribe(self.loaded(model.path), rate, pcm, words)

    def listener(self, model: VoiceModel, rate: int, language: str | None = None,
                 words: list[str] | None = None) -> Listener:
        """A listener for commands in ``language`` (default: the model's; English when
        neither says)."""
        return Listener(self.loaded(model.path), rate, self.vocabulary(model, language), words)

    @staticmethod
    def vocabulary(model: VoiceModel, language: str | None = None) -> Vocabulary:
        words = vocabulary(language or model.language or "en")
        if words is None:
            raise VoiceModelError(
                f"Samantha has no voice commands in {language or model.language!r}: it knows "
                "en, pt and ko. Give --language en, pt or ko, or transcribe without --commands.")
        return words
