"""The ledger of the tools a data home's Samantha processes started: one small JSON file per
running tool in ``<home>/tools/running/``, written when it starts and deleted when it stops.

Each entry says which process the tool is (pid, process group, start time in clock ticks after
boot, from ``/proc/PID/stat``), what it is (name, port, log, door folder) and which Samantha
process started it (its pid and start time). A tool whose Samantha has ended (a ``kill -9``, a
crash) but which still runs is an orphan: a new UI, or ``samantha tools stop``, stops it and
deletes its door. A pid the system handed out again is never mistaken for the tool (its start
time differs), nor is a living Samantha's tool ever taken for an orphan (another UI, or
``samantha tools jupyter`` in a terminal, on the same data home).

One file per tool, written whole then renamed into place, so processes that share a data home
never rewrite each other's entries.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from samantha.tools.processes import is_gone, process_info, stop_detached


@dataclass(frozen=True)
class Entry:
    """One running tool, as the ledger keeps it."""

    name: str
    pid: int
    pgid: int
    started: int  # the tool's start time (clock ticks after boot)
    port: int
    owner: int  # the Samantha process that started it
    owner_started: int
    log: str = ""
    door: str = ""  # the tool's door folder (see samantha.tools.door), deleted with it

    @property
    def file_name(self) -> str:
        return f"{self.owner}-{self.pid}.json"

    def owner_alive(self) -> bool:
        return not is_gone(self.owner, self.owner_started)

    def tool_alive(self) -> bool:
        return not is_gone(self.pid, self.started)

    def describe(self) -> str:
        return f"{self.name} (pid {self.pid}, port {self.port})"


def started_at(pid: int) -> int:
    """The start time of process ``pid`` in clock ticks after boot (0 where there is no
    ``/proc``, or when it is gone)."""
    info = process_info(pid)
    return info.started if info is not None else 0


class Ledger:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def add(self, entry: Entry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / entry.file_name
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps(asdict(entry)), encoding="utf-8")
        os.replace(partial, path)

    def remove(self, entry: Entry) -> None:
        (self.folder / entry.file_name).unlink(missing_ok=True)

    def entries(self) -> list[Entry]:
        """Every entry that can be read (one that cannot is deleted: nothing can be done
        with it)."""
        found = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                found.append(Entry(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                path.unlink(missing_ok=True)
        return found

    def stop_orphans(self, grace: float) -> tuple[list[Entry], list[Entry]]:
        """Stop the tools whose Samantha has ended, and forget those that ended already.
        Returns (the orphans stopped, the tools of Samantha processes still running)."""
        stopped, kept = [], []
        for entry in self.entries():
            if entry.owner_alive() and entry.owner != os.getpid():
                if entry.tool_alive():
                    kept.append(entry)
                    continue
            elif entry.owner == os.getpid() and entry.tool_alive():
                continue  # this process's own: its Toolbox stops them
            elif stop_detached(entry.pid, entry.started, grace):
                stopped.append(entry)
            if entry.door:
                shutil.rmtree(entry.door, ignore_errors=True)
            self.remove(entry)
        return stopped, kept
