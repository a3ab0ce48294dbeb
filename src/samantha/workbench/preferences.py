"""What the user set once and keeps: ``settings.json`` in the data home.

The file is checked against :data:`RULES` when it is read. A hand-edited file with a bad value
or an unknown key is refused (exit 2 in the CLI, a message in the UI) with one line naming the
file and the key, rather than having the bad key ignored: ``python`` decides which interpreter
runs model-written code and ``model_folders`` where models are found, so running on without
them would quietly run code elsewhere or lose models, and a misspelt key would be erased by the
next save. The fix is a one-line edit, and the message names it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from samantha.core.errors import InputError
from samantha.core.promptscript import checked_text
from samantha.core.schema import Refused, Rule, Text, TextList, check_table, shown

RULES: dict[str, Rule] = {
    "python": Text("the path of a Python interpreter", optional=True),
    "model_folders": TextList("folder paths", '["/data/models"]'),
    "voice_models": TextList("Vosk model folder paths", '["/data/vosk-model-small-en-us-0.15"]'),
    "voice_model": Text("the name of a Vosk model", optional=True),
}
FIX = "Fix it, or delete the file to start from the defaults."


class PreferencesError(InputError):
    """A preferences file that cannot be used as it is."""


@dataclass
class Preferences:
    python: str | None = None  # interpreter for model-written code (None: this environment's)
    model_folders: list[str] = field(default_factory=list)  # folders added by the user
    voice_models: list[str] = field(default_factory=list)  # Vosk model folders added
    voice_model: str | None = None  # the Vosk model listening uses (None: the first known)

    @classmethod
    def load(cls, home: Path) -> "Preferences":
        path = home / "settings.json"
        if not path.is_file():
            return cls()
        try:
            text = checked_text(path.read_text(encoding="utf-8"), str(path))
        except UnicodeDecodeError:
            raise PreferencesError(f"{path} is not UTF-8 text. {FIX}") from None
        except OSError as exc:
            raise PreferencesError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise PreferencesError(f"{path} is not valid JSON ({exc}). {FIX}") from None
        if not isinstance(data, dict):
            raise PreferencesError(f"{path} must hold a JSON object such as "
                                   f'{{"model_folders": []}}, not {shown(data)}. {FIX}')
        try:
            values = check_table(data, RULES, "preference")
        except Refused as exc:
            raise PreferencesError(f"{exc.sentence(f'Preferences file {path}')} {FIX}") from None
        paths = [("python", values.get("python") or ""),
                 *(("model_folders", folder) for folder in values.get("model_folders", ())),
                 *(("voice_models", folder) for folder in values.get("voice_models", ()))]
        for key, value in paths:  # no NUL or other control character in a path
            checked_text(value, f"Preferences file {path}, {key}")
        for key in ("model_folders", "voice_models"):
            if key in values:
                values[key] = list(values[key])
        return cls(**values)

    def save(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        path = home / "settings.json"
        part = path.with_name(f"settings.json.{os.getpid()}.part")
        part.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        part.replace(path)
