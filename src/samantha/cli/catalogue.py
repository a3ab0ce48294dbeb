"""``samantha models catalogue`` and ``samantha models get``: well-known chat models, whether
they fit this computer, and their download by a short name."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from samantha.cli.common import print_json, workbench
from samantha.cli.progress_line import ProgressLine
from samantha.core.errors import InputError
from samantha.models.known import (
    DEFAULT_CONTEXT,
    KnownModel,
    Memory,
    catalogue,
    download_known,
    downloaded_path,
    find,
    fit,
    gigabytes,
    memory_needed,
    this_computer,
)

MEMORY_HELP = ("Compare with this many GB of memory instead of this computer's (e.g. to choose a "
               "model for another computer).")


def memory_to_compare(gb: float | None) -> Memory | None:
    if gb is None:
        return this_computer()
    if gb <= 0:
        raise InputError(f"--memory must be a number of GB above 0, not {gb:g}.")
    return Memory(int(gb * 10**9), "given")


def fit_text(model: KnownModel, memory: Memory | None, n_ctx: int = DEFAULT_CONTEXT) -> str:
    if memory is None:
        return "memory unknown"
    verdict = fit(memory_needed(model, n_ctx).total, memory.bytes)
    if verdict.fits:
        return "fits" if memory.kind == "given" else "fits this computer"
    return f"needs {verdict.short_gb} GB more"


def memory_line(memory: Memory | None) -> str:
    if memory is None:
        return "Memory: unknown (this system does not say); use --memory GB."
    which = {"available": "available now (MemAvailable)", "total": "in all (MemTotal)",
             "given": "as given with --memory"}[memory.kind]
    return f"Memory: {gigabytes(memory.bytes)} {which}; each model's need is at n_ctx " \
           f"{DEFAULT_CONTEXT} (file + KV cache + compute buffer + Samantha)."


def entry_json(model: KnownModel, memory: Memory | None, here: Any) -> dict[str, Any]:
    needs = memory_needed(model)
    verdict = fit(needs.total, memory.bytes) if memory is not None else None
    return {**asdict(model), "url": model.url(), "memory_needed": needs.total,
            "memory_parts": asdict(needs), "fits": None if verdict is None else verdict.fits,
            "short_bytes": None if verdict is None else verdict.short,
            "downloaded": str(here) if here else None}


@click.command("catalogue")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per model).")
@click.option("--memory", "memory_gb", type=float, default=None, metavar="GB", help=MEMORY_HELP)
@click.pass_context
def show_catalogue(ctx: click.Context, as_json: bool, memory_gb: float | None) -> None:
    """Well-known chat models from 0.5 B to 8 B: size, the memory each needs, and whether it
    fits this computer. Get one with `samantha models get NAME`."""
    bench = workbench(ctx)
    memory = memory_to_compare(memory_gb)
    models = catalogue(bench.home)
    if as_json:
        print_json({"memory": None if memory is None else asdict(memory), "n_ctx": DEFAULT_CONTEXT,
                    "models": [entry_json(m, memory, downloaded_path(m, bench.models_dir))
                               for m in models]})
        return
    click.echo(memory_line(memory))
    width = max(len(m.name) for m in models)
    for m in models:
        here = "  [downloaded]" if downloaded_path(m, bench.models_dir) else ""
        click.echo(f"{m.name:<{width}}  {m.parameters:>5} {m.quantization}  "
                   f"file {gigabytes(m.size):>6}  needs {gigabytes(memory_needed(m).total):>6}  "
                   f"{fit_text(m, memory)}{here}")
        click.echo(f"{'':<{width}}  {m.title}; {m.license}; {', '.join(m.languages)}. "
                   f"{m.good_at}")


@click.command("get")
@click.argument("name")
@click.pass_context
def get(ctx: click.Context, name: str) -> None:
    """Download the catalogue model NAME (see `samantha models catalogue`) into Samantha's
    models folder: resumable, and checked against the catalogue's size and sha256."""

    bench = workbench(ctx)
    model = find(catalogue(bench.home), name)
    memory = this_computer()
    if memory is not None and not fit(memory_needed(model).total, memory.bytes).fits:
        click.echo(f"note: {model.name} {fit_text(model, memory)} than this computer has "
                   f"{'available' if memory.kind == 'available' else 'in all'}.", err=True)
    with ProgressLine(model.file) as bar:
        path = download_known(model, bench.models_dir, progress=bar.update)
    click.echo(f"Saved {path}\nUse it with: samantha generate --model {path.name} \"...\"")
