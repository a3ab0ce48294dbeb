"""The bubblewrap backend: every run in a sandbox of its own, made of Linux namespaces.

The command line of a run as root (as an ordinary user, ``--unshare-user`` takes the place of
``--userns`` and the ``--cap-add`` options, and the code runs as that user)::

    bwrap --unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try --die-with-parent
          --new-session --unshare-net            (left out when the run may use the network:
                                                  it then joins a namespace of its own that
                                                  slirp4netns links to the internet, see
                                                  :mod:`.network`)
          --userns FD --uid 0 --gid 0 --cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID
          --info-fd FD
          --ro-bind /usr /usr --symlink usr/bin /bin ... --ro-bind /etc /etc
          --ro-bind /dev/null /etc/shadow ...     (what in /etc not every user may read)
          --ro-bind-data FD /etc/resolv.conf      (network runs, when the host's resolver
                                                  listens on its loopback)
          --ro-bind PREFIX PREFIX ...             (the interpreter's folders)
          --perms 1777 --size N --tmpfs /tmp --bind WORK WORK
          --dev /dev --perms 1777 --size N --tmpfs /dev/shm --proc /proc
          --chmod 0711 FOLDER ... --remount-ro / --chdir WORK
          -- PYTHON -s .samantha_boot.py --as 65534 65534 FD

Its own PID namespace means nothing the code starts outlives the run: when its first process
ends, or Samantha stops it, the kernel kills every process left in the namespace (those that
called ``setsid`` too). As root, the code runs as the real ``nobody`` (see
:mod:`.namespaces`), with no capabilities, under RLIMIT_NPROC, and in a cgroup of its own where
one can be made (one memory budget for all its processes).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from samantha.execution import workspace
from samantha.execution.cgroups import RunCgroup, make_run_cgroup
from samantha.execution.child import ChildSetup, child_environment, child_setup, load_kernel
from samantha.execution.errors import CodeRunError
from samantha.execution.identity import Identity, Kind, count_tasks, unprivileged_account
from samantha.execution.mounts import (
    Interpreter,
    check_folders,
    etc_masks,
    find_interpreter,
    system_args,
    view_args,
)
from samantha.execution.namespaces import (
    NamespaceError,
    kill_all,
    pid_namespace_members,
    signal_all,
    user_namespace,
)
from samantha.execution.network import (
    HOST_RESOLV_CONF,
    SLIRP_PROGRAM,
    NetworkUnavailable,
    UserModeNetwork,
    resolv_override,
    start_network,
)
from samantha.execution.results import ISOLATED, CodeLimits, CodeResult
from samantha.execution.supervise import (
    TERM_GRACE_SECONDS,
    Cancel,
    ExitWatch,
    Outcome,
    code_result,
    supervise,
)
from samantha.execution.verdict import human_bytes

INSTALL = ("install it (Debian and Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
           "bubblewrap) to confine the code")
CHECK_SECONDS = 20.0
BWRAP_TASKS = 2  # bubblewrap's own processes in the run (its monitor and the namespace's init)


def probe_bubblewrap(program: str | None = None) -> tuple["Bubblewrap | None", str]:
    """The bubblewrap backend when a trivial sandbox runs here, else None and why not."""
    if not sys.platform.startswith("linux"):
        return None, f"Bubblewrap exists only on Linux (this is {sys.platform})."
    found = program or shutil.which("bwrap")
    if not found:
        return None, f"Bubblewrap (bwrap) is not installed; {INSTALL}."
    tool = Bubblewrap(found, as_root=os.geteuid() == 0)
    problem = tool.check()
    if problem:
        return None, f"Bubblewrap is installed but cannot make a sandbox here ({problem})."
    return tool, ""


class Bubblewrap:
    """Runs code confined by bubblewrap; keeps what it learnt about interpreters and /etc."""

    def __init__(self, program: str, as_root: bool) -> None:
        self.program = program
        self.as_root = as_root
        self._lock = threading.Lock()
        self._interpreters: dict[tuple[str, int], Interpreter] = {}
        self._masks: tuple[tuple[str, bool], ...] | None = None
        self.slirp_program = SLIRP_PROGRAM  # user-mode networking for runs allowed the network
        self.resolv_conf = HOST_RESOLV_CONF  # read to choose the sandbox's DNS

    def check(self) -> str:
        """"" when a trivial sandbox (the same namespaces as a run) works, else what failed."""
        true = shutil.which("true") or "/bin/true"
        userns = None
        try:
            if self.as_root:
                userns = user_namespace(*unprivileged_account()[:2])
            command = [self.program, *self._namespaces(False, userns), *system_args(),
                       "--proc", "/proc", "--dev", "/dev", "--", true]
            keep = () if userns is None else (userns,)
            done = subprocess.run(command, capture_output=True, text=True, pass_fds=keep,
                                  stdin=subprocess.DEVNULL, timeout=CHECK_SECONDS)
        except (OSError, subprocess.SubprocessError) as exc:
            return str(exc)
        finally:
            if userns is not None:
                os.close(userns)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            return lines[-1] if lines else f"exit status {done.returncode}"
        return ""

    def run(self, python: Path, work_dir: Path, before: workspace.Snapshot, limits: CodeLimits,
            cancel: Cancel | None, network: bool) -> CodeResult:
        interpreter = self._interpreter(python)
        check_folders(interpreter, work_dir, Path.home())
        if self.as_root:
            uid, gid, name = unprivileged_account()
            cgroup, why = make_run_cgroup(limits.memory_bytes, limits.processes + BWRAP_TASKS)
        else:
            uid, gid, name = os.geteuid(), os.getegid(), _user_name()
            cgroup, why = None, "Samantha makes cgroups only when it runs as root"
        net: UserModeNetwork | None = None
        no_net = ""  # why a run allowed the network got none
        try:
            if network:
                net, no_net = self._network()
            outcome, setup = self._run(interpreter, work_dir, limits, cancel, net, uid, gid,
                                       cgroup)
            oom_kills = cgroup.oom_kills() if cgroup is not None else 0
        finally:
            if net is not None:
                net.close()
            if cgroup is not None:
                cgroup.remove()
        _check_started(outcome.exit_status, outcome.readers[1].text(), python)
        note = self._note(name, uid, network, no_net, cgroup, why, limits)
        result = code_result(outcome, work_dir, before, limits, setup.cpu_seconds, ISOLATED,
                             note, exit_status=_signal_status(outcome.exit_status),
                             oom_kills=oom_kills,
                             memory_scope="per process" if cgroup is None else "for the whole run")
        if no_net:
            said = (f"The network was allowed but not given: {no_net}. The code ran with no "
                    "network.")
            result = replace(result, limit=" ".join(filter(None, [result.limit, said])))
        return result

    def _network(self) -> tuple[UserModeNetwork | None, str]:
        """The run's own network namespace linked to the internet, or None and why not: the
        host's network (and its loopback) is never shared instead."""
        try:
            return start_network(self.slirp_program, self.as_root), ""
        except NetworkUnavailable as exc:
            return None, str(exc)

    def _run(self, interpreter: Interpreter, work_dir: Path, limits: CodeLimits,
             cancel: Cancel | None, net: UserModeNetwork | None, uid: int, gid: int,
             cgroup: RunCgroup | None) -> tuple[Outcome, ChildSetup]:
        opened: list[int] = []
        try:
            userns = None
            if self.as_root:
                _hand_over(work_dir, uid, gid)
                userns = _opened(opened, _user_namespace(uid, gid))
            info_read, info_write = os.pipe()
            opened += [info_read, info_write]
            procs = cgroup.open_procs() if cgroup is not None else ()
            opened += procs
            resolv = resolv_override(self.resolv_conf) if net is not None else None
            if resolv is not None:
                opened.append(resolv[0])
            setup = self._setup(limits, procs)
            command = [self.program, *self._namespaces(net is not None, userns),
                       "--info-fd", str(info_write),
                       *view_args(interpreter, work_dir, self._etc_masks(), net is not None,
                                  limits.memory_bytes, resolv),
                       "--", str(interpreter.executable), *_boot(userns, uid, gid)]
            started = time.monotonic()
            keep = (userns, info_write, resolv[0] if resolv else None)
            process = self._start(command, work_dir, _child_step(setup, net), keep)
            for fd in (*keep, *procs):  # the child has its copies
                if fd is not None:
                    opened.remove(fd)
                    os.close(fd)
            sandboxed = _Sandboxed(process.pid, info_read)
            outcome = supervise(process, sandboxed, limits, cancel, started,
                                count_processes=False)
            return outcome, setup
        finally:
            for fd in opened:
                os.close(fd)

    def _namespaces(self, own_network: bool, userns: int | None) -> list[str]:
        """``own_network``: bubblewrap starts in the run's network namespace (see
        :mod:`.network`); otherwise it makes an empty one (a loopback only)."""
        args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session"]
        if not own_network:
            args.append("--unshare-net")
        if userns is None:
            return args + ["--unshare-user", "--cap-drop", "ALL"]
        # bubblewrap sets up as root of our namespace; the boot script becomes nobody
        return args + ["--userns", str(userns), "--uid", "0", "--gid", "0", "--cap-drop", "ALL",
                       "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]

    def _setup(self, limits: CodeLimits, procs: tuple[int, ...]) -> ChildSetup:
        """Resource limits and the cgroup for bubblewrap's first process (the code inherits
        them). As root the process cap counts nobody's processes in the run's own namespace."""
        euid = os.geteuid()
        kind: Kind = "root" if self.as_root else "same-user"
        identity = Identity(kind, euid, os.getegid(), _user_name())
        existing = None if self.as_root else count_tasks(euid)
        setup = child_setup(identity, limits, existing, load_kernel())
        if self.as_root:
            nproc: int | None = limits.processes
        else:
            nproc = None if setup.nproc is None else setup.nproc + BWRAP_TASKS
        return replace(setup, nproc=nproc, cgroup_fds=procs)

    def _start(self, command: list[str], work_dir: Path, setup: Callable[[], None],
               keep: tuple[int | None, ...]) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                command, cwd=work_dir, env=child_environment(work_dir), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                preexec_fn=setup, pass_fds=tuple(fd for fd in keep if fd is not None))
        except (OSError, subprocess.SubprocessError) as exc:
            raise CodeRunError(f"Cannot start bubblewrap ({self.program}) for the code: {exc}. "
                               "Check that bubblewrap works: `bwrap --ro-bind / / true`.") from None

    def _interpreter(self, python: Path) -> Interpreter:
        try:
            key = (str(python), os.stat(python).st_mtime_ns)
        except OSError:
            key = (str(python), 0)
        with self._lock:
            found = self._interpreters.get(key)
        if found is None:
            found = find_interpreter(python)
            with self._lock:
                self._interpreters[key] = found
        return found

    def _etc_masks(self) -> tuple[tuple[str, bool], ...]:
        with self._lock:
            if self._masks is None:
                self._masks = etc_masks()
            return self._masks

    def _note(self, name: str, uid: int, network: bool, no_net: str, cgroup: RunCgroup | None,
              why: str, limits: CodeLimits) -> str:
        who = (f"the unprivileged user {name} (uid {uid})" if self.as_root
               else f"your own user ({name})")
        if not network:
            net = "It had no network (only a loopback of its own)."
        elif no_net:
            net = (f"It had no network although this run allowed it: {no_net} (only a loopback "
                   "of its own; this computer's network is never shared instead).")
        else:
            net = ("It could reach the network, as this run allowed it (the internet and "
                   "other machines), through slirp4netns from a network namespace of its own, "
                   "but not this computer's loopback (127.0.0.1), where its own services "
                   "listen: the web UI, JupyterLab, Datasette, llama-server.")
        memory = human_bytes(limits.memory_bytes)
        if cgroup is not None:
            budget = (f"Memory: {memory} for the whole run, at most {limits.processes} "
                      f"processes ({cgroup.describe()}).")
        else:
            total = human_bytes(limits.memory_bytes * limits.processes)
            budget = (f"Memory: {memory} per process, at most {limits.processes} processes (up "
                      f"to {total} in all; no cgroup of its own: {why}).")
        return (f"Confined by bubblewrap: ran as {who} in namespaces of its own (processes, "
                "network, IPC, host name), with no capabilities. It saw the system folders and "
                "its Python read-only and nothing of the home folders, Samantha's data or other "
                f"runs; it could write only in its work folder and a private /tmp. {net} "
                f"Everything it started was killed when the run ended. {budget}")


