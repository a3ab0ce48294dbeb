"""Writes a chain run into the run history as its events go by.

Every finished cycle is committed at once, and the text of the cycle being generated is saved
at least every ``flush_seconds``, so a killed process loses almost nothing. A full disk ends the
run as "interrupted", to resume once there is room, with one line that says so.
"""

from __future__ import annotations

import time
from contextlib import suppress
from pathlib import Path
from typing import Callable

from samantha.core.answer_events import AnswerRestarted, TokenEvent
from samantha.core.run_events import (
    ChecksDone,
    CodeRan,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    RunEvent,
    RunFinished,
    VerdictGiven,
)
from samantha.execution.results import code_result
from samantha.store import RunStore
from samantha.store.errors import DiskFullError
from samantha.store.space import full_disk, full_disk_cause

FULL_REASON = "the disk was full"


class RunRecorder:
    def __init__(self, store: RunStore, run_id: int,
                 model_file: Callable[[str], tuple[Path | None, str | None]],
                 flush_seconds: float = 0.5) -> None:
        self.store = store
        self.run_id = run_id
        self.model_file = model_file
        self.flush_seconds = flush_seconds
        self.cycle_ids: dict[int, int] = {}
        self.finished: set[int] = set()
        self._partial: list[str] = []
        self._tokens = 0
        self._steps: list[dict] = []
        self._top = 0
        self._flushed_at = 0.0
        self._started_at = 0.0  # when the cycle in progress started
        self._current: int | None = None
        self._at = 0  # the number of the latest cycle started
        self._missing_model = False

    def record(self, event: RunEvent) -> None:
        """Store what ``event`` says; a full disk raises the run's :class:`DiskFullError`, the
        run left interrupted."""
        try:
            self._record(event)
        except DiskFullError as exc:
            raise self._out_of_room(exc.folder) from exc

    def failed(self, exc: Exception, reason: str | None = None) -> Exception:
        """The run broke with ``exc``: return what to raise. A full disk (seen here, or behind
        ``exc``: the code's work folder could not be written) leaves the run interrupted, to
        resume; anything else marks it failed, and the cycle in progress too, with its text so
        far. ``reason``: what they say (else the error's name and message)."""
        if isinstance(exc, DiskFullError):
            return exc if exc.run_id == self.run_id else self._out_of_room(exc.folder)
        cause = full_disk_cause(exc)
        if cause is not None:  # where, if the error says; else the data home, which holds runs
            return self._out_of_room(full_disk(cause, self.store.path.parent).folder)
        reason = reason or f"{type(exc).__name__}: {exc}"
        if self._current is not None and self._current not in self.finished:
            # Its prompt tokens are not known (a generation tells them when it ends): 0.
            self.store.finish_cycle(
                self.cycle_ids[self._current], response="".join(self._partial),
                tokens=self._tokens, prompt_tokens=0,
                seconds=time.monotonic() - self._started_at, finish_reason="error",
                error=reason, status="failed")
            self.finished.add(self._current)
            self._current = None
        self.store.finish_run(self.run_id, "failed", reason)
        return exc

    def _out_of_room(self, folder: Path | None) -> DiskFullError:
        """Mark the run interrupted (now, or as soon as there is room) and say how to go on."""
        with suppress(DiskFullError):
            self.interrupted(FULL_REASON)
        stopped = f"stopped at cycle {self._at}" if self._at else "stopped before its first cycle"
        return DiskFullError(
            folder, f"for run {self.run_id}, which {stopped} (what it generated before is kept)",
            f"Free some space there, then resume it: `samantha history resume {self.run_id}`, "
            f"or Resume in the History tab.", run_id=self.run_id)

    def _record(self, event: RunEvent) -> None:
        if isinstance(event, CycleStarted):
            self._start(event)
        elif isinstance(event, TokenEvent):
            self._token(event)
        elif isinstance(event, AnswerRestarted):  # started again elsewhere: drop the first try
            self._partial, self._steps, self._tokens = [], [], 0
        elif isinstance(event, CycleFinished):
            self._finish(event)
        elif isinstance(event, CycleFailed):
            self._fail(event)
        elif isinstance(event, CodeRan):
            self._code(event)
        elif isinstance(event, VerdictGiven):
            self.store.set_verdict(self.cycle_ids[event.cycle.number], event.verdict.to_dict())
            self._votes(event)
        elif isinstance(event, ChecksDone):
            self.store.add_checks(self.cycle_ids[event.cycle.number],
                                  [result.to_dict() for result in event.results])
        elif isinstance(event, RunFinished):
            self.store.finish_run(self.run_id, event.status, event.reason)

    def _votes(self, event: VerdictGiven) -> None:
        """A verdict read is the judge's vote between the answers it judged: the winner over
        each other contestant (a tie: every two of them tie), in the order they were shown."""
        verdict, names = event.verdict, event.verdict.contestants
        known = [number for number in event.contestants if number in self.cycle_ids]
        if not verdict.read or len(known) != len(names):
            return  # unread, or answers recorded before a resume: no vote
        shown = {name: self.cycle_ids[number] for name, number in zip(names, known)}
        if verdict.winner in shown:
            winner = names.index(verdict.winner)
            for other, name in enumerate(names):
                if other != winner:
                    first, second = sorted((winner, other))
                    self.store.add_vote(shown[names[first]], shown[names[second]],
                                        "first" if first == winner else "second",
                                        event.cycle.model, verdict.reason)
        else:  # a tie
            for first, a in enumerate(names):
                for b in names[first + 1:]:
                    self.store.add_vote(shown[a], shown[b], "tie", event.cycle.model,
                                        verdict.reason)

    def _start(self, event: CycleStarted) -> None:
        cycle = event.cycle
        self._at = cycle.number
        path, sha = self.model_file(cycle.model)
        self._missing_model = path is None
        self.cycle_ids[cycle.number] = self.store.start_cycle(
            self.run_id, number=cycle.number, model=cycle.model,
            model_path=str(path) if path else None, model_sha256=sha, round=cycle.round,
            item=cycle.item, prompt=event.prompt,
            messages=[m.to_dict() for m in event.messages], settings=event.settings.to_dict(),
            random_overrides=event.random_overrides)
        self._current, self._partial, self._flushed_at = cycle.number, [], time.monotonic()
        self._started_at = self._flushed_at
        self._steps, self._tokens = [], 0

    def _token(self, event: TokenEvent) -> None:
        self._partial.append(event.text)
        self._tokens = event.index + 1
        if event.trace is not None:
            self._steps.append(event.trace.to_dict())
            self._top = max(self._top, len(event.trace.candidates))
        if self._current is not None and time.monotonic() - self._flushed_at >= self.flush_seconds:
            self.store.update_partial(self.cycle_ids[self._current], "".join(self._partial),
                                      event.index + 1)
            self._flushed_at = time.monotonic()

    def _finish(self, event: CycleFinished) -> None:
        result = event.result
        if self._missing_model:  # a URL model, downloaded during the cycle
            path, sha = self.model_file(event.cycle.model)
            if path and sha:
                self.store.set_cycle_model(self.cycle_ids[event.cycle.number], str(path), sha)
        self.store.finish_cycle(
            self.cycle_ids[event.cycle.number], response=result.text, tokens=result.tokens,
            prompt_tokens=result.prompt_tokens, seconds=result.seconds,
            finish_reason=result.finish_reason, error=result.error,
            status="failed" if result.error else "done")
        if result.answered_by or result.timings:  # a remote answer, or a batch slot's
            self.store.set_answered_by(self.cycle_ids[event.cycle.number], result.answered_by,
                                       result.timings or None)
        if self._steps:
            self.store.save_trace(self.cycle_ids[event.cycle.number], self._top, self._steps)
        self.finished.add(event.cycle.number)
        self._current = None

    def _fail(self, event: CycleFailed) -> None:
        number = event.cycle.number
        if number not in self.finished:  # else the generation broke: stored with its error
            # No generation ran, so no prompt tokens: resuming tells these failures apart by it.
            self.store.finish_cycle(
                self.cycle_ids[number], response="", tokens=0, prompt_tokens=0, seconds=0.0,
                finish_reason="error", error=event.error, status="failed")
            self.finished.add(number)
            self._current = None
        self.store.set_skipped_cycles(self.cycle_ids[number], event.skipped_cycles)

    def interrupted(self, reason: str) -> None:
        """The run was let go before its end (Ctrl+C, a closed window): save the text of the
        cycle in progress as it is now, and mark the run and that cycle "interrupted"."""
        partial = None
        if self._current is not None and self._current not in self.finished:
            partial = (self.cycle_ids[self._current], "".join(self._partial), self._tokens)
        self.store.interrupt_run(self.run_id, reason, partial)

    def _code(self, event: CodeRan) -> None:
        result = code_result(event.result)
        self.store.record_code_run(
            self.run_id, self.cycle_ids.get(event.cycle.number), code=event.extraction.code,
            dropped=list(event.extraction.dropped), stdout=result.stdout, stderr=result.stderr,
            exit_status=result.exit_status, seconds=result.seconds, timed_out=result.timed_out,
            limit=result.limit, work_dir=str(result.work_dir),
            files=[str(f) for f in result.files], figures=[str(f) for f in result.figures],
            isolation=result.isolation, isolation_note=result.isolation_note)
