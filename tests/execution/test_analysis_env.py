"""create_analysis_env with real venv and pip, offline: a hand-made wheel and a bad requirement."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from samantha.execution import AnalysisEnvError, create_analysis_env, run_code


@pytest.fixture(scope="module")
def env_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One environment for the module (creating it takes a few seconds), no packages."""
    return create_analysis_env(tmp_path_factory.mktemp("analysis") / "env", packages=())


def make_wheel(folder: Path) -> Path:
    """A tiny pure-Python wheel pip installs without any network."""
    path = folder / "samantha_probe-0.1-py3-none-any.whl"
    info = "samantha_probe-0.1.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("samantha_probe.py", "VALUE = 42\n")
        wheel.writestr(f"{info}/METADATA",
                       "Metadata-Version: 2.1\nName: samantha-probe\nVersion: 0.1\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\n"
                       "Root-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", "".join(
            f"{name},,\n" for name in ("samantha_probe.py", f"{info}/METADATA",
                                       f"{info}/WHEEL", f"{info}/RECORD")))
    return path


def test_the_environment_is_a_separate_python(env_python: Path, tmp_path: Path) -> None:
    assert env_python.name == "python" and (env_python.parent.parent / "pyvenv.cfg").is_file()
    result = run_code("import sys\nprint(sys.prefix)\ntry:\n    import matplotlib\n"
                      "except ImportError:\n    print('no matplotlib')", tmp_path / "work",
                      interpreter=env_python)
    assert result.succeeded, result.stderr
    assert result.stdout.splitlines() == [str(env_python.parent.parent), "no matplotlib"]
    assert sys.prefix != str(env_python.parent.parent)


def test_packages_are_installed_and_pip_lines_streamed(env_python: Path, tmp_path: Path) -> None:
    lines: list[str] = []
    again = create_analysis_env(env_python.parent.parent, [str(make_wheel(tmp_path))],
                                progress=lines.append)
    assert again == env_python
    assert any("Successfully installed samantha-probe-0.1" in line for line in lines)
    result = run_code("import samantha_probe\nprint(samantha_probe.VALUE)", tmp_path / "work",
                      interpreter=env_python)
    assert result.stdout == "42\n"


def test_pip_failure_is_a_clear_error(env_python: Path) -> None:
    lines: list[str] = []
    with pytest.raises(AnalysisEnvError) as info:
        create_analysis_env(env_python.parent.parent, ["not a valid requirement!!"],
                            progress=lines.append)
    message = str(info.value)
    assert message.startswith("pip could not install not a valid requirement!! into ")
    assert "Invalid requirement" in message and "Check the package names" in message
    assert any("Invalid requirement" in line for line in lines)


def test_a_folder_that_is_not_an_environment_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(AnalysisEnvError, match="is not a virtual environment"):
        create_analysis_env(tmp_path, packages=())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
