"""Linux namespaces seen from outside: a user namespace for a run as root, and the processes of
a sandbox's PID namespace.

As root, bubblewrap would map the code's user to root outside (uid 0 with no capabilities is
still the owner of every root file and may write most of /proc/sys). So Samantha makes the user
namespace itself, mapping root and ``nobody`` to themselves: bubblewrap sets up the sandbox as
root of that namespace (it can open an interpreter below /root), and the boot script switches
to ``nobody`` before the code runs, which then is the real ``nobody`` to the kernel.

A run allowed the network gets a network namespace made here too (see :mod:`.network`), which
bubblewrap's first process joins (:class:`Joiner`) before it starts.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


class NamespaceError(OSError):
    """A namespace could not be made or joined."""


def user_namespace(uid: int, gid: int) -> int:
    """A descriptor of a new user namespace in which root and ``uid``/``gid`` are themselves
    (needs root). A helper process creates it and exits; the descriptor keeps it."""
    helper = hold_namespaces(CLONE_NEWUSER)
    try:
        for name, own in (("uid_map", uid), ("gid_map", gid)):
            _write_proc(helper.pid, name, f"0 0 1\n{own} {own} 1\n")
        return namespace_fd(helper.pid, "user")
    except OSError as exc:
        raise NamespaceError(f"cannot map the users of a new user namespace: {exc}") from None
    finally:
        release(helper)


def hold_namespaces(flags: int) -> subprocess.Popen[bytes]:
    """A helper process (``cat``) in new namespaces (``flags`` as for unshare(2)), which live
    while it does: until :func:`release`, or while a descriptor (:func:`namespace_fd`) or a
    process of theirs keeps them."""
    cat = shutil.which("cat") or "/bin/cat"
    libc = ctypes.CDLL(None, use_errno=True)
    unshare = libc.unshare
    unshare.argtypes = [ctypes.c_int]

    def enter() -> None:
        if unshare(flags) != 0:
            raise OSError(ctypes.get_errno(), f"unshare({flags:#x}) failed")

    try:
        return subprocess.Popen([cat], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, preexec_fn=enter)
    except (OSError, subprocess.SubprocessError) as exc:
        raise NamespaceError(f"cannot create new namespaces: {exc}") from None


def map_own_ids(pid: int) -> None:
    """Map this user's ids to themselves in the new user namespace of ``pid`` (what an
    ordinary user may write there)."""
    _write_proc(pid, "setgroups", "deny")  # needed before an unprivileged gid_map
    _write_proc(pid, "uid_map", f"{os.geteuid()} {os.geteuid()} 1\n")
    _write_proc(pid, "gid_map", f"{os.getegid()} {os.getegid()} 1\n")


def namespace_fd(pid: int, name: str) -> int:
    """A descriptor that keeps namespace ``name`` ("user", "net"...) of ``pid``."""
    return os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)


def release(helper: subprocess.Popen[bytes]) -> None:
    """End a :func:`hold_namespaces` helper."""
    assert helper.stdin is not None
    helper.stdin.close()
    helper.wait()


class Joiner:
    """Joins held namespaces (setns(2), in order) in a child between fork and exec; the C call
    is looked up before the fork, so the child only makes system calls."""

    def __init__(self, namespaces: tuple[tuple[int, int], ...]) -> None:
        self.namespaces = namespaces  # (descriptor, CLONE_NEW... type)
        libc = ctypes.CDLL(None, use_errno=True)
        self._setns = libc.setns
        self._setns.argtypes = [ctypes.c_int, ctypes.c_int]

    def __call__(self) -> None:
        for fd, kind in self.namespaces:
            if self._setns(fd, kind) != 0:
                raise OSError(ctypes.get_errno(), f"setns({kind:#x}) failed")


def _write_proc(pid: int, name: str, text: str) -> None:
    fd = os.open(f"/proc/{pid}/{name}", os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode("ascii"))
    finally:
        os.close(fd)


def pid_namespace_members(namespace: int) -> list[int]:
    """Host pids of the live processes in the PID namespace with inode ``namespace``."""
    found: list[int] = []
    try:
        entries = [entry.name for entry in os.scandir("/proc") if entry.name.isdigit()]
    except OSError:
        return found
    for pid in entries:
        try:
            if os.stat(f"/proc/{pid}/ns/pid").st_ino != namespace:
                continue
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(int(pid))
    return found


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def kill_all(pids: list[int]) -> None:
    signal_all(pids, signal.SIGKILL)
