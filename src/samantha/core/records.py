"""What the run history holds, as plain values (read back from SQLite by
:mod:`samantha.store.runs`; read by the exports in :mod:`samantha.documents`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CycleRecord:
    """One model answering one prompt item, as stored."""

    id: int
    run_id: int
    number: int  # 1-based position in the run
    model: str  # the model entry as the user wrote it (`default`, a file name, a URL)
    model_path: str | None
    model_sha256: str | None
    round: int  # response round, 1-based
    item: int  # prompt item number, 1-based
    prompt: str  # the item's text as sent (prefix applied, final item filled in)
    messages: list[dict[str, str]]  # the chat messages sent, [{"role", "content"}, ...]
    settings: dict[str, Any]  # the effective settings (Settings.to_dict()), seed included
    random_overrides: dict[str, float] | None  # the random draw of this cycle, if any
    response: str  # the answer (partial while status is "running")
    tokens: int
    prompt_tokens: int
    seconds: float
    finish_reason: str | None  # stop | length | cancelled | error
    error: str | None
    status: str  # running | done | failed | skipped | interrupted
    started_at: str  # ISO 8601, UTC
    finished_at: str | None
    skipped_cycles: int | None = None  # failed: the rest of its model's cycles, skipped
    answered_by: str | None = None  # MODEL@BACKEND for a remote answer (None: local)
    timings: dict[str, Any] | None = None  # the backend's own timings
    verdict: dict[str, Any] | None = None  # a judgement's (core.verdict.Verdict.to_dict())


@dataclass(frozen=True)
class RunRecord:
    """One press of Start (or one `samantha run`), with its cycles in order."""

    id: int
    started_at: str
    finished_at: str | None
    status: str  # running | finished | stopped | failed | interrupted
    stop_reason: str | None
    config: dict[str, Any]  # the chain configuration (ChainConfig.to_dict()): enough to re-run
    cycles: list[CycleRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said before it started (backends)
    parent: dict[str, int] | None = None  # a branch: {"run", "cycle", "step", "token"}

    @property
    def title(self) -> str:
        prompts = str(self.config.get("prompts", "")).strip().splitlines()
        return prompts[0][:80] if prompts else f"run {self.id}"


@dataclass(frozen=True)
class RunOwner:
    """The process that runs (or ran) a run: enough to tell whether it is still alive."""

    host: str
    pid: int
    started: str | None  # tells a reused pid apart (Linux: boot id and start time), else None


@dataclass(frozen=True)
class CodeRunRecord:
    """Python that Samantha ran for a cycle (Run code automatically)."""

    id: int
    run_id: int | None
    cycle_id: int | None
    code: str
    dropped: list[str]  # install lines left out
    stdout: str
    stderr: str
    exit_status: int | None
    seconds: float
    timed_out: bool
    limit: str | None
    work_dir: str
    files: list[str]
    figures: list[str]
    created_at: str
    isolation: str | None = None  # "bubblewrap", "rlimits (not isolated)"; None before it was kept
    isolation_note: str | None = None  # what the isolation meant, for people


@dataclass(frozen=True)
class JudgementRecord:
    """A judge's scores of one answer against a rubric (``samantha judge``), or, when its answer
    could not be read as scores, ``problem`` and no scores."""

    id: int
    cycle_id: int  # the answer judged
    judge: str  # the judge model as written (a file, `default`, MODEL@BACKEND)
    rubric: dict[str, Any]  # {"criteria": [[key, question], ...], "low", "high"}
    scores: dict[str, int] | None
    reason: str
    problem: str | None
    answer: str  # the judge's own text, as it wrote it
    tokens: int
    seconds: float
    created_at: str


@dataclass(frozen=True)
class CheckRecord:
    """One check of one answer (``{check=…}``): passed, failed, or None when it could not be
    checked, and why."""

    id: int
    cycle_id: int
    spec: str  # the check as written, e.g. "contains:Paris"
    kind: str
    passed: bool | None
    detail: str


@dataclass(frozen=True)
class VoteRecord:
    """Two answers to the same prompt compared: by a person in the arena (``voter`` "you") or
    by a judge model (its name). ``winner`` is "first", "second" or "tie" (the answers in the
    order they were shown), None when a judge's answer could not be read (``problem``)."""

    id: int
    first_cycle: int
    second_cycle: int
    winner: str | None
    voter: str
    reason: str
    problem: str | None
    created_at: str
