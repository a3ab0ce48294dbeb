"""Branches: go on from any candidate of any token of a stored learning-mode answer.

A branch takes a cycle that has a trace, the tokens it chose before step S, then the candidate
picked at S instead of the one chosen, and generates on from there with the cycle's settings
(or others given). It is stored as a run of its own, with one cycle and its trace, linked to
its parent (``{"run", "cycle", "step", "token"}``), so the history lists it with the parent and
the two answers can be read side by side.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import parse_ref
from samantha.core.chat import Message, Role
from samantha.core.control import RunControl
from samantha.core.errors import InputError
from samantha.core.generation import Ask
from samantha.core.plan import Cycle
from samantha.core.promptscript import PromptItem
from samantha.core.records import CycleRecord, RunRecord
from samantha.core.run_events import CycleFinished, CycleStarted, RunEvent, RunFinished
from samantha.core.settings import Settings
from samantha.workbench.liveness import this_process
from samantha.workbench.recorder import RunRecorder

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


@dataclass(frozen=True)
class BranchPoint:
    """Where a branch leaves its parent: run, cycle number, step (1-based) and the token id
    taken there instead."""

    run: int
    cycle: int
    step: int
    token: int

    def to_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Parent:
    """What a branch starts from: the parent run and cycle, and its tokens before the step."""

    run: RunRecord
    cycle: CycleRecord
    before: tuple[int, ...]
    top: int  # how many candidates its trace shows


def find_parent(bench: "Workbench", point: BranchPoint) -> Parent:
    """The parent of a branch, checked (one clear sentence for each thing that can be wrong)."""
    run = bench.store.get_run(point.run)
    cycle = next((c for c in run.cycles if c.number == point.cycle), None)
    if cycle is None:
        raise InputError(f"Run {point.run} has no cycle {point.cycle}; it has "
                         f"{len(run.cycles)}.")
    if cycle.answered_by or parse_ref(cycle.model) is not None:
        raise InputError(f"Cycle {point.cycle} of run {point.run} was answered by a remote "
                         "backend, whose tokens Samantha cannot feed to a model of its own: "
                         "branch from a cycle answered by a local model.")
    steps = bench.store.get_trace(cycle.id)
    if not steps:
        raise InputError(f"Cycle {point.cycle} of run {point.run} has no trace: a branch starts "
                         "from a candidate of a learning-mode answer. Run the chain with "
                         "--learn (or learning mode in the web UI) first.")
    if not 1 <= point.step <= len(steps):
        raise InputError(f"Cycle {point.cycle} of run {point.run} has steps 1 to {len(steps)}; "
                         f"there is no step {point.step}.")
    top = max(len(s["candidates"]) for s in steps)
    return Parent(run, cycle, tuple(int(s["token_id"]) for s in steps[: point.step - 1]), top)


def branch_settings(parent: Parent, changes: Mapping[str, Any],
                    max_tokens: int | None) -> Settings:
    """The parent cycle's settings (its seed too) with ``changes``; ``max_tokens``: how many
    tokens to write after the chosen one (else as many as the parent could)."""
    settings = Settings.from_dict(parent.cycle.settings).replace(**dict(changes))
    if max_tokens is not None:
        settings = settings.replace(max_tokens=len(parent.before) + 1 + max_tokens)
    return settings


def run_branch(bench: "Workbench", point: BranchPoint, changes: Mapping[str, Any] | None = None,
               max_tokens: int | None = None,
               control: RunControl | None = None) -> Iterator[RunEvent | BranchStarted]:
    """Generate the branch and store it; yields the run's events as a chain run does (its id
    in the first, :class:`BranchStarted`)."""
    parent = find_parent(bench, point)
    settings = branch_settings(parent, changes or {}, max_tokens)
    model = parent.cycle.model
    session = bench.session(model, settings.n_ctx)
    if not 0 <= point.token < session.n_vocab:
        raise InputError(f"Token {point.token} is not in the vocabulary of {model} (ids 0 to "
                         f"{session.n_vocab - 1}).")
    config = {**parent.run.config, "learn": True, "learn_top": parent.top}
    run_id = bench.store.start_run(config, this_process())
    bench.store.set_parent(run_id, point.to_dict())
    recorder = RunRecorder(bench.store, run_id, bench.model_file)
    cycle = Cycle(1, model, 1, 1, parent.cycle.item, PromptItem(parent.cycle.prompt))
    messages = tuple(Message(role(m["role"]), m["content"]) for m in parent.cycle.messages)
    control = control or RunControl()
    result: GenerationResult | None = None
    try:
        yield BranchStarted(run_id, point)
        started = CycleStarted(cycle, parent.cycle.prompt, messages, settings)
        recorder.record(started)
        yield started
        ask = Ask(messages, settings, model, parent.top, forced=(*parent.before, point.token))
        for answered in bench.generate(ask, control, control):
            if isinstance(answered, TokenEvent):
                recorder.record(answered)
                yield answered
            elif isinstance(answered, GenerationResult):
                result = answered
    except GeneratorExit:
        recorder.interrupted("the branch was let go before its end")
        raise
    except Exception as exc:  # e.g. the prompt no longer fits: the run and its cycle say why
        raise recorder.failed(exc, str(exc))
    assert result is not None
    ends: tuple[RunEvent, ...] = (CycleFinished(cycle, result),
                                  RunFinished("failed" if result.error else "finished",
                                              result.error, 1))
    for end in ends:
        recorder.record(end)
        yield end


def role(name: str) -> Role:
    """A stored message's role, checked (the history holds only what Samantha wrote)."""
    roles: dict[str, Role] = {"system": "system", "user": "user", "assistant": "assistant"}
    if name not in roles:
        raise InputError(f"A stored message has the role {name!r}, which no chat has.")
    return roles[name]


@dataclass(frozen=True)
class BranchStarted:
    """A branch's run was opened in the history."""

    run_id: int
    point: BranchPoint
