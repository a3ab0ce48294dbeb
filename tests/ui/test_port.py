"""`samantha ui` starts again at once on the port it just left, and a port really taken is
explained with the port asked and a free one near it."""

from __future__ import annotations

import http.client
import re
import socket
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.cli.ui import free_port_near, port_is_free

from .conftest import Server, free_port

pytestmark = pytest.mark.e2e


def test_the_ui_starts_again_at_once_on_the_same_port(session_home: Path) -> None:
    server = Server(session_home)
    port = server.port
    browser = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # a kept-alive connection: the server will close it
    browser.request("GET", "/", headers=server.auth)
    browser.getresponse().read()
    server.stop()
    browser.close()
    with socket.socket() as plain, pytest.raises(OSError):  # the port's connections still close
        plain.bind(("127.0.0.1", port))
    again = Server(session_home, port=port)
    try:
        request = urllib.request.Request(again.url, headers=again.auth)
        assert urllib.request.urlopen(request, timeout=10).status == 200
    finally:
        again.stop()


def test_a_port_in_use_names_itself_and_a_free_one_near_it(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        assert not port_is_free("127.0.0.1", port)
        near = free_port_near("127.0.0.1", port)
        assert near is not None and port < near <= port + 50 and port_is_free("127.0.0.1", near)
        result = CliRunner().invoke(cli, ["ui", "--port", str(port), "--no-browser"],
                                    env={"SAMANTHA_HOME": str(tmp_path)})
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert f"Port {port} on 127.0.0.1 is taken" in message
    suggested = int(re.search(r"--port (\d+)", message).group(1))
    assert suggested != port and port < suggested <= port + 50
