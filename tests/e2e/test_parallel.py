"""Parallel cycles on the real default model: P sequences decoded together in one llama.cpp
context (``--parallel``), reproducible for the same P, in plan order, slots handed on at once."""

from __future__ import annotations

import json
from pathlib import Path

from samantha.core.answer_events import TokenEvent
from samantha.core.chain import ChainConfig
from samantha.core.run_events import CycleFailed, CycleFinished, RunStarted, SlotTaken
from samantha.core.settings import DETERMINISTIC, Settings

PROMPTS = "\n".join(["Count to five:", "Name a colour:", "Name a fruit:", "Say hello:",
                     "Name a city:", "Name an animal:"])


def answers(samantha, *flags: str) -> list[dict]:
    out = samantha("run", "--prompts", PROMPTS, "--max-tokens", "24", "--json", *flags).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_the_same_parallel_run_twice_gives_the_same_answers_in_plan_order(samantha) -> None:
    first = answers(samantha, "--parallel", "4")
    again = answers(samantha, "--parallel", "4")
    done = [e for e in first if e["event"] == "cycle_finished"]
    assert [e["cycle"] for e in done] == [1, 2, 3, 4, 5, 6]
    assert [e["response"] for e in done] == [e["response"] for e in again
                                             if e["event"] == "cycle_finished"]
    assert all(e["tokens"] > 0 for e in done)
    assert {e["timings"]["batch_slots"] for e in done} == {4}
    taken = [e for e in first if e["event"] == "slot_taken"]
    assert len(taken) == 6 and sorted({e["slot"] for e in taken}) == [0, 1, 2, 3]
    run_id = first[-1]["run_id"]
    record = samantha.bench.store.get_run(run_id)
    assert [c.number for c in record.cycles] == [1, 2, 3, 4, 5, 6]
    assert record.cycles[0].timings["batch_slots"] == 4  # the history says it ran batched
    assert json.loads(samantha("history", "show", str(run_id), "--json").stdout
                      )["config"]["parallel"] == 4  # a rerun uses the same P


def test_a_short_cycle_hands_its_slot_to_the_next_at_once(real_workbench) -> None:
    # cycle 2 counts on in the plain format (given as text to continue, the base model may end
    # its paragraph before cycle 3 starts)
    config = ChainConfig("Say yes: {max_tokens=2}\nCount from one to fifty: {max_tokens=40}\n"
                         "Say no: {max_tokens=4}", parallel=2,
                         settings=DETERMINISTIC.replace(max_tokens=40, prompt_format="plain"))
    events = list(real_workbench.start_run(config))
    taken = [e for e in events if isinstance(e, SlotTaken)]
    tokens = {}
    for event in events:
        if isinstance(event, CycleFinished):
            tokens[event.cycle.number] = event.result.tokens
    assert [t.slot for t in taken] == [0, 1, 0]  # cycle 3 got cycle 1's slot
    assert taken[2].step <= tokens[1] + 2 < tokens[2]  # while cycle 2 was still going


def test_stop_next_stops_one_slot_and_the_others_go_on(real_workbench) -> None:
    """Cycle 1 is long (2,000 tokens, its end tokens banned), so Stop/Next reaches it while
    it runs, however far the lanes have run ahead of the reader."""
    ends = tuple((t, float("-inf")) for t in (1, 106))  # <eos>, <end_of_turn>
    config = ChainConfig("{max_tokens=2000} Count from one to a thousand, one number a line:\n"
                         "Name three colours:\nSay hello:", parallel=3, loop_guard=False,
                         settings=DETERMINISTIC.replace(max_tokens=24, logit_bias=ends))
    run = real_workbench.start_run(config)
    results = {}
    for event in run:
        if isinstance(event, TokenEvent) and not results and event.index == 0:
            run.control.stop_cycle()  # Stop/Next on the cycle shown: cycle 1
        if isinstance(event, CycleFinished):
            results[event.cycle.number] = event.result
    assert results[1].finish_reason == "cancelled" and results[1].tokens < 2000
    assert all(results[n].finish_reason in ("stop", "length") and results[n].tokens > 0
               for n in (2, 3))  # they went to their own ends


def test_a_chain_with_feedback_ignores_parallel_and_says_so(real_workbench) -> None:
    config = ChainConfig("Say one word:\nSay another:", parallel=4, feedback=True,
                         settings=DETERMINISTIC.replace(max_tokens=4))
    events = list(real_workbench.start_run(config))
    started = next(e for e in events if isinstance(e, RunStarted))
    assert any("parallel = 4 does not apply: the cycles feed each other" in note
               for note in started.skipped)
    assert not [e for e in events if isinstance(e, SlotTaken)]


def test_a_parallel_whose_cache_does_not_fit_is_refused(samantha) -> None:
    result = samantha("run", "--prompts", "Hi", "--parallel", "32", "--n-ctx", "131072",
                      code=2)
    assert "--parallel 32 needs a cache of 32 × 131072 tokens" in result.output
    assert "GiB available" in result.output and "Use --parallel" in result.output


def test_learning_mode_traces_each_slot(real_workbench) -> None:
    config = ChainConfig("Name a colour:\nName a fruit:", parallel=2, learn=True, learn_top=5,
                         settings=DETERMINISTIC.replace(max_tokens=6))
    run = real_workbench.start_run(config)
    traced = {}
    for event in run:
        if isinstance(event, TokenEvent):
            assert event.trace is not None and len(event.trace.candidates) == 5
        if isinstance(event, CycleFinished):
            traced[event.cycle.number] = event.result.tokens
    record = real_workbench.store.get_run(run.id)
    for cycle in record.cycles:
        steps = real_workbench.store.get_trace(cycle.id)
        assert len(steps) == traced[cycle.number] and cycle.timings["batch_slots"] == 2


def test_n_ctx_0_gives_each_slot_the_models_trained_context(real_workbench,
                                                            tiny_model: Path) -> None:
    """The tiny model was trained on 512 tokens: a prompt of about 330 (a token a letter) fits
    a slot of n_ctx 0 (every cycle used to fail: "the context window holds 0"), not one of
    256."""
    long = "x" * 300
    for n_ctx, fits in ((0, True), (256, False)):
        config = ChainConfig(f"a\n{long}", models=(str(tiny_model),), parallel=2,
                             settings=Settings(n_ctx=n_ctx, max_tokens=4, seed=1))
        events = list(real_workbench.start_run(config))
        failed = [e.error for e in events if isinstance(e, CycleFailed)]
        done = [e.result for e in events if isinstance(e, CycleFinished) and not e.result.error]
        assert [r.timings["batch_slots"] for r in done] == [2] * (2 if fits else 1), failed
        assert fits or "the context window holds 256" in failed[0]
