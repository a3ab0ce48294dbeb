"""Who the code runs as: reachability by mode bits, the order of identities, the root fallback
with its process watchdog, and the fully unprivileged mode with a world-readable Python."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from samantha.execution import CodeLimits, Sandbox, run_code, runner
from samantha.execution import identity as ident
from samantha.execution.identity import READ, SEARCH, Identity

NOBODY = 65534
ALL_CAPS = (1 << 41) - 1
LIMITED = Sandbox("rlimits")  # who the code runs as matters for the backend without bubblewrap


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder every user may walk into (pytest's own tmp folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="samantha-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("mode, owner, group, bits, expected", [
    (0o700, 0, 0, READ, False),         # other: nothing
    (0o755, 0, 0, READ | SEARCH, True),  # other: r-x
    (0o750, 0, NOBODY, READ, True),     # group bits apply
    (0o075, NOBODY, 0, READ, False),    # owner bits apply, not group or other
    (0o711, 0, 0, SEARCH, True),        # search without read
    (0o711, 0, 0, READ, False),
])
def test_permission_bits(open_dir: Path, mode: int, owner: int, group: int, bits: int,
                         expected: bool) -> None:
    target = open_dir / "target"
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    os.chown(target, owner, group)
    target.chmod(mode)
    assert ident.reachable(target, NOBODY, NOBODY, bits) is expected


def test_a_private_folder_on_the_way_blocks(open_dir: Path) -> None:
    inner = open_dir / "private" / "inner"
    inner.mkdir(parents=True)
    assert ident.reachable(inner, NOBODY, NOBODY, READ | SEARCH)
    (open_dir / "private").chmod(0o700)
    assert not ident.reachable(inner, NOBODY, NOBODY, SEARCH)
    assert not ident.folder_reachable(inner, NOBODY, NOBODY)
    assert not ident.reachable(open_dir / "missing", NOBODY, NOBODY, READ)


def test_virtual_environment_made_from_a_private_python(open_dir: Path) -> None:
    base = open_dir / "base"
    (base / "bin").mkdir(parents=True)
    (base / "lib" / "python3.11").mkdir(parents=True)
    (base / "bin" / "python3.11").write_text("")
    (base / "bin" / "python3.11").chmod(0o755)
    env = open_dir / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(base / "bin" / "python3.11")
    (env / "pyvenv.cfg").write_text(f"home = {base / 'bin'}\ninclude-system-site-packages = "
                                    "false\n")
    assert ident.interpreter_reachable(env / "bin" / "python", NOBODY, NOBODY)
    (base / "lib").chmod(0o700)  # the standard library only root may open
    assert not ident.interpreter_reachable(env / "bin" / "python", NOBODY, NOBODY)
    (base / "lib").chmod(0o755)
    env.chmod(0o700)  # the environment itself private
    assert not ident.interpreter_reachable(env / "bin" / "python", NOBODY, NOBODY)


def test_ordinary_user_runs_as_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ident.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(ident.os, "getegid", lambda: 1000)
    (only,) = ident.candidate_identities(Path("/usr/bin/python3"), tmp_path)
    assert only.kind == "same-user" and only.uid == 1000 and not only.switches_user
    assert "your own user" in only.describe()


@pytest.mark.parametrize("caps, reachable, kinds", [
    (ALL_CAPS, True, ["unprivileged", "unprivileged-reads-all", "root"]),
    (ALL_CAPS, False, ["unprivileged-reads-all", "root"]),
    (ALL_CAPS & ~(1 << ident.CAP_DAC_READ_SEARCH), False, ["root"]),
    (0, True, ["root"]),
])
def test_root_prefers_the_strongest_isolation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              caps: int, reachable: bool,
                                              kinds: list[str]) -> None:
    monkeypatch.setattr(ident.os, "geteuid", lambda: 0)
    monkeypatch.setattr(ident, "effective_capabilities", lambda: caps)
    monkeypatch.setattr(ident, "interpreter_reachable", lambda *args: reachable)
    monkeypatch.setattr(ident, "folder_reachable", lambda *args: True)
    found = ident.candidate_identities(Path("/usr/bin/python3"), tmp_path)
    assert [i.kind for i in found] == kinds
    texts = {i.describe() for i in found}
    assert len(texts) == len(found)  # each says something different


def test_as_root_without_a_switch_the_watchdog_enforces_the_process_cap(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """RLIMIT_NPROC does nothing for root; the runner counts the group's processes instead."""
    monkeypatch.setattr(runner, "candidate_identities",
                        lambda *args: [Identity("root", os.geteuid(), os.getegid(), "root")])
    code = ("import os, time\nprint(os.getpgrp(), flush=True)\nfor _ in range(100):\n"
            "    if os.fork() == 0:\n        time.sleep(60)\n        os._exit(0)\n"
            "time.sleep(60)")
    result = run_code(code, tmp_path / "work", limits=CodeLimits(timeout=20, processes=20),
                      sandbox=LIMITED)
    assert not result.timed_out and not result.succeeded and result.seconds < 10
    assert result.limit is not None
    assert result.limit.startswith("Stopped: the code started more than 20 processes")
    assert "Ran as root" in result.isolation_note
    pgid = int(result.stdout.split()[0])
    assert ident.live_group_members(pgid) == []


@pytest.mark.skipif(os.geteuid() != 0 or not os.access("/usr/bin/python3", os.X_OK),
                    reason="needs root and a Python every user may run (/usr/bin/python3)")
def test_world_readable_python_runs_fully_unprivileged(open_dir: Path) -> None:
    secret = open_dir / "secret.txt"
    secret.write_text("root only")
    secret.chmod(0o600)
    code = ("import os\nprint(os.getuid())\ntry:\n    open(os.environ['HOME'] + "
            "'/../secret.txt').read()\nexcept PermissionError:\n    print('denied')")
    result = run_code(code, open_dir / "work", interpreter="/usr/bin/python3", sandbox=LIMITED)
    if ident.interpreter_reachable(Path("/usr/bin/python3"), NOBODY, NOBODY):
        assert result.stdout.split() == ["65534", "denied"], result.stderr
        assert "Ran as the unprivileged user nobody (uid 65534):" in result.isolation_note
    else:
        pytest.skip("/usr/bin/python3 here needs files only root may open")


@pytest.mark.skipif(os.geteuid() != 0, reason="the read-all mode exists only for root")
def test_private_python_runs_as_nobody_allowed_to_read(tmp_path: Path) -> None:
    """The venv of the tests lives below /root here: nobody may read, never write, outside."""
    result = run_code("import os\nprint(os.getuid())\nopen('/x-samantha-test', 'w')",
                      tmp_path / "work", sandbox=LIMITED)
    kinds = [i.kind for i in ident.candidate_identities(runner.resolve_interpreter(None),
                                                        tmp_path / "work")]
    if kinds[0] != "unprivileged-reads-all":
        pytest.skip(f"this machine runs the tests' Python as {kinds[0]}")
    assert result.stdout.strip() == "65534"
    assert "PermissionError" in result.stderr and not Path("/x-samantha-test").exists()
    assert "allowed to read every file" in result.isolation_note
