"""Hostile code against both sandbox backends.

With bubblewrap every case asserts containment; bubblewrap must be installed (``make test``
installs it), or every case of that side fails. The same cases with the resource-limit backend
check that each result is marked not isolated, and keep asserting what that backend does hold.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from samantha.app import Workbench
from samantha.execution import (
    ISOLATED,
    NOT_ISOLATED,
    CodeLimits,
    CodeResult,
    Sandbox,
    SandboxUnavailable,
    run_code,
)
from samantha.execution.cgroups import PREFIX, _cgroup_mounts, _own_cgroups, make_run_cgroup

AS_ROOT = os.geteuid() == 0
FAST = CodeLimits(timeout=20.0)


@pytest.fixture(scope="module")
def bubblewrap() -> Sandbox:
    sandbox = Sandbox("bubblewrap")
    try:
        sandbox.bubblewrap()
    except SandboxUnavailable as exc:
        pytest.fail(str(exc))
    return sandbox


@pytest.fixture(params=["bubblewrap", "rlimits"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sandbox(backend: str, request: pytest.FixtureRequest) -> Sandbox:
    if backend == "bubblewrap":
        return request.getfixturevalue("bubblewrap")
    return Sandbox("rlimits")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path / "run" / "work"


def run(code: str, work: Path, sandbox: Sandbox, **options) -> CodeResult:
    options.setdefault("limits", FAST)
    return run_code(textwrap.dedent(code), work, sandbox=sandbox, **options)


def confined(result: CodeResult, backend: str) -> bool:
    """Checks the mark of every result; True when the run was confined by bubblewrap."""
    if backend == "bubblewrap":
        assert result.isolation == ISOLATED and result.isolated, result.isolation_note
        assert result.isolation_line().startswith("isolated (bubblewrap): Confined by ")
        return True
    assert result.isolation == NOT_ISOLATED and not result.isolated
    assert result.isolation_line().startswith("not isolated: ")
    assert "no boundary against hostile code" in result.isolation_note
    return False


def processes_in(folder: Path) -> list[int]:
    """Live processes whose working folder is ``folder`` (the code's, as the host sees it)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry.name}/cwd") != str(folder):
                continue
            with open(f"/proc/{entry.name}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def cgroups_possible() -> bool:
    """Whether this process can make a run's cgroup here (then every bubblewrap run must)."""
    if not AS_ROOT:
        return False
    made, _ = make_run_cgroup(2**30, 10)
    if made is not None:
        made.remove()
    return made is not None


def our_cgroups() -> list[str]:
    """Cgroups this process made for its runs that are still there."""
    mounts, own = _cgroup_mounts(), _own_cgroups()
    parents = set(mounts.values())
    for key, mount in mounts.items():
        parents.add(mount / own.get("" if key == "cgroup2" else key, "/").lstrip("/"))
    mine = f"{PREFIX}{os.getpid()}-"
    return [str(p / name) for p in parents if p.is_dir()
            for name in os.listdir(p) if name.startswith(mine)]


@pytest.fixture
def server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that answers "hello" to each connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(b"hello")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    listener.close()


CONNECT = """
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        print("reached", s.recv(5).decode())
except OSError as error:
    print("unreachable", type(error).__name__)
"""


# -- time, processes, memory, output ---------------------------------------------------------

def test_infinite_loop_is_stopped(work: Path, sandbox: Sandbox, backend: str) -> None:
    started = time.monotonic()
    result = run("print('started')\nwhile True:\n    pass", work, sandbox,
                 limits=CodeLimits(timeout=2.0))
    confined(result, backend)
    assert result.timed_out and result.limit and result.limit.startswith("Stopped after 2 s")
    assert time.monotonic() - started < 6 and result.stdout == "started\n"
    assert processes_in(work) == []


def test_fork_bomb_is_stopped(work: Path, sandbox: Sandbox, backend: str) -> None:
    result = run("import os\nwhile True:\n    os.fork()", work, sandbox,
                 limits=CodeLimits(timeout=15, processes=20))
    confined(result, backend)
    assert not result.succeeded and not result.timed_out
    assert result.limit is not None and "more than 20 processes" in result.limit
    assert processes_in(work) == [] and our_cgroups() == []
    check = subprocess.run([sys.executable, "-c", "print(7)"], capture_output=True, text=True)
    assert check.stdout == "7\n"  # the test process can still start processes


SPREAD = """
import os, time
try:
    bytearray({too_big})
    print("one process got past the cap")
except MemoryError:
    print("capped")
pids = []
for i in range(5):
    pid = os.fork()
    if pid == 0:
        block = b"x" * {size}  # written, so really held
        open(f"held-{{i}}", "w").close()
        end = time.monotonic() + 5
        while time.monotonic() < end:
            if all(os.path.exists(f"held-{{n}}") for n in range(5)):
                open("all-held", "w").close()
                break
            time.sleep(0.05)
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
"""


def test_memory_spread_over_forks(work: Path, sandbox: Sandbox, backend: str) -> None:
    """5 children x 1.8 GB under the 2 GiB limit: with a cgroup the whole run never holds
    more than 2 GiB; without one, the limit holds per process (and the result says so)."""
    if backend == "bubblewrap":
        limits, size = CodeLimits(timeout=40), int(1.8e9)
    else:  # the same spread, small: this backend lets it through
        limits, size = CodeLimits(timeout=40, memory_bytes=512 * 2**20), 300 * 10**6
    code = SPREAD.format(too_big=2 * limits.memory_bytes, size=size)
    result = run(code, work, sandbox, limits=limits)
    assert result.stdout.startswith("capped\n"), result.stderr  # the cap per process holds
    held = sorted(p.name for p in work.glob("held-*"))
    if confined(result, backend) and cgroups_possible():
        assert "for the whole run" in result.isolation_note, result.isolation_note
        assert not (work / "all-held").exists() and len(held) < 5
        assert result.limit is not None and "memory limit for the whole run" in result.limit
        assert our_cgroups() == []
    else:
        assert "2 GiB per process" in result.isolation_note or backend == "rlimits"
        assert "per process, at most" in result.isolation_note
    assert processes_in(work) == []


def test_50_mb_of_output_is_cut(work: Path, sandbox: Sandbox, backend: str) -> None:
    started = time.monotonic()
    result = run("import sys\nfor _ in range(50):\n    sys.stdout.write('x' * 2**20)", work,
                 sandbox)
    confined(result, backend)
    assert time.monotonic() - started < 15 and result.succeeded
    assert result.stdout.endswith("[output truncated: 52,428,800 bytes written, the first "
                                  "1,048,576 kept]\n")
    assert len(result.stdout) < 2**20 + 200


# -- what the code can reach -----------------------------------------------------------------

def test_secrets_in_the_parents_environment(work: Path, sandbox: Sandbox, backend: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_TEST_SECRET", "s3cr3t-of-the-parent")
    code = """
    import os
    print("env", "s3cr3t" in repr(dict(os.environ)))
    pid, seen = os.getpid(), []
    while pid > 1:  # every ancestor the code can see
        try:
            seen.append(b"s3cr3t" in open(f"/proc/{pid}/environ", "rb").read())
        except OSError:
            pass
        pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    print("ancestors", any(seen))
    """
    result = run(code, work, sandbox)
    if confined(result, backend) or AS_ROOT:  # as root the runner's nobody cannot read them
        assert result.stdout == "env False\nancestors False\n", result.stderr
    else:
        assert result.stdout.startswith("env False\n")


def test_network_to_a_local_server(work: Path, sandbox: Sandbox, backend: str,
                                   server: int) -> None:
    result = run(CONNECT.format(port=server), work, sandbox)
    if confined(result, backend):
        assert result.stdout.startswith("unreachable"), result.stdout
        assert "no network" in result.isolation_note
    else:  # never cut off: the result says so
        assert result.stdout == "reached hello\n"
        assert "could reach the network" in result.isolation_note
    allowed = run(CONNECT.format(port=server), work, sandbox, allow_network=True)
    assert allowed.stdout == "reached hello\n", allowed.stderr
    if confined(allowed, backend):
        assert "this run allowed it" in allowed.isolation_note


READ = """
import sys
for path in sys.argv[1:] or {paths!r}:
    try:
        with open(path, "rb") as handle:
            print("read", len(handle.read()))
    except OSError as error:
        print("denied", type(error).__name__)
"""


def test_reading_etc_shadow(work: Path, sandbox: Sandbox, backend: str) -> None:
    result = run(READ.format(paths=["/etc/shadow", "/etc/gshadow"]), work, sandbox)
    if confined(result, backend):  # denied, or an empty file laid over it
        assert all(line in ("read 0", "denied PermissionError")
                   for line in result.stdout.splitlines()), result.stdout
    elif "read any file" in result.isolation_note:  # root's nobody with CAP_DAC_READ_SEARCH
        assert result.stdout.startswith("read"), result.stdout
    else:  # an ordinary user, or nobody without the capability
        assert "denied PermissionError" in result.stdout


def test_reading_a_root_only_file_outside_the_run(work: Path, tmp_path: Path, sandbox: Sandbox,
                                                  backend: str) -> None:
    secret = tmp_path / "private" / "key.txt"
    secret.parent.mkdir()
    secret.write_text("the root-only secret")
    secret.chmod(0o600)
    result = run(READ.format(paths=[str(secret)]), work, sandbox)
    if confined(result, backend):
        assert result.stdout == "denied FileNotFoundError\n"  # not even there
    elif "read any file" in result.isolation_note:  # the runner's nobody here
        assert result.stdout.startswith("read")
    elif AS_ROOT and "Ran as root" not in result.isolation_note:
        assert result.stdout == "denied PermissionError\n"


def test_reading_the_history_and_the_data_home(home: Path, sandbox: Sandbox,
                                               backend: str) -> None:
    bench = Workbench(home)
    bench.store.start_run({"prompts": "a private prompt"})
    (home / "models").mkdir(exist_ok=True)
    (home / "models" / "m.gguf").write_bytes(b"GGUF")
    code = READ.format(paths=[str(home / "history.sqlite3"), "../../history.sqlite3",
                              str(home / "models" / "m.gguf")])
    code += ("import os\ntry:\n    print(sorted(os.listdir('../..')))\n"
             "except OSError as error:\n    print('denied', type(error).__name__)\n")
    result = bench.run_code(textwrap.dedent(code), sandbox=sandbox, limits=FAST)
    lines = result.stdout.splitlines()
    if confined(result, backend):
        assert lines[:3] == ["denied FileNotFoundError"] * 3, result.stdout
        assert lines[3] in ("['code']", "denied PermissionError")  # only the way to its own
    else:
        assert result.isolation == NOT_ISOLATED
    bench.close()


def test_writing_outside_the_run_folder(work: Path, tmp_path: Path, home: Path,
                                        sandbox: Sandbox, backend: str) -> None:
    name = f"samantha-hostile-{os.getpid()}-{time.monotonic_ns()}"
    targets = [home / "evil.txt", tmp_path / "evil.txt", Path("/tmp") / name,
               work.parent / "evil.txt", Path("/usr") / name]
    code = f"""
    for path in {[str(t) for t in targets]!r}:
        try:
            open(path, "w").write("escaped")
            print("wrote", path)
        except OSError as error:
            print("denied", type(error).__name__)
    open("inside.txt", "w").write("fine")
    """
    try:
        result = run(code, work, sandbox)
        assert (work / "inside.txt").read_text() == "fine"
        escaped = [t for t in targets if t.exists()]
        if confined(result, backend):
            assert escaped == [], result.stdout  # /tmp was its own
        elif AS_ROOT:  # nobody may write only where every user may
            assert escaped in ([], [Path("/tmp") / name])
    finally:
        (Path("/tmp") / name).unlink(missing_ok=True)


def test_kernel_settings_cannot_be_changed(work: Path, sandbox: Sandbox, backend: str) -> None:
    """Opened for writing only (nothing is written): uid 0 without capabilities could, which
    is why bubblewrap as root must not run the code as a mapped root."""
    code = """
    import os
    for path in ("/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches",
                 "/proc/sysrq-trigger"):
        try:
            os.close(os.open(path, os.O_WRONLY))
            print("opened", path)
        except OSError as error:
            print("denied", type(error).__name__)
    """
    result = run(code, work, sandbox)
    confined(result, backend)
    if backend == "bubblewrap" or "Ran as root" not in result.isolation_note:
        assert "opened" not in result.stdout, result.stdout


def test_a_setsid_child_does_not_outlive_the_run(work: Path, sandbox: Sandbox,
                                                 backend: str) -> None:
    code = """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(3)
            open("late.txt", "w").write("still alive")
        os._exit(0)
    print("leaving")
    """
    result = run(code, work, sandbox)
    assert result.stdout == "leaving\n"
    time.sleep(4)
    try:
        if confined(result, backend):
            assert not (work / "late.txt").exists() and processes_in(work) == []
        else:
            assert "setsid" in result.isolation_note
    finally:
        for pid in processes_in(work):
            os.kill(pid, 9)


def test_killing_the_parent(work: Path, backend: str, sandbox: Sandbox) -> None:
    """The code kills every ancestor it can see; the Samantha process (its own Python here, so
    the test survives either way) must go on."""
    code = textwrap.dedent("""
    import os, signal
    pid = os.getppid()
    while pid > 0:
        try:
            os.kill(pid, signal.SIGKILL)
            print("killed", pid)
        except OSError as error:
            print("refused", pid, type(error).__name__)
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            break
    """)
    samantha = textwrap.dedent(f"""
    from pathlib import Path
    from samantha.execution import Sandbox, run_code
    result = run_code({code!r}, Path({str(work)!r}), sandbox=Sandbox({backend!r}))
    print("survived", result.isolation)
    """)
    done = subprocess.run([sys.executable, "-c", samantha], capture_output=True, text=True,
                          timeout=60, start_new_session=True)
    if backend == "bubblewrap" or AS_ROOT:
        assert done.returncode == 0 and done.stdout.startswith("survived"), done.stderr
    if done.returncode == 0:
        expected = ISOLATED if backend == "bubblewrap" else NOT_ISOLATED
        assert done.stdout == f"survived {expected}\n"


def test_the_run_dies_with_samantha(work: Path, backend: str, sandbox: Sandbox) -> None:
    """Samantha killed while the code runs (kill -9): nothing of the run goes on."""
    code = textwrap.dedent("""
    import os, time
    if os.fork() == 0:
        os.setsid()
        time.sleep(3)
        open("late-child.txt", "w").write("outlived Samantha")
        os._exit(0)
    print("running", flush=True)
    time.sleep(3)
    open("late.txt", "w").write("outlived Samantha")
    """)
    samantha = textwrap.dedent(f"""
    from pathlib import Path
    from samantha.execution import Sandbox, run_code
    run_code({code!r}, Path({str(work)!r}), sandbox=Sandbox({backend!r}))
    """)
    process = subprocess.Popen([sys.executable, "-c", samantha], start_new_session=True)
    try:
        end = time.monotonic() + 20
        while not processes_in(work) and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.5)
        assert processes_in(work), "the code never started"
        process.kill()
        process.wait()
        time.sleep(4)
        assert not (work / "late.txt").exists()  # the code itself died with Samantha
        if backend == "bubblewrap":
            assert not (work / "late-child.txt").exists() and processes_in(work) == []
    finally:
        for pid in processes_in(work):
            os.kill(pid, 9)


def test_raising_the_limits(work: Path, sandbox: Sandbox, backend: str) -> None:
    code = """
    import resource
    for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_CPU"):
        which = getattr(resource, name)
        soft, hard = resource.getrlimit(which)
        try:
            resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            print(name, "raised")
        except (ValueError, OSError):
            print(name, "kept", hard != resource.RLIM_INFINITY)
    """
    result = run(code, work, sandbox)
    confined(result, backend)
    lines = result.stdout.splitlines()
    assert lines[0] == "RLIMIT_AS kept True" and lines[2] == "RLIMIT_CPU kept True", lines
    if backend == "bubblewrap" or AS_ROOT or resource.getrlimit(resource.RLIMIT_NPROC)[1] != -1:
        assert lines[1] == "RLIMIT_NPROC kept True", lines


def test_reading_stdin(work: Path, sandbox: Sandbox, backend: str) -> None:
    code = "import os, sys\nprint(repr(sys.stdin.read()), repr(os.read(0, 10)))"
    started = time.monotonic()
    result = run(code, work, sandbox, limits=CodeLimits(timeout=10))
    confined(result, backend)
    assert result.stdout == "'' b''\n" and not result.timed_out
    assert time.monotonic() - started < 8
