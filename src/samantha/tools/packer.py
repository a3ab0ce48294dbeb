"""One-file executables of Python scripts, with PyInstaller.

PyInstaller runs in the first of the given interpreters that has it (the analysis
environment's first, so the packages model-written code imports are found and packed), with
its build and spec files in a work folder of their own and its output passed on line by line.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from samantha.tools.errors import ToolError, ToolInputError
from samantha.tools.launchers import python_with

TAIL_LINES = 25
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def pyinstaller_command(python: Path, script: Path, name: str, out_dir: Path,
                        work_dir: Path) -> list[str]:
    return [str(python), "-m", "PyInstaller", "--onefile", "--noconfirm", "--clean",
            "--distpath", str(out_dir), "--workpath", str(work_dir / "build"),
            "--specpath", str(work_dir / "spec"), "--name", name, str(script)]


def package(script: Path, name: str, out_dir: Path, work_dir: Path,
            pythons: Sequence[Path | str], progress: Callable[[str], None] | None = None) -> Path:
    """Build ``out_dir/name`` (``name.exe`` on Windows), a one-file executable of ``script``,
    and return its path; PyInstaller's output goes to ``progress`` line by line. A failed
    build raises :class:`ToolError` with the last lines of that output."""
    script = Path(os.path.abspath(script))
    if not script.is_file():
        raise ToolInputError(f"{script} is not a file. Give a Python script to package.")
    if not NAME.fullmatch(name):
        raise ToolInputError(f"{name!r} cannot name an executable: use letters, digits, "
                             "dots, dashes and underscores.")
    python = python_with("PyInstaller", pythons, "PyInstaller")
    out_dir, work_dir = Path(os.path.abspath(out_dir)), Path(os.path.abspath(work_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    command = pyinstaller_command(python, script, name, out_dir, work_dir)
    status, tail = _stream(command, work_dir, progress)
    executable = out_dir / (name + (".exe" if os.name == "nt" else ""))
    if status != 0 or not executable.is_file():
        lines = "\n".join(line for line in tail if line.strip())
        raise ToolError(f"PyInstaller could not package {script} (exit status {status}). "
                        f"Last lines of its output:\n{lines}\nFix what it names (often an "
                        "import it cannot find: install that package into the same Python) "
                        "and package again.")
    return executable


def _stream(command: list[str], cwd: Path,
            progress: Callable[[str], None] | None) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONUNBUFFERED"] = "1"
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    try:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ToolError(f"Cannot start {command[0]}: {exc.strerror or exc}.") from None
    with process:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                if progress is not None:
                    progress(line)
        except BaseException:  # Ctrl+C, or a progress callback that failed: no build left
            process.kill()
            raise
    return process.returncode, list(tail)
