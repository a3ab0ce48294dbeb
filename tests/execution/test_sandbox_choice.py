"""Choosing the backend (probed once per Sandbox), the isolation values and sentences, and how the
bubblewrap sandbox's file system is laid out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samantha.core.errors import SettingsError
from samantha.execution import (
    ISOLATED,
    NOT_ISOLATED,
    CodeLimits,
    CodeResult,
    CodeRunError,
    Sandbox,
    SandboxUnavailable,
    bubblewrap,
    run_code,
)
from samantha.execution.bubblewrap import _signal_status
from samantha.execution.mounts import (
    Interpreter,
    check_folders,
    etc_masks,
    made_folders,
)
from samantha.execution.verdict import Ending, explain


def result(**changes) -> CodeResult:
    values = dict(stdout="", stderr="", exit_status=0, seconds=0.1, timed_out=False,
                  cancelled=False, limit=None, work_dir=Path("/w"), files=(), figures=())
    values.update(changes)
    return CodeResult(**values)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Counts the probes; bubblewrap "does not work" in them."""
    calls: list[str | None] = []

    def probe(program: str | None = None):
        calls.append(program)
        return None, "Bubblewrap (bwrap) is not installed; install it."

    monkeypatch.setattr(bubblewrap, "probe_bubblewrap", probe)
    return calls


def test_the_machine_is_probed_once_per_sandbox(probes: list, tmp_path: Path) -> None:
    sandbox = Sandbox()
    first = run_code("print(1)", tmp_path / "a", sandbox=sandbox)
    second = run_code("print(2)", tmp_path / "b", sandbox=sandbox)
    assert probes == [None]
    assert first.isolation == second.isolation == NOT_ISOLATED
    assert first.isolation_note.startswith("Bubblewrap (bwrap) is not installed; install it. "
                                           "The code ran under resource limits only")
    assert "Memory: 2 GiB per process, at most 64 processes (up to 128 GiB in all)." in \
        first.isolation_note


def test_bubblewrap_required_but_missing_is_an_error(probes: list, tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailable) as info:
        run_code("print(1)", tmp_path / "w", sandbox=Sandbox("bubblewrap"))
    assert "`make test` installs bubblewrap" in str(info.value)
    assert isinstance(info.value, CodeRunError) and not (tmp_path / "w").exists()


def test_rlimits_never_probes(probes: list, tmp_path: Path) -> None:
    done = run_code("print(1)", tmp_path / "w", sandbox=Sandbox("rlimits"))
    assert probes == [] and done.isolation == NOT_ISOLATED
    assert done.isolation_note.startswith("Isolation was turned off for this run")


def test_unknown_sandbox_is_refused() -> None:
    with pytest.raises(SettingsError, match="choose one of auto, bubblewrap, rlimits"):
        Sandbox("docker")


@pytest.mark.parametrize("isolation, line", [
    (ISOLATED, "isolated (bubblewrap): note"),
    (NOT_ISOLATED, "not isolated: note"),
    ("", ""),  # unknown (a record from before)
])
def test_isolation_line(isolation: str, line: str) -> None:
    done = result(isolation=isolation, isolation_note="note")
    assert done.isolation_line() == line and done.isolated is (isolation == ISOLATED)


def test_the_memory_budget_of_the_whole_run_is_explained() -> None:
    limits = CodeLimits(memory_bytes=2 * 2**30)
    sentence = explain(Ending(-9, oom_kills=3, memory_scope="for the whole run"), limits)
    assert sentence == ("Memory limit reached: the code's processes together used 2 GiB (the "
                        "memory limit for the whole run) and the kernel killed 3 of them. Work "
                        "on less data at a time, or raise the memory limit.")
    assert "killed 1 of them." in (explain(Ending(0, oom_kills=1), limits) or "")
    per_process = explain(Ending(1, stderr="MemoryError", memory_scope="for the whole run"),
                          limits)
    assert per_process is not None and "(the memory limit is 2 GiB for the whole run)" in \
        per_process


@pytest.mark.parametrize("status, reported", [(0, 0), (1, 1), (128, 128), (137, -9), (143, -15),
                                              (255, 255)])
def test_deaths_by_signal_as_subprocess_reports_them(status: int, reported: int) -> None:
    assert _signal_status(status) == reported


def test_folders_bubblewrap_makes_on_the_way_are_opened(tmp_path: Path) -> None:
    work = Path("/tmp/a/b/work")
    python = Interpreter(Path("/root/.pyenv/versions/3.11/bin/python3"),
                         (Path("/root/.pyenv/versions/3.11"), Path("/work/main/.venv")))
    assert made_folders([*python.folders, work]) == [
        "/root", "/root/.pyenv", "/root/.pyenv/versions", "/work", "/work/main", "/tmp/a",
        "/tmp/a/b"]
    # nothing inside a mounted folder of the machine is touched
    assert made_folders([Path("/usr/local/py"), Path("/usr/local/py/env")]) == []


def test_an_interpreter_folder_that_would_show_too_much_is_refused(tmp_path: Path) -> None:
    work = tmp_path / "home" / "code" / "x"
    for folder in (Path("/"), tmp_path / "home", tmp_path / "me"):
        python = Interpreter(folder / "bin" / "python", (folder,))
        with pytest.raises(CodeRunError, match="mounting it in the sandbox would show"):
            check_folders(python, work, home=tmp_path / "me")
    check_folders(Interpreter(Path("/opt/py/bin/python"), (Path("/opt/py"),)), work,
                  home=tmp_path / "me")


def test_what_not_every_user_may_read_in_etc_is_covered(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    (etc / "ssl" / "private").mkdir(parents=True)
    (etc / "ssl" / "private" / "key.pem").write_text("k")
    (etc / "ssl" / "private").chmod(0o700)
    (etc / "shadow").write_text("root:x")
    (etc / "shadow").chmod(0o640)
    (etc / "passwd").write_text("root:x")
    (etc / "passwd").chmod(0o644)
    (etc / "hosts").symlink_to(etc / "shadow")
    assert set(etc_masks(str(etc))) == {(str(etc / "ssl" / "private"), True),
                                        (str(etc / "shadow"), False)}
    if os.path.exists("/etc/shadow"):
        assert ("/etc/shadow", False) in etc_masks()
