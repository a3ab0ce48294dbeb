"""Helpers of the hostile-code tests (tests/execution/test_hostile*.py): running code on a
backend, checking each result's isolation mark, and what the code left on the machine."""

from __future__ import annotations

import fcntl
import http.server
import ipaddress
import os
import socket
import struct
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from samantha.execution import ISOLATED, NOT_ISOLATED, CodeLimits, CodeResult, Sandbox, run_code
from samantha.execution.cgroups import PREFIX, _cgroup_mounts, _own_cgroups, make_run_cgroup

AS_ROOT = os.geteuid() == 0
FAST = CodeLimits(timeout=20.0)


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


CONNECT = """
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=3) as s:
        print("reached", s.recv(5).decode())
except OSError as error:
    print("unreachable", type(error).__name__)
"""



SIOCGIFADDR = 0x8915  # linux/sockios.h: an interface's IPv4 address
DUMMY_LINK = "samantha-t0"  # made by the tests (as root) on a machine with no address but lo
DUMMY_ADDRESS = "198.51.100.7"  # TEST-NET-2 (RFC 5737): never a real network's


def host_address() -> str:
    """This machine's first IPv4 address that is not loopback (how another machine, or code
    allowed the network, reaches it); "" when it has none."""
    for _, name in socket.if_nameindex():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR,
                                     struct.pack("256s", name.encode()[:15]))
            except OSError:  # no IPv4 address
                continue
        address = socket.inet_ntoa(packed[20:24])
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return ""


@contextmanager
def an_address_of_this_machine() -> Iterator[str]:
    """``host_address()``; where there is none, a dummy link with a TEST-NET address, made as
    root for the test and removed after it (AssertionError, saying what is missing, when that
    cannot be done)."""
    found = host_address()
    if found:
        yield found
        return
    assert AS_ROOT, ("This machine has no IPv4 address besides loopback, and the test needs "
                     "one (it stands for the network code may reach). Run the tests as root (a "
                     "dummy link is made for them) or give the machine an address.")
    for command in (["ip", "link", "add", DUMMY_LINK, "type", "dummy"],
                    ["ip", "addr", "add", f"{DUMMY_ADDRESS}/32", "dev", DUMMY_LINK],
                    ["ip", "link", "set", DUMMY_LINK, "up"]):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{' '.join(command)} failed: {done.stderr.strip()}"
    try:
        yield DUMMY_ADDRESS
    finally:
        subprocess.run(["ip", "link", "del", DUMMY_LINK], capture_output=True, check=False)


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the standard library's name
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = self.server.name.encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def web_server(host: str, name: str) -> Iterator[http.server.ThreadingHTTPServer]:
    """A real HTTP server on ``host`` (a free port) answering its ``name`` to every GET; its
    ``hits`` list the paths it was asked for."""
    server = http.server.ThreadingHTTPServer((host, 0), _Answer)
    server.hits = []  # type: ignore[attr-defined]
    server.name = name  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def url(server: http.server.ThreadingHTTPServer, host: str | None = None) -> str:
    return f"http://{host or server.server_address[0]}:{server.server_address[1]}/"


FETCH = """
import urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
for url in {urls!r}:
    try:
        print(url, "reached", opener.open(url, timeout=3).read().decode())
    except OSError as error:
        print(url, "unreachable", type(getattr(error, "reason", error)).__name__)
"""


def fetched(stdout: str) -> dict[str, str]:
    """What FETCH printed: url -> "reached NAME" or "unreachable ERROR"."""
    return dict(line.split(" ", 1) for line in stdout.splitlines())


def slirp_children(parent: int | None = None) -> list[int]:
    """slirp4netns processes that ``parent`` (this process) started and that are still there,
    not yet reaped ones included."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                text = handle.read()
        except OSError:
            continue
        name = text[text.find("(") + 1:text.rfind(")")]
        ppid = int(text[text.rfind(")") + 2:].split()[1])
        if name == "slirp4netns" and ppid == parent:
            found.append(int(entry.name))
    return found
