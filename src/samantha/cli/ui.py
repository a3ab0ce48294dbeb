"""``samantha ui`` (and ``samantha`` alone): the web UI on http://127.0.0.1:7860."""

from __future__ import annotations

import ipaddress
import os
import socket

import click

from samantha.cli.common import workbench
from samantha.core.errors import InputError
from samantha.ui.serving.login import MIN_PASSWORD


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def port_is_free(host: str, port: int) -> bool:
    """Can a server listen on ``host:port``? Like the server itself (uvicorn), the probe may
    reuse a port whose last connections are still closing (TIME_WAIT), so a UI that was just
    stopped can start again at once on the same port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        if os.name == "posix":  # on Windows this option would let two servers share a port
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port_near(host: str, port: int, tries: int = 50) -> int | None:
    """The first free port after ``port`` (None when the next ``tries`` are all taken)."""
    return next((p for p in range(port + 1, min(port + 1 + tries, 65536))
                 if port_is_free(host, p)), None)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs a password.")
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--password", envvar="SAMANTHA_PASSWORD",
              help="Password for the user `samantha` (or the SAMANTHA_PASSWORD variable).")
@click.option("--lang", type=click.Choice(["en", "pt"]),
              help="Interface language (default: from the system locale).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser tab.")
@click.option("--allow-host", "allowed", multiple=True, metavar="NAME",
              help="Another name this server answers to (a reverse proxy's, or this "
                   "computer's DNS name); repeatable. Requests naming any other host are refused.")
@click.option("--model", "-m", metavar="MODEL",
              help="The model the page opens with (default: SmolLM2 on the English page, Gemma "
                   "on the Portuguese one). A bundled model, a file, a name from `samantha "
                   "models list`, or MODEL@BACKEND.")
@click.pass_context
def ui(ctx: click.Context, host: str, port: int, password: str | None, lang: str | None,
       no_browser: bool, allowed: tuple[str, ...], model: str | None) -> None:
    """Start the web UI (works offline), opening on a first prompt its model answers well.

    It answers only its own page: open the address it prints (it carries this server's key)."""
    if not is_loopback(host) and not password:
        raise InputError(f"Listening on {host} lets other computers in: give --password (or "
                         "set SAMANTHA_PASSWORD) to require a login, or keep the default "
                         "--host 127.0.0.1.")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"The password has {len(password)} characters: use {MIN_PASSWORD} or "
                         "more (a short password is guessed quickly).")
    if not port_is_free(host, port):
        near = free_port_near(host, port)
        other = f"start this one with --port {near}" if near else "choose another --port"
        raise InputError(f"Port {port} on {host} is taken (another Samantha, or another "
                         f"program). Stop it, or {other}.")
    bench = workbench(ctx)
    if model and "@" not in model:
        bench.resolve_model(model)  # a model that is not there: one line now, not at Start
    from samantha.ui.app import launch
    from samantha.ui.words.table import guess_language

    launch(bench, lang or guess_language(os.environ), host, port, password, not no_browser,
           allowed, model)
