"""Learning mode as an explainer: the survivors of each stage, and "what if" other settings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from samantha.core.candidates import Buffers, Candidates, softmax, stage_view
from samantha.core.engine import ModelSpec
from samantha.core.generation import generate
from samantha.core.raw_scores import SPARE, Changed, RawScores
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import DETERMINISTIC, STOCHASTIC, Settings
from samantha.core.trace import TokenStep, make_step
from samantha.core.whatif import RecentLogits, parse_what_if, what_if, what_if_stored
from samantha.engines.fake import FakeEngine

SPREAD = STOCHASTIC.replace(temperature=1.7, top_k=60, top_p=0.9, min_p=0.01)


def stage_by_stage(settings: Settings, logits: np.ndarray, before: list[int]):
    """The candidates after each active stage, applied one by one (no views asked)."""
    chain = SamplerChain(settings, seed=3)
    for token in before:
        chain.accept(token)
    cands = Candidates.full(logits.copy())
    out = []
    for stage in chain.stages:
        cands = stage.apply(cands)
        if stage.active:
            out.append((stage.name, cands))
    return out


RAW = (np.random.default_rng(5).standard_normal(5000) * 2).astype(np.float32)
BEST = [int(t) for t in np.argsort(-RAW)]
CHANGING_A_FEW = [  # whole-vocabulary stages whose views come from the raw softmax's sums
    STOCHASTIC.replace(logit_bias=((BEST[0], -math.inf), (BEST[300], 6.0), (7, 1.5))),
    STOCHASTIC.replace(dry_multiplier=2.0, dry_allowed_length=1, presence_penalty=0.5),
    DETERMINISTIC.replace(logit_bias=tuple((t, -math.inf) for t in BEST[:200])),  # many
    SPREAD.replace(samplers=("temperature", "penalties", "top-k", "top-p", "min-p")),
]


@pytest.mark.parametrize("settings", [STOCHASTIC, SPREAD, DETERMINISTIC, *CHANGING_A_FEW])
def test_each_view_holds_what_its_stage_kept(settings: Settings) -> None:
    logits = RAW
    before = [int(t) for t in np.argsort(-logits)[:4]]  # the best four were just said
    chain = SamplerChain(settings, seed=3)
    for token in before:
        chain.accept(token)
    pick = chain.pick(logits, views=8)
    expected = stage_by_stage(settings, logits, before)
    assert [v.name for v in pick.views] == [name for name, _ in expected]
    counts = {c.name: c.kept for c in pick.stages}
    for view, (name, cands) in zip(pick.views, expected):
        assert view.kept == len(cands) == counts[name]
        probs = softmax(cands.logits)
        best = np.argsort(-cands.logits, kind="stable")[:8]
        want = [(int(cands.ids[i]), float(probs[i])) for i in best]
        got = view.survivors[:len(want)]
        assert [i for i, _ in got] == [i for i, _ in want]
        assert [p for _, p in got] == pytest.approx([p for _, p in want], abs=1e-6)
        assert pick.token in {i for i, _ in view.survivors}  # the chosen one, at every stage
    assert sum(p for _, p in pick.views[-1].survivors) <= 1.0 + 1e-9


def test_the_temperature_view_shows_its_reshaping() -> None:
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05], dtype=np.float32))
    open_chain = Settings(temperature=2.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0,
                          tfs_z=1.0)
    pick = SamplerChain(open_chain, seed=1).pick(logits, views=4)
    (view,) = [v for v in pick.views if v.name == "temperature"]
    flattened = np.sqrt([0.5, 0.3, 0.15, 0.05])
    assert [p for _, p in view.survivors] == pytest.approx(list(flattened / flattened.sum()))


def test_a_chosen_token_outside_the_shown_ones_is_still_shown() -> None:
    logits = np.zeros(100, dtype=np.float32)
    logits[:50] = 1.0
    pick = SamplerChain(Settings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.001,
                                 typical_p=1.0, tfs_z=1.0), seed=9).pick(logits, views=2)
    view = pick.views[-1]
    assert view.kept == 100 and pick.token in {i for i, _ in view.survivors}


def test_what_if_equals_a_fresh_chain_on_the_logits_of_the_answer() -> None:
    """Generate with one chain, keeping each step's logits; what-if with other settings must
    keep what a chain with those settings keeps from the same logits after the same tokens."""
    session = FakeEngine({"": "What if we try?"}).load(ModelSpec("fake", Path("fake.gguf"), 512))
    memory = RecentLogits(keep=3)
    other = parse_what_if("temperature=1.3, top_k=4, min_p=0", DETERMINISTIC)
    logits_seen, answer = {}, []
    for event in generate(session, session.tokenize("hi"), DETERMINISTIC.replace(seed=1),
                          trace_top=5, memory=memory):
        if not hasattr(event, "trace"):
            break
        remembered = memory.get(event.trace.step)
        assert remembered is not None and list(remembered.before) == answer
        logits_seen[event.trace.step] = remembered.logits
        result = what_if(remembered.logits, remembered.before, other, 5)
        fresh = SamplerChain(other, seed=0)
        for token in answer:
            fresh.accept(token)
        pick = fresh.pick(remembered.logits, views=5)
        assert result.views == pick.views
        assert (result.views[0].name, result.views[0].kept) == ("top-k", 4)
        answer.append(event.token_id)
    assert memory.steps == sorted(logits_seen)[-3:]  # only the last three stay
    for step in memory.steps:  # the slots reused for later steps left these as they were
        assert np.array_equal(memory.get(step).logits, logits_seen[step])
    memory.forget()
    assert memory.steps == [] and memory.get(max(logits_seen)) is None


def test_what_if_on_a_stored_trace_uses_its_top_candidates_and_says_so() -> None:
    logits = np.log(np.array([0.4, 0.3, 0.2, 0.1] + [1e-6] * 96, dtype=np.float32))
    pick = SamplerChain(DETERMINISTIC, seed=0).pick(logits, views=4)
    step = TokenStep.from_dict(make_step(1, logits, pick, 4, lambda t: b"x").to_dict())
    result = what_if_stored(step, [], parse_what_if("top_k=2,temperature=1,min_p=0,tfs_z=1,"
                                                     "top_p=1,typical_p=1", DETERMINISTIC), 4)
    assert result.partial
    assert [i for i, _ in result.final] == [0, 1]
    assert [p for _, p in result.final] == pytest.approx([4 / 7, 3 / 7], abs=1e-6)


@pytest.mark.parametrize("text, words", [
    ("top_p", "is not NAME=VALUE"),
    ("top_q=0.5", "top_q"),
    ("top_p=lots", "top_p must be a number"),
])
def test_what_if_input_errors_say_what_was_wrong(text: str, words: str) -> None:
    from samantha.core.errors import SettingsError

    with pytest.raises(SettingsError, match=words):
        parse_what_if(text, DETERMINISTIC)


@pytest.mark.parametrize("banned, summed", [(3, False), (SPARE - 1, False), (SPARE, True)])
def test_a_stage_changing_a_few_scores_is_viewed_from_the_raw_sums(banned: int,
                                                                  summed: bool) -> None:
    """Up to SPARE changed scores, a whole-vocabulary stage's view comes from the raw softmax's
    sums and the changed scores; it equals the view summed over the stage's own scores."""
    raw = RawScores.of(RAW, 8 + SPARE, Buffers())
    changed_logits = RAW.copy()
    changed_logits[BEST[:banned]] = -np.inf  # the best ones banned
    changed_logits[BEST[-1]] = RAW[BEST[0]] + 1.0  # the worst one raised above them all
    cands = Candidates.full(changed_logits)
    changed = Changed.between(raw, cands, len(raw.top) - 8)
    assert (changed is None) == summed
    if changed is None:
        return
    for chosen in (BEST[-1], BEST[banned], BEST[2000], BEST[0]):
        want = stage_view("penalties", cands, 8, chosen)
        got = changed.view("penalties", raw, 8, chosen)
        assert (got.name, got.kept) == (want.name, want.kept)
        assert [i for i, _ in got.survivors] == [i for i, _ in want.survivors]
        assert [p for _, p in got.survivors] == pytest.approx([p for _, p in want.survivors],
                                                              rel=1e-5, abs=1e-12)


