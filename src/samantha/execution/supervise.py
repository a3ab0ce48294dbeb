"""Watching one started run: its output, the deadline, cancel, and what it left behind.

Both backends (resource limits only, and bubblewrap) start the code their own way and hand the
started process to :func:`supervise` with a :class:`Processes` that knows how to stop what the
code started (a process group, or a whole sandbox).
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from samantha.execution import workspace
from samantha.execution.results import CodeLimits, CodeResult
from samantha.execution.streams import CappedReader
from samantha.execution.verdict import Ending, explain

POLL_SECONDS = 0.05  # how often cancel, the deadline and (as root) the process count are checked
TERM_GRACE_SECONDS = 0.5  # between SIGTERM and SIGKILL when the code is stopped
DRAIN_SECONDS = 2.0  # how long to wait for the pipes to close once the processes are gone
GONE_SECONDS = 1.0  # how long to wait for killed processes to die (SIGKILL is not instant)


class Cancel(Protocol):
    def is_set(self) -> bool: ...


class Processes(Protocol):
    """What the code started, seen from outside: how to stop it all and what happened to it."""

    def too_many(self, limit: int) -> bool:
        """Whether more than ``limit`` processes run (only where no kernel cap holds them)."""
        ...

    def terminate(self, watch: "ExitWatch") -> None:
        """SIGTERM to the code (the boot script flushes what was printed), SIGKILL soon."""
        ...

    def kill(self) -> None:
        """SIGKILL to everything the code left behind, while the leader still holds its id."""
        ...

    def wait_gone(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Stop:
    timed_out: bool = False
    cancelled: bool = False
    over_process_cap: bool = False


@dataclass(frozen=True)
class Outcome:
    """How the supervised process ended, before it is turned into a :class:`CodeResult`."""

    exit_status: int
    stop: Stop
    seconds: float
    readers: tuple[CappedReader, CappedReader]


def supervise(process: subprocess.Popen[bytes], processes: Processes, limits: CodeLimits,
              cancel: Cancel | None, started: float, count_processes: bool) -> Outcome:
    """Read the output, wait for the end (or stop the code), and leave nothing running."""
    assert process.stdout is not None and process.stderr is not None  # both are pipes
    readers = (CappedReader(process.stdout, limits.output_bytes, "stdout").start(),
               CappedReader(process.stderr, limits.output_bytes, "stderr").start())
    watch = ExitWatch(process.pid)
    try:
        stop = _wait(watch, processes, limits, cancel, count_processes)
        if stop != Stop():
            processes.terminate(watch)
        seconds = time.monotonic() - started
    finally:
        processes.kill()
        processes.wait_gone(GONE_SECONDS)
        watch.close()
        exit_status = process.wait()
    for reader in readers:
        reader.finish(DRAIN_SECONDS)
    return Outcome(exit_status, stop, seconds, readers)


def _wait(watch: "ExitWatch", processes: Processes, limits: CodeLimits, cancel: Cancel | None,
          count_processes: bool) -> Stop:
    """Wait for the leader to exit, the deadline, a cancel or too many processes."""
    deadline = time.monotonic() + limits.timeout
    while True:
        remaining = deadline - time.monotonic()
        if watch.exited(max(0.0, min(POLL_SECONDS, remaining))):
            return Stop()
        if cancel is not None and cancel.is_set():
            return Stop(cancelled=True)
        if time.monotonic() >= deadline:
            return Stop(timed_out=True)
        if count_processes and processes.too_many(limits.processes):
            return Stop(over_process_cap=True)


def code_result(outcome: Outcome, work_dir: Path, before: workspace.Snapshot,
                limits: CodeLimits, cpu_seconds: int, isolation: str, isolation_note: str,
                exit_status: int | None = None, oom_kills: int = 0,
                memory_scope: str = "per process") -> CodeResult:
    """The result of a supervised run (``exit_status`` replaces the process's own when given)."""
    stdout, stderr = outcome.readers[0].text(), outcome.readers[1].text()
    status = outcome.exit_status if exit_status is None else exit_status
    truncated = tuple((name, reader.total)
                      for name, reader in zip(("stdout", "stderr"), outcome.readers)
                      if reader.truncated)
    stop = outcome.stop
    ending = Ending(status, stop.timed_out, stop.cancelled, stderr, stop.over_process_cap,
                    truncated, cpu_seconds, oom_kills, memory_scope)
    figures = workspace.figures(work_dir)
    return CodeResult(stdout=stdout, stderr=stderr, exit_status=status,
                      seconds=outcome.seconds, timed_out=stop.timed_out,
                      cancelled=stop.cancelled, limit=explain(ending, limits), work_dir=work_dir,
                      files=workspace.changed_files(work_dir, before, figures), figures=figures,
                      isolation=isolation, isolation_note=isolation_note)


class ExitWatch:
    """Waits for the child to exit without reaping it, so its id (the process group's id) stays
    reserved until everything it started has been killed. Uses a pidfd where Linux offers one."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self.fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.fd = None

    def exited(self, timeout: float) -> bool:
        if self.fd is not None:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            return bool(ready)
        end = time.monotonic() + timeout
        while True:
            if os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
            if time.monotonic() >= end:
                return False
            time.sleep(min(0.01, max(0.0, end - time.monotonic())))

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
