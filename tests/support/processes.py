"""Process checks for the tools' tests, read from /proc on their own (not with the code under
test): who descends from whom, and whether a process, or a process group, is gone."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

Known = dict[int, int]  # pid -> start time (field 22 of /proc/PID/stat)


def stat(pid: int) -> tuple[int, int, int, str, int] | None:
    """(ppid, pgid, sid, state, start time) of a process; None when it is not there."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return int(fields[1]), int(fields[2]), int(fields[3]), fields[0], int(fields[19])


def table() -> dict[int, tuple[int, int, int, str, int]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = stat(int(entry.name))
            if info is not None:
                found[int(entry.name)] = info
    return found


def descendants(pid: int) -> Known:
    """Every process below ``pid`` (new sessions included), with its start time."""
    rows = table()
    found: Known = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _, _, _, started) in rows.items():
            if ppid == parent and child not in found:
                found[child] = started
                todo.append(child)
    return found


def running(pid: int, started: int) -> bool:
    """Is this very process still there and not a zombie?"""
    info = stat(pid)
    return info is not None and info[3] not in "ZX" and info[4] == started


def group_running(pgid: int) -> bool:
    """Does the process group still have a member that is not a zombie?"""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return any(info[1] == pgid and info[3] not in "ZX" for info in table().values())


def left_behind(known: Known, groups: tuple[int, ...] = (), timeout: float = 10.0) -> list[str]:
    """What of ``known`` (and of the process groups ``groups``) still runs after ``timeout``
    seconds: empty when everything is gone."""
    deadline = time.monotonic() + timeout
    while True:
        left = [f"pid {pid}" for pid, started in known.items() if running(pid, started)]
        left += [f"group {g}" for g in groups if group_running(g)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """GET without a proxy: (status, body), errors included."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get_json(url: str) -> tuple[int, Any]:
    status, body = get(url)
    return status, json.loads(body)


def post_json(url: str, data: Any) -> tuple[int, Any]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()