NARROWED = [  # top-k first: the chain runs on the best raw scores and those it may raise
    STOCHASTIC,
    DETERMINISTIC,
    SPREAD.replace(frequency_penalty=0.4, presence_penalty=-2.0),  # a penalty that raises
    STOCHASTIC.replace(logit_bias=((BEST[4000], 30.0), (BEST[0], -math.inf), (7, 0.1))),
    STOCHASTIC.replace(top_k=SPARE + 50),  # more than the raw sums keep: every token
    STOCHASTIC.replace(top_k=SPARE, repeat_penalty=2.0, presence_penalty=2.0),  # pushed below
]


@pytest.mark.parametrize("settings", NARROWED)
@pytest.mark.parametrize("chosen", [None, BEST[1], BEST[3000]])
def test_learning_mode_on_the_best_scores_equals_the_chain_on_every_token(
        settings: Settings, chosen: int | None) -> None:
    """With views asked, a chain whose top-k comes first runs on a few hundred tokens instead
    of the vocabulary; the token, the counts and every view are those of the whole run."""
    before = [BEST[2], BEST[10], BEST[10], 7, BEST[4500], BEST[3000], *BEST[20:40]]
    for seed in range(4):
        narrow, whole = SamplerChain(settings, seed), SamplerChain(settings, seed)
        for token in before:
            narrow.accept(token)
            whole.accept(token)
        got = narrow.pick(RAW, views=10, chosen=chosen)
        raw = RawScores.of(RAW, 10 + SPARE, Buffers())
        want = whole._run(whole._everything(RAW), True, 10, chosen, raw)  # every token
        assert got.token == want.token
        assert got.stages == want.stages
        assert got.survivors.ids.tolist() == want.survivors.ids.tolist()
        assert [(v.name, v.kept, [t for t, _ in v.survivors]) for v in got.views] == \
            [(v.name, v.kept, [t for t, _ in v.survivors]) for v in want.views]
        for a, b in zip(got.views, want.views):
            assert [p for _, p in a.survivors] == pytest.approx([p for _, p in b.survivors],
                                                                rel=1e-6, abs=1e-12)


def test_learning_mode_on_the_best_scores_is_the_path_taken() -> None:
    """The narrowed run is what pick uses when it can (not only a fallback that never runs)."""
    chain = SamplerChain(STOCHASTIC, 1)
    chain.accept(BEST[3])
    raw = RawScores.of(RAW, 10 + SPARE, Buffers())
    assert chain._pick_narrowed(RAW, raw, 10, None) is not None
    assert SamplerChain(STOCHASTIC.replace(top_k=0), 1)._pick_narrowed(RAW, raw, 10, None) is None
