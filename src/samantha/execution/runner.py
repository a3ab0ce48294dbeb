"""``run_code``: run a script in its own process, under limits, and report what happened.

Two backends: bubblewrap (:mod:`.bubblewrap`) where it works, which confines the code; else the
resource-limit runner below, which only limits it (every result says which, ``isolation``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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
from samantha.execution.results import NOT_ISOLATED, CodeLimits, CodeResult
from samantha.execution.sandbox import Sandbox
from samantha.execution.supervise import (
    TERM_GRACE_SECONDS,
    Cancel,
    ExitWatch,
    code_result,
    supervise,
)
from samantha.execution.verdict import human_bytes

SETUP_HELP = ("Give the path of a Python executable (for an analysis environment: "
              "<folder>/bin/python), or create one with `samantha code setup-env`.")


class _SwitchFailed(Exception):
    """Starting the child as this identity failed before the code ran; try the next one."""


def run_code(code: str, work_dir: Path, *, interpreter: Path | str | None = None,
             limits: CodeLimits = CodeLimits(), cancel: Cancel | None = None,
             allow_network: bool = False, sandbox: Sandbox | None = None) -> CodeResult:
    """Run ``code`` as ``work_dir/main.py`` with ``interpreter`` (default: this Python) in
    ``work_dir`` (created if needed), under ``limits``; stop it when ``cancel.is_set()``.
    ``allow_network`` lets confined code reach the network. ``sandbox`` picks the backend and
    keeps what it found out about this machine (give the same one to every run of a process;
    without one, the machine is probed again).

    Never raises because of the code itself; raises :class:`CodeRunError` when the interpreter
    cannot be started, or when bubblewrap was required (``Sandbox("bubblewrap")``) and does not
    work here.
    """
    python = resolve_interpreter(interpreter)
    work_dir = Path(os.path.abspath(work_dir))
    sandbox = Sandbox() if sandbox is None else sandbox
    confined = sandbox.bubblewrap()
    before = _prepare(work_dir, code)
    if confined is not None:
        return confined.run(python, work_dir, before, limits, cancel, allow_network)
    return _run_limited(python, work_dir, before, limits, cancel, sandbox.reason())


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


# -- the resource-limit backend (not isolated) ----------------------------------------------

def _run_limited(python: Path, work_dir: Path, before: workspace.Snapshot, limits: CodeLimits,
                 cancel: Cancel | None, why: str) -> CodeResult:
    kernel = load_kernel()
    candidates = [identity for identity in candidate_identities(python, work_dir)
                  if kernel is not None or not identity.reads_all]
    for identity in candidates:
        try:
            return _run_as(identity, python, work_dir, before, limits, cancel, kernel, why)
        except _SwitchFailed:
            continue
    raise CodeRunError(f"Could not start {python} for the code: preparing its process failed "
                       f"(resource limits or the switch of user). {SETUP_HELP}")


def not_isolated_note(identity: Identity, limits: CodeLimits, why: str,
                      process_cap: bool = True) -> str:
    """What a run under resource limits only could reach, for people."""
    total = human_bytes(limits.memory_bytes * limits.processes)
    cap = (f"at most {limits.processes} processes" if process_cap
           else "no kernel cap on processes (Samantha counted them from outside)")
    return (f"{why} The code ran under resource limits only, with no boundary against hostile "
            f"code. {identity.describe()} It could reach the network and this computer's own "
            "services (the web UI, JupyterLab, Datasette, llama-server), and processes it moved "
            "out of its process group (setsid) could outlive the run. "
            f"Memory: {human_bytes(limits.memory_bytes)} per process, {cap} (up to {total} in "
            "all).")


def _run_as(identity: Identity, python: Path, work_dir: Path, before: workspace.Snapshot,
            limits: CodeLimits, cancel: Cancel | None, kernel: Kernel | None,
            why: str) -> CodeResult:
    if identity.switches_user:
        try:
            workspace.hand_over(work_dir, (identity.uid, identity.gid))
        except OSError as exc:  # e.g. a file system that refuses chown: try the next identity
            raise _SwitchFailed(str(exc)) from exc
    existing = None if identity.kind == "root" else count_tasks(identity.uid)
    setup = child_setup(identity, limits, existing, kernel)
    started = time.monotonic()
    process = _start(python, work_dir, setup)
    outcome = supervise(process, _Group(process.pid), limits, cancel, started,
                        count_processes=identity.kind == "root")
    note = not_isolated_note(identity, limits, why, process_cap=identity.kind != "root")
    return code_result(outcome, work_dir, before, limits, setup.cpu_seconds, NOT_ISOLATED, note)


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


class _Group:
    """The code's process group (the leader's id is the group's id)."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid

    def too_many(self, limit: int) -> bool:
        return len(live_group_members(self.pgid)) > limit

    def terminate(self, watch: ExitWatch) -> None:
        _signal_group(self.pgid, signal.SIGTERM)
        watch.exited(TERM_GRACE_SECONDS)
        self.kill()

    def kill(self) -> None:
        _signal_group(self.pgid, signal.SIGKILL)

    def wait_gone(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while live_group_members(self.pgid) and time.monotonic() < end:
            time.sleep(0.01)


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass
