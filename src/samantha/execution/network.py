"""The network of a confined run that was allowed it: the internet, never this computer's own
services.

Bubblewrap alone can only cut the network off (``--unshare-net``) or share the host's network
namespace, and with it the host's loopback, where the web UI, JupyterLab, Datasette and
llama-server listen. So a run allowed the network gets a network namespace of its own, joined to
the outside by slirp4netns: user-mode networking (libslirp) that turns the sandbox's packets into
ordinary sockets on the host, with ``--disable-host-loopback`` so that the gateway address
(10.0.2.2) does not lead to the host's 127.0.0.1. Inside, the code sees ``tap0`` (10.0.2.100/24,
default route via 10.0.2.2) and a loopback of its own.

The namespace is made and configured *before* bubblewrap starts, and bubblewrap's first process
joins it (:class:`~.namespaces.Joiner`): letting bubblewrap make it (``--unshare-net``) and
attaching slirp4netns to its child afterwards races with bubblewrap's own loopback set-up, which
adds 127.0.0.1 exclusively and fails when slirp4netns has already brought ``lo`` up. So the code
never starts before its network is ready. As root the namespace belongs to the host's user
namespace (the code, as ``nobody`` with no capabilities, cannot reconfigure it); as an ordinary
user it lives in a user namespace of its own that maps the user to itself.

DNS: the host's /etc/resolv.conf is kept when its resolvers are ordinary addresses (slirp4netns
routes to them like to any server). A resolver on the host's loopback (systemd-resolved's
127.0.0.53, dnsmasq on 127.0.0.1) is out of reach, so the sandbox is given a resolv.conf that
names slirp4netns's DNS forwarder (10.0.2.3) instead, which passes port 53 only to the host's
first resolver.

slirp4netns ends with the run (:meth:`UserModeNetwork.close`), and by itself when Samantha dies:
it watches a pipe (``--exit-fd``) whose other end only Samantha holds.
"""

from __future__ import annotations

import ipaddress
import os
import select
import shutil
import subprocess

from samantha.execution.errors import CodeRunError
from samantha.execution.namespaces import (
    CLONE_NEWNET,
    CLONE_NEWUSER,
    Joiner,
    NamespaceError,
    hold_namespaces,
    map_own_ids,
    namespace_fd,
    release,
)
from samantha.execution.streams import CappedReader

SLIRP_PROGRAM = "slirp4netns"
CHECK_SLIRP = "check that `slirp4netns --version` runs and that /dev/net/tun exists"
INSTALL_SLIRP = ("install slirp4netns (Debian and Ubuntu: apt-get install slirp4netns; Fedora: "
                 "dnf install slirp4netns)")
# The tap device's MTU: 65520 is what rootless podman and RootlessKit give slirp4netns (its
# maximum is 65521). Larger frames mean fewer trips through the user-mode stack (transfers
# several times faster than at 1500); the tap never leaves this computer, so the MTU of the
# path outside is not affected (slirp4netns opens ordinary sockets there).
SLIRP_MTU = 65520
# How long slirp4netns may take to configure the namespace before the run goes on without
# network. It takes a few milliseconds; 10 s covers a machine under heavy load.
SLIRP_START_SECONDS = 10.0
# How long slirp4netns gets to exit once its exit pipe closes, before it is killed.
SLIRP_STOP_SECONDS = 2.0
# What is kept of slirp4netns's messages: its first error line is all a user is shown.
SLIRP_MESSAGE_BYTES = 4096
TAP_NAME = "tap0"
SANDBOX_DNS = "10.0.2.3"  # slirp4netns's DNS forwarder in its default network, 10.0.2.0/24
HOST_RESOLV_CONF = "/etc/resolv.conf"


class NetworkUnavailable(CodeRunError):
    """slirp4netns is missing or could not give the sandbox its network. Caught by the
    bubblewrap backend: the run goes on with no network, and its result says why."""


