"""Which Python runs a tool, and what a missing tool says: real interpreters, one without any
of the tools (a bare virtual environment) and one that sees Samantha's packages."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from samantha.execution import DEFAULT_PACKAGES
from samantha.tools import (
    ToolInputError,
    ToolMissingError,
    datasette,
    dtale,
    jupyterlab,
    package,
)
from samantha.tools.launchers import port_to_use
from samantha.workbench.facade import Workbench
from samantha.workbench.handoffs import code_pythons


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Python with nothing installed (a venv without pip: made in a fraction of a second)."""
    folder = tmp_path_factory.mktemp("bare") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder / "bin" / "python"


@pytest.fixture(scope="module")
def with_lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another Python that sees Samantha's packages (JupyterLab among them) through a .pth."""
    folder = tmp_path_factory.mktemp("lab") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True)
    Path(site.stdout.strip(), "samantha-venv.pth").write_text(sysconfig.get_path("purelib"))
    return python


INSTALL = "Install it into Samantha's Python with: pip install 'samantha[tools]'."


def test_missing_datasette_and_dtale_say_what_to_install(bare: Path, tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n")
    for start, module, name in ((lambda: datasette([bare], tmp_path / "h.sqlite3"),
                                 "datasette", "Datasette"),
                                (lambda: dtale([bare], table), "dtale", "D-Tale")):
        with pytest.raises(ToolMissingError) as info:
            start()
        assert str(info.value) == f"{name} is not installed in {bare} (no module {module}). " \
                                  + INSTALL


def test_missing_jupyterlab_also_names_the_analysis_environment(bare: Path,
                                                                tmp_path: Path) -> None:
    with pytest.raises(ToolMissingError) as info:
        jupyterlab([bare, bare], tmp_path)
    assert str(info.value) == (
        f"JupyterLab is not installed in {bare} (no module jupyterlab). {INSTALL} Or run "
        "`samantha code setup-env`: JupyterLab is one of the analysis environment's packages, "
        "and runs there.")


def test_missing_pyinstaller(bare: Path, tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text("print(1)\n")
    with pytest.raises(ToolMissingError, match=r"PyInstaller is not installed in .*bare.* "
                                               r"\(no module PyInstaller\)\. Install it "):
        package(script, "main", tmp_path / "out", tmp_path / "work", [bare])


def test_jupyterlab_runs_in_the_first_python_that_has_it(bare: Path, with_lab: Path,
                                                         tmp_path: Path) -> None:
    assert jupyterlab([with_lab, sys.executable], tmp_path).command[0] == str(with_lab)
    assert jupyterlab([bare, sys.executable], tmp_path).command[0] == sys.executable


def test_the_analysis_environment_comes_first(bench: Workbench, bare: Path) -> None:
    assert code_pythons(bench) == [sys.executable]
    prefs = bench.preferences
    prefs.python = str(bare)
    prefs.save(bench.home)
    assert code_pythons(bench) == [str(bare), sys.executable]


def test_setup_env_installs_jupyterlab_by_default() -> None:
    from click.testing import CliRunner

    from samantha.cli import cli

    assert "jupyterlab" in DEFAULT_PACKAGES
    help_text = CliRunner().invoke(cli, ["code", "setup-env", "--help"]).stdout
    assert "scikit-learn jupyterlab)" in " ".join(help_text.split())


def test_a_taken_port_is_refused(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(ToolInputError, match=f"Port {port} on 127.0.0.1 is taken. Choose"):
            port_to_use(port)
    assert port_to_use(None) > 0
