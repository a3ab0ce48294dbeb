"""A tool's door on its own: tickets used once and only while fresh, the secret and the cookie,
the Host check, and where a ticket may send the browser."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from samantha.tools.door import ENTER, TICKET_SECONDS, Door, cookies, decide, local_host


@pytest.fixture
def door(tmp_path: Path) -> Door:
    return Door.make(tmp_path / "door")


def ask(door: Door, path: str = "/history", query: str = "", host: str = "127.0.0.1:8001",
        **headers: str):
    return decide(door, path, query, {"host": host, **headers})


@pytest.mark.parametrize("host, local", [
    ("127.0.0.1:8001", True), ("localhost:8001", True), ("LOCALHOST", True), ("[::1]:80", True),
    ("::1", True), ("127.0.0.2:9", True), ("attacker.example:8001", False),
    ("attacker.example", False), ("localhost.attacker.example", False),
    ("127.0.0.1.nip.io:8001", False), ("192.168.1.5:8001", False), ("", False),
    ("[::2]:8001", False), ("0.0.0.0:8001", False),
])
def test_only_loopback_hosts_are_local(host: str, local: bool) -> None:
    assert local_host(host) is local


def test_a_door_keeps_its_secret_to_its_owner(door: Door) -> None:
    assert stat.S_IMODE(door.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((door.folder / "secret").stat().st_mode) == 0o600
    assert len(door.secret) >= 40
    ticket = door.issue()
    assert ticket not in "".join(os.listdir(door.tickets))  # only its hash is written


def test_nothing_without_the_link_or_the_secret(door: Door) -> None:
    for path in ("/", "/history", "/history.json", "/-/databases.json", "/-/static/app.css",
                 "/dtale/main/1", "/login"):
        answer = ask(door, path)
        assert answer is not None and answer.status == 403, path
        assert b"only through the link Samantha gives the tab" in answer.body
    assert ask(door, authorization="Bearer wrong") is not None
    assert ask(door, cookie=f"{door.cookie_name}=forged") is not None
    assert ask(door, authorization=f"Bearer {door.secret}") is None
    assert ask(door, cookie=f"a=b; {door.cookie_name}={door.cookie_value}") is None


def test_a_ticket_lets_one_browser_in_once(door: Door) -> None:
    ticket = door.issue()
    answer = ask(door, ENTER, f"ticket={ticket}&next=%2Fhistory%2Fruns")
    assert answer.status == 303
    headers = dict(answer.headers)
    assert headers["Location"] == "/history/runs"
    name, value = headers["Set-Cookie"].split(";")[0].split("=", 1)
    assert (name, value) == (door.cookie_name, door.cookie_value)
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Lax" in headers["Set-Cookie"]
    again = ask(door, ENTER, f"ticket={ticket}&next=%2Fhistory")
    assert again.status == 403 and b"already used" in again.body  # another client
    mine = ask(door, ENTER, f"ticket={ticket}&next=%2Fhistory",
               cookie=f"{door.cookie_name}={door.cookie_value}")
    assert mine.status == 303 and "Set-Cookie" not in dict(mine.headers)  # the same browser


def test_a_stale_ticket_is_refused(door: Door) -> None:
    ticket = door.issue()
    old = time.time() - TICKET_SECONDS - 1
    for name in os.listdir(door.tickets):
        os.utime(door.tickets / name, (old, old))
    assert not door.fresh(ticket)
    answer = ask(door, ENTER, f"ticket={ticket}")
    assert answer.status == 403 and b"older than 10 minutes" in answer.body
    assert os.listdir(door.tickets) == []  # used up all the same
    left = door.issue()
    for name in os.listdir(door.tickets):
        os.utime(door.tickets / name, (old, old))
    door.issue()  # stale tickets left unused are cleared away
    assert len(os.listdir(door.tickets)) == 1 and not door.fresh(left)


@pytest.mark.parametrize("target, where", [
    ("%2Fdtale%2Fmain%2F1", "/dtale/main/1"), ("https%3A%2F%2Fattacker.example", "/"),
    ("%2F%2Fattacker.example%2F", "/"), ("%2F%5Cattacker.example", "/"), ("", "/"),
])
def test_a_ticket_opens_only_a_page_of_the_tool(door: Door, target: str, where: str) -> None:
    answer = ask(door, ENTER, f"ticket={door.issue()}&next={target}")
    assert dict(answer.headers)["Location"] == where


def test_a_foreign_host_is_refused_whatever_the_request_carries(door: Door) -> None:
    for headers in ({}, {"authorization": f"Bearer {door.secret}"},
                    {"cookie": f"{door.cookie_name}={door.cookie_value}"}):
        answer = ask(door, host="attacker.example:8001", **headers)
        assert answer.status == 403 and b"this computer's own address" in answer.body
    ticket = door.issue()
    assert ask(door, ENTER, f"ticket={ticket}", host="attacker.example").status == 403
    assert door.fresh(ticket)  # not spent by a request that was refused


def test_bad_tickets(door: Door) -> None:
    for ticket in ("", "x" * 500, "../secret", "\udcff"):
        assert not door.redeem(ticket)
    assert (door.folder / "secret").exists()


def test_cookie_header_parsing() -> None:
    assert cookies('a=1; b="2"; c; =x;d=4=5') == {"a": "1", "b": "2", "c": "", "d": "4=5"}
