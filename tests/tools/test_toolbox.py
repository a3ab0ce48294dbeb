"""The Toolbox with a small real HTTP program: start, list, reuse, stop, and nothing left."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from support.processes import descendants, get, left_behind, stat

from samantha.tools import Toolbox, ToolError


def test_a_started_tool_answers_and_is_listed(toolbox: Toolbox, probe) -> None:
    before = time.time()
    tool = toolbox.start(probe())
    assert tool.url == f"http://127.0.0.1:{tool.port}/page"
    assert get(tool.url) == (200, b"probe serve /page")
    (listed,) = toolbox.running()
    assert listed == tool and listed.name == "Probe"
    assert stat(tool.pid) is not None and before - 1 <= tool.started.timestamp() <= time.time()
    assert tool.log.parent == toolbox.folder and "probe starting serve" in tool.log.read_text()
    assert stat(tool.pid)[1] == tool.pid  # a process group of its own, to stop it whole


def test_stop_all_leaves_nothing_even_what_ignores_sigterm(toolbox: Toolbox, probe) -> None:
    tool = toolbox.start(probe("stubborn"))
    family = descendants(tool.pid)
    (helper,) = family  # started in a session of its own, ignoring SIGTERM like its parent
    assert stat(helper)[2] == helper != tool.pid
    family[tool.pid] = stat(tool.pid)[4]
    began = time.monotonic()
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid, helper), timeout=0) == []
    assert 2.0 <= time.monotonic() - began < 10  # SIGTERM was ignored: SIGKILL after the grace
    assert toolbox.running() == []


def test_stop_one_tool(toolbox: Toolbox, probe) -> None:
    first, second = toolbox.start(probe("serve")), toolbox.start(probe("other"))
    known = {first.pid: stat(first.pid)[4]}
    assert toolbox.stop(first.id) and not toolbox.stop(first.id)
    assert left_behind(known, groups=(first.pid,), timeout=0) == []
    assert [t.id for t in toolbox.running()] == [second.id]
    assert get(second.url)[0] == 200


def test_a_tool_that_exits_while_starting_says_why(toolbox: Toolbox, probe) -> None:
    with pytest.raises(ToolError) as info:
        toolbox.start(probe("crash"))
    message = str(info.value)
    assert message.startswith("Probe ended while starting (exit status 3).")
    assert "boom: the probe cannot start" in message and "Last lines of its log" in message
    assert toolbox.running() == []


def test_a_tool_that_never_answers_is_stopped(tmp_path: Path, probe) -> None:
    box = Toolbox(tmp_path / "tools", ready_timeout=1.5, grace=1.0)
    spec = probe("silent")
    with pytest.raises(ToolError, match=r"did not answer at http://127.0.0.1:\d+/ready within "
                                        r"2 s, so it was stopped\.") as info:
        box.start(spec)
    assert "probe starting silent" in str(info.value)
    assert box.running() == [] and _probes(spec.command) == {}


def _probes(command: tuple[str, ...]) -> dict[int, tuple]:
    """The live processes running this very command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            line = (entry / "cmdline").read_bytes().split(b"\0")[:-1]
        except OSError:
            continue
        info = stat(int(entry.name)) if entry.name.isdigit() else None
        if [part.decode() for part in line] == list(command) and info and info[3] not in "ZX":
            found[int(entry.name)] = info
    return found


def test_the_same_key_reuses_the_running_tool(toolbox: Toolbox, probe) -> None:
    first = toolbox.start(probe(key=("probe", "target"), page="/one"))
    again = toolbox.start(probe(key=("probe", "target"), page="/two"))
    assert again.id == first.id and again.pid == first.pid and again.port == first.port
    assert get(again.url) == (200, b"probe serve /two")
    other = toolbox.start(probe(key=("probe", "elsewhere")))
    assert other.pid != first.pid and len(toolbox.running()) == 2


def test_starts_from_several_threads_start_one_copy(toolbox: Toolbox, probe) -> None:
    specs = [probe(key=("probe", "shared")) for _ in range(4)]
    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(toolbox.start(s)))
               for s in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({tool.pid for tool in results}) == 1 and len(toolbox.running()) == 1


def test_a_tool_that_ends_by_itself_drops_out(toolbox: Toolbox, probe) -> None:
    tool = toolbox.start(probe())
    os.kill(tool.pid, signal.SIGTERM)
    assert toolbox.wait(tool.id, timeout=10) == -signal.SIGTERM
    assert toolbox.running() == []
