"""``samantha tools`` as a user runs it: a real subprocess that prints the address, answers,
and on Ctrl+C or SIGTERM stops its tool and everything below it."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.processes import descendants, get, left_behind, stat

from samantha.cli import cli
from samantha.tools.launchers import port_to_use
from samantha.workbench.facade import Workbench

from .conftest import browser

LINE = re.compile(r"(?P<name>[\w-]+) is running on (?P<url>http://127\.0\.0\.1:\d+/\S*) "
                  r"\(Ctrl\+C to stop\)\nOpen it with (?P<link>http://127\.0\.0\.1:\d+/\S*) "
                  r"\(this link lets one browser in, once\)\n")


@pytest.fixture
def launch(home: Path) -> Iterator:
    started: list[subprocess.Popen[str]] = []

    def run(*args: str) -> tuple[subprocess.Popen[str], re.Match[str]]:
        env = {**os.environ, "SAMANTHA_HOME": str(home)}
        process = subprocess.Popen([sys.executable, "-m", "samantha", "tools", *args,
                                    "--no-browser"], env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        ready, _, _ = select.select([process.stdout], [], [], 180)
        line = process.stdout.readline() + process.stdout.readline() if ready else ""
        found = LINE.fullmatch(line)
        assert found, (line, process.poll(), process.stderr.read() if process.poll() else "")
        return process, found

    yield run
    for process in started:  # a failed test leaves nothing either
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def stop(process: subprocess.Popen[str], signum: signal.Signals) -> str:
    """Signal the command as a terminal or a service manager would; its standard error."""
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return err


def test_datasette_on_a_chosen_port_until_ctrl_c(launch, code_run: int) -> None:
    port = port_to_use(None)
    process, line = launch("datasette", "--port", str(port))
    assert line["name"] == "Datasette" and line["url"] == f"http://127.0.0.1:{port}/history"
    assert get(line["url"])[0] == 403  # no way in without the link
    runs = browser(line["link"]).get(line["url"] + "/runs.json?_shape=array")
    assert runs.status_code == 200 and [r["id"] for r in runs.json()] == [code_run]
    family = descendants(process.pid)
    assert len(family) == 1  # the Datasette server
    assert "Stopping" in stop(process, signal.SIGINT)
    assert left_behind(family, groups=tuple(family)) == []


def test_a_tool_ends_when_the_command_is_killed(launch, home: Path) -> None:
    process, line = launch("datasette")
    (server,) = family = descendants(process.pid)
    assert stat(server)[1] == server  # its own process group
    process.kill()  # kill -9: the command stops nothing itself
    process.wait()
    assert left_behind(family, groups=(server,), timeout=5) == []
    with pytest.raises(OSError):
        get(line["url"], timeout=3)
    stop = CliRunner().invoke(cli, ["tools", "stop"])  # nothing left for it to do
    assert stop.stdout == "No tool of this data home was running.\n"
    assert list((home / "tools" / "running").iterdir()) == []


def test_a_tool_that_ends_by_itself_ends_the_command(launch) -> None:
    process, _ = launch("datasette")
    (server,) = descendants(process.pid)
    os.kill(server, signal.SIGKILL)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Datasette ended by itself (exit status -9); its log: " in err


def test_dtale_until_sigterm(launch, tmp_path: Path) -> None:
    table = tmp_path / "scores.csv"
    table.write_text("player,score\nana,3\nbo,5\n")
    process, line = launch("dtale", str(table))
    assert line["name"] == "D-Tale" and line["url"].endswith("/dtale/main/1")
    base = line["url"].rsplit("/dtale/", 1)[0]
    ids = urllib.parse.quote(json.dumps(["0-5"]))
    data = browser(line["link"]).get(f"{base}/dtale/data/1?ids={ids}").json()
    assert [data["results"][k]["player"] for k in "01"] == ["ana", "bo"]
    family = descendants(process.pid)
    stop(process, signal.SIGTERM)
    assert left_behind(family, groups=tuple(family)) == []


def test_jupyter_with_a_kernel_until_sigterm(launch, code_run: int, home: Path) -> None:
    process, line = launch("jupyter", str(code_run))
    assert line["name"] == "JupyterLab" and line["url"].endswith(f"/lab/tree/run-{code_run}.ipynb")
    assert line["link"].startswith(line["url"] + "?token=")
    tab = browser(line["link"])
    base = line["url"].split("/lab/", 1)[0]
    kernel = tab.post(f"{base}/api/kernels", json={"name": "python3"},
                      headers={"X-XSRFToken": tab.cookies["_xsrf"]})
    assert kernel.status_code == 201
    family = _with_kernel(process.pid)
    stop(process, signal.SIGTERM)
    assert left_behind(family, groups=tuple(family)) == []
    assert (home / "notebooks" / f"run-{code_run}.ipynb").is_file()


def _with_kernel(pid: int) -> dict[int, int]:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        family = descendants(pid)
        if any(b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes() for p in family):
            return family
        time.sleep(0.2)
    raise AssertionError("no kernel started under JupyterLab")


def test_cli_errors_are_one_line_messages(bench: Workbench, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["tools", "dtale", str(tmp_path / "none.csv"), "--no-browser"],
                            obj=bench)
    assert missing.exit_code == 2
    assert missing.stderr == f"error: {tmp_path / 'none.csv'} does not exist. Give the path of " \
                             "a CSV file.\n"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        busy = runner.invoke(cli, ["tools", "datasette", "--port", str(port), "--no-browser"],
                             obj=bench)
    assert busy.exit_code == 2 and f"Port {port} on 127.0.0.1 is taken." in busy.stderr
    unknown = runner.invoke(cli, ["tools", "jupyter", "999", "--no-browser"], obj=bench)
    assert unknown.exit_code == 2 and unknown.stderr == (
        "error: No run 999 in the history. `samantha history list` shows the runs.\n")
    assert not (bench.home / "notebooks" / "run-999.ipynb").exists()


def test_every_option_has_help() -> None:
    from samantha.cli.tools import tools

    for command in tools.commands.values():
        for param in command.params:
            if isinstance(param, __import__("click").Option):
                assert param.help, f"{command.name} {param.opts}"


def test_the_readmes_tools_commands_exist() -> None:
    import shlex

    import click

    from samantha.cli.tools import tools

    readme = (Path(__file__).resolve().parents[2] / "docs" / "guide" / "tools.md").read_text(
        encoding="utf-8")
    section = readme.split("# Tools: ", 1)[1].split("\n### ", 1)[0]
    lines = [line.split("#", 1)[0] for line in section.splitlines()
             if line.startswith("samantha tools ")]
    assert len(lines) == 6
    for line in lines:
        args = shlex.split(line)[2:]
        command = tools.commands[args[0]]
        options = {o for p in command.params if isinstance(p, click.Option) for o in p.opts}
        assert {a for a in args if a.startswith("--")} <= options, line
        ctx = command.make_context(args[0], args[1:])  # the arguments parse as shown
        assert ctx.params or not command.params
