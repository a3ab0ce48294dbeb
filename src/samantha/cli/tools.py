"""``samantha tools``: JupyterLab, Datasette and D-Tale on 127.0.0.1 until Ctrl+C (each opened
through a one-time link), PyInstaller, and ``stop`` for the tools a Samantha that died left."""

from __future__ import annotations

import signal
import webbrowser
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from samantha.cli.common import workbench

if TYPE_CHECKING:
    from samantha.tools import RunningTool, Toolbox

NO_BROWSER_HELP = "Print the address only; do not open it in the browser."
PORT_HELP = "Port on 127.0.0.1 (default: a free one)."


@click.group()
def tools() -> None:
    """Hand work over to JupyterLab, Datasette, D-Tale and PyInstaller. Each tool runs on
    127.0.0.1 until Ctrl+C, and is stopped with everything it started. They come with the
    optional extra tools: pip install 'samantha[tools]'."""


def _serve_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--port", type=click.IntRange(1, 65535), default=None,
                           help=PORT_HELP)(command)
    return click.option("--no-browser", is_flag=True, help=NO_BROWSER_HELP)(command)


@tools.command()
@click.argument("run_id", metavar="[RUN]", type=int, required=False)
@_serve_options
@click.pass_context
def jupyter(ctx: click.Context, run_id: int | None, no_browser: bool, port: int | None) -> None:
    """JupyterLab on run RUN as a notebook (its prompts as Markdown, its code as code cells,
    in <data home>/notebooks), or on the notebooks folder. It runs in the analysis environment
    when that has JupyterLab (samantha code setup-env), else in Samantha's Python."""
    from samantha.workbench.handoffs import start_jupyter

    bench = workbench(ctx)
    _serve(ctx, lambda box: start_jupyter(bench, box, run_id, port), no_browser)


@tools.command()
@_serve_options
@click.pass_context
def datasette(ctx: click.Context, no_browser: bool, port: int | None) -> None:
    """Datasette on the run history, read-only: browse, filter and query runs, cycles and code
    runs with SQL (only SELECT runs)."""
    from samantha.workbench.handoffs import start_datasette

    bench = workbench(ctx)
    _serve(ctx, lambda box: start_datasette(bench, box, port), no_browser)


@tools.command()
@click.argument("file", type=click.Path(path_type=Path))
@_serve_options
@click.pass_context
def dtale(ctx: click.Context, file: Path, no_browser: bool, port: int | None) -> None:
    """D-Tale on the CSV file FILE: sort, filter, describe and chart its columns."""
    from samantha.workbench.handoffs import start_dtale

    bench = workbench(ctx)
    _serve(ctx, lambda box: start_dtale(bench, box, file, port), no_browser)


@tools.command()
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop the tools that a Samantha on this data home left running when it ended (killed, or
    crashed): each tool is written in <data home>/tools/running while it runs. Tools of a
    Samantha that still runs are left alone (stop them there)."""
    stopped, kept = workbench(ctx).toolbox.stop_orphans()
    for entry in stopped:
        click.echo(f"Stopped {entry.describe()}, left running by Samantha process "
                   f"{entry.owner}, which ended.")
    for entry in kept:
        click.echo(f"Left alone: {entry.describe()}, of Samantha process {entry.owner}, which "
                   "still runs: stop it there.")
    if not stopped and not kept:
        click.echo("No tool of this data home was running.")


@tools.command()
@click.argument("run_or_file")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the executable (default: <data home>/executables).")
@click.pass_context
def package(ctx: click.Context, run_or_file: str, out_dir: Path | None) -> None:
    """Pack RUN_OR_FILE into one executable with PyInstaller: a run id (the code of the run's
    last code run) or a .py file. Prints PyInstaller's output, then the executable's path."""
    from samantha.workbench.handoffs import package as package_code

    bench = workbench(ctx)
    executable = package_code(bench, run_or_file, out_dir,
                              progress=lambda line: click.echo(line, err=True))
    click.echo(f"Executable: {executable}")


class _Stopped(BaseException):
    """Ctrl+C or SIGTERM: stop the tool and leave."""


def _stop_signal(signum: int, frame: FrameType | None) -> None:
    for each in (signal.SIGINT, signal.SIGTERM):  # once is enough: let the stopping finish
        signal.signal(each, signal.SIG_IGN)
    raise _Stopped(signum)


def _serve(ctx: click.Context, start: Callable[[Toolbox], RunningTool],
           no_browser: bool) -> None:
    """Start a tool, say where it is, open it, and wait in the foreground until Ctrl+C,
    SIGTERM or its own end; then stop it and what it started."""
    toolbox = workbench(ctx).toolbox
    previous = {each: signal.signal(each, _stop_signal)
                for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        tool = start(toolbox)
        link = toolbox.link(tool.id)
        click.echo(f"{tool.name} is running on {tool.url} (Ctrl+C to stop)")
        click.echo(f"Open it with {link.url}", nl=False)
        click.echo(" (this link lets one browser in, once)" if link.ticket else "")
        click.echo(f"log: {tool.log}", err=True)
        if not no_browser and not webbrowser.open(link.url):
            click.echo("No browser was found here: open the link yourself.", err=True)
        status = toolbox.wait(tool.id)
        click.echo(f"{tool.name} ended by itself (exit status {status}); its log: {tool.log}",
                   err=True)
        ctx.exit(1)
    except _Stopped:
        click.echo("Stopping…", err=True)
    finally:
        toolbox.stop_all()
        for each, handler in previous.items():
            signal.signal(each, handler)
