"""``samantha learn``: watch the model choose every token."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from samantha.cli.common import (
    loop_guard_option,
    print_json,
    sampling_options,
    settings_from,
    workbench,
)
from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import parse_ref
from samantha.core.candidates import StageView
from samantha.core.chat import build_messages
from samantha.core.errors import InputError
from samantha.core.generation import Ask
from samantha.core.lens import MODES, AttentionView, LayerLens
from samantha.core.trace import (
    MAX_TOP,
    TokenStep,
    display_piece,
    is_chosen,
    stage_summary,
    unlikely_choices,
    visible,
    vocabulary_size,
)
from samantha.core.whatif import RecentLogits, WhatIf, one_left, parse_what_if

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


def pieces(bench: Workbench, model: str, settings: Any) -> Callable[[int], str]:
    """A token's text by id, from the loaded model (read when first needed)."""
    def piece(token: int) -> str:
        if token < 0:
            return "?"
        return display_piece(bench.session(model, settings.n_ctx).vocab_piece(token))

    return piece


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


def stage_lines(views: Sequence[StageView], chosen: int, piece: Callable[[int], str]) -> list[str]:
    """One line per stage: its survivors, most likely first, ``>`` marking the chosen one."""
    lines = []
    for view in views:
        shown = ", ".join(f"{'>' if i == chosen else ''}'{visible(piece(i))}' {p:.3f}"
                          for i, p in view.survivors)
        lines.append(f"    {view.name:<12} {view.kept:>7}  {shown}")
    return lines


def what_if_lines(step: TokenStep, other: WhatIf, asked: str,
                  piece: Callable[[int], str]) -> list[str]:
    def listed(survivors: Sequence[tuple[int, float]]) -> str:
        return ", ".join(f"'{visible(piece(i))}' {p:.3f}" for i, p in survivors) or "nothing"

    kept = " -> ".join(f"{v.name} {v.kept}" for v in other.views)
    lines = [f"  what if {asked}: {other.chain}",
             f"    kept     {kept}" + (" (of the stored top candidates only)"
                                       if other.partial else ""),
             f"    real     {listed([(s.id, s.p) for s in step.final])}",
             f"    what if  {listed(other.final)}"]
    found = one_left(other)
    if found is not None:
        stage = f"{found.stage} ({found.setting})" if found.setting else found.stage
        more = f"; to keep more, add: {','.join(found.changes)}" if found.changes else ""
        lines.append(f"    one left {stage} keeps only one{more}")
    return lines


def layer_lines(seen: LayerLens, piece: Callable[[int], str]) -> list[str]:
    """What each layer would say: its top tokens, and the chosen one's rank and p there."""
    among = "among the final candidates" if seen.mode == "cheap" else "over the vocabulary"
    lead = "never" if seen.first_lead is None else f"from layer {seen.first_lead}"
    lines = [f"  layer by layer ({among}; > chosen; it leads {lead}):"]
    for view in seen.layers:
        shown = ", ".join(f"{'>' if i == seen.chosen else ''}'{visible(piece(i))}' {p:.3f}"
                          for i, p in view.top[:4])
        lines.append(f"    {view.layer:>3}  rank {view.chosen_rank:>6}  p {view.chosen_p:.3f}"
                     f"  {shown}")
    return lines


def attention_lines(seen: AttentionView, piece: Callable[[int], str]) -> list[str]:
    """Each layer's heads: their three most attended positions, as ``position:'piece' w``."""
    lines = [f"  attention over {seen.positions} positions (layer: each head's top 3):"]
    for layer, heads in enumerate(seen.layers):
        shown = " | ".join(", ".join(f"{i}:'{visible(piece(seen.tokens[i]))}' {w:.2f}"
                                     for i, w in head[:3]) for head in heads)
        lines.append(f"    {layer:>3}  {shown}")
    return lines


def what_if_dict(other: WhatIf, asked: str) -> dict[str, Any]:
    found = one_left(other)
    return {"asked": asked, "chain": other.chain, "partial": other.partial,
            "views": [{"name": v.name, "kept": v.kept, "survivors": [list(s) for s in
                                                                     v.survivors]}
                      for v in other.views],
            "final": [list(s) for s in other.final],
            "one_left": None if found is None else {"stage": found.stage,
                                                    "setting": found.setting,
                                                    "changes": list(found.changes)}}


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
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per token (with the survivors of each stage).")
@click.option("--stages", "show_stages", is_flag=True,
              help="Also show, per token, the survivors of each stage of the chain, with their "
                   "probabilities renormalised over what the stage kept.")
