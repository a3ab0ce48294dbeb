"""The command lines of the tools: JupyterLab on a notebook, Datasette on the run history,
D-Tale on a CSV file. Each function returns a :class:`ToolSpec` for :class:`Toolbox.start`;
none starts anything.

Every tool listens on 127.0.0.1 only, on the port given or a free one, and opens no browser
itself (Samantha opens it, or prints the address). Every tool has a door (see
:mod:`samantha.tools.door`): it lets in Samantha's own readiness check and the browsers that
opened a one-time link a tab was given, and refuses any Host but loopback.

- **JupyterLab** runs with ``inside/jupyter_config.py``, whose identity provider is that door:
  JupyterLab has no token of its own to hand out (it would write one into every page it
  serves), ``?token=<ticket>`` in a link logs a browser in once, with Jupyter's login cookie.
  Jupyter checks the Host itself (``allow_remote_access`` stays False).
- **Datasette** serves the history read-only: it runs only SQL that starts with ``SELECT`` (or
  ``WITH``, ``EXPLAIN``…; anything else is refused with "Statement must be a SELECT"), over a
  connection opened with ``mode=ro`` (so ``WITH x AS (…) DELETE …`` fails with "attempt to
  write a readonly database"), offers no write API (that came with Datasette 1.0 alphas) and
  no download of a database that can change. It is not given ``--immutable``: that tells it the
  file never changes, and the history does while Samantha runs. Its door is a plugin
  (``inside/datasette/``) wrapping the whole application, static files included.
- **D-Tale** loads the CSV before it starts listening, so its grid page answering means the
  data is in. ``--no-reaper`` keeps it from quitting by itself after an hour without use. It runs
  through ``inside/dtale_door.py``, which puts the door in front of its Flask application.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from samantha.tools.errors import INSTALL, ToolInputError, ToolMissingError
from samantha.tools.toolbox import ToolSpec

INSIDE = Path(__file__).resolve().parent / "inside"  # code that runs in the tools' processes
HOST = "127.0.0.1"
CSV_CHECK_BYTES = 1 << 20  # how much of a CSV file is read to check it
FIND_MODULE = ("import importlib.util, sys; "
               "sys.exit(0 if importlib.util.find_spec(sys.argv[1]) else 1)")


def jupyterlab(pythons: Sequence[Path | str], root: Path, notebook: str | None = None,
               port: int | None = None) -> ToolSpec:
    """JupyterLab run by the first of ``pythons`` that has it (the analysis environment's
    first, then Samantha's own), with ``root`` as its folder, opening ``notebook`` (a file in
    ``root``) or the folder."""
    python = python_with("jupyterlab", pythons, "JupyterLab", also=(
        " Or run `samantha code setup-env`: JupyterLab is one of the analysis environment's "
        "packages, and runs there."))
    key = ("jupyterlab", str(root), str(python), *_asked(port))
    port = port_to_use(port)
    command = [str(python), "-m", "jupyterlab", "--no-browser", "--ip", HOST, "--port",
               str(port), "--ServerApp.port_retries=0", f"--ServerApp.root_dir={root}",
               f"--config={INSIDE / 'jupyter_config.py'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to run as root otherwise
    page = "/lab/tree/" + urllib.parse.quote(notebook) if notebook else "/lab"
    return ToolSpec("JupyterLab", key, tuple(command), port, page=page, ready="/api/status",
                    cwd=root, door="token")


def datasette(pythons: Sequence[Path | str], database: Path,
              port: int | None = None) -> ToolSpec:
    """Datasette on ``database``, read-only (see the module's notes), opening its tables."""
    python = python_with("datasette", pythons, "Datasette")
    key = ("datasette", str(database), *_asked(port))
    port = port_to_use(port)
    name = urllib.parse.quote(database.stem)
    command = [str(python), "-m", "datasette", "serve", str(database), "--host", HOST,
               "--port", str(port), "--plugins-dir", str(INSIDE / "datasette")]
    return ToolSpec("Datasette", key, tuple(command), port,
                    page=f"/{name}", ready=f"/{name}.json", door="enter")


def dtale(pythons: Sequence[Path | str], table: Path, port: int | None = None) -> ToolSpec:
    """D-Tale on the CSV file ``table`` (checked first: see :func:`check_csv`)."""
    table = check_csv(table)
    python = python_with("dtale", pythons, "D-Tale")
    key = ("dtale", str(table), *_asked(port))
    port = port_to_use(port)
    command = [str(python), "-m", "samantha.tools.inside.dtale_door", "--csv-path", str(table),
               "--host", HOST, "--port", str(port), "--no-reaper"]
    return ToolSpec("D-Tale", key, tuple(command), port,
                    page="/dtale/main/1", ready="/dtale/main/1", cwd=table.parent, door="enter")


def _asked(port: int | None) -> tuple[str, ...]:
    """A port asked for is part of the key: a tool running on another port is not reused."""
    return () if port is None else (f"port {port}",)


# -- checks -----------------------------------------------------------------------------------
def python_with(module: str, pythons: Sequence[Path | str], name: str, also: str = "") -> Path:
    """The first interpreter of ``pythons`` that can import ``module``; else
    :class:`ToolMissingError` saying what to install."""
    tried = list(dict.fromkeys(str(p) for p in pythons if p))
    for python in tried:
        if has_module(python, module):
            return Path(python)
    where = " nor in ".join(tried) or "any Python"
    raise ToolMissingError(f"{name} is not installed in {where} (no module {module}). Install "
                           f"it into Samantha's Python with: {INSTALL}.{also}")


def has_module(python: Path | str, module: str) -> bool:
    """Can ``python`` import ``module``? (Found without importing it; False if that Python
    cannot run at all.)"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    try:
        result = subprocess.run([str(python), "-c", FIND_MODULE, module], env=env, check=False,
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def port_to_use(port: int | None) -> int:
    """``port`` if it is free on 127.0.0.1 (else :class:`ToolInputError`); a free one if None."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port or 0))
        except OSError:
            raise ToolInputError(f"Port {port} on {HOST} is taken. Choose another one with "
                                 "--port, or leave --port out to use a free one.") from None
        return int(probe.getsockname()[1])


def check_csv(path: Path) -> Path:
    """The CSV file as an absolute path, once it is known to exist and to read as CSV text
    (a header, and rows no longer than it, in its first megabyte)."""
    path = Path(os.path.abspath(os.path.expanduser(path)))
    if not path.exists():
        raise ToolInputError(f"{path} does not exist. Give the path of a CSV file.")
    if not path.is_file():
        raise ToolInputError(f"{path} is not a file. Give the path of a CSV file.")
    try:
        with open(path, "rb") as handle:
            head = handle.read(CSV_CHECK_BYTES)
    except OSError as exc:
        raise ToolInputError(f"Cannot read {path}: {exc.strerror}. Check its permissions.") \
            from None
    _check_csv_text(path, head, complete=len(head) < CSV_CHECK_BYTES)
    return path


def _check_csv_text(path: Path, head: bytes, complete: bool) -> None:
    what = "Give a CSV file: UTF-8 text, a header line, then one row a line, commas between."
    if not head.strip():
        raise ToolInputError(f"{path} is empty. {what}")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if complete or exc.start < len(head) - 4:  # not just a character cut at the end
            raise ToolInputError(f"{path} is not UTF-8 text (byte {exc.start}). {what}") from None
        text = head[:exc.start].decode("utf-8-sig")
    if "\0" in text:
        raise ToolInputError(f"{path} holds binary data, not CSV text. {what}")
    lines = text.splitlines()
    rows = csv.reader(lines if complete else lines[:-1])
    try:
        header = next(rows, None)
        if header is None:
            raise ToolInputError(f"{path} has no line break in its first megabyte. {what}")
        for row in rows:
            if len(row) > len(header):
                raise ToolInputError(f"{path}, line {rows.line_num}: {len(row)} fields, but the "
                                     f"header has {len(header)}. {what}")
    except csv.Error as exc:
        raise ToolInputError(f"{path} cannot be read as CSV: {exc}. {what}") from None
