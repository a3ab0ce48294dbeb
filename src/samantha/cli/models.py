"""``samantha models``: what the model files are, without loading them."""

from __future__ import annotations

import click

from samantha.cli.common import print_json, workbench
from samantha.core.trace import display_piece, printable


@click.group()
def models() -> None:
    """Inspect model files."""


@models.command()
@click.argument("model")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def info(ctx: click.Context, model: str, as_json: bool) -> None:
    """GGUF metadata of MODEL (a path, a file name or `default`), read without the weights."""
    summary = workbench(ctx).model_info(model)
    if as_json:
        print_json(summary)
        return
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
        click.echo(f"{i:>8}  '{printable(display_piece(raw))}'")
