"""What the user set once and keeps: ``settings.json`` in the data home."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from samantha.core.errors import InputError


@dataclass
class Preferences:
    python: str | None = None  # interpreter for model-written code (None: this environment's)
    model_folders: list[str] = field(default_factory=list)  # folders added by the user

    @classmethod
    def load(cls, home: Path) -> "Preferences":
        path = home / "settings.json"
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
            return cls(**known)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path} is not valid settings JSON ({exc}). Fix it or delete it "
                             "to start from the defaults.") from None

    def save(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        path = home / "settings.json"
        part = path.with_name(f"settings.json.{os.getpid()}.part")
        part.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        part.replace(path)
