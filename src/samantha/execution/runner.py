"""``run_code``: run a script in its own process, under limits, and report what happened."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from samantha.execution import workspace
from samantha.execution.child import (
    ChildSetup,
    Kernel,
    child_environment,
    child_setup,
    load_kernel,
)
from samantha.execution.errors import CodeRunError
from samantha.execution.identity import (
    Identity,
    candidate_identities,
    count_tasks,
    live_group_members,
)
from samantha.execution.results import CodeLimits, CodeResult
from samantha.execution.streams import CappedReader
from samantha.execution.verdict import Ending, explain

POLL_SECONDS = 0.05  # how often cancel, the deadline and (as root) the process count are checked
TERM_GRACE_SECONDS = 0.5  # between SIGTERM and SIGKILL when the code is stopped
DRAIN_SECONDS = 2.0  # how long to wait for the pipes to close once the process group is gone
GONE_SECONDS = 1.0  # how long to wait for killed processes to die (SIGKILL is not instant)

SETUP_HELP = ("Give the path of a Python executable (for an analysis environment: "
              "<folder>/bin/python), or create one with `samantha code setup-env`.")


class Cancel(Protocol):
    def is_set(self) -> bool: ...


class _SwitchFailed(Exception):
    """Starting the child as this identity failed before the code ran; try the next one."""


@dataclass(frozen=True)
class _Stop:
    timed_out: bool = False
    cancelled: bool = False
    over_process_cap: bool = False


def run_code(code: str, work_dir: Path, *, interpreter: Path | str | None = None,
             limits: CodeLimits = CodeLimits(), cancel: Cancel | None = None) -> CodeResult:
    """Run ``code`` as ``work_dir/main.py`` with ``interpreter`` (default: this Python) in
    ``work_dir`` (created if needed), under ``limits``; stop it when ``cancel.is_set()``.

    Never raises because of the code itself; raises :class:`CodeRunError` when the interpreter
    cannot be started.
    """
    python = resolve_interpreter(interpreter)
    work_dir = Path(os.path.abspath(work_dir))
    before = _prepare(work_dir, code)
    kernel = load_kernel()
    candidates = [identity for identity in candidate_identities(python, work_dir)
                  if kernel is not None or not identity.reads_all]
    for identity in candidates:
        try:
            return _run_as(identity, python, work_dir, before, limits, cancel, kernel)
        except _SwitchFailed:
            continue
    raise CodeRunError(f"Could not start {python} for the code: preparing its process failed "
                       f"(resource limits or the switch of user). {SETUP_HELP}")


def resolve_interpreter(interpreter: Path | str | None) -> Path:
    """The interpreter as an absolute path (symlinks kept, so a virtual environment stays one);
    a bare name such as ``python3`` is looked up on PATH."""
    text = sys.executable if interpreter is None else os.fspath(interpreter)
    if not text:
        raise CodeRunError(f"This Python does not know its own executable. {SETUP_HELP}")
    if os.sep not in text:
        text = shutil.which(text) or text
    path = Path(os.path.abspath(os.path.expanduser(text)))
    if not path.is_file():
        raise CodeRunError(f"The Python interpreter {path} does not exist. {SETUP_HELP}")
    if not os.access(path, os.X_OK):
        raise CodeRunError(f"The Python interpreter {path} is not executable. {SETUP_HELP}")
    return path


def _prepare(work_dir: Path, code: str) -> workspace.Snapshot:
    try:
        return workspace.prepare(work_dir, code)
    except OSError as exc:
        raise CodeRunError(f"Cannot prepare the work folder {work_dir}: {exc.strerror or exc}. "
                           "Choose a folder that can be created and written.") from None


def _run_as(identity: Identity, python: Path, work_dir: Path, before: workspace.Snapshot,
            limits: CodeLimits, cancel: Cancel | None, kernel: Kernel | None) -> CodeResult:
    if identity.switches_user:
        try:
            workspace.hand_over(work_dir, (identity.uid, identity.gid))
        except OSError as exc:  # e.g. a file system that refuses chown: try the next identity
            raise _SwitchFailed(str(exc)) from exc
    existing = None if identity.kind == "root" else count_tasks(identity.uid)
    setup = child_setup(identity, limits, existing, kernel)
    started = time.monotonic()
    process = _start(python, work_dir, setup)
    assert process.stdout is not None and process.stderr is not None  # both are pipes
    readers = (CappedReader(process.stdout, limits.output_bytes, "stdout").start(),
               CappedReader(process.stderr, limits.output_bytes, "stderr").start())
    watch = _ExitWatch(process.pid)
    try:
        stop = _supervise(process, watch, limits, cancel, watch_group=identity.kind == "root")
        if stop != _Stop():
            _terminate_group(process.pid, watch)
        seconds = time.monotonic() - started
    finally:
        _kill_group(process.pid)  # whatever the code left behind, while the leader holds the id
        _wait_group_gone(process.pid, GONE_SECONDS)
        watch.close()
        exit_status = process.wait()
    for reader in readers:
        reader.finish(DRAIN_SECONDS)
    return _result(identity, work_dir, before, limits, setup, readers, exit_status, stop, seconds)


def _result(identity: Identity, work_dir: Path, before: workspace.Snapshot, limits: CodeLimits,
            setup: ChildSetup, readers: tuple[CappedReader, CappedReader], exit_status: int,
            stop: _Stop, seconds: float) -> CodeResult:
    stdout, stderr = readers[0].text(), readers[1].text()
    truncated = tuple((name, reader.total) for name, reader in zip(("stdout", "stderr"), readers)
                      if reader.truncated)
    ending = Ending(exit_status, stop.timed_out, stop.cancelled, stderr, stop.over_process_cap,
                    truncated, setup.cpu_seconds)
    figures = workspace.figures(work_dir)
    return CodeResult(stdout=stdout, stderr=stderr, exit_status=exit_status, seconds=seconds,
                      timed_out=stop.timed_out, cancelled=stop.cancelled,
                      limit=explain(ending, limits), work_dir=work_dir,
                      files=workspace.changed_files(work_dir, before, figures), figures=figures,
                      isolation=identity.describe())


def _start(python: Path, work_dir: Path, setup: ChildSetup) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            [str(python), workspace.BOOT_SCRIPT], cwd=work_dir,
            env=child_environment(work_dir), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=setup)
    except subprocess.SubprocessError as exc:  # the child step failed before exec
        raise _SwitchFailed(str(exc)) from exc
    except PermissionError as exc:
        if setup.identity.switches_user:  # the unprivileged user cannot open the interpreter
            raise _SwitchFailed(str(exc)) from exc
        raise CodeRunError(f"Cannot start the Python interpreter {python}: {exc.strerror}. "
                           f"{SETUP_HELP}") from None
    except OSError as exc:
        raise CodeRunError(f"Cannot start the Python interpreter {python}: {exc.strerror}. "
                           f"{SETUP_HELP}") from None


def _supervise(process: subprocess.Popen[bytes], watch: "_ExitWatch", limits: CodeLimits,
               cancel: Cancel | None, watch_group: bool) -> _Stop:
    """Wait for the leader to exit, the deadline, a cancel or (as root) too many processes."""
    deadline = time.monotonic() + limits.timeout
    while True:
        remaining = deadline - time.monotonic()
        if watch.exited(max(0.0, min(POLL_SECONDS, remaining))):
            return _Stop()
        if cancel is not None and cancel.is_set():
            return _Stop(cancelled=True)
        if time.monotonic() >= deadline:
            return _Stop(timed_out=True)
        if watch_group and len(live_group_members(process.pid)) > limits.processes:
            return _Stop(over_process_cap=True)


def _terminate_group(pgid: int, watch: "_ExitWatch") -> None:
    """SIGTERM to the whole group (the boot script flushes what was printed), SIGKILL soon."""
    _signal_group(pgid, signal.SIGTERM)
    watch.exited(TERM_GRACE_SECONDS)
    _kill_group(pgid)


def _kill_group(pgid: int) -> None:
    _signal_group(pgid, signal.SIGKILL)


def _wait_group_gone(pgid: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while live_group_members(pgid) and time.monotonic() < end:
        time.sleep(0.01)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class _ExitWatch:
    """Waits for the child to exit without reaping it, so its id (the process group's id) stays
    reserved until the group has been killed. Uses a pidfd where Linux offers one."""

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
