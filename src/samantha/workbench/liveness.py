"""Is the process that owns a run still alive? (Standard library only, no psutil.)

A run records its owner when it starts: the host name, the pid, and, on Linux, a start token (the
boot id and the process start time, field 22 of ``/proc/<pid>/stat``) that tells a reused pid
apart. Elsewhere the pid alone is checked. Runs of other hosts cannot be checked from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal

from samantha.store import RunOwner

OwnerState = Literal["alive", "gone", "elsewhere"]


def this_process() -> RunOwner:
    """The owner to record for a run started by this process."""
    pid = os.getpid()
    return RunOwner(host=socket.gethostname(), pid=pid, started=start_token(pid))


def owner_state(owner: RunOwner | None, host: str | None = None) -> OwnerState:
    """"alive" or "gone" for an owner on this host (no owner recorded counts as gone), and
    "elsewhere" for one on another host, which cannot be checked from here."""
    if owner is None:
        return "gone"
    if owner.host != (host or socket.gethostname()):
        return "elsewhere"
    return "alive" if is_alive(owner) else "gone"


def is_alive(owner: RunOwner) -> bool:
    """Is the owner's process (on this host) still running, and still the same process?"""
    if owner.pid <= 0:
        return False
    if os.name == "nt":
        return _windows_alive(owner.pid)
    try:
        os.kill(owner.pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, run by another user
    if _zombie(owner.pid):
        return False
    token = start_token(owner.pid)
    return owner.started is None or token is None or token == owner.started


def start_token(pid: int) -> str | None:
    """``<boot id>:<start time in clock ticks>`` of a process on Linux; None elsewhere."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    boot = _read(Path("/proc/sys/kernel/random/boot_id"))
    return f"{boot.strip() if boot else ''}:{fields[19]}"  # fields[0] is field 3, the state


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (which may hold spaces)."""
    text = _read(Path(f"/proc/{pid}/stat"))
    if text is None or ")" not in text:
        return None
    return text[text.rindex(")") + 1:].split()


def _zombie(pid: int) -> bool:
    """A process that has ended but that its parent has not collected yet."""
    fields = _stat_fields(pid)
    return fields is not None and bool(fields) and fields[0] in ("Z", "X")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None


def _windows_alive(pid: int) -> bool:
    """On Windows ``os.kill(pid, 0)`` would send Ctrl+C: ask the kernel instead."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]  # Windows only
    query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(query_limited_information, False, pid)
    if not handle:
        return ctypes.get_last_error() == access_denied  # type: ignore[attr-defined]  # Windows only
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
