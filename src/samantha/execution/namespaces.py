"""Linux namespaces seen from outside: a user namespace for a run as root, and the processes of
a sandbox's PID namespace.

As root, bubblewrap would map the code's user to root outside (uid 0 with no capabilities is
still the owner of every root file and may write most of /proc/sys). So Samantha makes the user
namespace itself, mapping root and ``nobody`` to themselves: bubblewrap sets up the sandbox as
root of that namespace (it can open an interpreter below /root), and the boot script switches
to ``nobody`` before the code runs, which then is the real ``nobody`` to the kernel.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess

CLONE_NEWUSER = 0x10000000


class NamespaceError(OSError):
    """A user namespace could not be made."""


def user_namespace(uid: int, gid: int) -> int:
    """A descriptor of a new user namespace in which root and ``uid``/``gid`` are themselves
    (needs root). A helper process creates it and exits; the descriptor keeps it."""
    cat = shutil.which("cat") or "/bin/cat"
    libc = ctypes.CDLL(None, use_errno=True)
    unshare = libc.unshare
    unshare.argtypes = [ctypes.c_int]

    def enter() -> None:
        if unshare(CLONE_NEWUSER) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) failed")

    try:
        helper = subprocess.Popen([cat], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, preexec_fn=enter)
    except (OSError, subprocess.SubprocessError) as exc:
        raise NamespaceError(f"cannot create a user namespace: {exc}") from None
    try:
        for name, own in (("uid_map", uid), ("gid_map", gid)):
            fd = os.open(f"/proc/{helper.pid}/{name}", os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.write(fd, f"0 0 1\n{own} {own} 1\n".encode("ascii"))
            finally:
                os.close(fd)
        return os.open(f"/proc/{helper.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise NamespaceError(f"cannot map the users of a new user namespace: {exc}") from None
    finally:
        assert helper.stdin is not None
        helper.stdin.close()
        helper.wait()


def pid_namespace_members(namespace: int) -> list[int]:
    """Host pids of the live processes in the PID namespace with inode ``namespace``."""
    found = []
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
