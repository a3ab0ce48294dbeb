"""Fan-out in the runner: independent cycles in progress at once, told in plan order; the
buttons, the stop rules and failures with several lanes; the rule for independence."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError
from samantha.core.chain import ChainConfig
from samantha.core.control import RunControl
from samantha.core.plan import independent
from samantha.core.run_events import CycleFailed, CycleFinished, CycleStarted, RunFinished
from samantha.core.runner import ChainRunner, make_plan
from samantha.core.settings import DETERMINISTIC


class SlowBackend:
    """Answers ``<prompt>!`` in 3 tokens, each after ``delay(prompt)`` seconds; counts the
    answers in progress at once."""

    def __init__(self, delay=lambda prompt: 0.01, fail: str | None = None) -> None:
        self.delay, self.fail = delay, fail
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.order: list[str] = []

    def generate(self, ask, cancel=None, pacer=None, retry=False) -> Iterator:
        settings, prompt = ask.settings, ask.messages[-1].content
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            if prompt == self.fail:
                raise BackendError(f"Backend lab cannot be reached ({prompt}).")
            text, reason = [], "length"
            for i, piece in enumerate((prompt, "!", "")):
                if cancel is not None and cancel.is_set():
                    reason = "cancelled"
                    break
                time.sleep(self.delay(prompt))
                text.append(piece)
                yield TokenEvent(i, i, piece)
            with self.lock:
                self.order.append(prompt)
            yield GenerationResult("".join(text), len(text), 1, 0.1, reason, settings,
                                   answered_by=f"{ask.model}@lab")
        finally:
            with self.lock:
                self.now -= 1

    def reset_model(self) -> None:
        pass

    def prompt_format_of(self, model: str, requested: str, messages: object) -> str:
        return "chat"


def config(prompts: str, **options) -> ChainConfig:
    return ChainConfig(prompts=prompts, models=("m@*",), settings=DETERMINISTIC, **options)


def test_cycles_overlap_and_are_told_in_plan_order() -> None:
    backend = SlowBackend(delay=lambda p: {"a": 0.15, "b": 0.01, "c": 0.01, "d": 0.05}[p])
    events = list(ChainRunner(backend, config("a\nb\nc\nd", concurrency=3)).run())
    assert backend.most == 3
    assert backend.order[0] != "a"  # a finished after others...
    finished = [e.response for e in events if isinstance(e, CycleFinished)]
    assert finished == ["a!", "b!", "c!", "d!"]  # ...and is told first all the same
    numbers = [e.cycle.number for e in events if isinstance(e, (CycleStarted, CycleFinished))]
    assert numbers == [1, 1, 2, 2, 3, 3, 4, 4]  # each cycle's events together, in order


def test_a_slow_first_cycle_does_not_hold_back_those_after_it() -> None:
    """Cycles over but not yet told do not hold a place: while a takes long, the two places
    left keep serving b, c, d, e, f, g, which are all done before a (and told after it)."""
    backend = SlowBackend(delay=lambda p: 0.3 if p == "a" else 0.01)
    events = list(ChainRunner(backend, config("a\nb\nc\nd\ne\nf\ng", concurrency=3)).run())
    assert set(backend.order[:6]) == set("bcdefg") and backend.order[-1] == "a"
    assert backend.most == 3  # never more than three in progress
    finished = [e.response for e in events if isinstance(e, CycleFinished)]
    assert finished == ["a!", "b!", "c!", "d!", "e!", "f!", "g!"]


def test_cycles_done_but_not_told_are_bounded() -> None:
    """While the first cycle goes on, at most BACKLOG lanes per place wait to be told."""
    from samantha.core.runner import BACKLOG

    prompts = "\n".join(["slow", *(f"p{i}" for i in range(40))])
    backend = SlowBackend(delay=lambda p: 0.5 if p == "slow" else 0.001)
    list(ChainRunner(backend, config(prompts, concurrency=2)).run())
    assert backend.order.index("slow") <= 2 * BACKLOG  # the others waited for it past that


def test_concurrency_one_and_dependent_chains_stay_in_order() -> None:
    for options in ({"concurrency": 1}, {"concurrency": 4, "feedback": True}):
        backend = SlowBackend()
        list(ChainRunner(backend, config("a\nb\nc", **options)).run())
        assert backend.most == 1


@pytest.mark.parametrize("options, prompts, expected", [
    ({}, "a\nb", True),
    ({"feedback": True}, "a\nb", False),
    ({"feedback_output_only": True}, "a\nb", False),
    ({"cumulative": True}, "a\nb", False),
    ({}, "a\nb\n[[sum up:]]", False),
    ({"auto_run_code": True}, "a\nb", True),
])
def test_the_rule_for_independent_cycles(options, prompts, expected) -> None:
    import random

    chain = config(prompts, **options)
    assert independent(chain, make_plan(chain, random.Random(0))) is expected


def test_random_draws_follow_the_plan_whatever_the_timing() -> None:
    chain = config("a\nb\nc\nd", concurrency=4, random_params=True, seed=9)
    fast = [e.settings for e in ChainRunner(SlowBackend(), chain).run()
            if isinstance(e, CycleStarted)]
    chain_one = chain.replace(concurrency=1)
    one = [e.settings for e in ChainRunner(SlowBackend(), chain_one).run()
           if isinstance(e, CycleStarted)]
    assert fast == one


def test_stop_next_stops_the_cycle_shown_and_the_run_goes_on() -> None:
    control = RunControl()
    backend = SlowBackend(delay=lambda p: 0.2 if p == "a" else 0.01)
    events = []
    for event in ChainRunner(backend, config("a\nb\nc", concurrency=2), control).run():
        events.append(event)
        if isinstance(event, TokenEvent) and event.text == "a":
            control.stop_cycle()
    results = {e.cycle.number: e.result.finish_reason for e in events
               if isinstance(e, CycleFinished)}
    assert results == {1: "cancelled", 2: "length", 3: "length"}


def test_stop_all_stops_every_lane_and_keeps_what_they_wrote() -> None:
    control = RunControl()
    backend = SlowBackend(delay=lambda p: 0.1)
    events = []
    for event in ChainRunner(backend, config("a\nb\nc\nd\ne", concurrency=2), control).run():
        events.append(event)
        if isinstance(event, TokenEvent) and event.text == "a":
            control.stop_run()
    finished = [e for e in events if isinstance(e, CycleFinished)]
    assert [e.cycle.number for e in finished] == [1, 2]  # the two started, no more
    assert all(e.result.finish_reason == "cancelled" for e in finished)
    assert isinstance(events[-1], RunFinished) and events[-1].status == "stopped"


def test_a_stop_rule_drops_the_cycles_after_it() -> None:
    class Stopper(SlowBackend):
        def generate(self, ask, *args, **kwargs):
            for event in super().generate(ask, *args, **kwargs):
                if isinstance(event, GenerationResult) and ask.messages[-1].content == "b":
                    event = GenerationResult("STOP_SAMANTHA", 1, 1, 0.1, "stop", ask.settings)
                yield event

    events = list(ChainRunner(Stopper(), config("a\nb\nc\nd", concurrency=3)).run())
    finished = [e.cycle.number for e in events if isinstance(e, CycleFinished)]
    assert finished == [1, 2]
    assert "cycle 2" in events[-1].reason


def test_a_failing_backend_fails_only_its_cycle() -> None:
    events = list(ChainRunner(SlowBackend(fail="b"), config("a\nb\nc", concurrency=2)).run())
    failed = [e for e in events if isinstance(e, CycleFailed)]
    assert [(e.cycle.number, e.skipped_cycles) for e in failed] == [(2, 0)]
    assert "cannot be reached" in failed[0].error
    assert [e.cycle.number for e in events if isinstance(e, CycleFinished)] == [1, 3]


def test_letting_go_of_the_run_stops_every_lane() -> None:
    backend = SlowBackend(delay=lambda p: 0.5)  # an answer takes 1.5 s
    events = ChainRunner(backend, config("a\nb\nc\nd\ne\nf", concurrency=3)).run()
    for event in events:
        if isinstance(event, TokenEvent):
            break
    events.close()  # as Ctrl+C or a closed window does
    deadline = time.monotonic() + 0.8  # the token in progress ends, then each lane stops
    while backend.now and time.monotonic() < deadline:
        time.sleep(0.01)
    assert backend.now == 0  # the lanes saw their cancel and ended
    assert len(backend.order) <= 3  # nothing new was started
