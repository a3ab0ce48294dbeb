"""``samantha judge``: judge models score a stored run's answers against a rubric (or compare
them two by two); ``samantha history leaderboard``: what the judges, the checks and the votes
say of one run or of several side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import click

from samantha.cli.common import print_json, workbench, write_or_print
from samantha.core.chain import MAX_CONCURRENCY
from samantha.core.settings import SEED_MAX
from samantha.documents.leaderboard import BOARD_FORMATS, board_dict, export_board
from samantha.workbench.judging import JUDGE_TOKENS, JudgeRequest, judge_run, run_leaderboard
from samantha.workbench.rubrics import judge_rubric, load_rubric

RUBRIC_HELP = ("seed (the predecessor's nine criteria, English), seed-pt (Portuguese), a .toml "
               "rubric file, or the name of a rubric kept in the data home's rubrics folder.")


@click.command()
@click.argument("run_id", type=int)
@click.option("--judge", "-j", "judges", multiple=True, required=True,
              help="The judge model: a file, `default`, `smollm2` or MODEL@BACKEND. Repeat for "
                   "a panel (every judge scores every answer).")
@click.option("--rubric", default="seed", show_default=True, help=RUBRIC_HELP)
@click.option("--pairwise", is_flag=True,
              help="Compare the answers of different models to the same prompt, two by two, "
                   "each pair in both orders (the position bias is reported), instead of "
                   "scoring each answer.")
@click.option("--seed", type=click.IntRange(0, SEED_MAX), default=0, show_default=True,
              help="The judges' seed: judging again gives the same judgements.")
@click.option("--max-tokens", type=click.IntRange(16, 8192), default=JUDGE_TOKENS,
              show_default=True, help="Tokens a judgement may take; one cut off is recorded "
                                      "as unread.")
@click.option("--concurrency", type=click.IntRange(1, MAX_CONCURRENCY), default=1,
              show_default=True, help="Judgements in progress at once (remote judges).")
@click.option("--again", is_flag=True,
              help="Judge again the answers this judge has judged before (replacing its "
                   "scores); by default they are skipped, so a stopped judging resumes.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per judgement, then the leaderboard.")
@click.pass_context
def judge(ctx: click.Context, run_id: int, judges: tuple[str, ...], rubric: str,
          pairwise: bool, seed: int, max_tokens: int, concurrency: int, again: bool,
          as_json: bool) -> None:
    """Judge a stored run: each answer scored on every criterion of a rubric by the judge
    models (held to a JSON schema, so even a small model answers in form), then the
    leaderboard. Judgements that cannot be read are recorded as such, never guessed; they do
    not make the command fail."""
    bench = workbench(ctx)
    request = JudgeRequest(run_id, tuple(dict.fromkeys(judges)), load_rubric(bench.home, rubric),
                           pairwise, seed, max_tokens, again, concurrency)
    show_judging(bench, request, as_json, f"Leaderboard of run {run_id}")


def show_judging(bench: Any, request: JudgeRequest, as_json: bool, title: str) -> None:
    """Judge, printing each judgement as it is stored, then the leaderboard."""
    run_id = request.run_id
    unread = 0
    for judged in judge_run(bench, request):
        unread += judged.problem is not None
        if as_json:
            print_json({"event": "judged", "done": judged.done, "total": judged.total,
                        "judge": judged.judge, "cycles": list(judged.cycles),
                        "problem": judged.problem, "summary": judged.summary,
                        "seconds": round(judged.seconds, 3)})
        else:
            said = judged.problem and f"unread: {judged.problem}" or judged.summary
            click.echo(f"[{judged.done}/{judged.total}] {judged.judge} on cycle "
                       f"{' vs '.join(map(str, judged.cycles))}: {said}", err=True)
    board = run_leaderboard(bench.store, [run_id])
    if as_json:
        print_json({"event": "leaderboard", **board_dict(board)})
        return
    if unread:
        click.echo(f"{unread} judgement{'s' if unread != 1 else ''} could not be read "
                   "(recorded as unread, not scored).", err=True)
    click.echo("\n" + export_board(board, "md", title).rstrip("\n"))


@click.command()
@click.argument("run_ids", type=int, nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(BOARD_FORMATS), default="md",
              show_default=True, help="md (a table), html (a page with the chart), json, csv "
                                      "or ipynb (a notebook that draws the chart).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (same as --format json).")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write to this file instead of the terminal.")
@click.option("--level", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="The intervals' confidence level.")
@click.pass_context
def leaderboard(ctx: click.Context, run_ids: tuple[int, ...], fmt: str, as_json: bool,
                output: Path | None, level: float) -> None:
    """One run's models ranked (give several runs to compare them: the same model under two
    quantisations or two settings stays two rows): the judges' mean scores per criterion with
    bootstrap intervals, the checks passed, tokens per second, and ratings from the votes."""
    ids = list(dict.fromkeys(run_ids))
    board = run_leaderboard(workbench(ctx).store, ids, level)
    title = "Leaderboard of run " + ", ".join(map(str, ids))
    if as_json:
        fmt = "json"
    text = export_board(board, fmt, title)
    write_or_print(text.rstrip("\n") if fmt != "json" else json.dumps(
        board_dict(board), ensure_ascii=False, indent=2), output)


def judge_after_run(ctx: click.Context, run_id: int, spec: Mapping[str, Any],
                    as_json: bool) -> None:
    """A chain file's ``[judge]``: its judges score the run's answers once they are done, then
    the leaderboard is printed (as ``samantha judge`` would)."""
    bench = workbench(ctx)
    request = JudgeRequest(run_id, tuple(spec["models"]),
                           judge_rubric(bench.home, spec["rubric"]), bool(spec["pairwise"]))
    show_judging(bench, request, as_json, "Leaderboard")
