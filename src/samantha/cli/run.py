"""``samantha run``: a chain of prompts and models, with no human in the loop."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import click

from samantha.cli.common import (
    LOOP_GUARD_HELP,
    PRESETS,
    given_sampling,
    print_json,
    sampling_options,
    workbench,
)
from samantha.cli.judge import judge_after_run
from samantha.cli.render import TerminalView, event_dict
from samantha.core.chain import CHAIN_SWITCHES, ChainConfig, ChainConfigError, chain_file_values
from samantha.core.promptscript import checked_text
from samantha.core.run_events import (
    ChecksDone,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    VerdictGiven,
)
from samantha.core.runner import ChainRunner
from samantha.core.transcript import checks_report
from samantha.core.verdict import verdict_line

if TYPE_CHECKING:
    from samantha.store import CycleRecord
    from samantha.workbench.facade import Workbench

SWITCHES = tuple(switch.name for switch in CHAIN_SWITCHES)
#: The help of each chain switch's flag (tests/e2e/test_run_cli.py: one for every switch)
SWITCH_HELP = {
    "feedback": "Feed each response back as the previous response of the next cycle.",
    "cumulative": "With feedback, append each response to the previous ones instead.",
    "feedback_output_only": "Feed back only the Python interpreter output of the cycle "
                            "(implies feedback).",
    "single": "Single response per model: model k answers only prompt item k.",
    "shuffle": "Shuffle the model order (3+ different models), never two equal neighbours.",
    "random_params": "Draw temperature, tfs_z, top_p, min_p, typical_p and the penalties at "
                     "random for every cycle (shown and stored).",
    "reset_model": "Clear the model's state before every cycle.",
    "auto_run_code": "Run the Python of every answer in a sandbox and feed its output back "
                     "(STOP_SAMANTHA in the output or the prose stops the run).",
    "stop_condition": "With --auto-run-code, stop when the code exits with status 0 and "
                      "prints something.",
    "loop_guard": LOOP_GUARD_HELP,
    "allow_network": "With --auto-run-code, let the code reach the network: the internet, never "
                     "this computer's own services on 127.0.0.1 (where Samantha can confine "
                     "it, the network is cut off by default).",
    "retry_on_other": "When a remote backend fails during a cycle, start the cycle again on "
                      "another backend that serves the same model (MODEL@*).",
}


def load_chain_file(path: Path) -> dict[str, Any]:
    """A ``.toml`` chain file (everything a run needs), a PDF (one item per page, then a summary
    of the answers) or a prompt script (any other text)."""
    if path.suffix.lower() == ".pdf":
        from samantha.documents.pdf import pages_script, read_pages

        return {"prompts": pages_script(read_pages(path))}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ChainConfigError(f"Cannot read {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise ChainConfigError(f"{path} is not a text file: give a prompt script (UTF-8 text), "
                               "a chain file (.toml) or a PDF.") from None
    text = checked_text(text, str(path))  # a BOM dropped; NUL refused with line and column
    if path.suffix.lower() != ".toml":
        return {"prompts": text}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ChainConfigError(f"{path} is not valid TOML: {exc}.") from None
    return chain_file_values(data, f"Chain file {path}")


def chain_options(command: Any) -> Any:
    for name in reversed(SWITCHES):
        flag = name.replace("_", "-")
        command = click.option(f"--{flag}/--no-{flag}", name, default=None,
                               help=SWITCH_HELP[name])(command)
    return command


def build_config(file: Path | None, prompts: str | None, models: tuple[str, ...],
                 options: dict[str, Any]) -> ChainConfig:
    """The chain file's values, overridden by the flags given on the command line."""
    data = load_chain_file(file) if file else {}
    if prompts is not None:
        data["prompts"] = prompts
    if models:
        data["models"] = list(models)
    checks = options.pop("checks", ())
    if checks:  # added to the chain file's own
        data["checks"] = [*data.get("checks", ()), *checks]
    for name in ("system", "previous", "loops", "responses", "seed", "learn", "learn_top",
                 "learn_layers",
                 "code_timeout", "concurrency", "parallel", *SWITCHES):
        if options.get(name) is not None:
            data[name] = options[name]
    base = data.pop("settings", {})
    preset = options.pop("preset")
    given = given_sampling(options)
    given.pop("seed", None)  # --seed seeds the run; each cycle's seed derives from it
    data["settings"] = PRESETS[preset].replace(**base).replace(**given).to_dict()
    if "prompts" not in data:
        raise ChainConfigError("Nothing to run: give a prompt file, a chain file (.toml) or "
                               "--prompts TEXT.")
    return ChainConfig.from_dict(data, where="Command line")


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--prompts", help="The prompt script itself (one prompt per line, or separated "
                                "by $$$; [prefix], [[final]], {key=value} allowed).")
