"""Analysis environments: a virtual environment with the data-science stack, for model code.

Under bubblewrap the environment is mounted read-only in the sandbox, wherever it lies. Without
bubblewrap, when Samantha runs as root, model code runs as ``nobody``; for ``nobody`` to be kept
from reading other files, the environment, the Python it is made from and the data home must all
lie in folders other users may open (for example ``python="/usr/bin/python3"`` and a path under
/srv).
"""

from __future__ import annotations

import os
import subprocess
from collections import deque
from pathlib import Path
from typing import Callable, Sequence

from samantha.execution.errors import AnalysisEnvError
from samantha.execution.runner import resolve_interpreter

# jupyterlab: `samantha tools jupyter` runs JupyterLab here, so notebooks see these packages
DEFAULT_PACKAGES = ("pandas", "numpy", "matplotlib", "scipy", "scikit-learn", "jupyterlab")
TAIL_LINES = 15


def create_analysis_env(path: Path, packages: Sequence[str] = DEFAULT_PACKAGES,
                        progress: Callable[[str], None] | None = None, *,
                        python: Path | str | None = None) -> Path:
    """Create a virtual environment at ``path`` with ``python -m venv`` (``python``: default
    this interpreter), install ``packages`` with pip (each line of pip's output goes to
    ``progress``), and return the environment's interpreter. An existing environment at
    ``path`` is reused, so running this again only installs what is missing."""
    path = Path(os.path.abspath(os.path.expanduser(path)))
    env_python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not (path / "pyvenv.cfg").is_file():
        if path.is_dir() and any(path.iterdir()):
            raise AnalysisEnvError(f"{path} already exists and is not a virtual environment. "
                                   "Choose a new or empty folder.")
        base = resolve_interpreter(python)
        status, tail = _stream([str(base), "-m", "venv", str(path)], progress)
        if status != 0:
            raise AnalysisEnvError(
                f"Could not create a virtual environment in {path} with {base} (exit status "
                f"{status}).{_lines(tail)}\nCheck that the folder is writable and that this "
                "Python has the venv module (on Debian and Ubuntu: apt-get install python3-venv).")
    if packages:
        command = [str(env_python), "-m", "pip", "install", "--disable-pip-version-check",
                   "--no-input", *packages]
        status, tail = _stream(command, progress)
        if status != 0:
            raise AnalysisEnvError(
                f"pip could not install {', '.join(packages)} into {path} (exit status "
                f"{status}).{_lines(tail)}\nCheck the package names and that the package index "
                "can be reached, then run this again: the environment is kept, so only what is "
                "missing is installed.")
    return env_python


def _stream(command: list[str], progress: Callable[[str], None] | None) -> tuple[int, list[str]]:
    """Run ``command``, passing each output line to ``progress``; the exit status and the last
    lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONUNBUFFERED"] = "1"
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=env, text=True,
                                   encoding="utf-8", errors="replace")
    except OSError as exc:
        raise AnalysisEnvError(f"Cannot start {command[0]}: {exc.strerror}. Check the path of "
                               "the Python to build the environment from.") from None
    with process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            if progress is not None:
                progress(line)
    return process.returncode, list(tail)


def _lines(tail: list[str]) -> str:
    shown = [line for line in tail if line.strip()]
    return ("\nLast lines of its output:\n" + "\n".join(shown)) if shown else ""
