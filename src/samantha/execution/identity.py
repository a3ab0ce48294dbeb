"""Who model-written code runs as, and what that user can reach.

As an ordinary user, the code runs as that same user. As root, it runs as an unprivileged user
(``nobody``) so that the process cap (RLIMIT_NPROC, which root ignores) and file permissions
apply. ``nobody`` must be able to open the interpreter, its standard library and the work folder;
when one of them lies below a folder only root may open (``/root/.pyenv``, ``/root/.local/share``),
the code still runs as ``nobody`` but keeps one capability, CAP_DAC_READ_SEARCH: it may read any
file, and still write only where ``nobody`` may. Only when even that is impossible (a container
without the capability) does the code run as root.

Permission checks here read mode bits only (no ACLs); they choose the first identity to try,
and the runner falls back to the next one when switching fails.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["same-user", "unprivileged", "unprivileged-reads-all", "root"]

UNPRIVILEGED_USER = "nobody"
UNPRIVILEGED_FALLBACK_ID = 65534  # nobody/nogroup on Linux, used when there is no passwd entry

# Linux capability numbers (linux/capability.h)
CAP_DAC_READ_SEARCH = 2
CAP_SETGID = 6
CAP_SETUID = 7
CAP_SETPCAP = 8

READ, WRITE, SEARCH = 4, 2, 1


@dataclass(frozen=True)
class Identity:
    """One way to run the child: as whom, and with which extra right."""

    kind: Kind
    uid: int
    gid: int
    name: str

    @property
    def switches_user(self) -> bool:
        return self.kind in ("unprivileged", "unprivileged-reads-all")

    @property
    def reads_all(self) -> bool:
        return self.kind == "unprivileged-reads-all"

    def describe(self) -> str:
        """One paragraph for the user: what the code could and could not touch."""
        who = f"the unprivileged user {self.name} (uid {self.uid})"
        if self.kind == "unprivileged":
            return (f"Ran as {who}: it could write only in its work folder and in folders open "
                    "to every user (such as /tmp), and read only files every user may read.")
        if self.kind == "unprivileged-reads-all":
            return (f"Ran as {who}, allowed to read every file because the interpreter or the "
                    "work folder lies in a folder only root may open: it could write only in its "
                    "work folder and in folders open to every user (such as /tmp), but it could "
                    "read any file on this machine. To keep it from reading your files, use an "
                    "interpreter and a data home that other users may open.")
        if self.kind == "root":
            return ("Ran as root, because switching to an unprivileged user was not possible "
                    "here: it could read and change every file on this machine, and the process "
                    "cap was watched from outside rather than enforced by the kernel.")
        return (f"Ran as your own user ({self.name}): it could read and change every file you "
                "can.")


def candidate_identities(interpreter: Path, work_dir: Path) -> list[Identity]:
    """The identities to try, best isolation first (the last one always works)."""
    euid = os.geteuid()
    if euid != 0:
        return [Identity("same-user", euid, os.getegid(), _user_name(euid))]
    uid, gid, name = unprivileged_account()
    caps = effective_capabilities()
    candidates = []
    if _has(caps, CAP_SETUID, CAP_SETGID) and interpreter_reachable(interpreter, uid, gid) \
            and folder_reachable(work_dir.parent, uid, gid):
        candidates.append(Identity("unprivileged", uid, gid, name))
    if _has(caps, CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_DAC_READ_SEARCH):
        candidates.append(Identity("unprivileged-reads-all", uid, gid, name))
    candidates.append(Identity("root", 0, os.getegid(), "root"))
    return candidates


def unprivileged_account() -> tuple[int, int, str]:
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        return UNPRIVILEGED_FALLBACK_ID, UNPRIVILEGED_FALLBACK_ID, str(UNPRIVILEGED_FALLBACK_ID)
    return entry.pw_uid, entry.pw_gid, entry.pw_name


def interpreter_reachable(interpreter: Path, uid: int, gid: int) -> bool:
    """Whether uid:gid can start the interpreter and open its standard library (and, for a
    virtual environment, the environment and the Python it was made from)."""
    return all(reachable(path, uid, gid, bits) for path, bits in _interpreter_paths(interpreter))


def folder_reachable(folder: Path, uid: int, gid: int) -> bool:
    """Whether uid:gid can walk into ``folder`` (every folder on the way, and it, searchable)."""
    return reachable(folder, uid, gid, SEARCH)


def reachable(path: Path, uid: int, gid: int, bits: int) -> bool:
    """Whether uid:gid (no supplementary groups) can search every folder above ``path`` and
    has ``bits`` (READ | WRITE | SEARCH) on ``path`` itself. Mode bits only."""
    path = Path(os.path.abspath(path))
    try:
        for folder in reversed(path.parents):
            if not _allowed(os.stat(folder), uid, gid, SEARCH):
                return False
        return _allowed(os.stat(path), uid, gid, bits)
    except OSError:
        return False


def effective_capabilities() -> int:
    """This process's effective capability bits (0 when unknown, e.g. not Linux)."""
    try:
        text = Path("/proc/self/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


def count_tasks(uid: int) -> int | None:
    """Processes and threads whose real user is ``uid`` (what RLIMIT_NPROC counts), or None
    when /proc cannot be read."""
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return None
    total = 0
    for pid in entries:
        real_uid, threads = _status_uid_threads(pid)
        if real_uid == uid:
            total += threads
    return total


def live_group_members(pgid: int) -> list[int]:
    """Pids of the processes in process group ``pgid`` that are not zombies."""
    members: list[int] = []
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return members
    for pid in entries:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            members.append(int(pid))
    return members


def _status_uid_threads(pid: str) -> tuple[int | None, int]:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None, 0
    real_uid, threads = None, 1
    for line in text.splitlines():
        if line.startswith("Uid:"):
            real_uid = int(line.split()[1])
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    return real_uid, threads


def _interpreter_paths(interpreter: Path) -> list[tuple[Path, int]]:
    given = Path(os.path.abspath(interpreter))
    real = Path(os.path.realpath(given))
    checks = [(given, SEARCH), (real, SEARCH), (real.parent.parent / "lib", READ | SEARCH)]
    config = given.parent.parent / "pyvenv.cfg"
    if config.is_file():
        checks.append((config.parent, READ | SEARCH))
        home = _venv_home(config)
        if home is not None:
            checks.append((Path(os.path.realpath(home)).parent / "lib", READ | SEARCH))
    return checks


def _venv_home(config: Path) -> str | None:
    try:
        lines = config.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == "home":
            return value.strip()
    return None


def _allowed(st: os.stat_result, uid: int, gid: int, bits: int) -> bool:
    if st.st_uid == uid:
        mode = st.st_mode >> 6
    elif st.st_gid == gid:
        mode = st.st_mode >> 3
    else:
        mode = st.st_mode
    return mode & bits == bits


def _has(caps: int, *numbers: int) -> bool:
    return all(caps >> n & 1 for n in numbers)


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