@click.option("--what-if", "asked", metavar="NAME=VALUE,...",
              help="Also show, per token, what the chain would keep with these settings "
                   "changed, from the same scores; the answer itself is generated with the "
                   "real settings. The default settings keep one candidate (tail-free 0, "
                   "typical 0, top-p 0, min-p 1, temperature 0), so switch those off to see "
                   "others, e.g. \"tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1\". "
                   "When one candidate is left, a line says which stage cut the list to one "
                   "and what to add to keep more.")
@click.option("--layers", type=click.Choice(MODES), default=None,
              help="Also show what each layer would say (the logit lens): the residual stream "
                   "after every layer passed through the model's final norm and output, as if "
                   "the model stopped there. cheap: among the final top candidates only; full: "
                   "over the whole vocabulary (the first time, the output matrix is read into "
                   "memory: seconds and hundreds of MB). Local GGUF models (Llama, Gemma 3).")
@click.option("--attention", "show_attention", is_flag=True,
              help="Also show where attention went: for each layer, each head's three most "
                   "attended positions of the context (prompt and answer so far) with their "
                   "weights. A first token that takes most of the weight whatever it is (an "
                   "attention sink) is common. Local GGUF models.")
@loop_guard_option
@sampling_options
@click.pass_context
def learn(ctx: click.Context, prompt: str, model: str, system: str, top: int,
          plot: Path | None, as_json: bool, show_stages: bool, asked: str | None,
          layers: str | None, show_attention: bool, loop_guard: bool,
          **options: Any) -> None:
    """Answer PROMPT and show, for every token, the candidates and what each sampler stage
    kept."""
    settings = settings_from(options)
    bench = workbench(ctx)
    other = parse_what_if(asked, settings) if asked else None
    if other is not None and parse_ref(model) is not None:
        raise InputError("--what-if needs each token's scores, which only a local model gives "
                         "(a remote backend sends its top candidates only).")
    memory = RecentLogits(keep=1) if other is not None else None
    steps: list[TokenStep] = []
    vocabulary = 0
    piece = pieces(bench, model, settings)
    ask = Ask(build_messages(system, "", prompt), settings, model, top, loop_guard, memory,
              layers=layers or ("cheap" if show_attention else ""))
    for event in bench.generate(ask):
        if isinstance(event, TokenEvent):
            step = event.trace
            if step is None:  # a remote backend sent this token without its candidates
                if not as_json:
                    click.echo(f"'{visible(event.text)}': the backend sent no candidates for "
                               "this token\n")
                continue
            steps.append(step)
            vocabulary = vocabulary or vocabulary_size(step)
            remembered = memory.get(step.step) if memory is not None else None
            result = (bench.what_if(model, remembered, other, top)
                      if remembered is not None and other is not None else None)
            if as_json:
                data = step.to_dict()
                if result is not None:
                    data["what_if"] = what_if_dict(result, str(asked))
                print_json(data)
                continue
            lines = [step_table(step, vocabulary)]
            if show_stages:
                lines.append("  stage by stage (p over each stage's survivors; > chosen):")
                lines += stage_lines(step.views, step.token_id, piece)
            if result is not None:
                lines += what_if_lines(step, result, str(asked), piece)
            if step.layers is not None and layers:
                lines += layer_lines(step.layers, piece)
            if step.attention is not None and show_attention:
                lines += attention_lines(step.attention, piece)
            click.echo("\n".join(lines) + "\n")
        elif isinstance(event, GenerationResult) and not as_json:
            click.echo(f"Answer: {event.text}")
            unlikely = unlikely_choices(steps)
            listed = ", ".join(f"'{visible(text)}' {rank}" for text, rank in unlikely) or "none"
            click.echo(f"Chosen although not the most likely: {listed}")
            if event.answered_by is None:  # a backend's own chain is described per token
                click.echo(f"Chain: {bench.chain_order(event.settings)}", err=True)
    if plot and steps:
        from samantha.documents.plots import save_learning_plot

        save_learning_plot(steps, plot)
        click.echo(f"Saved the plots to {plot}", err=True)
