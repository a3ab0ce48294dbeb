"""Stopping a tool and everything it started (standard library only, no psutil).

A tool runs in a session and process group of its own (``start_new_session=True``), so one
``killpg`` reaches it and the helpers it forks. Some of its children leave that group on purpose:
JupyterLab starts each kernel in a new session. So while a tool is stopped its process tree is
read from ``/proc`` (Linux) again and again, and what is found is remembered with its start time
(a pid the system hands out again is not mistaken for it): after SIGTERM and a grace period,
SIGKILL goes to the group and to every remembered process still alive. Elsewhere only the
process group is signalled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ProcessInfo:
    """One line of ``/proc/PID/stat``: what tells processes apart and ties them together."""

    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    started: int  # clock ticks after boot: a reused pid has another


def process_info(pid: int) -> ProcessInfo | None:
    """The process ``pid`` as ``/proc`` shows it; None when it is gone (or no ``/proc``)."""
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the name, in brackets, may hold spaces
    if len(fields) < 20:
        return None
    return ProcessInfo(pid, int(fields[1]), int(fields[2]), int(fields[3]), fields[0],
                       int(fields[19]))


def all_processes() -> list[ProcessInfo]:
    """Every process ``/proc`` lists (empty where there is no ``/proc``)."""
    try:
        names = [entry.name for entry in PROC.iterdir() if entry.name.isdigit()]
    except OSError:
        return []
    return [info for info in map(process_info, map(int, names)) if info is not None]


def family(root: int) -> dict[int, int]:
    """The processes that belong to the tool whose first process is ``root``: its descendants
    and whatever is in its session, as pid -> start time (``root`` itself included)."""
    table = all_processes()
    children: dict[int, list[ProcessInfo]] = {}
    for info in table:
        children.setdefault(info.ppid, []).append(info)
    found = {info.pid: info.started for info in table if info.sid == root}
    todo = [info for info in table if info.pid == root]
    while todo:
        info = todo.pop()
        found[info.pid] = info.started
        todo += children.get(info.pid, [])
    return found


def is_gone(pid: int, started: int | None = None) -> bool:
    """Has the process ended (a zombie has), or been replaced by another with its pid?"""
    info = process_info(pid)
    if info is None:
        return not _signal_reaches(pid)
    return info.state in ("Z", "X") or (started is not None and info.started != started)


def _signal_reaches(pid: int) -> bool:
    if PROC.is_dir():
        return False  # /proc lists every process; this one is not there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_tree(process: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM to the tool's process group, SIGKILL after ``grace`` seconds to the group and to
    every process of its family still alive, then wait until they are all gone."""
    root = process.pid
    known = family(root) if process.returncode is None else {}
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if process.poll() is None:
            known.update(family(root))
        alive = {pid: started for pid, started in known.items() if not is_gone(pid, started)}
        if process.poll() is not None and not alive and not _group_members(root):
            break
        _pause(process)
    _kill(process, known)
    process.wait()
    _wait_gone(known, deadline=time.monotonic() + 5)


def stop_detached(pid: int, started: int, grace: float) -> bool:
    """Stop a tool that is not this process's child (an orphan of a Samantha that died), the way
    :func:`stop_tree` does: only if ``pid`` is still the process that started at ``started``
    (clock ticks after boot). False when it was already gone."""
    if is_gone(pid, started):
        return False
    known = family(pid)
    _signal_leader_group(pid, started, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not is_gone(pid, started):
            known.update(family(pid))
        alive = [p for p, s in known.items() if not is_gone(p, s)]
        if not alive and not _group_members(pid, since=started):
            break
        threading.Event().wait(POLL_SECONDS)
    _signal_leader_group(pid, started, signal.SIGKILL)
    for each, since in known.items():
        if not is_gone(each, since):
            _send(each, signal.SIGKILL)
    _wait_gone(known, deadline=time.monotonic() + 5)
    return True


def _signal_leader_group(pid: int, started: int, signum: signal.Signals) -> None:
    """Signal the process group that ``pid`` leads, while it is surely the tool's: its leader
    is that very process, or the leader is gone and members started after it remain (a group's
    id is not handed out again while it has members)."""
    leader = process_info(pid)
    ours = leader is not None and leader.started == started and leader.pgid == pid
    if ours or (leader is None and _group_members(pid, since=started)):
        _signal_pgid(pid, signum)
    elif leader is not None and leader.started == started:
        _send(pid, signum)  # it left its group: itself only


def _kill(process: subprocess.Popen[bytes], known: dict[int, int]) -> None:
    _signal_group(process, signal.SIGKILL)
    for pid, started in known.items():
        if pid != process.pid and not is_gone(pid, started):
            _send(pid, signal.SIGKILL)


def _pause(process: subprocess.Popen[bytes]) -> None:
    """Wait a moment, returning at once when the tool's first process ends."""
    if process.poll() is None:
        try:
            process.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    else:
        threading.Event().wait(POLL_SECONDS)  # others' processes give no event to wait on


def _wait_gone(known: dict[int, int], deadline: float) -> None:
    while any(not is_gone(pid, started) for pid, started in known.items()):
        if time.monotonic() > deadline:
            return
        threading.Event().wait(POLL_SECONDS)


def _group_members(pgid: int, since: int = 0) -> list[ProcessInfo]:
    """The live processes of the process group ``pgid`` (empty where there is no ``/proc``),
    of those started at ``since`` or later."""
    return [info for info in all_processes()
            if info.pgid == pgid and info.state not in ("Z", "X") and info.started >= since]


def _signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the tool's process group, only while it is surely the tool's: its first process
    not yet reaped, or members of it still alive (a group's id is not handed out again while
    the group has members)."""
    pgid = process.pid
    if pgid <= 1 or pgid == getattr(os, "getpgrp", lambda: 0)():
        return  # never our own group, nor everything
    if process.returncode is not None and not _group_members(pgid):
        return
    if not hasattr(os, "killpg"):  # Windows: no process groups to signal, only the tool
        if process.returncode is None:
            process.kill()
        return
    _signal_pgid(pgid, signum)


def _signal_pgid(pgid: int, signum: signal.Signals) -> None:
    if pgid <= 1 or not hasattr(os, "killpg") or pgid == os.getpgrp():
        return  # never our own group, nor everything
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _send(pid: int, signum: signal.Signals) -> None:
    if pid <= 1 or pid == os.getpid():
        return
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
