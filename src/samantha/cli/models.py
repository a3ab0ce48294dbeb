"""``samantha models``: what the model files are, without loading them."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from samantha.cli.catalogue import get, show_catalogue
from samantha.cli.common import print_json, workbench
from samantha.cli.progress_line import ProgressLine
from samantha.core.trace import display_piece, visible


@click.group()
def models() -> None:
    """Inspect model files."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_models(ctx: click.Context, as_json: bool) -> None:
    """The GGUF models in the model folders, with what their metadata says. The bundled models
    come first, each once, under the short name to give as a model name."""
    bench = workbench(ctx)
    entries = bench.library.list()
    if as_json:
        print_json([asdict(e) for e in entries])
        return
    notes = bench.library.folder_notes()  # a folder gone or unreadable is said, not fatal
    click.echo("Folders: " + ", ".join(f"{f} ({notes[f]})" if f in notes else str(f)
                                       for f in bench.model_folders()))
    waiting = bench.library.not_in_place()
    if waiting:
        click.echo("Bundled, put in place on first use: " + "; ".join(
            f"{m.name} ({m.purpose.rstrip('.')})" for m in waiting) + ".")
    if not entries:
        click.echo("No .gguf files yet. Add a folder with `samantha models add-folder DIR` or "
                   "download with `samantha models download`.")
    for e in entries:
        click.echo(entry_line(e))
        if e.bundled:
            click.echo(f"    bundled: {e.purpose}")


def entry_line(e: Any) -> str:
    """One model: its name (with the file name beside a bundled model's short name), size,
    what its header says, and its folder."""
    template = "chat template" if e.chat_template else "no chat template"
    facts = (f"{e.architecture or '?'}, {e.quantization or '?'}, "
             f"{(e.parameters or 0) / 1e9:.2f}B params, {template}" if not e.error else e.error)
    parts = f", {e.parts} parts" if e.parts > 1 else ""
    file = f"  {e.file}" if e.file and e.file != e.name else ""
    return f"{e.name}{file}  ({e.size / 2**30:.2f} GiB{parts})  {facts}  [{Path(e.path).parent}]"


@models.command("add-folder")
@click.argument("folder", type=click.Path(path_type=Path))
@click.pass_context
def add_folder(ctx: click.Context, folder: Path) -> None:
    """Look for models in FOLDER too (remembered in the data home's settings.json)."""
    added = workbench(ctx).add_model_folder(folder)
    click.echo(f"Added {added}.")


@models.command()
@click.argument("url")
@click.option("--keep", is_flag=True,
              help="Keep the model under its own file name (default: the test slot "
                   "MODEL_FOR_TESTING.gguf, which holds only the last downloaded model).")
@click.pass_context
def download(ctx: click.Context, url: str, keep: bool) -> None:
    """Download a GGUF model from a Hugging Face link or any .gguf URL (resumable, verified)."""
    bench = workbench(ctx)
    with ProgressLine(url) as bar:
        path = bench.library.download(url, mode="keep" if keep else "test", progress=bar.update)
    click.echo(f"Saved {path}")


@models.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def links(ctx: click.Context, source: str, as_json: bool) -> None:
    """Every .gguf download link in SOURCE: pasted text, a file (a saved Hugging Face page, a
    list), or a Hugging Face repository URL (listed through its API)."""
    from samantha.models.download import list_repo_gguf_files
    from samantha.models.links import extract_links

    path = Path(source)
    if path.is_file():
        found = extract_links(path.read_text(encoding="utf-8", errors="replace"))
    elif REPO_URL.match(source.strip()):
        found = list_repo_gguf_files(source.strip())
    else:
        found = extract_links(source)
    if as_json:
        print_json(found)
    else:
        click.echo("\n".join(found) if found else "No .gguf links found.")


@models.command()
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def info(ctx: click.Context, model: str, as_json: bool) -> None:
    """GGUF metadata of MODEL (a path, a file name, or a bundled model: `default`, `smollm2`),
    read without the weights."""
    from samantha.models.bundled import which

    bench = workbench(ctx)
    summary = bench.model_info(model)
    found = which(Path(summary["file"]), bench.models_dir)
    summary = {"bundled": found.name if found else None,
               "purpose": found.purpose if found else None, **summary}
    if as_json:
        print_json(summary)
        return
    if not found:
        summary = {k: v for k, v in summary.items() if k not in ("bundled", "purpose")}
    width = max(len(key) for key in summary)
    for key, value in summary.items():
        if key == "parameters":
            value = f"{value:,} ({value / 1e6:.0f}M)"
        elif key == "file_size":
            value = f"{value:,} bytes ({value / 2**20:.0f} MiB)"
        click.echo(f"{key.replace('_', ' '):<{width}}  {value}")


@models.command()
@click.argument("model")
@click.option("--from", "start", type=int, default=0, show_default=True, help="First id.")
@click.option("--to", "stop", type=int, default=100, show_default=True,
              help="Last id, not included.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def vocab(ctx: click.Context, model: str, start: int, stop: int, as_json: bool) -> None:
    """The vocabulary of MODEL by id range (pieces that are not valid UTF-8 on their own are
    shown as \\xNN escapes)."""
    entries = workbench(ctx).vocabulary(model, start, stop)
    if as_json:
        print_json([{"id": i, "piece": display_piece(raw), "bytes": raw.hex()}
                    for i, raw in entries])
        return
    for i, raw in entries:
        click.echo(f"{i:>8}  '{visible(display_piece(raw))}'")


REPO_URL = re.compile(r"^https?://[^/]+/[^/\s]+/[^/\s]+/?(tree/[^/\s]+/?)?$")


# `models catalogue` and `models get` live in cli/catalogue.py, beside the catalogue's table
models.add_command(show_catalogue)
models.add_command(get)