@click.option("--model", "-m", "models", multiple=True,
              help="A model for the chain; repeat for several, in order (repeats allowed). "
                   "MODEL@BACKEND answers from a remote backend, @BACKEND from its only "
                   "model, MODEL@* from any backend serving MODEL.")
@click.option("--system", "-s", help="SYSTEM prompt ($$$ separates parts; --- ignores one).")
@click.option("--previous", "-p", help="ASSISTANT previous response for the first cycle.")
@click.option("--loops", type=int, help="Repeat the whole model list this many times.")
@click.option("--responses", type=int, help="Rounds of the prompt list per model.")
@chain_options
@click.option("--code-timeout", type=float,
              help="Seconds each run of model-written code may take (default 60).")
@click.option("--concurrency", type=int,
              help="Cycles in progress at once, when none feeds another (no feedback, no "
                   "final item): spread over the remote backends of MODEL@* (default 1).")
@click.option("--parallel", type=int,
              help="Decode up to P cycles of the local model together in one batch, when none "
                   "feeds another: several times the tokens per second on a CPU (default 1). "
                   "The same P and seed give the same answers.")
@click.option("--check", "checks", multiple=True,
              help="Check every answer (repeat for several): contains:TEXT, icontains:TEXT, "
                   "not-contains:TEXT, regex:PATTERN, json, schema:{...}, chars:LOW..HIGH, "
                   "words:..200, tokens:, tps:, seconds:, runs, output:TEXT, python:EXPR. A "
                   "failed check is reported, not an error. One prompt's own: {check=...}.")
@click.option("--learn", "learn", is_flag=True, default=None,
              help="Learning mode: record every token's candidates and stage counts with the run.")
@click.option("--top", "learn_top", type=int, help="Candidates per token in learning mode "
                                                   "(1..1000, default 10).")
@click.option("--layers", "learn_layers", type=click.Choice(["cheap", "full"]),
              help="With --learn: also keep what each layer would say and where attention "
                   "went, for each token (local GGUF models; see `samantha learn --layers`).")
@click.option("--plan", "show_plan", is_flag=True,
              help="Print the cycles as JSON without loading any model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per event.")
@click.option("--export-batch", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write the cycles to FILE as an OpenAI batch input file "
              "instead of running them (for vLLM's run-batch, OpenAI's Batch API or `samantha "
              "batch run`); the run waits in the history for `samantha batch import OUTPUT`.")
@sampling_options
@click.pass_context
def run(ctx: click.Context, file: Path | None, prompts: str | None, models: tuple[str, ...],
        show_plan: bool, as_json: bool, export_batch: Path | None, **options: Any) -> None:
    """Run a chain: FILE is a prompt script (.txt), a chain file (.toml) or a PDF (each page
    summarised, then the whole; `samantha pdf` shows or changes that script)."""
    config = build_config(file, prompts, models, options)
    bench = workbench(ctx)
    if show_plan:
        print_json(plan_rows(ChainRunner(bench, config)))
        return
    if export_batch is not None:
        from samantha.cli.batch import exported

        exported(bench, config, export_batch, as_json)
        return
    execute(ctx, bench, config, as_json)


def plan_rows(runner: ChainRunner) -> list[dict[str, Any]]:
    return [{"cycle": c.number, "model": c.model, "round": c.round, "item": c.item,
             "prompt": c.prompt.render(["<responses of the session>"] if c.prompt.final else []),
             "final": c.prompt.final, "settings": s.to_dict(), "random": drawn}
            for c, s, drawn in runner.preview()]


def execute(ctx: click.Context, bench: Workbench, config: ChainConfig, as_json: bool) -> None:
    """Run a chain and print it; exit 1 when a cycle failed."""
    show_run(ctx, bench.start_run(config), as_json)


