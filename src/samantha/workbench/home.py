"""Where Samantha keeps its files: ``SAMANTHA_HOME`` if set, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping


def data_home(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    configured = environ.get("SAMANTHA_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("samantha", appauthor=False))
