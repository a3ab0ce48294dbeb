"""The chain runner: drives a run's cycles over a backend and reports what happens as events.

Front ends only render the events; the store only records them. The runner owns the rules of
SPEC §3: the messages of each cycle, feedback and cumulative responses, the ``[[final]]`` item,
random hyperparameters, Stop/Next and Stop all, and going on when a model fails.
"""

from __future__ import annotations

import random
import secrets
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import (
    Generator,
    Iterator,
    Mapping,
    Sequence,
    TypedDict,
)

from samantha.core.answer_events import (
    GenerationResult,
)
from samantha.core.backend_specs import BackendError, parse_ref
from samantha.core.chain import ChainConfig
from samantha.core.chat import Message, build_messages
from samantha.core.codeblocks import STOP_WORD, asks_to_stop, extract_python
from samantha.core.control import RunControl
from samantha.core.engine import Cancel
from samantha.core.errors import PromptTooLongError, SamanthaError, TemplateError
from samantha.core.fanout import Lane
from samantha.core.generation import Ask, Memory
from samantha.core.plan import Cycle, Plan, independent, model_order
from samantha.core.promptscript import first_part, parse
from samantha.core.run_events import (
    CodeOutcome,
    CodeRan,
    CodeRunning,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    ModelBanner,
    RunEvent,
    RunFinished,
    RunStarted,
    VerdictGiven,
)
from samantha.core.runner_ports import Backend, CodeExecutor, CycleControl, can_batch
from samantha.core.settings import SEED_MAX, Settings, random_overrides
from samantha.core.verdict import read_verdict, verdict_schema

#: Cycles over but not yet shown that may wait, per cycle in progress, while the one shown
#: goes on (beyond that, new cycles wait for it: what they would hold in memory is bounded).
BACKLOG = 4


class _Extras(TypedDict, total=False):
    """The keyword arguments of :meth:`Backend.generate` passed only when they apply."""

    batch: tuple[object, int]


#: A cycle's last event, its answer (None: none to feed on) and its code's outcome.
Attempt = tuple[CycleFinished | CycleFailed, str | None, CodeOutcome | None]


def make_plan(config: ChainConfig, rng: random.Random) -> Plan:
    """Parse the script and order the models (raises PromptScriptError before anything runs)."""
    script = parse(config.prompts)
    loops = 1 if config.single else config.loops
    responses = 1 if config.single else config.responses
    entries = model_order(config.models, loops, config.shuffle, rng)
    return Plan(tuple(entries), script, responses, config.single)


def run_seed(config: ChainConfig) -> int:
    return config.seed if config.seed is not None else secrets.randbelow(SEED_MAX + 1)


@dataclass(frozen=True)
class PastCycle:
    """What a cycle of an interrupted run produced: enough to bring the runner to the state
    after it without generating it again."""

    answer: str | None  # the answer as it was fed on; None: the cycle failed before answering
    code: CodeOutcome | None = None  # its Python's output, when Samantha ran some
    skips_rest: bool = False  # it failed, and the run skipped the rest of its model's cycles


