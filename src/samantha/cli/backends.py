"""``samantha backends``: the remote servers cycles can run on (llama-server, Ollama, vLLM,
LM Studio, llama-cpp-python's server), kept in the data home's backends.json."""

from __future__ import annotations

from dataclasses import asdict, replace

import click

from samantha.cli.common import print_json, workbench
from samantha.core.backend_specs import KINDS, BackendSpec, spec_from_entry
from samantha.core.errors import InputError
from samantha.core.remote_limits import LIMIT_KEYS, size
from samantha.core.schema import Refused


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
@click.option("--limit", "limits", multiple=True, metavar="NAME=VALUE",
              help="Change a bound of its answers: " + ", ".join(LIMIT_KEYS) + " (e.g. "
                   "--limit token_gap_seconds=300 for a slow server; repeatable).")
@click.option("--slots", type=click.IntRange(1, 4096), metavar="N",
              help="How many answers it computes at once, when it does not say (llama-server "
                   "says: its --parallel; give it for Ollama's OLLAMA_NUM_PARALLEL, vLLM or a "
                   "load balancer). MODEL@* sends each cycle where there is most room.")
@click.option("--weight", type=click.FloatRange(0.01, 100.0), default=1.0, show_default=True,
              help="Its share of the cycles beside backends of as many slots (2: twice as "
                   "many, for a machine twice as fast).")
@click.option("--no-check", is_flag=True, help="Add it without trying it now.")
@click.pass_context
def add(ctx: click.Context, name: str, url: str, kind: str, api_key_env: str | None,
        limits: tuple[str, ...], slots: int | None, weight: float, no_check: bool) -> None:
    """Add (or replace) backend NAME at URL, e.g. `samantha backends add lab
    http://192.168.1.20:8080`, then try it."""
    bench = workbench(ctx)
    spec = spec_with_limits(BackendSpec(name, url, kind, api_key_env, slots=slots,
                                        weight=weight), limits)
    if not no_check:
        info = bench.remotes.check(spec)
        spec = replace(spec, kind=info.kind)
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
        changed = "".join(f", {k} {shown_limit(k, v)}" for k, v in spec.limits.to_dict().items())
        share = (f", {spec.slots} slots" if spec.slots else "") + \
            (f", weight {spec.weight:g}" if spec.weight != 1.0 else "")
        click.echo(f"{name}  {spec.url}  ({spec.kind}{key}{share}{changed})")


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
    limits = specs[name].limits
    if as_json:
        print_json({"name": name, **asdict(info), "limits": asdict(limits)})
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
    click.echo("  limits: " + ", ".join(f"{k} {shown_limit(k, getattr(limits, k))}"
                                         for k in LIMIT_KEYS))


@backends.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Forget backend NAME (the server itself is left alone)."""
    workbench(ctx).remotes.remove(name)
    click.echo(f"Removed backend {name}.")


def spec_with_limits(spec: BackendSpec, given: tuple[str, ...]) -> BackendSpec:
    """The backend with the limits of ``--limit NAME=VALUE``, checked like a backend entry."""
    entry: dict[str, object] = {**spec.to_dict(), "api_key_env": spec.api_key_env}
    for item in given:
        key, equals, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not equals or number is None:
            raise InputError(f"--limit {item!r}: write NAME=NUMBER, e.g. "
                             "--limit token_gap_seconds=300.")
        entry[key.strip()] = int(number) if number.is_integer() else number
    try:
        return spec_from_entry(spec.name, entry)
    except Refused as exc:
        key = exc.key.partition(".")[2]
        raise InputError(f"--limit {key} {exc.phrase}." if key else exc.sentence()) from None


def shown_limit(key: str, value: float) -> str:
    return size(int(value)) if key.endswith("bytes") else f"{value:g} s"
