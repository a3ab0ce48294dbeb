"""``samantha generate``: one prompt, one answer, streamed."""

from __future__ import annotations

from typing import Any

import click

from samantha.cli.common import (
    loop_guard_option,
    print_json,
    read_text_argument,
    sampling_options,
    settings_from,
    workbench,
)
from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.promptscript import checked_text
from samantha.core.transcript import ENDINGS


@click.command()
@click.argument("prompt")
@click.option("--model", "-m", default="default", show_default=True,
              help="A .gguf path, a file name from the model folders, `default` (Gemma 3 270M, "
                   "a base model that continues text) or `smollm2` (a small chat model).")
@click.option("--system", "-s", default="", help="SYSTEM prompt: how the model should behave.")
@click.option("--previous", "-p", default="",
              help="ASSISTANT previous response: shown to the model as its own earlier answer.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of streaming.")
@loop_guard_option
@sampling_options
@click.pass_context
def generate(ctx: click.Context, prompt: str, model: str, system: str, previous: str,
             as_json: bool, loop_guard: bool, **options: Any) -> None:
    """Answer PROMPT (use - to read it from standard input) with one model."""
    settings = settings_from(options)
    bench = workbench(ctx)
    messages = build_messages(checked_text(system, "SYSTEM prompt"),
                              checked_text(previous, "previous response"),
                              checked_text(read_text_argument(prompt), "Prompt"))
    result = None
    for event in bench.generate(Ask(messages, settings, model, loop_guard=loop_guard)):
        if isinstance(event, TokenEvent) and not as_json:
            click.echo(event.text, nl=False)
        elif isinstance(event, GenerationResult):
            result = event
    assert result is not None
    if as_json:
        print_json({
            "model": model,
            "text": result.text,
            "tokens": result.tokens,
            "prompt_tokens": result.prompt_tokens,
            "seconds": round(result.seconds, 3),
            "tokens_per_second": round(result.tokens_per_second, 2),
            "finish_reason": result.finish_reason,
            "error": result.error,
            "settings": result.settings.to_dict(),
            "chain": bench.chain_order(result.settings),
        })
    else:
        click.echo()
        click.echo(
            f"---------- ({result.tokens} tokens, {result.seconds:.1f} s, "
            f"{result.tokens_per_second:.1f} tokens/s, "
            f"{ENDINGS.get(result.finish_reason, result.finish_reason)}, "
            f"seed {result.settings.seed})",
            err=True,
        )
    if result.error:
        click.echo(f"error: generation failed: {result.error}. The text above was kept.", err=True)
        ctx.exit(1)