class ChainRunner:
    """Runs one chain. Iterate :meth:`run` to drive it; every step is an event.

    ``done`` (resuming an interrupted run) maps the numbers of the cycles that already ran to
    what they produced: :meth:`run` replays them in order, without events (the random draws,
    the feedback, the final item's responses, the stop rules, the skipped cycles), and
    generates the others, so the run ends as if it had never been interrupted.
    """

    def __init__(self, backend: Backend, config: ChainConfig, control: RunControl | None = None,
                 done: Mapping[int, PastCycle] | None = None, *,
                 executor: CodeExecutor | None = None, notes: Sequence[str] = (),
                 memory: Memory | None = None):
        """``executor`` runs the code of the answers (needed when ``config.auto_run_code`` is
        on); ``notes`` are told at the start (settings a backend cannot honour); ``memory``
        keeps learning mode's last logits (for what-if)."""
        self.backend = backend
        self.config = config
        self.control = control or RunControl()
        self.seed = run_seed(config)
        self.rng = random.Random(self.seed)
        self.plan = make_plan(config, self.rng)
        self.previous = first_part(config.previous)
        self.system = first_part(config.system)
        self.responses: list[str] = []
        self.answered: list[int] = []  # the cycles of the responses a final item shows
        self.executor = executor
        self.stop_reason: str | None = None
        self.done: Mapping[int, PastCycle] = dict(done or {})
        self.notes = list(notes)
        self.memory = memory
        self.batched: set[int] = set()  # the cycles decoded in batch slots (--parallel)
        self._slots: object = None  # the backend's slots for this run, while it runs

    def run(self) -> Iterator[RunEvent]:
        batch = self._batch_plan()
        yield RunStarted(self.config, self.seed, len(self.plan),
                         (*self.plan.skipped, *self.notes))
        failed: set[int] = set()
        if batch is not None and can_batch(self.backend):
            with self.backend.batch_slots(*batch, lambda: self.control.run_stopped) as slots:
                self._slots = slots
                ran = yield from self._run_fanned_out(failed)
                self._slots = None
        elif self._fanned():
            ran = yield from self._run_fanned_out(failed)
        else:
            ran = yield from self._run_in_order(failed)
        if self.control.run_stopped:
            yield RunFinished("stopped", "stopped by the user", ran)
        else:
            yield RunFinished("finished", self.stop_reason, ran)

    def _fanned(self) -> bool:
        return (max(self.config.concurrency, self.config.parallel) > 1
                and independent(self.config, self.plan))

    def _batch_plan(self) -> tuple[int, str, int, list[int]] | None:
        """(P, model, n_ctx, cycle numbers) of the cycles to decode in batch slots, with what
        the run is told when --parallel cannot apply; None: no slots."""
        parallel = self.config.parallel
        if parallel <= 1:
            return None
        if not independent(self.config, self.plan):
            self.notes.append(f"parallel = {parallel} does not apply: the cycles feed each other "
                              "(feedback, cumulative responses or a final item), so they run "
                              "in order.")
            return None
        local = [c for c in self.plan if parse_ref(c.model) is None and c.number not in self.done]
        if not local or not can_batch(self.backend):
            return None
        model = local[0].model
        others = sorted({c.model for c in local if c.model != model})
        if others:
            self.notes.append(f"parallel = {parallel} batches one local model, {model}; the "
                              f"cycles of {', '.join(others)} run one at a time.")
        self.batched = {c.number for c in local if c.model == model}
        return parallel, model, self.config.settings.n_ctx, sorted(self.batched)

    def _run_in_order(self, failed: set[int]) -> Generator[RunEvent, None, int]:
        ran, banner = 0, None
        for cycle in self._due(failed):
            if self.control.run_stopped:
                break
            past = self.done.get(cycle.number)
            if past is not None:
                skipped = self._replay(cycle, past)
            else:
                if (cycle.entry, cycle.round) != banner:
                    banner = (cycle.entry, cycle.round)
                    yield ModelBanner(cycle.model, cycle.entry, cycle.round)
                outcome = yield from self._cycle(cycle)
                self.control.new_cycle()
                skipped = isinstance(outcome, CycleFailed) and outcome.skipped_cycles > 0
            ran += 1
            if skipped:
                failed.add(cycle.entry)
            if self.stop_reason:
                break
        return ran

    def _run_fanned_out(self, failed: set[int]) -> Generator[RunEvent, None, int]:
        """Up to ``concurrency`` cycles in progress at once, each in a :class:`Lane`; their
        events, the stop rules and the failures are taken in plan order. Stop / Next stops the
        cycle being shown; Stop all stops every lane, and the cycles already started are
        stored with what they wrote. A stop rule drops the cycles after it, unstored."""
        ran, banner = 0, None
        due = iter(self._due(failed))
        lanes: deque[tuple[Cycle, Lane]] = deque()
        shown: Lane | None = None
        ended: deque[int] = deque()  # the lanes whose cycles are over (appended by them)
        running = 0  # lanes whose cycles are being worked on
        # with batch slots every cycle waits in a lane of its own: each slot is handed to the
        # next cycle at once, whatever is being shown
        window = len(self.plan) if self.batched else self.config.concurrency
        backlog = len(self.plan) if self.batched else window * BACKLOG

        def start_more() -> None:
            """Start cycles in plan order while fewer than ``window`` are being worked on (a
            cycle over but not yet shown does not count, up to ``backlog`` lanes)."""
            nonlocal ran, running
            while ended:
                ended.popleft()
                running -= 1
            while running < window and len(lanes) < backlog and not self.control.run_stopped:
                cycle = next(due, None)
                if cycle is None:
                    return
                if cycle.entry in failed:
                    continue
                past = self.done.get(cycle.number)
                if past is not None:
                    if self._replay(cycle, past):
                        failed.add(cycle.entry)
                    ran += 1
                    continue
                settings, drawn = self._settings(cycle)  # the random draws in plan order
                lanes.append((cycle, Lane(cycle.number, partial(
                    self._attempt, cycle, settings, drawn), self.control,
                    partial(ended.append, cycle.number))))
                running += 1

        def waiting(lane: Lane) -> None:
            self._watch(lane)
            if ended:
                start_more()

        try:
            while True:
                start_more()
                if not lanes:
                    return ran
                cycle, shown = lanes.popleft()
                if (cycle.entry, cycle.round) != banner:
                    banner = (cycle.entry, cycle.round)
                    yield ModelBanner(cycle.model, cycle.entry, cycle.round)
                lane = shown
                yield from lane.events(on_wait=lambda: waiting(lane))
                self._watch(lane)
                outcome, answer, code = lane.outcome
                shown = None
                ran += 1
                if answer is not None:
                    self._absorb(cycle, answer, code)
                if isinstance(outcome, CycleFailed) and outcome.skipped_cycles > 0:
                    failed.add(cycle.entry)
                if self.stop_reason:
                    for _, later in lanes:
                        later.abandon()
                    lanes.clear()
                    return ran
        finally:  # let go of (Ctrl+C, a closed window): no lane goes on generating
            for _, later in lanes:
                later.cancel.stopped.set()
            if shown is not None:
                shown.cancel.stopped.set()

    def _watch(self, lane: Lane) -> None:
        """Stop / Next pressed while ``lane`` is the cycle shown: stop that cycle."""
        if self.control.is_set() and not self.control.run_stopped:
            lane.cancel.stopped.set()
            self.control.new_cycle()

    def first_new_cycle(self) -> Cycle | None:
        """The first cycle :meth:`run` will generate rather than replay (None: all are done).
        A stop rule met by a replayed cycle is not foreseen: then the run ends at once."""
        failed: set[int] = set()
        for cycle in self._due(failed):
            past = self.done.get(cycle.number)
            if past is None:
                return cycle
            if past.skips_rest:
                failed.add(cycle.entry)
        return None

    def _due(self, failed: set[int]) -> Iterator[Cycle]:
        """The plan's cycles, less those of the model entries in ``failed`` (a model that failed
        skips the rest of its cycles; the caller adds to the set as it goes)."""
        return (cycle for cycle in self.plan if cycle.entry not in failed)

    def preview(self) -> Iterator[tuple[Cycle, Settings, dict[str, float] | None]]:
        """Each cycle with the settings it would run with (for ``--plan``; loads nothing).
        Use instead of :meth:`run`, not before it: it consumes the random draws."""
        for cycle in self.plan:
            settings, drawn = self._settings(cycle)
            yield cycle, settings, drawn

    def asks(self) -> Iterator[tuple[Cycle, tuple[Message, ...], Settings,
                                     dict[str, float] | None]]:
        """Each cycle with the messages and settings a run would send (and its random draws),
        for a plan whose cycles do not depend on each other (a batch file). Use instead of
        :meth:`run`: it consumes the random draws."""
        for cycle, settings, drawn in self.preview():
            prompt = cycle.prompt.render([])
            yield cycle, tuple(build_messages(self.system, self.previous, prompt)), settings, \
                drawn

    def _cycle(self, cycle: Cycle) -> Generator[RunEvent, None, CycleFinished | CycleFailed]:
        settings, drawn = self._settings(cycle)
        outcome, answer, code = yield from self._attempt(cycle, settings, drawn, self.control)
        if answer is not None:
            self._absorb(cycle, answer, code)
        return outcome

    def _attempt(self, cycle: Cycle, settings: Settings, drawn: dict[str, float] | None,
                 control: CycleControl) -> Generator[RunEvent, None, Attempt]:
        """Generate one cycle (and run its code); return (its last event, the answer, the
        code's outcome). Changes nothing in the runner: the caller absorbs the answer, in
        plan order."""
        prompt = cycle.prompt.render([r for r in self.responses if r])
        messages = tuple(build_messages(self.system, self.previous, prompt))
        fmt = self.backend.prompt_format_of(cycle.model, settings.prompt_format, messages)
        settings = settings.replace(prompt_format=fmt)  # stored: what this cycle's model read
        yield CycleStarted(cycle, prompt, messages, settings, drawn)
        if self.config.reset_model:
            self.backend.reset_model()
        result = None
        try:
            trace_top = self.config.learn_top if self.config.learn else 0
            ask = Ask(messages, settings, cycle.model, trace_top, self.config.loop_guard,
                      self._remembering(trace_top),
                      layers=self.config.learn_layers if trace_top else "")
            for event in self.backend.generate(ask, control, control,
                                               retry=self.config.retry_on_other,
                                               **self._slot_of(cycle)):
                if isinstance(event, GenerationResult):
                    result = event
                else:
                    yield event
        except (PromptTooLongError, TemplateError) as exc:  # this cycle's prompt: the next may fit
            failure = CycleFailed(cycle, str(exc))
            yield failure
            return failure, None, None
        except BackendError as exc:  # a remote backend failed: only this cycle fails
            failure = CycleFailed(cycle, str(exc))
            yield failure
            return failure, None, None
        except SamanthaError as exc:  # the model failed to load: skip the rest of its cycles
            failure = CycleFailed(cycle, str(exc), self._rest_of_entry(cycle))
            yield failure
            return failure, None, None
        assert result is not None
        finished = CycleFinished(cycle, result)
        yield finished
        if cycle.prompt.verdict and not result.error:
            names = cycle.prompt.verdict
            judged = tuple(self.answered[-len(names):]) if len(self.answered) >= len(names) \
                else ()
            yield VerdictGiven(cycle, read_verdict(result.text, names), judged)
        code = None
        if self.config.auto_run_code and not self.control.run_stopped:
            code = yield from self._run_code(cycle, result.text, control)
        if result.error:  # the engine broke (skip the rest), or a backend did (this cycle)
            skip = 0 if result.answered_by else self._rest_of_entry(cycle)
            failure = CycleFailed(cycle, result.error, skip)
            yield failure
            return failure, result.text, code
        return finished, result.text, code

    def _replay(self, cycle: Cycle, past: PastCycle) -> bool:
        """A past cycle's effects on the cycles after it, with no event; return whether its
        failure skipped the rest of its model's cycles."""
        self._settings(cycle)  # its random draw, so the next cycles draw what they drew
        if past.answer is not None:
            self._absorb(cycle, past.answer, past.code)
        return past.skips_rest

    def _absorb(self, cycle: Cycle, answer: str, code: CodeOutcome | None) -> None:
        """What an answer (and the output of its code) does to the rest of the run: the stop
        rules, the feedback and the final item's responses."""
        if code is not None:
            output = code.output
            if STOP_WORD in output:
                self.stop_reason = f"cycle {cycle.number}: the code printed {STOP_WORD}"
            elif self.config.stop_condition and code.succeeded and output.strip():
                self.stop_reason = (f"cycle {cycle.number}: the code exited with status 0 and "
                                    "printed something (stop condition)")
        self._feed_back(answer, None if code is None else code.output)
        if answer or code is not None and code.output:  # as the final item's render keeps them
            self.answered.append(cycle.number)
        if asks_to_stop(answer):
            self.stop_reason = self.stop_reason or (
                f"cycle {cycle.number}: the answer says {STOP_WORD}")

    def _run_code(self, cycle: Cycle, response: str,
                  cancel: Cancel) -> Generator[RunEvent, None, CodeOutcome | None]:
        """Run the answer's Python; return its outcome (None when there was no code)."""
        extraction = extract_python(response)
        if not extraction.code:
            return None
        if self.executor is None:
            raise RuntimeError("auto_run_code needs an executor")
        yield CodeRunning(cycle)
        outcome = self.executor.run(extraction.code, cycle, cancel)
        yield CodeRan(cycle, extraction, outcome)
        return outcome

    def _slot_of(self, cycle: Cycle) -> _Extras:
        """``batch=`` for a cycle decoded in a batch slot."""
        if self._slots is None or cycle.number not in self.batched:
            return {}
        return {"batch": (self._slots, cycle.number)}

    def _remembering(self, trace_top: int) -> Memory | None:
        """The memory of a traced answer of a chain run in order (lanes would mix theirs)."""
        if self.memory is None or not trace_top or self._fanned():
            return None
        self.memory.forget()  # another answer: the last one's steps no longer apply
        return self.memory

    def _settings(self, cycle: Cycle) -> tuple[Settings, dict[str, float] | None]:
        """Base settings, then the item's ``{…}`` block, then the random draw; a seed per cycle
        derived from the run's seed unless one was given. A judgement's answer follows the
        verdict's schema."""
        settings = self.config.settings.replace(**cycle.prompt.overrides)
        if cycle.prompt.verdict:
            settings = settings.replace(json_schema=verdict_schema(cycle.prompt.verdict),
                                        grammar="")
        drawn = random_overrides(self.rng) if self.config.random_params else None
        if drawn:
            settings = settings.replace(**drawn)
        if settings.seed is None:
            settings = settings.with_seed((self.seed * 1_000_003 + cycle.number) % (SEED_MAX + 1))
        return settings, drawn

    def _feed_back(self, response: str, code_output: str | None = None) -> None:
        """SPEC §3.6 and §6.6: the interpreter output travels with the answer it came from."""
        if code_output:
            response = f"{response}\n\nPython interpreter output:\n\n{code_output}"
        self.responses.append(response)
        if not self.config.feeds_back:
            return
        if self.config.feedback_output_only and code_output is not None:
            self.previous = code_output
        elif self.config.cumulative and self.previous:
            self.previous = f"{self.previous}\n\n{response}"
        else:
            self.previous = response

    def _rest_of_entry(self, cycle: Cycle) -> int:
        if self.plan.single:
            return 0
        per_entry = self.plan.responses * len(self.plan.script.items)
        done = (cycle.round - 1) * len(self.plan.script.items) + cycle.item
        return per_entry - done
