"""How chain events look in a terminal, and as JSON lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from samantha.cli.progress_line import ProgressLine
from samantha.core.answer_events import AnswerRestarted, DownloadProgress, TokenEvent
from samantha.core.run_events import (
    CodeRan,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    ModelBanner,
    RunEvent,
    RunFinished,
    RunStarted,
    SlotTaken,
)
from samantha.core.transcript import banner, code_report, footer, random_line

if TYPE_CHECKING:
    from samantha.execution.results import CodeResult


class TerminalView:
    """Prints a run the way the predecessor's output box showed it."""

    def __init__(self) -> None:
        self.failed = 0
        self.progress: dict[str, Any] = {}
        self.banner: ModelBanner | None = None

    def show(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            for note in event.skipped:
                click.echo(f"note: {note}", err=True)
        elif isinstance(event, ModelBanner):
            self.banner = event  # shown when its first cycle starts, with that cycle's number
        elif isinstance(event, CycleStarted):
            if self.banner is not None:
                click.echo(banner(self.banner.model, event.cycle.number)[1:], nl=False)
                self.banner = None
            if event.random_overrides:
                click.echo(random_line(event.random_overrides) + "\n")
        elif isinstance(event, TokenEvent):
            click.echo(event.text, nl=False)
        elif isinstance(event, AnswerRestarted):
            click.echo(f"\n[{event.reason} Starting the answer again on {event.backend}.]\n",
                       err=True)
        elif isinstance(event, CycleFinished):
            r = event.result
            by = f"answered by {r.answered_by}\n" if r.answered_by else ""
            click.echo("\n" + by + footer(r.tokens, r.seconds, r.finish_reason))
        elif isinstance(event, CodeRan):
            self._code(event)
        elif isinstance(event, DownloadProgress):

            bar = self.progress.setdefault(event.url, ProgressLine(event.url))
            bar.update(event.done, event.total)
            if event.finished:
                bar.__exit__()
        elif isinstance(event, RunFinished) and event.reason and event.status == "finished":
            click.echo(f"\nThe run stopped early: {event.reason}.", err=True)
        elif isinstance(event, CycleFailed):
            self.failed += 1
            skipped = (f" Skipping this model's other {event.skipped_cycles} cycles."
                       if event.skipped_cycles else "")
            click.echo(f"\nerror in cycle {event.cycle.number} ({event.cycle.model}): "
                       f"{event.error}{skipped}", err=True)

    @staticmethod
    def _code(event: CodeRan) -> None:
        click.echo(code_report(event))
        result = code_result(event)
        for path in result.figures:
            click.echo(f"figure: {path}")
        for path in result.files:
            click.echo(f"file: {path}")
        if result.isolation and not result.isolated:  # say it at every run
            click.echo(result.isolation_line(), err=True)


def code_result(event: CodeRan) -> CodeResult:
    """What the Workbench's sandbox made of the code (the code has run by then, so importing
    the sandbox's results costs nothing)."""
    from samantha.execution.results import code_result as made_by_the_sandbox

    return made_by_the_sandbox(event.result)


def event_dict(event: RunEvent, run_id: int) -> dict[str, Any] | None:
    """One JSON line per event (``--json``)."""
    if isinstance(event, RunStarted):
        return {"event": "run_started", "run_id": run_id, "seed": event.seed,
                "cycles": event.total_cycles, "skipped": list(event.skipped)}
    if isinstance(event, ModelBanner):
        return {"event": "model", "model": event.model, "entry": event.entry,
                "round": event.round}
    if isinstance(event, CycleStarted):
        c = event.cycle
        return {"event": "cycle_started", "cycle": c.number, "model": c.model, "round": c.round,
                "item": c.item, "prompt": event.prompt, "settings": event.settings.to_dict(),
                "random": event.random_overrides,
                "messages": [m.to_dict() for m in event.messages]}
    if isinstance(event, TokenEvent):
        data = {"event": "token", "index": event.index, "id": event.token_id, "text": event.text}
        if event.trace is not None:
            data["trace"] = event.trace.to_dict()
        return data
    if isinstance(event, CycleFinished):
        r = event.result
        return {"event": "cycle_finished", "cycle": event.cycle.number, "response": r.text,
                "tokens": r.tokens, "seconds": round(r.seconds, 3),
                "finish_reason": r.finish_reason, "error": r.error,
                "answered_by": r.answered_by, "timings": r.timings or None}
    if isinstance(event, AnswerRestarted):
        return {"event": "answer_restarted", "reason": event.reason, "backend": event.backend}
    if isinstance(event, SlotTaken):
        return {"event": "slot_taken", "slot": event.slot, "slots": event.slots,
                "step": event.step}
    if isinstance(event, CycleFailed):
        return {"event": "cycle_failed", "cycle": event.cycle.number, "model": event.cycle.model,
                "error": event.error, "skipped_cycles": event.skipped_cycles}
    if isinstance(event, DownloadProgress):
        return {"event": "download", "url": event.url, "done": event.done, "total": event.total,
                "finished": event.finished}
    if isinstance(event, CodeRan):
        ran = code_result(event)
        return {"event": "code_ran", "cycle": event.cycle.number, "code": event.extraction.code,
                "dropped": list(event.extraction.dropped), "stdout": ran.stdout,
                "stderr": ran.stderr, "exit_status": ran.exit_status,
                "seconds": round(ran.seconds, 3), "timed_out": ran.timed_out, "limit": ran.limit,
                "work_dir": str(ran.work_dir), "figures": [str(f) for f in ran.figures],
                "files": [str(f) for f in ran.files], "isolation": ran.isolation}
    if isinstance(event, RunFinished):
        return {"event": "run_finished", "run_id": run_id, "status": event.status,
                "reason": event.reason}
    return None
