"""A cgroup for one run: one memory budget and one process cap for all its processes together.

Made where Samantha may make one: as root, with the memory controller at hand (cgroup v2 with
``memory`` enabled below the group Samantha runs in, or below the root of the hierarchy; or
the v1 ``memory`` hierarchy, with the v1 ``pids`` one when it is there). The run's first process
moves itself in before it executes anything (it writes ``0`` to ``cgroup.procs``), so everything
the code starts is counted. The group is removed when the run is over; groups left by a process
that died (``samantha-<pid>-...`` of a gone pid) are removed the next time one is made.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PREFIX = "samantha-"
REMOVE_SECONDS = 2.0


@dataclass(frozen=True)
class RunCgroup:
    """The folders of one run's cgroup: one (v2), or memory and maybe pids (v1)."""

    version: int
    folders: tuple[Path, ...]

    def describe(self) -> str:
        return f"cgroup v{self.version}"

    def open_procs(self) -> tuple[int, ...]:
        """Descriptors of each folder's ``cgroup.procs``, for the child to write ``0`` to."""
        fds: list[int] = []
        try:
            for folder in self.folders:
                fds.append(os.open(folder / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        except OSError:
            for fd in fds:
                os.close(fd)
            raise
        return tuple(fds)

    def members(self) -> list[int]:
        found: set[int] = set()
        for folder in self.folders:
            try:
                text = (folder / "cgroup.procs").read_text(encoding="ascii")
            except OSError:
                continue
            found.update(int(line) for line in text.split())
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the kernel killed at the memory budget."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            text = (self.folders[0] / name).read_text(encoding="ascii")
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def remove(self) -> None:
        """Kill what is left in the group and remove its folders."""
        kill = self.folders[0] / "cgroup.kill"
        if self.version == 2 and kill.exists():
            _write(kill, "1")
        for pid in self.members():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        end = time.monotonic() + REMOVE_SECONDS
        for folder in self.folders:
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # still busy for a moment after its last process died
                    if time.monotonic() >= end:
                        break
                    time.sleep(0.01)


def make_run_cgroup(memory_bytes: int, processes: int) -> tuple[RunCgroup | None, str]:
    """A new cgroup with ``memory_bytes`` for all its processes together and at most
    ``processes`` tasks, or None and the reason why none could be made here."""
    mounts = _cgroup_mounts()
    own = _own_cgroups()
    name = f"{PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    reasons = []
    v2 = mounts.get("cgroup2")
    if v2 is not None:
        made, why = _make_v2(v2, own.get("", "/"), name, memory_bytes, processes)
        if made is not None:
            return made, ""
        reasons.append(why)
    if "memory" in mounts:
        made, why = _make_v1(mounts, own, name, memory_bytes, processes)
        if made is not None:
            return made, ""
        reasons.append(why)
    return None, "; ".join(reasons) or "this system has no cgroup memory controller"


def _make_v2(mount: Path, own: str, name: str, memory_bytes: int,
             processes: int) -> tuple[RunCgroup | None, str]:
    for parent in dict.fromkeys([mount / own.lstrip("/"), mount]):
        if "memory" not in _words(parent / "cgroup.subtree_control"):
            continue
        _remove_stale(parent)
        folder = parent / name
        try:
            folder.mkdir()
        except OSError as exc:
            return None, f"cannot create a cgroup in {parent} ({exc.strerror})"
        try:
            _write(folder / "memory.max", str(memory_bytes))
            _write_if_there(folder / "memory.swap.max", "0")
            _write_if_there(folder / "memory.oom.group", "1")
            _write_if_there(folder / "pids.max", str(processes))
        except OSError as exc:
            folder.rmdir()
            return None, f"cannot set the limits of a cgroup in {parent} ({exc.strerror})"
        return RunCgroup(2, (folder,)), ""
    return None, "the cgroup v2 memory controller is not enabled for new groups here"


def _make_v1(mounts: dict[str, Path], own: dict[str, str], name: str, memory_bytes: int,
             processes: int) -> tuple[RunCgroup | None, str]:
    made: list[Path] = []
    try:
        for controller in ("memory", "pids"):
            if controller not in mounts:
                continue
            parent = mounts[controller] / own.get(controller, "/").lstrip("/")
            _remove_stale(parent)
            folder = parent / name
            folder.mkdir()
            made.append(folder)
            if controller == "memory":
                _write(folder / "memory.limit_in_bytes", str(memory_bytes))
                _write_if_there(folder / "memory.memsw.limit_in_bytes", str(memory_bytes))
            else:
                _write(folder / "pids.max", str(processes))
    except OSError as exc:
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        return None, f"cannot create a v1 cgroup ({exc.strerror})"
    return RunCgroup(1, tuple(made)), ""


def _remove_stale(parent: Path) -> None:
    """Empty groups of Samantha processes that are gone (killed before they could clean up)."""
    try:
        entries = [entry for entry in os.scandir(parent) if entry.name.startswith(PREFIX)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            try:
                os.rmdir(entry.path)
            except OSError:
                pass


def _cgroup_mounts() -> dict[str, Path]:
    """Where each hierarchy is mounted: "cgroup2" for v2, the controller name for v1."""
    found: dict[str, Path] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        point = Path(fields[4].replace("\\040", " "))
        if tail[0] == "cgroup2":
            found.setdefault("cgroup2", point)
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in ("memory", "pids"):
                    found.setdefault(option, point)
    return found


def _own_cgroups() -> dict[str, str]:
    """This process's group in each hierarchy ("" for v2, the controller name for v1)."""
    found: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            found[""] = parts[2]
        for controller in parts[1].split(","):
            if controller:
                found[controller] = parts[2]
    return found


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text(encoding="ascii").split())
    except OSError:
        return set()


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def _write_if_there(path: Path, text: str) -> None:
    if path.exists():
        try:
            _write(path, text)
        except OSError:
            pass  # e.g. swap accounting turned off: the memory limit still holds
