"""The Toolbox: programs Samantha starts on 127.0.0.1 for the user (JupyterLab, Datasette,
D-Tale), each a child of Samantha that is stopped with it.

``start(spec)`` runs the spec's command in a session of its own, its output in a log file, and
returns once the tool answers HTTP 200 at its ready address. A tool with the same ``key`` (same
kind, same target: one JupyterLab on the notebooks folder, one Datasette on the history, one
D-Tale per CSV file) that is still running is reused instead of starting a second copy: the
caller gets that tool, opening the page it asked for. ``stop`` and ``stop_all`` end a tool and
every process it started (see :mod:`samantha.tools.processes`). All methods may be called from
several threads at once.

A tool with a door (``ToolSpec.door``, see :mod:`samantha.tools.door`) gets a door folder of its
own before it starts; its secret serves only the readiness check, and :meth:`Toolbox.link`
makes the one-time links the user opens it with (one per tab that asks). Every tool is started
on a leash (:mod:`samantha.tools.leash`: it ends when this process dies) and written in the data
home's ledger (:mod:`samantha.tools.ledger`), where :meth:`Toolbox.stop_orphans` finds those
that a Samantha which died left behind.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from samantha.tools import door as doors
from samantha.tools.errors import ToolError
from samantha.tools.leash import Spawner
from samantha.tools.ledger import Entry, Ledger, started_at
from samantha.tools.processes import stop_tree

READY_TIMEOUT = 120.0  # JupyterLab takes 5-10 s on 2 busy cores, D-Tale a few seconds
GRACE_SECONDS = 5.0  # between SIGTERM and SIGKILL
TAIL_LINES = 20


@dataclass(frozen=True)
class ToolSpec:
    """How to run a tool: its command, where it answers, what the user opens."""

    name: str  # shown to people, e.g. "JupyterLab"
    key: tuple[str, ...]  # kind and target; a running tool with the same key is reused
    command: tuple[str, ...]
    port: int
    page: str = "/"  # what the user opens, e.g. "/lab/tree/run-7.ipynb"
    ready: str = "/"  # answers 200 (no redirect) once the tool can be used
    env: Mapping[str, str] = field(default_factory=dict)  # added to Samantha's environment
    cwd: Path | None = None
    host: str = "127.0.0.1"
    # The tool's door: "" none; "token" a ticket opens a page as ?token=… (JupyterLab);
    # "enter" through the door's own address (Datasette, D-Tale: see samantha.tools.door)
    door: Literal["", "token", "enter"] = ""

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class RunningTool:
    """A tool that answers: what the Tools list shows, and how to stop it (its id)."""

    id: str
    name: str
    key: tuple[str, ...]
    base: str  # http://127.0.0.1:PORT
    page: str
    pid: int
    log: Path
    started: datetime

    @property
    def url(self) -> str:
        """The tool's page, without a way in (a tool with a door needs a :class:`Link`)."""
        return self.base + self.page

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])


@dataclass(frozen=True)
class Link:
    """An address that opens a tool: for a tool with a door, once, with its ``ticket``."""

    url: str
    ticket: str = ""
    page: str = ""


@dataclass
class _Entry:
    tool: RunningTool
    process: subprocess.Popen[bytes]
    kind: str = ""  # ToolSpec.door
    door: doors.Door | None = None
    record: Entry | None = None
    ready: bool = False


