"""``samantha batch``: OpenAI batch files. ``samantha run … --export-batch FILE`` writes a
run's cycles as an input file; ``batch import`` records a batch runner's output file as that
run's answers; ``batch run`` answers an input file with Samantha's own backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from samantha.cli.common import print_json, workbench
from samantha.core.batchfile import (
    FILE_BYTES,
    LINE_BYTES,
    BatchFileError,
    read_answers,
    read_requests,
)
from samantha.core.chain import MAX_CONCURRENCY, ChainConfig

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


@click.group()
def batch() -> None:
    """OpenAI batch files (JSON Lines of requests, then of answers, matched by custom_id): hand
    a run to vLLM's run-batch or OpenAI's Batch API (write it with `samantha run …
    --export-batch FILE`) and bring the answers back to the history, or answer such a file
    with Samantha's backends."""


def exported(bench: Workbench, config: ChainConfig, path: Path, as_json: bool) -> None:
    """``samantha run … --export-batch FILE``."""
    from samantha.workbench.batches import export_batch

    done = export_batch(bench, config, path)
    if as_json:
        print_json({"event": "batch_exported", "run_id": done.run_id, "file": str(path),
                    "requests": done.requests, "not_sent": list(done.not_sent)})
        return
    click.echo(f"Run {done.run_id}: {done.requests} requests written to {path}.")
    if done.not_sent:
        click.echo(f"Not in the file (a batch runner is not told them): "
                   f"{', '.join(done.not_sent)}.", err=True)
    click.echo(f"Answer it (`vllm run-batch -i {path.name} -o answers.jsonl --model …`, "
               f"OpenAI's Batch API, or `samantha batch run {path.name} -m MODEL@* -o "
               f"answers.jsonl`), then `samantha batch import answers.jsonl`.", err=True)


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise BatchFileError(f"No batch file {path}: give the path of a .jsonl file.")
    if path.stat().st_size > FILE_BYTES:
        raise BatchFileError(f"{path.name} is larger than {FILE_BYTES // 2**30} GiB: split "
                             "it into several batch files.")
    with open(path, encoding="utf-8", errors="replace") as file:
        return [line for line in iter(lambda: file.readline(LINE_BYTES + 1), "")]


@batch.command("import")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def import_(ctx: click.Context, output: Path, as_json: bool) -> None:
    """Record OUTPUT (a batch runner's answers to a file of `samantha run --export-batch`) as
    the cycles of that run; it is finished once every cycle has its answer."""
    from samantha.workbench.batches import import_batch

    done = import_batch(workbench(ctx), read_answers(_lines(output), f"The batch output "
                                                                    f"{output.name}"))
    if as_json:
        print_json({"event": "batch_imported", **done.__dict__})
        return
    click.echo(f"Run {done.run_id}: {done.done} answers recorded, {done.failed} failed"
               + (f", {done.already} already there" if done.already else "")
               + (f"; {done.missing} cycles still without an answer (`samantha history "
                  f"resume {done.run_id}` runs them)" if done.missing else "; finished")
               + ".")


@batch.command("run")
@click.argument("input_file", metavar="INPUT",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where the answers go (one JSON line each, as OpenAI's batch output).")
@click.option("--model", "-m", help="Answer every request with this model (MODEL@BACKEND, "
                                    "MODEL@*, or a local model); default: each request's own.")
@click.option("--concurrency", type=click.IntRange(1, MAX_CONCURRENCY), default=1,
              show_default=True, help="Requests in progress at once over remote backends.")
@click.option("--retry-on-other", is_flag=True,
              help="A request whose backend fails starts again on another serving its model.")
@click.pass_context
def run_file(ctx: click.Context, input_file: Path, output: Path, model: str | None,
             concurrency: int, retry_on_other: bool) -> None:
    """Answer the requests of INPUT (an OpenAI batch input file) with Samantha's backends."""
    from samantha.workbench.batches import run_batch

    requests = read_requests(_lines(input_file), f"The batch input {input_file.name}")
    failed = 0
    with open(output, "w", encoding="utf-8") as out:
        for count, line in enumerate(run_batch(workbench(ctx), requests, model, concurrency,
                                               retry_on_other), 1):
            out.write(line + "\n")
            failed += json.loads(line)["error"] is not None
            if count % 100 == 0 or count == len(requests):
                click.echo(f"{count}/{len(requests)} answered", err=True)
    click.echo(f"{len(requests)} answers written to {output}"
               + (f" ({failed} failed)." if failed else "."))
    if failed:
        ctx.exit(1)
