"""``samantha learn``: watch the model choose every token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from samantha.cli.common import (
    loop_guard_option,
    print_json,
    sampling_options,
    settings_from,
    workbench,
)
from samantha.core.chat import build_messages
from samantha.core.events import GenerationResult, TokenEvent
from samantha.core.trace import (
    MAX_TOP,
    TokenStep,
    is_chosen,
    stage_summary,
    unlikely_choices,
    visible,
    vocabulary_size,
)


def step_table(step: TokenStep, vocabulary: int) -> str:
    lines = [f"token {step.step}: '{visible(step.piece)}' (id {step.token_id}, rank {step.rank}, "
             f"entropy {step.entropy:.2f})",
             f"  {stage_summary(step, vocabulary)}",
             f"  {'':2}{'rank':>4}  {'id':>7}  {'piece':<18} {'logit':>8}  {'p':>7}"]
    for rank, c in enumerate(step.candidates, start=1):
        mark = ">" if is_chosen(step, c) else " "
        piece = f"'{visible(c.piece)}'"
        lines.append(f"  {mark:2}{rank:>4}  {c.id:>7}  {piece:<18.18} {c.logit:>8.2f}  "
                     f"{c.p:>7.4f}")
    return "\n".join(lines)


@click.command()
@click.argument("prompt")
@click.option("--model", "-m", default="default", show_default=True,
              help="A .gguf path, a file name from the model folders, `default`, or "
                   "MODEL@BACKEND for a remote backend.")
@click.option("--system", "-s", default="", help="SYSTEM prompt.")
@click.option("--top", type=click.IntRange(1, MAX_TOP), default=10, show_default=True,
              help="How many candidates to show per token.")
@click.option("--plot", type=click.Path(path_type=Path),
              help="Also save the plots (candidates, unlikely choices, entropy) as a PNG.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per token.")
@loop_guard_option
@sampling_options
@click.pass_context
def learn(ctx: click.Context, prompt: str, model: str, system: str, top: int,
          plot: Path | None, as_json: bool, loop_guard: bool, **options: Any) -> None:
    """Answer PROMPT and show, for every token, the candidates and what each sampler stage
    kept."""
    settings = settings_from(options)
    bench = workbench(ctx)
    steps: list[TokenStep] = []
    vocabulary = 0
    for event in bench.generate(build_messages(system, "", prompt), settings, model=model,
                                trace_top=top, loop_guard=loop_guard):
        if isinstance(event, TokenEvent):
            steps.append(event.trace)
            vocabulary = vocabulary or vocabulary_size(event.trace)
            if as_json:
                print_json(event.trace.to_dict())
            else:
                click.echo(step_table(event.trace, vocabulary) + "\n")
        elif isinstance(event, GenerationResult) and not as_json:
            click.echo(f"Answer: {event.text}")
            unlikely = unlikely_choices(steps)
            listed = ", ".join(f"'{visible(text)}' {rank}" for text, rank in unlikely) or "none"
            click.echo(f"Chosen although not the most likely: {listed}")
            if event.answered_by is None:  # a backend's own chain is described per token
                click.echo(f"Chain: {bench.chain_order(event.settings)}", err=True)
    if plot and steps:
        from samantha.docs.plots import save_learning_plot

        save_learning_plot(steps, plot)
        click.echo(f"Saved the plots to {plot}", err=True)
