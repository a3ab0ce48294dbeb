"""run_code end to end: real child processes, small limits so the whole file stays fast. Every
test runs with both backends (bubblewrap, and resource limits only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from samantha.execution import (
    CodeLimits,
    CodeResult,
    CodeRunError,
    Sandbox,
    run_code,
    runner,
)

FAST = CodeLimits(timeout=20.0)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
AS_ROOT = os.geteuid() == 0


@pytest.fixture(autouse=True, params=["bubblewrap", "rlimits"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs without a sandbox of their own get this backend."""
    chosen = (request.getfixturevalue("bubblewrap") if request.param == "bubblewrap"
              else Sandbox("rlimits"))
    monkeypatch.setattr(runner, "Sandbox", lambda: chosen)
    return request.param


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path / "work"  # run_code creates it


def run(code: str, work: Path, **options) -> CodeResult:
    options.setdefault("limits", FAST)
    return run_code(code, work, **options)


def live_members(pgid: int) -> list[str]:
    """Processes of a process group that are not zombies, as `ps` sees them."""
    lines = subprocess.run(["ps", "-eo", "pgid=,stat=,pid="], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    return [line for line in lines
            if line.split()[0] == str(pgid) and not line.split()[1].startswith("Z")]


def wait_until_gone(pgid: int, seconds: float = 3.0) -> list[str]:
    end = time.monotonic() + seconds
    while (left := live_members(pgid)) and time.monotonic() < end:
        time.sleep(0.05)
    return left


# -- ordinary runs ---------------------------------------------------------------------------

def test_prints_and_succeeds_in_its_own_folder(work: Path) -> None:
    result = run("import os\nprint('hello', os.getcwd())", work)
    assert result.succeeded and result.exit_status == 0
    assert result.stdout == f"hello {work}\n"
    assert result.output == f"hello {work}"
    assert result.work_dir == work and (work / "main.py").is_file()
    assert result.limit is None and not result.timed_out and not result.cancelled


def test_syntax_error_fails_with_a_normal_looking_error(work: Path) -> None:
    result = run("print('fine')\nx = (", work)
    assert result.exit_status not in (0, None) and not result.succeeded
    assert 'File "main.py", line 2' in result.stderr
    assert "SyntaxError" in result.stderr
    assert "samantha_boot" not in result.stderr and "runpy" not in result.stderr


def test_traceback_starts_at_the_code(work: Path) -> None:
    result = run("def f():\n    return 1 / 0\n\nf()", work)
    assert result.exit_status == 1
    assert result.stderr.startswith("Traceback (most recent call last):\n  File \"main.py\"")
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert "samantha_boot" not in result.stderr and "runpy" not in result.stderr


def test_exit_status_of_sys_exit(work: Path) -> None:
    result = run("import sys\nprint('bye')\nsys.exit(3)", work)
    assert result.exit_status == 3 and result.stdout == "bye\n" and not result.succeeded


def test_files_written_by_the_code_are_listed(work: Path) -> None:
    code = ("import os\nos.makedirs('out')\nopen('out/data.csv', 'w').write('a,b\\n')\n"
            "open('a.txt', 'w').write('x')\nprint(open('main.py').read()[:6])")
    result = run(code, work)
    assert result.succeeded
    assert result.files == (work / "a.txt", work / "out" / "data.csv")
    assert (work / "out" / "data.csv").read_text() == "a,b\n"


def test_files_already_there_are_listed_only_when_changed(work: Path) -> None:
    """The caller may put input files in the folder first; main.py is the code, not output."""
    work.mkdir()
    for name in ("kept.csv", "changed.csv"):
        (work / name).write_text("a\n")
        (work / name).chmod(0o666)  # writable by the unprivileged user too
    result = run("open('changed.csv', 'a').write('b\\n')\nprint(open('kept.csv').read())", work)
    assert result.succeeded, result.stderr
    assert result.files == (work / "changed.csv",)
    assert (work / "changed.csv").read_text() == "a\nb\n"


def test_a_module_the_code_writes_can_be_imported(work: Path) -> None:
    """From its own folder, and without bytecode files left behind (PYTHONDONTWRITEBYTECODE)."""
    result = run("open('helper.py', 'w').write('VALUE = 42')\nimport helper\nprint(helper.VALUE)",
                 work)
    assert result.stdout == "42\n", result.stderr
    assert result.files == (work / "helper.py",)


def test_unicode_output_survives(work: Path) -> None:
    text = "héllo ☃ 日本語 🎉 ∑"
    result = run(f"import sys\nprint({text!r})\nprint({text!r}, file=sys.stderr)\n"
                 "sys.stdout.flush()\nsys.stdout.buffer.write(b'bad:\\xff\\n')", work)
    assert result.succeeded
    assert result.stdout == f"{text}\nbad:\ufffd\n"
    assert result.stderr == f"{text}\n"


def test_input_gets_end_of_file_instead_of_waiting(work: Path) -> None:
    result = run("try:\n    input()\nexcept EOFError:\n    print('no input')", work)
    assert result.stdout == "no input\n"


def test_custom_interpreter_path(work: Path) -> None:
    result = run("import sys\nprint(sys.executable)", work, interpreter=Path(sys.executable))
    assert result.succeeded
    assert result.stdout.strip() == os.path.abspath(sys.executable)


def test_interpreter_that_does_not_exist(work: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-env" / "bin" / "python"
    with pytest.raises(CodeRunError) as info:
        run_code("print(1)", work, interpreter=missing)
    message = str(info.value)
    assert str(missing) in message and "does not exist" in message and "setup-env" in message


def test_interpreter_that_is_not_executable(work: Path, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("not a program")
    fake.chmod(0o644)
    with pytest.raises(CodeRunError, match="is not executable"):
        run_code("print(1)", work, interpreter=fake)


# -- environment -------------------------------------------------------------------------------

def test_parent_environment_does_not_reach_the_code(work: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMANTHA_SECRET_TOKEN", "s3cret-value")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-other-secret")
    result = run("import json, os\nprint(json.dumps(dict(os.environ)))\n"
                 "print(os.environ.get('SAMANTHA_SECRET_TOKEN'))", work)
    first, second = result.stdout.splitlines()
    env = json.loads(first)
    assert second == "None"
    assert "s3cret" not in result.stdout and "ghp-" not in result.stdout
    assert not any(name.startswith("SAMANTHA") for name in env)
    assert env["HOME"] == str(work)
    assert env["MPLBACKEND"] == "Agg" and env["PYTHONIOENCODING"] == "utf-8"
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["MPLCONFIGDIR"].startswith(str(work))
    allowed = {"PATH", "HOME", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "XDG_CACHE_HOME",
               "PYTHONIOENCODING", "PYTHONDONTWRITEBYTECODE", "OPENBLAS_NUM_THREADS",
               "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "RAYON_NUM_THREADS", "LC_CTYPE",
               "PWD"}  # bubblewrap sets PWD to the folder it starts the code in
    assert set(env) <= allowed
    assert env.get("PWD", str(work)) == str(work)


@pytest.mark.skipif(not AS_ROOT, reason="the switch to an unprivileged user happens as root")
def test_as_root_the_code_runs_as_an_unprivileged_user(work: Path) -> None:
    result = run("import os\nprint(os.getuid(), os.geteuid(), os.getgroups())", work)
    uid, euid, groups = result.stdout.split(maxsplit=2)
    assert uid == euid == "65534" and groups.strip() == "[]", result.isolation_note
    assert "nobody" in result.isolation_note and "65534" in result.isolation_note


def test_writing_outside_the_work_folder(work: Path, tmp_path: Path) -> None:
    """As root, the code runs as nobody: the folder above the work folder belongs to root, so
    writing ../x fails with PermissionError and nothing appears there. As an ordinary user the
    code has that user's rights: without bubblewrap the write succeeds (documented, not
    isolated); with it, the folder above is the sandbox's own, and nothing reaches the disk."""
    result = run("open('../x', 'w').write('escaped')\nprint('wrote')", work)
    if result.isolated:
        assert not (tmp_path / "x").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    elif AS_ROOT:
        assert "PermissionError" in result.stderr and not result.succeeded
        assert not (tmp_path / "x").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    else:
        assert result.succeeded and (tmp_path / "x").read_text() == "escaped"


# -- matplotlib ------------------------------------------------------------------------------

def test_plt_show_returns_at_once_and_saves_a_png(work: Path) -> None:
    code = ("import time\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\n"
            "start = time.monotonic()\nplt.show()\nprint(round(time.monotonic() - start, 3))\n"
            "print(len(plt.get_fignums()))")
    result = run(code, work)
    assert result.succeeded, result.stderr
    waited, still_open = result.stdout.split()
    assert float(waited) < 2.0 and still_open == "0"
    assert result.figures == (work / "figure_1.png",)
    assert (work / "figure_1.png").read_bytes()[:8] == PNG_MAGIC
    assert result.files == ()  # figures are listed in figures only


def test_figures_left_open_are_saved_in_order(work: Path) -> None:
    code = ("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n"
            "plt.figure()\nplt.bar([1, 2], [3, 4])\nplt.figure()\nplt.plot([0, 1])\n")
    result = run(code, work)
    assert result.succeeded, result.stderr
    assert result.figures == tuple(work / f"figure_{n}.png" for n in (1, 2, 3))
    assert all(path.read_bytes()[:8] == PNG_MAGIC for path in result.figures)


def test_a_figure_name_the_code_used_is_not_overwritten(work: Path) -> None:
    code = ("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig('figure_1.png')\n"
            "plt.show()")
    result = run(code, work)
    assert result.figures == (work / "figure_2.png",)
    assert result.files == (work / "figure_1.png",)


def test_a_link_posing_as_a_figure_is_not_reported(work: Path) -> None:
    code = ("import os\nos.symlink('/etc/hostname', 'figure_1.png')\n"
            "open('.samantha/figures.txt', 'a').write('figure_1.png\\n../../etc/passwd\\n')")
    result = run(code, work)
    assert result.succeeded, result.stderr
    assert result.figures == ()


def test_links_left_in_a_reused_folder_are_not_followed(work: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    work.mkdir()
    (work / "main.py").symlink_to(victim)
    (work / ".samantha").symlink_to(tmp_path)
    result = run("print('ran')", work)
    assert result.stdout == "ran\n"
    assert victim.read_text() == "keep" and tmp_path.stat().st_uid == os.geteuid()
    assert (work / ".samantha").is_dir() and not (work / ".samantha").is_symlink()


def test_code_that_does_not_plot_does_not_import_matplotlib(work: Path) -> None:
    result = run("import sys\nprint('matplotlib' in sys.modules)", work)
    assert result.stdout == "False\n" and result.figures == ()


# -- limits ----------------------------------------------------------------------------------

def test_infinite_loop_is_stopped_at_the_time_limit(work: Path) -> None:
    started = time.monotonic()
    result = run("print('started')\nwhile True:\n    pass", work,
                 limits=CodeLimits(timeout=2.0))
    elapsed = time.monotonic() - started
    assert result.timed_out and not result.succeeded and not result.cancelled
    assert result.limit is not None
    assert result.limit.startswith("Stopped after 2 s (the time limit)")
    assert result.exit_status is not None and result.exit_status < 0
    assert 2.0 <= result.seconds < 3.5 and elapsed < 5.0
    assert result.stdout == "started\n"  # what was printed before the stop is kept


def test_memory_hog_is_stopped_with_a_clear_message(work: Path) -> None:
    result = run("data = bytearray(4 * 2**30)\nprint('allocated')", work,
                 limits=CodeLimits(timeout=20, memory_bytes=512 * 2**20))
    assert not result.succeeded and "allocated" not in result.stdout
    assert "MemoryError" in result.stderr
    assert result.limit is not None
    assert "out of memory" in result.limit and "512 MiB" in result.limit
    assert "raise the memory limit" in result.limit


def test_fork_bomb_is_stopped_and_leaves_nothing_behind(work: Path) -> None:
    code = "import os\nprint(os.getpgrp(), flush=True)\nwhile True:\n    os.fork()"
    result = run(code, work, limits=CodeLimits(timeout=15, processes=20))
    assert not result.succeeded and not result.timed_out
    assert result.limit is not None and "more than 20 processes" in result.limit
    assert "process limit" in result.limit
    pgid = int(result.stdout.split()[0])
    assert wait_until_gone(pgid) == []
    # the test process itself can still start processes
    check = subprocess.run([sys.executable, "-c", "print(7)"], capture_output=True, text=True)
    assert check.stdout == "7\n"


def test_background_processes_are_killed_when_the_code_ends(work: Path) -> None:
    code = ("import os, subprocess, sys\nprint(os.getpgrp(), flush=True)\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])")
    result = run(code, work)
    assert result.succeeded
    assert wait_until_gone(int(result.stdout.split()[0])) == []


def test_50_mb_of_output_is_cut_to_the_cap(work: Path) -> None:
    code = "import sys\nfor _ in range(50):\n    sys.stdout.write('x' * 2**20)"
    started = time.monotonic()
    result = run(code, work)
    assert time.monotonic() - started < 10
    assert result.succeeded
    kept, note = result.stdout[:-1].rsplit("\n", 1)
    assert kept == "x" * 2**20
    assert note == "[output truncated: 52,428,800 bytes written, the first 1,048,576 kept]"
    assert result.limit is not None
    assert "Output truncated: stdout had 52,428,800 bytes" in result.limit


def test_both_streams_are_drained_at_once(work: Path) -> None:
    """3 MB on stderr before anything on stdout: a reader of one pipe at a time would hang."""
    code = "import sys\nsys.stderr.write('e' * 3_000_000)\nsys.stderr.flush()\nprint('done')"
    result = run(code, work, limits=CodeLimits(timeout=10, output_bytes=2**22))
    assert result.succeeded and not result.timed_out
    assert result.stdout == "done\n" and len(result.stderr) == 3_000_000


def test_cancel_mid_run(work: Path) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    started = time.monotonic()
    try:
        result = run("import time\nprint('started', flush=True)\ntime.sleep(30)", work,
                     cancel=cancel)
    finally:
        timer.cancel()
    assert result.cancelled and not result.timed_out and not result.succeeded
    assert time.monotonic() - started < 3.0
    assert result.stdout == "started\n" and result.limit is None
    assert result.exit_status is not None and result.exit_status < 0
