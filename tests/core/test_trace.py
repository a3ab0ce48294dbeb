"""Learning-mode traces: what the chain saw and did, per token."""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.control import RunControl
from samantha.core.engine import ModelSpec
from samantha.core.generation import generate
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import STOCHASTIC, Settings
from samantha.core.trace import (
    TokenStep,
    candidate_bars,
    display_piece,
    entropy_series,
    make_step,
    rank_series,
    stage_summary,
    unlikely_choices,
)
from samantha.engines.fake import FakeEngine


def piece(token: int) -> bytes:
    return f"t{token}".encode()


def test_a_step_from_known_logits() -> None:
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32))
    pick = SamplerChain(Settings(), seed=0).pick(logits)
    step = make_step(1, logits, pick, 3, piece)
    assert [c.id for c in step.candidates] == [3, 2, 1]
    assert [round(c.p, 5) for c in step.candidates] == [0.4, 0.3, 0.2]
    assert step.token_id == 3 and step.rank == 1 and step.piece == "t3"
    expected_entropy = -sum(p * math.log(p) for p in (0.1, 0.2, 0.3, 0.4))
    assert step.entropy == pytest.approx(expected_entropy, rel=1e-5)
    assert step.final[0].id == 3 and step.final[0].p == pytest.approx(1.0)


def test_rank_of_a_chosen_token_that_was_not_the_most_likely() -> None:
    logits = np.array([3.0, 2.0, 1.0, 0.0], dtype=np.float32)
    settings = Settings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0,
                        tfs_z=1.0)
    ranks = set()
    for seed in range(40):
        pick = SamplerChain(settings, seed=seed).pick(logits)
        step = make_step(1, logits, pick, 4, piece)
        ranks.add(step.rank)
        assert step.rank == 1 + [0, 1, 2, 3].index(step.token_id)
    assert len(ranks) >= 3


def test_rank_counts_the_tokens_scoring_higher_shown_or_not() -> None:
    """The rank is read off the shown candidates when the chosen one is among them, and
    counted over the vocabulary when it is not: both ways agree, ties included."""
    logits = np.round(np.random.default_rng(3).normal(size=300), 1).astype(np.float32)
    chain = SamplerChain(STOCHASTIC, seed=1)
    for chosen in (int(np.argmax(logits)), 7, 100, int(np.argmin(logits))):
        for top in (1, 5, 50):
            step = make_step(1, logits, chain.pick(logits, chosen=chosen), top, piece)
            assert step.rank == 1 + int(np.count_nonzero(logits > logits[chosen]))


def test_uniform_entropy_is_log_n() -> None:
    logits = np.zeros(1000, dtype=np.float32)
    step = make_step(1, logits, SamplerChain(Settings(), seed=0).pick(logits), 10, piece)
    assert step.entropy == pytest.approx(math.log(1000), rel=1e-4)


def test_round_trip_through_a_dict() -> None:
    logits = np.random.default_rng(0).normal(size=50).astype(np.float32)
    step = make_step(4, logits, SamplerChain(STOCHASTIC, seed=1).pick(logits), 5, piece)
    assert TokenStep.from_dict(step.to_dict()) == step
    data = step.to_dict()
    assert set(data) == {f.name for f in dataclasses.fields(TokenStep)}  # no field left out
    assert data == json.loads(json.dumps(data))  # plain JSON values only
    assert data["candidates"][0] == dataclasses.asdict(step.candidates[0])


@pytest.mark.parametrize("raw, shown", [
    (b"hello", "hello"), (" ol\xc3\xa1".encode("latin-1"), " olá"), (b"\xe2", "\\xe2"),
    (b"\xe2\x80", "\\xe2\\x80"), (b"<0x0A>", "<0x0A>"), (b"", ""),
])
def test_display_piece(raw: bytes, shown: str) -> None:
    assert display_piece(raw) == shown