class UserModeNetwork:
    """A network namespace with slirp4netns attached and configured (:func:`start_network`).
    ``enter`` joins it in a child between fork and exec; ``close`` ends slirp4netns."""

    def __init__(self, slirp: subprocess.Popen[bytes], exit_fd: int,
                 namespaces: tuple[tuple[int, int], ...], messages: CappedReader) -> None:
        self.slirp = slirp
        self._exit_fd: int | None = exit_fd
        self._namespaces = namespaces
        self.enter = Joiner(namespaces)
        self._messages = messages

    def close(self) -> None:
        """End slirp4netns (its exit pipe closes; killed if it lingers) and let the namespace
        go. Safe to call twice."""
        if self._exit_fd is not None:
            os.close(self._exit_fd)
            self._exit_fd = None
        try:
            self.slirp.wait(SLIRP_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.slirp.kill()
            self.slirp.wait()
        self._messages.finish(SLIRP_STOP_SECONDS)
        for fd, _ in self._namespaces:
            try:
                os.close(fd)
            except OSError:  # closed already
                pass
        self._namespaces = ()


def start_network(program: str = SLIRP_PROGRAM, as_root: bool = True) -> UserModeNetwork:
    """A new network namespace joined to the internet by slirp4netns, configured and ready.
    Raises :class:`NetworkUnavailable` (with the reason) when that cannot be done."""
    found = shutil.which(program)
    if not found:
        raise NetworkUnavailable(f"slirp4netns is not installed; {INSTALL_SLIRP}")
    flags = CLONE_NEWNET if as_root else CLONE_NEWUSER | CLONE_NEWNET
    try:
        holder = hold_namespaces(flags)
    except NamespaceError as exc:
        raise NetworkUnavailable(f"a network namespace cannot be made here ({exc})") from None
    opened: list[int] = []
    try:
        if not as_root:
            map_own_ids(holder.pid)
            opened.append(namespace_fd(holder.pid, "user"))
        opened.append(namespace_fd(holder.pid, "net"))
        kinds = ([] if as_root else [CLONE_NEWUSER]) + [CLONE_NEWNET]
        slirp, exit_fd, messages = _start_slirp(found, holder.pid)
    except OSError as exc:
        for fd in opened:
            os.close(fd)
        raise NetworkUnavailable(f"a network namespace cannot be made here ({exc})") from None
    except NetworkUnavailable:
        for fd in opened:
            os.close(fd)
        raise
    finally:
        release(holder)  # the descriptors (and slirp4netns's tap) keep the namespaces
    return UserModeNetwork(slirp, exit_fd, tuple(zip(opened, kinds)), messages)


def _start_slirp(program: str, target: int) -> tuple[subprocess.Popen[bytes], int,
                                                      CappedReader]:
    """slirp4netns attached to the namespaces of ``target``, once it says they are ready."""
    exit_read, exit_write = os.pipe()
    ready_read, ready_write = os.pipe()
    command = [program, "--configure", f"--mtu={SLIRP_MTU}", "--disable-host-loopback",
               f"--exit-fd={exit_read}", f"--ready-fd={ready_write}", str(target), TAP_NAME]
    try:
        slirp = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, pass_fds=(exit_read, ready_write),
                                 start_new_session=True)
    except OSError as exc:
        for fd in (exit_read, exit_write, ready_read, ready_write):
            os.close(fd)
        raise NetworkUnavailable(f"slirp4netns could not be started ({exc.strerror or exc}); "
                                 f"{CHECK_SLIRP}") from None
    os.close(exit_read)
    os.close(ready_write)
    assert slirp.stderr is not None
    messages = CappedReader(slirp.stderr, SLIRP_MESSAGE_BYTES, "slirp4netns").start()
    try:
        problem = _wait_ready(ready_read, slirp)
    finally:
        os.close(ready_read)
    if problem:
        os.close(exit_write)
        if slirp.poll() is None:
            slirp.kill()
        slirp.wait()
        messages.finish(SLIRP_STOP_SECONDS)
        said = _first_error(messages.text())
        raise NetworkUnavailable(f"slirp4netns {problem}{f' ({said})' if said else ''}; "
                                 f"{CHECK_SLIRP}")
    return slirp, exit_write, messages


def _wait_ready(ready_fd: int, slirp: subprocess.Popen[bytes]) -> str:
    """"" once slirp4netns wrote "1" to its ready pipe, else what happened instead."""
    ready, _, _ = select.select([ready_fd], [], [], SLIRP_START_SECONDS)
    if not ready:
        return (f"did not configure the network within {SLIRP_START_SECONDS:g} s (the limit "
                "SLIRP_START_SECONDS)")
    if os.read(ready_fd, 1) == b"1":
        return ""
    try:  # the pipe closed without a word: slirp4netns (or its helper) failed
        status = slirp.wait(SLIRP_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        return "failed to configure the network"
    return f"failed to configure the network (exit status {status})"


def _first_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    wanted = [line for line in lines if not line.startswith(("sent tapfd", "received tapfd"))]
    return (wanted or lines or [""])[0][:300]


def sandbox_resolv_conf(host_text: str) -> str | None:
    """What the sandbox's /etc/resolv.conf must say, or None when the host's works as it is.
    Resolvers on the host's loopback are out of the sandbox's reach: the first is replaced by
    slirp4netns's DNS forwarder (which passes port 53 to it), the others are left out."""
    lines = host_text.splitlines()
    out: list[str] = []
    replaced = False
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver" and _loopback(words[1]):
            if not replaced:
                out.append(f"nameserver {SANDBOX_DNS}")
                replaced = True
            continue
        out.append(line)
    if not replaced:
        return None
    return "\n".join(out) + "\n"


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def resolv_override(host_path: str = HOST_RESOLV_CONF) -> tuple[int, str] | None:
    """A descriptor holding the sandbox's resolv.conf and where to mount it (the host's
    /etc/resolv.conf, links followed), or None when the host's works as it is."""
    try:
        with open(host_path, encoding="utf-8", errors="replace") as handle:
            text = sandbox_resolv_conf(handle.read())
    except OSError:
        return None  # no resolver on the host: none inside either
    if text is None:
        return None
    fd = os.memfd_create("resolv.conf", os.MFD_CLOEXEC)
    os.write(fd, text.encode("utf-8"))
    os.lseek(fd, 0, os.SEEK_SET)
    return fd, os.path.realpath(HOST_RESOLV_CONF)
