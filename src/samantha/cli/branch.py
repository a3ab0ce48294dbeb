"""``samantha history branch``: go on from another candidate of a stored learning-mode answer."""

from __future__ import annotations

from typing import Any

import click

from samantha.cli.common import given_sampling, print_json, sampling_flags, workbench
from samantha.core.answer_events import TokenEvent
from samantha.core.run_events import CycleFinished
from samantha.core.trace import display_piece, visible


@click.command()
@click.argument("run_id", type=int)
@click.option("--cycle", "number", type=int, default=1, show_default=True,
              help="Which cycle of the run (it must have a learning-mode trace).")
@click.option("--step", type=click.IntRange(1), required=True,
              help="Which token of the answer to replace (1 = the first).")
@click.option("--token", type=click.IntRange(0), required=True,
              help="The token id to take there instead (see `samantha history trace`).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
@sampling_flags
@click.pass_context
def branch(ctx: click.Context, run_id: int, number: int, step: int, token: int, as_json: bool,
           **options: Any) -> None:
    """Answer again from a candidate: the same prompt, the tokens before STEP, TOKEN instead
    of the one chosen, then the cycle's settings (or those given; --max-tokens counts the
    tokens after TOKEN). Stored as a run linked to its parent."""
    from samantha.workbench.branches import BranchPoint, BranchStarted, run_branch

    bench = workbench(ctx)
    changes = given_sampling(options)
    max_tokens = changes.pop("max_tokens", None)
    point = BranchPoint(run_id, number, step, token)
    branch_id, result = None, None
    for event in run_branch(bench, point, changes, max_tokens):
        if isinstance(event, BranchStarted):
            branch_id = event.run_id
        elif isinstance(event, TokenEvent) and not as_json:
            click.echo(event.text, nl=False)
        elif isinstance(event, CycleFinished):
            result = event.result
    assert result is not None and branch_id is not None
    parent = next(c for c in bench.store.get_run(run_id).cycles if c.number == number)
    piece = display_piece(bench.session(parent.model, result.settings.n_ctx).vocab_piece(token))
    if as_json:
        print_json({"run": branch_id, "parent": point.to_dict(), "text": result.text,
                    "tokens": result.tokens, "finish_reason": result.finish_reason,
                    "error": result.error, "original": parent.response})
        return
    click.echo()
    click.echo(f"---------- branch of run {run_id}, cycle {number}, at token {step}: "
               f"'{visible(piece)}' (id {token}); stored as run {branch_id}", err=True)
    click.echo(f"Original: {parent.response}")
    click.echo(f"Branch:   {result.text}")
    if result.error:
        click.echo(f"error: generation failed: {result.error}. The text above was kept.",
                   err=True)
        ctx.exit(1)
