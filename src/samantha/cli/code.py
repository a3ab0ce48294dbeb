"""``samantha code``: run Python in the sandbox, pull code out of stored answers, set up an
analysis environment."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from samantha.cli.common import print_json, workbench
from samantha.core.codeblocks import extract_python
from samantha.core.errors import InputError


@click.group()
def code() -> None:
    """Run and extract model-written Python."""


@code.command("run")
@click.argument("file")
@click.option("--timeout", type=click.FloatRange(0.1, 86400), default=60.0, show_default=True,
              help="Seconds before the code is stopped.")
@click.option("--memory", type=click.IntRange(64, 1 << 20), default=2048, show_default=True,
              help="Memory cap in MiB.")
@click.option("--allow-network", is_flag=True,
              help="Let the code reach the network for this run: the internet, never this "
                   "computer's own services on 127.0.0.1 (bubblewrap cuts the network off "
                   "otherwise; without bubblewrap it is never cut off).")
@click.option("--sandbox", "backend", type=click.Choice(["auto", "bubblewrap", "rlimits"]),
              default="auto", show_default=True,
              help="auto: bubblewrap where it works, else resource limits only; bubblewrap: "
                   "refuse to run without it; rlimits: resource limits only (not isolated).")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the result as a self-contained HTML page.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_context
def run_file(ctx: click.Context, file: str, timeout: float, memory: int, allow_network: bool,
             backend: str, html_path: Path | None, as_json: bool) -> None:
    """Run FILE (Python, or Markdown with ```python blocks; - reads standard input) in a fresh
    folder, with a time limit, a memory cap and no access to Samantha's environment; on Linux
    with bubblewrap, confined (no network, nothing of your files but its own folder)."""
    from samantha.execution import CodeLimits, Sandbox

    text = sys.stdin.read() if file == "-" else _read(Path(file))
    source = extract_python(text).code if "```" in text else text
    bench = workbench(ctx)
    result = bench.run_code(
        source, limits=CodeLimits(timeout=timeout, memory_bytes=memory * 2**20),
        allow_network=allow_network, sandbox=None if backend == "auto" else Sandbox(backend))
    if html_path:
        from samantha.documents.code_page import code_result_page

        html_path.write_text(code_result_page(result), encoding="utf-8")
    if as_json:
        print_json({"stdout": result.stdout, "stderr": result.stderr,
                    "exit_status": result.exit_status, "seconds": round(result.seconds, 3),
                    "timed_out": result.timed_out, "limit": result.limit,
                    "succeeded": result.succeeded, "work_dir": str(result.work_dir),
                    "files": [str(f) for f in result.files],
                    "figures": [str(f) for f in result.figures],
                    "isolation": result.isolation, "isolated": result.isolated,
                    "isolation_note": result.isolation_note, "allow_network": allow_network})
    else:
        if result.stdout:
            click.echo(result.stdout, nl=not result.stdout.endswith("\n"))
        if result.stderr:
            click.echo(result.stderr, nl=not result.stderr.endswith("\n"), err=True)
        for note in filter(None, [result.limit]):
            click.echo(note, err=True)
        for figure in result.figures:
            click.echo(f"figure: {figure}", err=True)
        if not result.isolated:
            click.echo(result.isolation_line(), err=True)
        click.echo(f"(exit status {result.exit_status}, {result.seconds:.1f} s, in "
                   f"{result.work_dir})", err=True)
    if not result.succeeded:
        ctx.exit(1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.") from None


@code.command()
@click.argument("run_id", type=int)
@click.option("--cycle", "number", type=int, help="Only this cycle (default: every cycle).")
@click.pass_context
def extract(ctx: click.Context, run_id: int, number: int | None) -> None:
    """Print the Python of a stored run's answers."""
    record = workbench(ctx).store.get_run(run_id)
    cycles = [c for c in record.cycles if number is None or c.number == number]
    if number is not None and not cycles:
        raise InputError(f"Run {run_id} has no cycle {number}; it has {len(record.cycles)}.")
    found = False
    for cycle in cycles:
        extraction = extract_python(cycle.response)
        if extraction.code:
            found = True
            if number is None:
                click.echo(f"# cycle {cycle.number} ({cycle.model})")
            click.echo(extraction.code)
    if not found:
        raise InputError(f"No Python code in {'cycle ' + str(number) if number else 'run'} "
                         f"{run_id if number is None else 'of run ' + str(run_id)}.")


@code.command("setup-env")
@click.option("--path", "target", type=click.Path(path_type=Path),
              help="Where to create it (default: <data home>/analysis-env).")
@click.option("--package", "packages", multiple=True,
              help="Packages to install (default: pandas numpy matplotlib scipy scikit-learn "
                   "jupyterlab). Repeat it for several.")
@click.pass_context
def setup_env(ctx: click.Context, target: Path | None, packages: tuple[str, ...]) -> None:
    """Create a Python environment for data analysis and use it for model-written code (and
    for `samantha tools jupyter`: JupyterLab is one of its packages)."""
    from samantha.execution import DEFAULT_PACKAGES, create_analysis_env

    bench = workbench(ctx)
    target = target or bench.home / "analysis-env"
    python = create_analysis_env(target, packages or DEFAULT_PACKAGES,
                                 progress=lambda line: click.echo(line, err=True))
    prefs = bench.preferences
    prefs.python = str(python)
    prefs.save(bench.home)
    click.echo(f"Model-written code now runs with {python}.")
