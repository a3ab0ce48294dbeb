"""Code allowed the network, confined by bubblewrap: it reaches the network (here: this machine
by its network address, as another machine would) and never this computer's own services on
its loopback (the web UI, JupyterLab, Datasette, llama-server); slirp4netns, which carries its
traffic, ends with the run however the run ends."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.hostile import (
    AS_ROOT,
    FAST,
    FETCH,
    an_address_of_this_machine,
    confined,
    fetched,
    run,
    slirp_children,
    url,
    web_server,
)

import samantha
from samantha.execution import CodeLimits, Sandbox, network
from samantha.execution.network import SANDBOX_DNS, sandbox_resolv_conf

UI_NAME = "the web UI"  # what the server on 127.0.0.1 stands for
OUTSIDE_NAME = "a server on the network"


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    with an_address_of_this_machine() as found:
        yield found


def test_allowed_network_reaches_the_network_but_not_this_computers_services(
        work: Path, bubblewrap: Sandbox, address: str) -> None:
    with web_server("127.0.0.1", UI_NAME) as ui, web_server(address, OUTSIDE_NAME) as outside:
        inside = [url(ui), url(ui, "localhost"), url(ui, "10.0.2.2"), url(ui, SANDBOX_DNS)]
        urls = inside + [url(outside)]
        result = run(FETCH.format(urls=urls), work, bubblewrap, allow_network=True)
        seen = fetched(result.stdout)
        assert confined(result, "bubblewrap")
        assert seen[url(outside)] == f"reached {OUTSIDE_NAME}", result.stderr
        assert not any(seen[u].startswith("reached") for u in inside), seen
        assert ui.hits == [] and len(outside.hits) == 1  # the UI was never asked anything
    assert "but not this computer's loopback" in result.isolation_note
    assert result.limit is None
    with web_server(address, OUTSIDE_NAME) as outside:  # and without the network, nothing
        cut = run(FETCH.format(urls=[url(outside)]), work, bubblewrap)
    assert fetched(cut.stdout)[url(outside)].startswith("unreachable"), cut.stdout
    assert outside.hits == [] and "It had no network" in cut.isolation_note


def test_an_abstract_unix_socket_of_this_computer_is_out_of_reach(work: Path,
                                                                  bubblewrap: Sandbox) -> None:
    """Abstract UNIX sockets (X11, D-Bus, some tools) belong to a network namespace: sharing
    the host's would hand them to the code."""
    name = f"\0samantha-test-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(name)
    listener.listen(1)
    code = f"""
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect({name!r})
        print("reached")
    except OSError as error:
        print("unreachable", type(error).__name__)
    """
    try:
        result = run(code, work, bubblewrap, allow_network=True)
    finally:
        listener.close()
    assert result.stdout == "unreachable ConnectionRefusedError\n", result.stdout


RESOLVE = """
import socket
print(open("/etc/resolv.conf").read().strip())
print("tap0", open("/proc/net/dev").read().count("tap0:"))  # slirp4netns's link
try:
    print(sorted({{info[4][0] for info in socket.getaddrinfo({name!r}, 443)}}))
except OSError as error:
    print("no answer", type(error).__name__)
"""


def _host_answer(name: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(name, 443)})
    except OSError as error:
        pytest.fail(f"This machine cannot resolve {name} ({error}); the DNS tests need a "
                    "working resolver (the one `make install` used to reach PyPI).")


def test_names_resolve_inside_as_on_this_computer(work: Path, bubblewrap: Sandbox) -> None:
    expected = _host_answer("pypi.org")
    result = run(RESOLVE.format(name="pypi.org"), work, bubblewrap, allow_network=True)
    assert result.stdout.splitlines()[-2:] == ["tap0 1", str(expected)], \
        result.stdout + result.stderr


