"""How the child process starts: a scrubbed environment, and the steps between fork and exec
(resource limits, the switch to the unprivileged user, no new privileges, die with the parent).

Everything the child step needs is computed in the parent first, so the code that runs between
fork and exec only makes system calls.
"""

from __future__ import annotations

import ctypes
import math
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from samantha.execution.identity import CAP_DAC_READ_SEARCH, Identity
from samantha.execution.results import CodeLimits

INTERNAL_DIR = ".samantha"  # Samantha's own files in the work folder (caches, figure list)

THREAD_CAPS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "RAYON_NUM_THREADS")

# prctl(2) options and secure bits (linux/prctl.h, linux/securebits.h)
PR_SET_PDEATHSIG = 1
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_RAISE = 2
SECBIT_NO_SETUID_FIXUP = 1 << 2
SECBIT_NO_SETUID_FIXUP_LOCKED = 1 << 3
CAPABILITY_VERSION_3 = 0x20080522


def child_environment(work_dir: Path, parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's whole environment: nothing of the parent's but PATH and LANG."""
    parent = os.environ if parent is None else parent
    internal = work_dir / INTERNAL_DIR
    env = {
        "PATH": parent.get("PATH") or os.defpath,
        "HOME": str(work_dir),
        "LANG": parent.get("LANG") or "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(internal / "matplotlib"),
        "XDG_CACHE_HOME": str(internal / "cache"),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update({name: "1" for name in THREAD_CAPS})
    return env


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


class Kernel:
    """prctl and capset from the C library, looked up in the parent before the fork."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.prctl = libc.prctl
        self.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
        self.prctl.restype = ctypes.c_int
        self.capset = libc.capset
        self.capset.restype = ctypes.c_int
        self.header = _CapHeader(CAPABILITY_VERSION_3, 0)
        self.read_search_only = (_CapData * 2)()
        bit = 1 << CAP_DAC_READ_SEARCH
        self.read_search_only[0].effective = bit
        self.read_search_only[0].permitted = bit
        self.read_search_only[0].inheritable = bit

    def call(self, option: int, arg: int = 0, what: str = "prctl") -> None:
        if self.prctl(option, arg, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"{what} failed")

    def keep_read_search(self) -> None:
        if self.capset(ctypes.byref(self.header), self.read_search_only) != 0:
            raise OSError(ctypes.get_errno(), "capset failed")
        if self.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "raising the ambient capability failed")


def load_kernel() -> Kernel | None:
    """The C library calls, or None where they do not exist (not Linux)."""
    try:
        return Kernel()
    except (OSError, AttributeError):
        return None


@dataclass(frozen=True)
class ChildSetup:
    """Runs in the child between fork and exec (``preexec_fn``); the working folder and the new
    session are already set by subprocess."""

    identity: Identity
    rlimits: tuple[tuple[int, tuple[int, int]], ...]
    nproc: int | None  # RLIMIT_NPROC to set after the switch; None: not enforceable this way
    kernel: Kernel | None
    cpu_seconds: int = 0  # the RLIMIT_CPU backstop (soft limit)
    cgroup_fds: tuple[int, ...] = ()  # cgroup.procs files of the run's cgroup, to move into

    def __call__(self) -> None:
        for fd in self.cgroup_fds:
            os.write(fd, b"0")  # this process, and so everything it starts
        for which, values in self.rlimits:
            resource.setrlimit(which, values)
        kernel = self.kernel
        keeper = kernel if self.identity.reads_all else None  # keeps CAP_DAC_READ_SEARCH
        if self.identity.reads_all and keeper is None:
            raise OSError("cannot keep a capability without prctl and capset")
        if self.identity.switches_user:
            if keeper is not None:
                # keep capabilities across the switch, then drop all but CAP_DAC_READ_SEARCH
                keeper.call(PR_SET_SECUREBITS,
                            SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED, "securebits")
            os.setgroups([])
            os.setgid(self.identity.gid)
            os.setuid(self.identity.uid)
            if keeper is not None:
                keeper.keep_read_search()
        if kernel is not None:
            kernel.call(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs")  # no gain through setuid files
        if self.nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (self.nproc, self.nproc))
        if kernel is not None:
            kernel.call(PR_SET_PDEATHSIG, signal.SIGKILL, "pdeathsig")  # after the switch


def child_setup(identity: Identity, limits: CodeLimits, existing_tasks: int | None,
                kernel: Kernel | None) -> ChildSetup:
    """The child step for one run. ``existing_tasks`` are the tasks the user already has, which
    RLIMIT_NPROC counts too; the cap is added on top."""
    cpu = math.ceil(limits.timeout * (os.cpu_count() or 1)) + 5  # a backstop, past the wall limit
    rlimits = [(resource.RLIMIT_CORE, (0, 0)),
               (resource.RLIMIT_CPU, (cpu, cpu + 5))]
    if hasattr(resource, "RLIMIT_AS"):
        rlimits.append((resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes)))
    rlimits = [(which, _within_hard(which, values)) for which, values in rlimits]
    nproc = None
    if identity.kind != "root" and existing_tasks is not None:
        nproc = existing_tasks + limits.processes
        nproc = _within_hard(resource.RLIMIT_NPROC, (nproc, nproc))[0]
    return ChildSetup(identity, tuple(rlimits), nproc, kernel, cpu)


def _within_hard(which: int, values: tuple[int, int]) -> tuple[int, int]:
    """Never ask for more than the current hard limit (an unprivileged user cannot raise it)."""
    _, hard = resource.getrlimit(which)
    if hard == resource.RLIM_INFINITY:
        return values
    return min(values[0], hard), min(values[1], hard)