def show_run(ctx: click.Context, chain: Any, as_json: bool,
             earlier: Sequence["CycleRecord"] = ()) -> None:
    """Run a started (or resumed) chain and print it; exit 1 when a cycle failed, 130 on
    Ctrl+C (the run is then interrupted, to resume). ``earlier``: the cycles of a resumed run
    that ran before, counted in the summary."""
    view = TerminalView()
    cycles = {c.number: stored_cycle(c) for c in earlier}
    failed = sum(c.status == "failed" for c in earlier)
    checks_failed = 0  # reported, not an error: the exit status says whether the run ran
    events = iter(chain)
    try:
        for event in events:
            if isinstance(event, CycleStarted):
                c = event.cycle
                cycles[c.number] = {"cycle": c.number, "model": c.model, "round": c.round,
                                    "item": c.item, "prompt": event.prompt,
                                    "settings": event.settings.to_dict(), "response": "",
                                    "tokens": 0, "seconds": 0.0}
            elif isinstance(event, CycleFinished):
                cycles[event.cycle.number].update(response=event.response,
                                                  tokens=event.result.tokens,
                                                  seconds=round(event.result.seconds, 3))
            elif isinstance(event, VerdictGiven):
                cycles[event.cycle.number]["verdict"] = event.verdict.to_dict()
            elif isinstance(event, ChecksDone):
                cycles[event.cycle.number]["checks"] = [r.to_dict() for r in event.results]
                checks_failed += event.failed
            failed += isinstance(event, CycleFailed)
            if as_json:
                data = event_dict(event, chain.id) or verdict_dict(event) or checks_dict(event)
                if data and data["event"] == "run_finished":
                    data["cycles"] = [cycles[n] for n in sorted(cycles)]
                    show_backends(ctx, True)  # run_finished stays the last line
                if data:
                    print_json(data)
            elif isinstance(event, VerdictGiven):
                click.echo(verdict_line(event.verdict))
            elif isinstance(event, ChecksDone):
                click.echo(checks_report(event))
            else:
                view.show(event)
    except KeyboardInterrupt:
        events.close()  # the run and its cycle in progress become "interrupted"
        click.echo(f"\nRun {chain.id} interrupted: `samantha history resume {chain.id}` "
                   "continues it.", err=True)
        ctx.exit(130)
    if not as_json:
        show_backends(ctx, False)
    judge = chain.runner.config.judge
    if judge and not chain.control.run_stopped:  # the answers done: the judges score them
        judge_after_run(ctx, chain.id, judge, as_json)
    if not as_json:
        if checks_failed:
            click.echo(f"\n{checks_failed} check{'s' if checks_failed != 1 else ''} failed: "
                       f"`samantha history leaderboard {chain.id}` sums them up.", err=True)
        click.echo(f"\nRun {chain.id} saved: `samantha history show {chain.id}`.", err=True)
    if failed:
        ctx.exit(1)


def show_backends(ctx: click.Context, as_json: bool) -> None:
    """The remote backends this run used: up, benched or busy, their cycles, failures and model
    swaps (a ``backends`` JSON line with ``--json``)."""
    used = [s for s in workbench(ctx).remotes.placement.status() if s.cycles]
    if not used:
        return
    if as_json:
        print_json({"event": "backends", "backends": [s.to_dict() for s in used]})
        return
    click.echo("\nBackends: " + "; ".join(s.line() for s in used), err=True)


def verdict_dict(event: Any) -> dict[str, Any] | None:
    """A judgement's verdict as a JSON line (``--json``): ``{"event": "verdict", …}``."""
    if not isinstance(event, VerdictGiven):
        return None
    return {"event": "verdict", "cycle": event.cycle.number, **event.verdict.to_dict()}


def checks_dict(event: Any) -> dict[str, Any] | None:
    """An answer's checks as a JSON line (``--json``): ``{"event": "checks", …}``."""
    if not isinstance(event, ChecksDone):
        return None
    return {"event": "checks", "cycle": event.cycle.number,
            "results": [r.to_dict() for r in event.results]}


def stored_cycle(cycle: "CycleRecord") -> dict[str, Any]:
    """A stored cycle in the shape of the ``cycles`` of ``run_finished`` (``--json``)."""
    data = {"cycle": cycle.number, "model": cycle.model, "round": cycle.round,
            "item": cycle.item, "prompt": cycle.prompt, "settings": cycle.settings,
            "response": cycle.response, "tokens": cycle.tokens,
            "seconds": round(cycle.seconds, 3)}
    return {**data, "verdict": cycle.verdict} if cycle.verdict else data
