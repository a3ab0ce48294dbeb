"""Runs never get lost: finding the runs whose process is gone, and what their cycles produced.

A run whose process ended before it did (killed, crashed, the computer switched off) is found
the next time a process opens the history (:func:`mark_interrupted`) and becomes "interrupted".
:func:`resumable_run` and :func:`past_cycles` give the Workbench what it needs to continue one.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from samantha.core.codeblocks import extract_python
from samantha.core.errors import InputError
from samantha.core.records import CodeRunRecord
from samantha.core.runner import PastCycle
from samantha.store import CycleRecord, RunOwner, RunRecord, RunStore
from samantha.store.errors import DiskFullError
from samantha.workbench.liveness import owner_state

if TYPE_CHECKING:
    from samantha.execution import CodeResult

FINISHED = ("done", "failed")


class NotResumableError(InputError):
    """A run that cannot be resumed (it is not interrupted)."""


def mark_interrupted(store: RunStore, host: str | None = None) -> list[int]:
    """Mark "interrupted" the running runs whose owner on this host is gone (or that have no
    owner recorded); return their ids. Runs of live processes and of other hosts are left, and
    so are all of them while the disk has no room to mark them (the history can still be read;
    the next opening marks them)."""
    host = host or socket.gethostname()
    marked = []
    for run_id, owner in store.running_runs():
        try:
            if owner_state(owner, host) == "gone" and store.interrupt_if_owned(
                    run_id, owner, gone_reason(owner)):
                marked.append(run_id)
        except DiskFullError:
            break
    return marked


def gone_reason(owner: RunOwner | None) -> str:
    if owner is None:
        return "its process ended before the run did"
    return f"its process (pid {owner.pid} on {owner.host}) ended before the run did"


def resumable_run(store: RunStore, run_id: int) -> RunRecord:
    """The run, if it is interrupted (a running run whose process has just died becomes so);
    else :class:`NotResumableError` saying why, or RunNotFoundError."""
    record = store.get_run(run_id)
    if record.status == "running":
        owner = store.run_owner(run_id)
        state = owner_state(owner)
        if state == "gone":
            store.interrupt_if_owned(run_id, owner, gone_reason(owner))
            record = store.get_run(run_id)
        else:
            assert owner is not None  # a run without an owner counts as gone
            what = ("another computer: resume it there if it ends before the run"
                    if state == "elsewhere" else "let it finish, or stop it first")
            raise NotResumableError(
                f"Run {run_id} is running in process {owner.pid} on {owner.host}: {what}.")
    if record.status == "interrupted":
        return record
    if record.status == "running":  # claimed by another process a moment ago
        raise NotResumableError(f"Run {run_id} is running again (resumed by another process).")
    raise NotResumableError(
        f"Run {run_id} is {record.status}, not interrupted: nothing to resume; "
        f"`samantha history rerun {run_id}` runs it again.")


def past_cycles(record: RunRecord, code_runs: Sequence[CodeRunRecord],
                auto_run_code: bool) -> tuple[dict[int, PastCycle], int | None]:
    """What the finished cycles of an interrupted run produced (cycle number -> PastCycle),
    and the number from which its stored cycles are to be generated again (None: none are).

    A cycle is finished when it is done or failed and, with Run code automatically, when the
    code of its answer was run (the process may have ended while it ran)."""
    codes = {run.cycle_id: run for run in code_runs if run.cycle_id is not None}
    done: dict[int, PastCycle] = {}
    for cycle in record.cycles:
        if cycle.status not in FINISHED:
            return done, cycle.number
        answered = _answered(cycle)
        code = codes.get(cycle.id)
        if auto_run_code and answered and code is None and extract_python(cycle.response).code:
            return done, cycle.number
        done[cycle.number] = PastCycle(
            answer=cycle.response if answered else None,
            code=None if code is None else _outcome(code),
            skips_rest=_skips_rest(cycle, answered))
    return done, None


def _answered(cycle: CycleRecord) -> bool:
    """Did the cycle produce an answer (fed on, even when its generation broke half-way)? Only
    a generation counts prompt tokens: a cycle that failed before one (its model did not load,
    its prompt did not fit) is stored with none."""
    return cycle.status == "done" or cycle.prompt_tokens > 0


def _skips_rest(cycle: CycleRecord, answered: bool) -> bool:
    if cycle.status != "failed":
        return False
    if cycle.skipped_cycles is not None:
        return cycle.skipped_cycles > 0
    return answered  # recorded before skips were: a broken generation always skips the rest


def _outcome(run: CodeRunRecord) -> "CodeResult":
    """The stored code run as the runner saw it (its output and whether it succeeded)."""
    from samantha.execution import CodeResult

    return CodeResult(stdout=run.stdout, stderr=run.stderr, exit_status=run.exit_status,
                      seconds=run.seconds, timed_out=run.timed_out, cancelled=False,
                      limit=run.limit, work_dir=Path(run.work_dir),
                      files=tuple(Path(f) for f in run.files),
                      figures=tuple(Path(f) for f in run.figures),
                      isolation=run.isolation or "", isolation_note=run.isolation_note or "")
