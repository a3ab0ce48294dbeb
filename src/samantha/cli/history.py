"""``samantha history``: the runs stored in the data home."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from samantha.cli.branch import branch
from samantha.cli.common import (
    PRESETS,
    given_sampling,
    print_json,
    sampling_flags,
    workbench,
    write_file,
    write_or_print,
)
from samantha.cli.judge import leaderboard
from samantha.cli.learn import attention_lines, layer_lines, step_table
from samantha.cli.run import execute, show_run
from samantha.core.errors import InputError
from samantha.core.trace import TokenStep, vocabulary_size
from samantha.documents.compare import compare as comparison
from samantha.documents.compare import grid_html, grid_json, grid_markdown
from samantha.documents.export import EXPORTERS, run_to_markdown
from samantha.documents.formats import FORMATS, export_run
from samantha.workbench.judging import run_results


@click.group()
def history() -> None:
    """Browse, export, re-run and resume past runs."""


@history.command("list")
@click.option("--search", "-q", help="Only runs whose prompts, models or responses contain this.")
@click.option("--limit", default=50, show_default=True, help="At most this many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_runs(ctx: click.Context, search: str | None, limit: int, as_json: bool) -> None:
    """The latest runs, newest first."""
    runs = workbench(ctx).store.list_runs(search=search, limit=limit)
    if as_json:
        print_json([{"id": r.id, "started_at": r.started_at, "status": r.status,
                     "models": r.config.get("models", []), "title": r.title,
                     "parent": r.parent} for r in runs])
        return
    if not runs:
        click.echo("No runs yet. Start one with `samantha run`.")
    for r in runs:
        models = ", ".join(r.config.get("models", []))
        branch = (f" (branch of run {r.parent['run']} at token {r.parent['step']})"
                  if r.parent else "")
        click.echo(f"{r.id:>5}  {r.started_at[:19].replace('T', ' ')}  {r.status:<11}  "
                   f"{models[:30]:<30}  {r.title}{branch}")


@history.command()
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@click.pass_context
def show(ctx: click.Context, run_id: int, as_json: bool) -> None:
    """A run with its cycles, settings and responses."""
    store = workbench(ctx).store
    record = store.get_run(run_id)
    click.echo(EXPORTERS["json"](record) if as_json else run_to_markdown(record))
    branches = store.branches(run_id)
    if branches and not as_json:
        click.echo("Branches: " + ", ".join(
            f"run {b.id} (cycle {b.parent['cycle']}, token {b.parent['step']})"
            for b in branches if b.parent))


@history.command()
@click.argument("run_id", type=int)
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)),
              default="md", show_default=True,
              help="md (Markdown), html (a self-contained page), json, ipynb (a Jupyter "
                   "notebook: prompts as Markdown, code as code cells) or toml (a chain file: "
                   "`samantha run FILE.toml` repeats the run).")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write to this file instead of the terminal.")
@click.pass_context
def export(ctx: click.Context, run_id: int, fmt: str, output: Path | None) -> None:
    """Export a run as Markdown, HTML, JSON or a notebook."""
    store = workbench(ctx).store
    record = store.get_run(run_id)
    write_or_print(export_run(record, fmt, run_results(store, run_id)), output)


@history.command()
@click.argument("run_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md",
              show_default=True, help="md (a table), html (a page with the whole answers) or "
                                      "json.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write to this file instead of the terminal.")
@click.pass_context
def compare(ctx: click.Context, run_id: int, fmt: str, output: Path | None) -> None:
    """The models of a run side by side: a row per prompt, a column per model, each answer
    with its tokens per second, and each model's speed over the run."""
    grid = comparison(workbench(ctx).store.get_run(run_id))
    text = (grid_markdown(grid) if fmt == "md" else grid_html(grid) if fmt == "html"
            else json.dumps(grid_json(grid), indent=2, ensure_ascii=False))
    write_or_print(text, output)