def test_a_resolver_on_this_computers_loopback_is_replaced_by_slirps(
        work: Path, tmp_path: Path, bubblewrap: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """As with systemd-resolved (127.0.0.53): its address means the sandbox's own loopback
    inside, so the sandbox is told slirp4netns's forwarder instead (which asks the host's)."""
    expected = _host_answer("pypi.org")
    host = tmp_path / "resolv.conf"
    host.write_text("# managed\nnameserver 127.0.0.53\nnameserver 127.0.0.1\noptions edns0\n")
    monkeypatch.setattr(bubblewrap.bubblewrap(), "resolv_conf", str(host), raising=False)
    result = run(RESOLVE.format(name="pypi.org"), work, bubblewrap, allow_network=True)
    lines = result.stdout.splitlines()
    assert lines == ["# managed", f"nameserver {SANDBOX_DNS}", "options edns0", "tap0 1",
                     str(expected)], result.stdout + result.stderr


@pytest.mark.parametrize("host, sandbox", [
    ("nameserver 192.0.2.53\n", None),  # an ordinary address: kept as it is
    ("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n",
     f"nameserver {SANDBOX_DNS}\noptions edns0 trust-ad\nsearch lan\n"),
    ("nameserver 127.0.0.1\nnameserver 9.9.9.9\nnameserver ::1\n",
     f"nameserver {SANDBOX_DNS}\nnameserver 9.9.9.9\n"),
    ("nameserver 9.9.9.9\nnameserver 127.0.1.1\n",
     f"nameserver 9.9.9.9\nnameserver {SANDBOX_DNS}\n"),
    ("nameserver fe80::1%eth0\n", None),
    ("", None),  # no resolver on the host: none inside either
])
def test_the_sandboxs_resolv_conf(host: str, sandbox: str | None) -> None:
    assert sandbox_resolv_conf(host) == sandbox


def test_without_slirp4netns_the_network_is_refused_not_shared(
        work: Path, bubblewrap: Sandbox, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bubblewrap.bubblewrap(), "slirp_program", "/nonexistent/slirp4netns",
                        raising=False)
    with web_server("127.0.0.1", UI_NAME) as ui, web_server(address, OUTSIDE_NAME) as outside:
        result = run(FETCH.format(urls=[url(ui), url(outside)]), work, bubblewrap,
                     allow_network=True)
    seen = fetched(result.stdout)
    assert all(answer.startswith("unreachable") for answer in seen.values()), seen
    assert ui.hits == outside.hits == []
    assert result.exit_status == 0 and confined(result, "bubblewrap")
    assert ("It had no network although this run allowed it: slirp4netns is not installed; "
            "install slirp4netns (Debian and Ubuntu: apt-get install slirp4netns") \
        in result.isolation_note
    assert result.limit is not None and result.limit.startswith(
        "The network was allowed but not given: slirp4netns is not installed;")
    assert result.limit.endswith("The code ran with no network.")


def test_a_slirp4netns_that_fails_leaves_the_run_without_network(
        work: Path, bubblewrap: Sandbox, address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = work.parent / "slirp4netns"
    failing.parent.mkdir(parents=True, exist_ok=True)
    failing.write_text("#!/bin/sh\necho 'open(\"/dev/net/tun\"): No such device' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(bubblewrap.bubblewrap(), "slirp_program", str(failing), raising=False)
    with web_server(address, OUTSIDE_NAME) as outside:
        result = run(FETCH.format(urls=[url(outside)]), work, bubblewrap, allow_network=True)
    assert fetched(result.stdout)[url(outside)].startswith("unreachable")
    assert outside.hits == []
    assert ("slirp4netns failed to configure the network (exit status 1) "
            "(open(\"/dev/net/tun\"): No such device); check that `slirp4netns --version` runs"
            ) in result.isolation_note
    assert slirp_children() == []


def test_a_slirp4netns_that_hangs_is_given_up_at_its_limit(
        work: Path, bubblewrap: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    hanging = work.parent / "slirp4netns"
    hanging.parent.mkdir(parents=True, exist_ok=True)
    started = work.parent / "stand-in.pid"
    hanging.write_text(f"#!/bin/sh\necho $$ > {started}\nexec sleep 60\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(bubblewrap.bubblewrap(), "slirp_program", str(hanging), raising=False)
    monkeypatch.setattr(network, "SLIRP_START_SECONDS", 0.5)
    result = run("print('ran')", work, bubblewrap, allow_network=True)
    assert result.stdout == "ran\n"
    assert ("slirp4netns did not configure the network within 0.5 s (the limit "
            "SLIRP_START_SECONDS)") in result.isolation_note
    assert result.limit is not None and "SLIRP_START_SECONDS" in result.limit
    assert not Path(f"/proc/{started.read_text().strip()}").exists()  # killed and reaped


ENDINGS = {
    "exits": "",
    "killed": "os.kill(os.getpid(), signal.SIGKILL)",
    "timeout": "time.sleep(60)",
    "cancel": "open('started', 'w').close()\ntime.sleep(60)",
}


class _WhenStarted:
    """Cancels the run once the code has written its ``started`` file."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def is_set(self) -> bool:
        return (self.work / "started").exists()


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_slirp4netns_ends_with_the_run(ending: str, work: Path, bubblewrap: Sandbox,
                                       address: str) -> None:
    with web_server(address, OUTSIDE_NAME) as outside:
        code = (f"import os, signal, time\nprint(open('/proc/net/dev').read().count('tap0:'))\n"
                f"{FETCH.format(urls=[url(outside)])}\n"
                "import sys; sys.stdout.flush()\n" + ENDINGS[ending] + "\n")
        limits = CodeLimits(timeout=3.0) if ending == "timeout" else FAST
        cancel = _WhenStarted(work) if ending == "cancel" else None
        result = run(code, work, bubblewrap, allow_network=True, limits=limits, cancel=cancel)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["1", f"{url(outside)} reached {OUTSIDE_NAME}"], result.stdout
    assert result.timed_out is (ending == "timeout")
    assert result.cancelled is (ending == "cancel")
    assert (result.exit_status == -signal.SIGKILL) is (ending == "killed")
    assert slirp_children() == []


def test_slirp4netns_ends_when_samantha_dies(work: Path, address: str) -> None:
    """Samantha killed (kill -9) while the code holds a connection: the code dies, and so does
    slirp4netns (its exit pipe closes with Samantha)."""
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(1)
    listener.settimeout(30)
    code = textwrap.dedent(f"""
    import socket, time
    s = socket.create_connection(({address!r}, {listener.getsockname()[1]}), timeout=10)
    time.sleep(60)
    """)
    samantha = textwrap.dedent(f"""
    from pathlib import Path
    from samantha.execution import Sandbox, run_code
    run_code({code!r}, Path({str(work)!r}), sandbox=Sandbox("bubblewrap"), allow_network=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", samantha], start_new_session=True)
    try:
        connection, _ = listener.accept()  # the code is running, through slirp4netns
        (slirp,) = slirp_children(process.pid)
        watch = os.pidfd_open(slirp)
        process.kill()
        process.wait()
        ready, _, _ = select.select([watch], [], [], 10)
        os.close(watch)
        assert ready, "slirp4netns outlived Samantha"
        connection.settimeout(10)
        assert connection.recv(1) == b""  # the code's end closed its connection
        connection.close()
    finally:
        listener.close()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_two_runs_at_once_each_get_their_own_network(tmp_path: Path, bubblewrap: Sandbox,
                                                     address: str) -> None:
    """Runs of a chain or of two tabs start together: each its own namespace and slirp4netns."""
    with web_server(address, OUTSIDE_NAME) as outside:
        code = "print(open('/proc/net/dev').read().count('tap0:'))\n" + FETCH.format(
            urls=[url(outside)])
        results: dict[int, str] = {}

        def one(number: int) -> None:
            done = run(code, tmp_path / f"run-{number}", bubblewrap, allow_network=True)
            results[number] = done.stdout

        threads = [threading.Thread(target=one, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert results == {n: f"1\n{url(outside)} reached {OUTSIDE_NAME}\n" for n in range(2)}
    assert len(outside.hits) == 2 and slirp_children() == []


def test_the_allow_network_help_says_what_it_opens() -> None:
    from samantha.ui.words.table import texts

    english, portuguese = texts("en"), texts("pt")
    assert ("the internet, never this computer's own services (the web UI, JupyterLab"
            in english["allow_network"].help)
    assert ("a internet, nunca os serviços deste computador (a interface web, o JupyterLab"
            in portuguese["allow_network"].help)
    assert "this computer's own services included" in english["code_not_isolated"].label


AS_NOBODY = """
import json, sys
from pathlib import Path
from samantha.execution import Sandbox, run_code
result = run_code(sys.argv[1], Path(sys.argv[2]), interpreter=sys.executable,
                  sandbox=Sandbox("bubblewrap"), allow_network=True)
print(json.dumps({"stdout": result.stdout, "stderr": result.stderr,
                  "note": result.isolation_note}))
"""


def test_an_ordinary_users_run_gets_the_same_network(address: str, bubblewrap: Sandbox,
                                                     work: Path) -> None:
    """The usual desktop case: as an ordinary user, the run's network namespace lives in a user
    namespace of its own. As root, the test runs Samantha (a copy of its source, with the
    system's Python) as nobody."""
    with web_server("127.0.0.1", UI_NAME) as ui, web_server(address, OUTSIDE_NAME) as outside:
        code = textwrap.dedent(FETCH.format(urls=[url(ui), url(outside)]))
        if AS_ROOT:
            answer = _as_nobody(code)
            stdout, note = answer["stdout"], answer["note"]
        else:
            result = run(code, work, bubblewrap, allow_network=True)
            stdout, note = result.stdout, result.isolation_note
    seen = fetched(stdout)
    assert seen == {url(ui): "unreachable ConnectionRefusedError",
                    url(outside): f"reached {OUTSIDE_NAME}"}, stdout
    assert "ran as your own user" in note and "but not this computer's loopback" in note
    assert ui.hits == [] and len(outside.hits) == 1


def _as_nobody(code: str) -> dict:
    python = shutil.which("python3", path="/usr/bin:/bin")
    assert python, "The test needs the system's python3 (/usr/bin/python3) to run as nobody."
    base = Path(tempfile.mkdtemp(prefix="samantha-as-nobody-"))
    try:
        base.chmod(0o755)
        source = Path(samantha.__file__).parent
        shutil.copytree(source, base / "src" / "samantha",
                        ignore=shutil.ignore_patterns("__pycache__"))
        runs = base / "runs"
        runs.mkdir()
        os.chown(runs, 65534, 65534)
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-c",
             AS_NOBODY, code, str(runs / "work")], capture_output=True, text=True, timeout=120,
            cwd=base, env={"PATH": "/usr/bin:/bin", "HOME": str(base / "home"),
                           "PYTHONPATH": str(base / "src")}, check=False)
        assert done.returncode == 0, ("Samantha could not run as nobody with the system's "
                                      f"python3: {done.stderr.strip()[-800:]}")
        return json.loads(done.stdout)
    finally:
        shutil.rmtree(base, ignore_errors=True)
