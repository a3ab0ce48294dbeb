"""PyInstaller for real: a run's code becomes one executable that runs; failures say why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.tools import ToolError, ToolInputError
from samantha.workbench.facade import Workbench
from samantha.workbench.handoffs import package, script_of

from .conftest import store_run

GREETING = "print('hello from a packed run', 6 * 7)\n"


def record_code_run(bench: Workbench, code: str) -> int:
    """A run with one real code run (its work folder made by the sandbox), as a chain stores it."""
    run_id = store_run(bench, f"```python\n{code}```")
    result = bench.run_code(code, bench.home / "runs" / str(run_id) / "cycle-1")
    bench.store.record_code_run(run_id, None, code=code, dropped=[], stdout=result.stdout,
                                stderr=result.stderr, exit_status=result.exit_status,
                                seconds=result.seconds, timed_out=result.timed_out,
                                limit=result.limit, work_dir=str(result.work_dir), files=[],
                                figures=[], isolation=result.isolation)
    return run_id


def test_a_runs_code_becomes_an_executable_that_runs(bench: Workbench, tmp_path: Path) -> None:
    run_id = record_code_run(bench, GREETING)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["tools", "package", str(run_id), "--out", str(out)],
                                obj=bench)
    assert result.exit_code == 0, (result.output, result.exception)
    executable = out / f"run-{run_id}"
    assert result.stdout == f"Executable: {executable}\n"
    assert "Building EXE from EXE-00.toc completed successfully." in result.stderr  # its log
    assert str(bench.home / "runs" / str(run_id) / "cycle-1" / "main.py") in result.stderr
    ran = subprocess.run([str(executable)], capture_output=True, text=True, timeout=120)
    assert (ran.returncode, ran.stdout) == (0, "hello from a packed run 42\n")


def test_a_failed_build_gives_pyinstallers_reason(bench: Workbench, tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("print('never closed'\n")
    lines: list[str] = []
    with pytest.raises(ToolError) as info:
        package(bench, str(script), tmp_path / "out", progress=lines.append)
    message = str(info.value)
    assert message.startswith(f"PyInstaller could not package {script} (exit status 1).")
    assert "SyntaxError: '(' was never closed" in message and "Fix what it names" in message
    assert any("SyntaxError" in line for line in lines)
    assert not (tmp_path / "out" / "broken").exists()


def test_a_run_without_code_runs_is_refused(bench: Workbench) -> None:
    run_id = store_run(bench, "No code here.")
    with pytest.raises(ToolInputError, match=f"Run {run_id} has no code run, so there is "
                                             "nothing to package"):
        script_of(bench, str(run_id))
    result = CliRunner().invoke(cli, ["tools", "package", str(run_id)], obj=bench)
    assert result.exit_code == 2 and "has no code run" in result.stderr


def test_the_stored_code_is_packaged_when_the_work_folder_is_gone(bench: Workbench) -> None:
    run_id = record_code_run(bench, GREETING)
    (bench.home / "runs" / str(run_id) / "cycle-1" / "main.py").unlink()
    said: list[str] = []
    script, name = script_of(bench, str(run_id), said.append)
    assert script.read_text() == GREETING and name == f"run-{run_id}"
    assert "packaging the code stored with the run" in said[0]


@pytest.mark.parametrize("given, message", [
    ("notes.txt", "is not a .py file"),
    ("missing.py", "is neither a run id nor a file"),
    ("999", "No run 999 in the history"),
])
def test_what_cannot_be_packaged(bench: Workbench, tmp_path: Path, monkeypatch,
                                 given: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("print(1)")
    result = CliRunner().invoke(cli, ["tools", "package", given], obj=bench)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_the_pyinstaller_command_line(tmp_path: Path) -> None:
    from samantha.tools.packer import pyinstaller_command

    command = pyinstaller_command(Path(sys.executable), tmp_path / "main.py", "tool",
                                  tmp_path / "dist", tmp_path / "work")
    assert command == [sys.executable, "-m", "PyInstaller", "--onefile", "--noconfirm",
                       "--clean", "--distpath", str(tmp_path / "dist"), "--workpath",
                       str(tmp_path / "work" / "build"), "--specpath",
                       str(tmp_path / "work" / "spec"), "--name", "tool",
                       str(tmp_path / "main.py")]
