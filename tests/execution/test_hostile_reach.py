"""Hostile code against both sandbox backends: what it can reach (the parent's environment,
the network, files outside its folder, the history, kernel settings)."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
from support.hostile import AS_ROOT, CONNECT, FAST, confined, run

from samantha.execution import NOT_ISOLATED, Sandbox
from samantha.workbench.facade import Workbench


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
    if confined(allowed, backend):  # the network, yes; this computer's loopback, never
        assert allowed.stdout.startswith("unreachable"), allowed.stdout
        assert "but not this computer's loopback" in allowed.isolation_note
    else:
        assert allowed.stdout == "reached hello\n", allowed.stderr
        assert "this computer's own services" in allowed.isolation_note


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