class _Sandboxed:
    """The processes of one sandbox: its PID namespace, named by bubblewrap's --info-fd."""

    def __init__(self, leader: int, info_fd: int) -> None:
        self.leader = leader
        self.info_fd = info_fd
        self._text = b""
        self._info: dict | None = None
        os.set_blocking(info_fd, False)

    def info(self) -> dict:
        if self._info is None:
            try:
                while chunk := os.read(self.info_fd, 4096):
                    self._text += chunk
            except OSError:  # nothing more for now (or closed)
                pass
            try:
                self._info = dict(json.loads(self._text))
            except (ValueError, TypeError):
                return {}
        return self._info

    def members(self) -> list[int]:
        namespace = self.info().get("pid-namespace")
        return [] if namespace is None else pid_namespace_members(int(namespace))

    def too_many(self, limit: int) -> bool:
        return False  # RLIMIT_NPROC (and the cgroup) hold the cap in the kernel

    def terminate(self, watch: ExitWatch) -> None:
        init = self.info().get("child-pid")
        signal_all([pid for pid in self.members() if pid != init], signal.SIGTERM)
        watch.exited(TERM_GRACE_SECONDS)
        self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.leader, signal.SIGKILL)  # its namespace dies with it
        except (ProcessLookupError, PermissionError):
            pass
        kill_all(self.members())

    def wait_gone(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.members() and time.monotonic() < end:
            time.sleep(0.01)


def _child_step(setup: ChildSetup, net: UserModeNetwork | None) -> Callable[[], None]:
    """Between fork and exec: join the run's network namespace (as root, before anything
    else), then the limits and the cgroup."""
    if net is None:
        return setup
    enter = net.enter

    def step() -> None:
        enter()
        setup()

    return step


def _boot(userns: int | None, uid: int, gid: int) -> list[str]:
    if userns is None:
        return [workspace.BOOT_SCRIPT]
    # -s: no user site (HOME is the work folder), so nothing of the folder runs before the
    # switch to nobody (the environment is Samantha's own, see child_environment)
    return ["-s", workspace.BOOT_SCRIPT, workspace.SWITCH_FLAG, str(uid), str(gid), str(userns)]


def _check_started(exit_status: int, stderr: str, python: Path) -> None:
    """Bubblewrap's own failure (before the code ran) is an error, not a result."""
    first = stderr.strip().splitlines()[:1]
    if exit_status == 1 and first and first[0].startswith("bwrap: "):
        raise CodeRunError(f"Bubblewrap could not set up the sandbox for {python}: "
                           f"{first[0][len('bwrap: '):]}. Check that the interpreter and the "
                           "work folder exist and can be read.")


def _signal_status(status: int) -> int:
    """bubblewrap reports a death by signal N as 128 + N; subprocess's way is -N."""
    return -(status - 128) if 128 < status <= 128 + 64 else status


def _hand_over(work_dir: Path, uid: int, gid: int) -> None:
    try:
        workspace.hand_over(work_dir, (uid, gid))
    except OSError as exc:
        raise CodeRunError(f"Cannot hand the work folder {work_dir} to the unprivileged user: "
                           f"{exc.strerror or exc}. Use a folder on a disk that keeps file "
                           "owners.") from None


def _user_namespace(uid: int, gid: int) -> int:
    try:
        return user_namespace(uid, gid)
    except NamespaceError as exc:
        raise CodeRunError(f"Cannot make the run's user namespace: {exc}. Check that "
                           "`bwrap --ro-bind / / true` works.") from None


def _opened(opened: list[int], fd: int) -> int:
    opened.append(fd)
    return fd


def _user_name() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())
