"""``samantha models``: what the model files are, without loading them."""

from __future__ import annotations

import click

from samantha.cli.common import print_json, workbench


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
