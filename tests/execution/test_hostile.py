"""Hostile code against both sandbox backends: time, processes, memory, output, what outlives
a run, limits, stdin (what the code can reach: test_hostile_reach.py).

With bubblewrap every case asserts containment; bubblewrap must be installed (``make test``
installs it), or every case of that side fails. The same cases with the resource-limit backend
check that each result is marked not isolated, and keep asserting what that backend does hold.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from support.hostile import (
    AS_ROOT,
    cgroups_possible,
    confined,
    our_cgroups,
    processes_in,
    run,
)

from samantha.execution import ISOLATED, NOT_ISOLATED, CodeLimits, Sandbox

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
