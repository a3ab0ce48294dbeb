"""``samantha backends``: the remote servers cycles can run on (llama-server, Ollama, vLLM,
LM Studio, llama-cpp-python's server), kept in the data home's backends.json."""

from __future__ import annotations

from dataclasses import asdict

import click

from samantha.cli.common import print_json, workbench
from samantha.core.remote import KINDS, BackendSpec


@click.group()
def backends() -> None:
    """Remote backends: models served by other programs, here or on other computers. Use one
    as MODEL@NAME wherever a model goes (`-m gemma@lab`), @NAME for its only model, or
    MODEL@* for any backend serving MODEL (cycles spread over them with --concurrency)."""


@backends.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--kind", type=click.Choice(["auto", *KINDS]), default="auto", show_default=True,
              help="What the server is; auto asks it.")
@click.option("--api-key-env", metavar="VARIABLE",
              help="The environment variable that holds its key (the key itself is never "
                   "written to a file).")
@click.option("--no-check", is_flag=True, help="Add it without trying it now.")
@click.pass_context
def add(ctx: click.Context, name: str, url: str, kind: str, api_key_env: str | None,
        no_check: bool) -> None:
    """Add (or replace) backend NAME at URL, e.g. `samantha backends add lab
    http://192.168.1.20:8080`, then try it."""
    bench = workbench(ctx)
    spec = BackendSpec(name, url, kind, api_key_env)
    if not no_check:
        info = bench.remotes.check(spec)
        spec = BackendSpec(name, url, info.kind, api_key_env)
    bench.remotes.save(spec)
    click.echo(f"Added backend {name} ({spec.kind}) at {spec.url}.")
    if not no_check:
        click.echo(f"It serves: {', '.join(info.models) or 'no model'}. Use it as "
                   f"-m {(info.models or ('MODEL',))[0]}@{name}.")


@backends.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_backends(ctx: click.Context, as_json: bool) -> None:
    """The backends added, without contacting them."""
    specs = workbench(ctx).remotes.specs()
    if as_json:
        print_json([{"name": n, **s.to_dict()} for n, s in specs.items()])
        return
    if not specs:
        click.echo("No backends yet: `samantha backends add NAME URL`.")
    for name, spec in specs.items():
        key = f", key in ${spec.api_key_env}" if spec.api_key_env else ""
        click.echo(f"{name}  {spec.url}  ({spec.kind}{key})")


@backends.command("check")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def check(ctx: click.Context, name: str, as_json: bool) -> None:
    """Try backend NAME: reachable, its kind, models, context size and what it supports."""
    bench = workbench(ctx)
    specs = bench.remotes.specs()
    if name not in specs:
        bench.remotes.adapter(name)  # the message that lists the known backends
    info = bench.remotes.check(specs[name])
    if as_json:
        print_json({"name": name, **asdict(info)})
        return
    click.echo(f"{name}: {info.kind} at {specs[name].url}, reachable")
    click.echo(f"  models: {', '.join(info.models) or 'none'}")
    if info.n_ctx:
        slots = f", {info.slots} slot(s)" if info.slots else ""
        click.echo(f"  context: {info.n_ctx} tokens per request{slots}")
    click.echo(f"  settings it honours: {', '.join(info.supports)}")
    click.echo(f"  learning mode: {info.learning}")
    for note in info.notes:
        click.echo(f"  {note}")


@backends.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Forget backend NAME (the server itself is left alone)."""
    workbench(ctx).remotes.remove(name)
    click.echo(f"Removed backend {name}.")