def steps_of(answer: str, settings: Settings, top: int = 5, pacer=None, cancel=None):
    session = FakeEngine({"": answer}).load(ModelSpec("fake", Path("f"), 512))
    events = list(generate(session, session.tokenize("p"), settings, cancel, (), top, pacer))
    return [e for e in events if isinstance(e, TokenEvent)], events[-1]


def test_generation_with_traces_agrees_with_the_chain() -> None:
    tokens, result = steps_of("abc", Settings(top_k=5))
    assert [t.trace.token_id for t in tokens] == [t.token_id for t in tokens]
    for t in tokens:
        assert t.trace.rank == 1 and len(t.trace.candidates) == 5
        kept = {s.name: s.kept for s in t.trace.stages}
        assert kept["penalties"] == 257 and kept["top-k"] == 5 and kept["tail-free"] == 1
    assert isinstance(result, GenerationResult) and result.text == "abc"


def test_without_learning_mode_there_is_no_trace() -> None:
    tokens, _ = steps_of("abc", Settings(), top=0)
    assert all(t.trace is None for t in tokens)


def test_unlikely_choices_and_plot_data() -> None:
    settings = Settings(temperature=1.5, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0,
                        tfs_z=1.0, seed=4, max_tokens=30)
    tokens, _ = steps_of("x" * 30, settings)
    steps = [t.trace for t in tokens]
    unlikely = unlikely_choices(steps)
    assert unlikely and all(rank > 1 for _, rank in unlikely)
    assert rank_series(steps) == [{"step": s.step, "rank": s.rank} for s in steps if s.rank > 1]
    assert [e["step"] for e in entropy_series(steps)] == list(range(1, 31))
    bars = candidate_bars(steps[0])
    assert len(bars) == 5 and sum(b["chosen"] for b in bars) <= 1


def test_stage_summary_leaves_out_stages_that_were_off() -> None:
    logits = np.random.default_rng(1).normal(size=300).astype(np.float32)
    pick = SamplerChain(STOCHASTIC.replace(repeat_penalty=1.0), seed=1).pick(logits)
    text = stage_summary(make_step(1, logits, pick, 5, piece), 300)
    assert text.startswith("300 -> top-k 40 -> ") and "tail-free" not in text


# -- pace -----------------------------------------------------------------------------------------
def test_step_pace_gives_exactly_one_token_per_step() -> None:
    control = RunControl(pace="step")
    session = FakeEngine({"": "abcdef"}).load(ModelSpec("fake", Path("f"), 512))
    events = generate(session, session.tokenize("p"), Settings(), control, (), 3, control)
    seen: list[str] = []
    worker = threading.Thread(target=lambda: seen.extend(
        e.text for e in events if isinstance(e, TokenEvent)))
    worker.start()
    for expected in (1, 2, 3):
        control.step()
        deadline = time.monotonic() + 5
        while len(seen) < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # give a wrong implementation the time to run ahead
        assert len(seen) == expected
    control.stop_cycle()
    worker.join(5)
    assert not worker.is_alive() and seen == ["a", "b", "c"]


def test_a_long_delay_is_cut_short_by_a_stop() -> None:
    control = RunControl(pace=10.0)
    session = FakeEngine({"": "abcdef"}).load(ModelSpec("fake", Path("f"), 512))
    events = generate(session, session.tokenize("p"), Settings(), control, (), 0, control)
    threading.Timer(0.3, control.stop_run).start()
    started = time.monotonic()
    result = list(events)[-1]
    assert time.monotonic() - started < 3
    assert result.finish_reason == "cancelled" and result.tokens == 0


def test_a_short_delay_paces_the_tokens() -> None:
    control = RunControl(pace=0.3)
    started = time.monotonic()
    tokens, result = steps_of("abc", Settings(), top=0, pacer=control, cancel=control)
    assert result.text == "abc" and time.monotonic() - started >= 0.9


def test_bad_pace_is_refused() -> None:
    with pytest.raises(ValueError):
        RunControl(pace="fast")
