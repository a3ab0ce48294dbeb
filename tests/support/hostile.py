"""Helpers of the hostile-code tests (tests/execution/test_hostile*.py): running code on a
backend, checking each result's isolation mark, and what the code left on the machine."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from samantha.execution import ISOLATED, NOT_ISOLATED, CodeLimits, CodeResult, Sandbox, run_code
from samantha.execution.cgroups import PREFIX, _cgroup_mounts, _own_cgroups, make_run_cgroup

AS_ROOT = os.geteuid() == 0
FAST = CodeLimits(timeout=20.0)


def run(code: str, work: Path, sandbox: Sandbox, **options) -> CodeResult:
    options.setdefault("limits", FAST)
    return run_code(textwrap.dedent(code), work, sandbox=sandbox, **options)


def confined(result: CodeResult, backend: str) -> bool:
    """Checks the mark of every result; True when the run was confined by bubblewrap."""
    if backend == "bubblewrap":
        assert result.isolation == ISOLATED and result.isolated, result.isolation_note
        assert result.isolation_line().startswith("isolated (bubblewrap): Confined by ")
        return True
    assert result.isolation == NOT_ISOLATED and not result.isolated
    assert result.isolation_line().startswith("not isolated: ")
    assert "no boundary against hostile code" in result.isolation_note
    return False


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working folder is ``folder`` (the code's, as the host sees it)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry.name}/cwd") != str(folder):
                continue
            with open(f"/proc/{entry.name}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def cgroups_possible() -> bool:
    """Whether this process can make a run's cgroup here (then every bubblewrap run must)."""
    if not AS_ROOT:
        return False
    made, _ = make_run_cgroup(2**30, 10)
    if made is not None:
        made.remove()
    return made is not None


def our_cgroups() -> list[str]:
    """Cgroups this process made for its runs that are still there."""
    mounts, own = _cgroup_mounts(), _own_cgroups()
    parents = set(mounts.values())
    for key, mount in mounts.items():
        parents.add(mount / own.get("" if key == "cgroup2" else key, "/").lstrip("/"))
    mine = f"{PREFIX}{os.getpid()}-"
    return [str(p / name) for p in parents if p.is_dir()
            for name in os.listdir(p) if name.startswith(mine)]


CONNECT = """
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        print("reached", s.recv(5).decode())
except OSError as error:
    print("unreachable", type(error).__name__)
"""

