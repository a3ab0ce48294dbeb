"""Hand-offs: a run's work taken on in other programs (the original Samantha's tool buttons).

JupyterLab opens a run as a notebook, Datasette shows the run history, D-Tale a CSV file, and
PyInstaller packs a run's code into one executable. This module ties the Workbench (its data
home, history, preferences) to :mod:`samantha.tools`; the front ends call these functions with
the Workbench and its :class:`~samantha.tools.Toolbox`.

Files: notebooks in ``<home>/notebooks/run-ID.ipynb`` (written once: edits made in JupyterLab
are kept; delete the file to export the run again), tool logs in ``<home>/tools/``,
executables in ``<home>/executables/`` unless another folder is given.

Which Python runs what: JupyterLab and PyInstaller the analysis environment's (``samantha code
setup-env``) when it has them, so notebooks and executables see the packages model-written
code uses, else Samantha's own; Datasette and D-Tale always Samantha's own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from samantha.tools import RunningTool, Toolbox, ToolInputError, launchers, packer

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

NOTEBOOKS = "notebooks"
EXECUTABLES = "executables"


def code_pythons(bench: "Workbench") -> list[str]:
    """Where JupyterLab and PyInstaller are looked for: the analysis environment, then
    Samantha's own Python."""
    return [p for p in (bench.preferences.python, sys.executable) if p]


def start_jupyter(bench: "Workbench", toolbox: Toolbox, run_id: int | None = None,
                  port: int | None = None) -> RunningTool:
    """JupyterLab on the notebooks folder, opening run ``run_id`` as a notebook (exported
    first if it is not there yet), or the folder when no run is given."""
    folder = bench.home / NOTEBOOKS
    folder.mkdir(parents=True, exist_ok=True)
    notebook = None if run_id is None else notebook_of(bench, run_id).name
    return toolbox.start(launchers.jupyterlab(code_pythons(bench), folder, notebook, port))


def notebook_of(bench: "Workbench", run_id: int) -> Path:
    """``<home>/notebooks/run-ID.ipynb``, exported from the history if it does not exist."""
    from samantha.documents.notebook import run_to_notebook

    path = bench.home / NOTEBOOKS / f"run-{run_id}.ipynb"
    if not path.exists():
        text = run_to_notebook(bench.store.get_run(run_id))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    return path


def start_datasette(bench: "Workbench", toolbox: Toolbox,
                    port: int | None = None) -> RunningTool:
    """Datasette on the run history, read-only."""
    return toolbox.start(launchers.datasette([sys.executable], bench.store.path, port))


def start_dtale(bench: "Workbench", toolbox: Toolbox, table: Path,
                port: int | None = None) -> RunningTool:
    """D-Tale on a CSV file."""
    return toolbox.start(launchers.dtale([sys.executable], Path(table), port))


def package(bench: "Workbench", run_or_file: str, out_dir: Path | None = None,
            progress: Callable[[str], None] | None = None) -> Path:
    """A one-file executable of a run's code (the script of its last code run) or of a .py
    file; PyInstaller's output goes to ``progress``. Returns the executable's path."""
    script, name = script_of(bench, run_or_file, progress)
    work = bench.home / "tools" / "pyinstaller" / name
    return packer.package(script, name, out_dir or bench.home / EXECUTABLES, work,
                          code_pythons(bench), progress)


def script_of(bench: "Workbench", run_or_file: str,
              progress: Callable[[str], None] | None = None) -> tuple[Path, str]:
    """The script to package and the executable's name: ``run-ID`` and the ``main.py`` of a
    run's last code run, or a .py file and its name."""
    if run_or_file.isdigit():
        return _run_script(bench, int(run_or_file), progress), f"run-{int(run_or_file)}"
    path = Path(os.path.abspath(os.path.expanduser(run_or_file)))
    if not path.is_file():
        raise ToolInputError(f"{run_or_file} is neither a run id nor a file. Give a run id "
                             "(`samantha history list` shows them) or the path of a .py file.")
    if path.suffix != ".py":
        raise ToolInputError(f"{path} is not a .py file. Give a Python script, or a run id.")
    return path, path.stem


def _run_script(bench: "Workbench", run_id: int,
                progress: Callable[[str], None] | None) -> Path:
    bench.store.get_run(run_id)  # a clear message for a run that does not exist
    runs = bench.store.code_runs(run_id)
    if not runs:
        raise ToolInputError(
            f"Run {run_id} has no code run, so there is nothing to package. Run its code "
            f"first (`samantha run --auto-run-code …`), or give a .py file "
            f"(`samantha code extract {run_id} > main.py` writes its code to one).")
    last = runs[-1]
    script = Path(last.work_dir) / "main.py"
    if script.is_file() and script.read_text(encoding="utf-8", errors="replace") == last.code:
        return script
    kept = bench.home / "tools" / "pyinstaller" / f"run-{run_id}-source" / "main.py"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(last.code, encoding="utf-8")
    if progress is not None:
        progress(f"{script} is gone or was changed: packaging the code stored with the run, "
                 f"written to {kept}.")
    return kept