class Toolbox:
    """The tools this process started. Logs go to ``folder`` (created when needed)."""

    def __init__(self, folder: Path, ready_timeout: float = READY_TIMEOUT,
                 grace: float = GRACE_SECONDS) -> None:
        self.folder = Path(folder)
        self.ready_timeout = ready_timeout
        self.grace = grace
        self._lock = threading.Lock()  # guards _entries, _key_locks and _count
        self._entries: dict[str, _Entry] = {}
        self._key_locks: dict[tuple[str, ...], threading.Lock] = {}
        self._count = 0
        self.ledger = Ledger(self.folder / "running")
        self._spawner = Spawner()

    def start(self, spec: ToolSpec) -> RunningTool:
        """Start the tool (or reuse the running one with the same key) and return it once it
        answers. A tool that exits or does not answer in time is stopped, and :class:`ToolError`
        gives the last lines of its log."""
        with self._key_lock(spec.key):
            reused = self._reuse(spec)
            if reused is not None:
                return reused
            entry = self._launch(spec)
            try:
                self._wait_ready(entry, spec)
            except BaseException:
                self._stop_entry(entry)
                raise
            entry.ready = True
            return entry.tool

    def link(self, tool_id: str, page: str | None = None,
             previous: Link | None = None) -> Link:
        """The address that opens the tool at ``page`` (its own page if None): ``previous``
        while its ticket is unused and fresh, else a new one-time link. :class:`ToolError` if
        the tool is not running."""
        with self._lock:
            entry = self._entries.get(tool_id)
        if entry is None or not entry.ready:
            raise ToolError(f"Tool {tool_id} is not running: start it again.")
        tool, door = entry.tool, entry.door
        page = page or tool.page
        if door is None:
            return Link(tool.base + page, page=page)
        if previous is not None and previous.ticket and previous.page == page \
                and previous.url.startswith(tool.base + "/") and door.fresh(previous.ticket):
            return previous
        ticket = door.issue()
        if entry.kind == "token":
            url = f"{tool.base}{page}{'&' if '?' in page else '?'}token={ticket}"
        else:
            url = doors.enter_link(tool.base, page, ticket)
        return Link(url, ticket, page)

    def stop_orphans(self) -> tuple[list[Entry], list[Entry]]:
        """Stop the tools of this data home whose Samantha has ended (see
        :mod:`samantha.tools.ledger`). Returns (those stopped, the tools of other Samantha
        processes still running, left alone)."""
        return self.ledger.stop_orphans(self.grace)

    def running(self) -> list[RunningTool]:
        """The tools that answer now, oldest first; those that ended on their own drop out."""
        self._forget_ended()
        with self._lock:
            return [e.tool for e in self._entries.values() if e.ready]

    def wait(self, tool_id: str, timeout: float | None = None) -> int | None:
        """Wait until the tool ends (or ``timeout`` seconds): its exit status, or None while it
        runs. A tool this Toolbox does not hold (stopped, or never started) gives None."""
        with self._lock:
            entry = self._entries.get(tool_id)
        if entry is None:
            return None
        try:
            return entry.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, tool_id: str) -> bool:
        """Stop one tool and everything it started; False if there is no such tool."""
        with self._lock:
            entry = self._entries.pop(tool_id, None)
        if entry is None:
            return False
        self._finish(entry, self.grace)
        return True

    def stop_all(self) -> None:
        """Stop every tool (those still starting too), all at once, and wait until they and
        what they started are gone."""
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
        stoppers = [threading.Thread(target=self._finish, args=(e, self.grace),
                                     name=f"samantha-stop-{e.tool.id}") for e in entries]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    # -- inside -----------------------------------------------------------------------------------
    def _key_lock(self, key: tuple[str, ...]) -> threading.Lock:
        with self._lock:
            return self._key_locks.setdefault(key, threading.Lock())

    def _reuse(self, spec: ToolSpec) -> RunningTool | None:
        self._forget_ended()
        with self._lock:
            for entry in self._entries.values():
                if entry.ready and entry.tool.key == spec.key:
                    entry.tool = dataclasses.replace(entry.tool, page=spec.page)
                    return entry.tool
        return None

    def _launch(self, spec: ToolSpec) -> _Entry:
        with self._lock:
            self._count += 1
            tool_id = f"{spec.key[0]}-{self._count}"
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / f"{tool_id}-{time.strftime('%Y%m%d-%H%M%S')}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env.update({"PYTHONUNBUFFERED": "1", **spec.env})
        door = None
        if spec.door:
            name = f"{tool_id}-{os.getpid()}-{secrets.token_hex(4)}"
            door = doors.Door.make(self.folder / "doors" / name)
            env[doors.ENV] = str(door.folder)
        try:
            with open(log, "ab") as output:
                process = self._spawner.popen(spec.command, stdin=subprocess.DEVNULL,
                                              stdout=output, stderr=subprocess.STDOUT,
                                              cwd=spec.cwd, env=env, start_new_session=True)
        except OSError as exc:
            if door is not None:
                door.remove()
            raise ToolError(f"Cannot start {spec.name} ({spec.command[0]}): "
                            f"{exc.strerror or exc}. Check that it is installed.") from None
        record = Entry(spec.name, process.pid, process.pid, started_at(process.pid), spec.port,
                       os.getpid(), started_at(os.getpid()), str(log),
                       str(door.folder) if door else "")
        self.ledger.add(record)
        tool = RunningTool(tool_id, spec.name, spec.key, spec.base, spec.page, process.pid, log,
                           datetime.now(UTC))
        entry = _Entry(tool, process, spec.door, door, record)
        with self._lock:
            self._entries[tool_id] = entry
        return entry

    def _wait_ready(self, entry: _Entry, spec: ToolSpec) -> None:
        ready = spec.base + spec.ready
        headers = {"Authorization": f"Bearer {entry.door.secret}"} if entry.door else {}
        deadline = time.monotonic() + self.ready_timeout
        process = entry.process
        while process.poll() is None:
            if answers(ready, headers=headers):
                return
            if time.monotonic() > deadline:
                raise ToolError(f"{spec.name} did not answer at {spec.base + spec.ready} within "
                                f"{self.ready_timeout:.0f} s, so it was stopped."
                                f"{log_tail(entry.tool.log)}")
            try:
                process.wait(timeout=0.25)
            except subprocess.TimeoutExpired:
                pass
        raise ToolError(f"{spec.name} ended while starting (exit status {process.returncode})."
                        f"{log_tail(entry.tool.log)}")

    def _stop_entry(self, entry: _Entry) -> None:
        with self._lock:
            self._entries.pop(entry.tool.id, None)
        self._finish(entry, self.grace)

    def _forget_ended(self) -> None:
        with self._lock:
            ended = [e for e in self._entries.values() if e.ready and e.process.poll() is not None]
            for entry in ended:
                del self._entries[entry.tool.id]
        for entry in ended:  # what it left in its group goes too
            self._finish(entry, 0)

    def _finish(self, entry: _Entry, grace: float) -> None:
        """Stop the tool and all it started, then forget its door and its ledger entry."""
        stop_tree(entry.process, grace)
        if entry.door is not None:
            entry.door.remove()
        if entry.record is not None:
            self.ledger.remove(entry.record)


def answers(url: str, timeout: float = 2.0, headers: Mapping[str, str] | None = None) -> bool:
    """Does ``url`` answer 200 itself (a redirect does not count)? No proxy is asked."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(urllib.request.Request(url, headers=dict(headers or {})),
                         timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def log_tail(log: Path, lines: int = TAIL_LINES) -> str:
    """The last lines of a tool's log, as a paragraph to add to a message."""
    try:
        with open(log, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return f"\nIts log {log} cannot be read."
    shown = [line for line in text.splitlines() if line.strip()][-lines:]
    if not shown:
        return f"\nIts log {log} is empty."
    return f"\nLast lines of its log ({log}):\n" + "\n".join(shown)