@history.command()
@click.argument("run_id", type=int)
@click.option("--model", "-m", "models", multiple=True,
              help="Run these models instead of the stored ones (repeat for several, in order).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per event.")
@sampling_flags
@click.option("--preset", type=click.Choice(sorted(PRESETS)), default=None,
              help="Start from this preset instead of the run's stored settings (the sampling "
                   "flags above override it).")
@click.pass_context
def rerun(ctx: click.Context, run_id: int, models: tuple[str, ...], as_json: bool,
          **options: Any) -> None:
    """Run a stored chain again, with the same models, prompts, settings and seed, or with the
    settings (`--seed` seeds the run) and models given here."""
    bench = workbench(ctx)
    preset = options.pop("preset")
    changes = {} if preset is None else PRESETS[preset].to_dict()
    changes.pop("seed", None)  # a preset does not choose the run's seed
    changes.update(given_sampling(options))
    config = bench.rerun_config(run_id, changes, list(models) if models else None)
    execute(ctx, bench, config, as_json)


@history.command()
@click.argument("run_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per event.")
@click.pass_context
def resume(ctx: click.Context, run_id: int, as_json: bool) -> None:
    """Continue an interrupted run (its process was killed, or Ctrl+C) in the same run, from
    its first unfinished cycle; it ends as it would have without the interruption."""
    bench = workbench(ctx)
    chain = bench.resume_run(run_id)
    earlier = bench.store.get_run(run_id).cycles
    first = chain.first_new_cycle()
    done = chain.cycles_done
    already = f"{done} cycle{'s' if done != 1 else ''} already done"
    where = (f"at cycle {first.number} of {chain.cycles_planned}" if first
             else "with every cycle already done")
    click.echo(f"Resuming run {run_id} {where} ({already}).", err=True)
    show_run(ctx, chain, as_json, earlier)


@history.command()
@click.argument("run_id", type=int)
@click.option("--cycle", "number", type=int, default=1, show_default=True,
              help="Which cycle of the run.")
@click.option("--plot", type=click.Path(path_type=Path), help="Save the plots as a PNG.")
@click.option("--html", "page", type=click.Path(path_type=Path),
              help="Also write a self-contained page (no network): the answer coloured token "
                   "by token, each token's candidates and stages, and the plots.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@click.pass_context
def trace(ctx: click.Context, run_id: int, number: int, plot: Path | None, page: Path | None,
          as_json: bool) -> None:
    """Replay the learning-mode trace of a cycle (runs made with `samantha run --learn`)."""
    store = workbench(ctx).store
    record = store.get_run(run_id)
    cycle = next((c for c in record.cycles if c.number == number), None)
    if cycle is None:
        raise InputError(f"Run {run_id} has no cycle {number}; it has {len(record.cycles)}.")
    steps = [TokenStep.from_dict(data) for data in store.get_trace(cycle.id)]
    if not steps:
        raise InputError(f"Cycle {number} of run {run_id} has no trace: run the chain with "
                         "--learn to record one.")
    vocabulary = vocabulary_size(steps[0])
    for step in steps:
        if as_json:
            click.echo(json.dumps(step.to_dict(), ensure_ascii=False))
            continue
        lines = [step_table(step, vocabulary)]
        if step.layers is not None:
            lines += layer_lines(step.layers, step.piece_of)
        if step.attention is not None:
            lines += attention_lines(step.attention, step.piece_of)
        click.echo("\n".join(lines) + "\n")
    if plot:
        from samantha.documents.plots import save_learning_plot

        save_learning_plot(steps, plot)
        click.echo(f"Saved the plots to {plot}", err=True)
    if page:
        from samantha.documents.trace_html import WORDS, trace_page

        words = WORDS["en"]
        title = f"Samantha run {run_id}, cycle {number}: {record.title}"
        write_file(page, trace_page(steps, title, words["answer"], words))
        click.echo(f"Saved the page to {page}", err=True)


history.add_command(branch)
history.add_command(leaderboard)
