"""Sampler stages against the expected vectors of llama.cpp's tests/test-sampling.cpp, plus
tail-free sampling (removed from llama.cpp; vectors from its classic version and our own)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from samantha.core.candidates import Candidates, top_indices
from samantha.core.errors import NothingAllowed
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import DETERMINISTIC, STOCHASTIC, Settings
from samantha.core.stages_filters import MinP, TailFree, TopK, TopP, Typical
from samantha.core.stages_scores import Penalties, Temperature

P4 = [0.1, 0.2, 0.3, 0.4]


def cands(probs: list[float]) -> Candidates:
    return Candidates.full(np.log(np.array(probs, dtype=np.float64)))


def survivors(result: Candidates) -> dict[int, float]:
    """id -> probability after the stage, renormalised over the survivors (as llama.cpp's
    tests do by applying the dist sampler after the stage)."""
    return {int(i): float(p) for i, p in zip(result.ids, result.probs())}


def expect(result: Candidates, expected: dict[int, float]) -> None:
    got = survivors(result)
    assert sorted(got) == sorted(expected)
    for token, p in expected.items():
        assert got[token] == pytest.approx(p, abs=1e-5)


@pytest.mark.parametrize("k, expected", [
    (1, {3: 1.0}),
    (3, {3: 0.44444, 2: 0.33333, 1: 0.22222}),
    (4, {3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1}),
    (0, {3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1}),
])
def test_top_k(k: int, expected: dict[int, float]) -> None:
    expect(TopK(k).apply(cands(P4)), expected)


@pytest.mark.parametrize("size", [262_144, 262_144 + 5, 100, 40 * 4 * 16 - 1])
def test_top_indices_equal_a_full_partition(size: int) -> None:
    """Column maxima for a vocabulary (and its left-over tail), a plain partition for short
    lists; the same tokens either way, also with banned (-inf) and tied logits."""
    rng = np.random.default_rng(size)
    for spread in (8.0, 0.01, 400.0):
        logits = (rng.standard_normal(size) * spread).astype(np.float32)
        logits[rng.integers(0, size, size // 10)] = -np.inf
        logits[-1] = logits.max() + 1  # the left-over tail holds the best one
        for k in (1, 40, 1000):
            if k >= size:
                continue
            want = set(np.argpartition(logits, size - k)[size - k:].tolist())
            assert set(top_indices(logits, k).tolist()) == want


@pytest.mark.parametrize("p, expected", [
    (0.0, {3: 1.0}),
    (0.7, {3: 0.571429, 2: 0.428571}),
    (0.8, {3: 0.44444, 2: 0.33333, 1: 0.22222}),
    (1.0, {3: 0.4, 2: 0.3, 1: 0.2, 0: 0.1}),
])
def test_top_p(p: float, expected: dict[int, float]) -> None:
    expect(TopP(p).apply(cands(P4)), expected)


@pytest.mark.parametrize("p, expected", [
    (0.00, {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}),
    (0.24, {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}),
    (0.26, {1: 0.2 / 0.9, 2: 0.3 / 0.9, 3: 0.4 / 0.9}),
    (0.49, {1: 0.2 / 0.9, 2: 0.3 / 0.9, 3: 0.4 / 0.9}),
    (0.51, {2: 0.3 / 0.7, 3: 0.4 / 0.7}),
    (0.74, {2: 0.3 / 0.7, 3: 0.4 / 0.7}),
    (0.76, {3: 1.0}),
    (1.00, {3: 1.0}),
])
def test_min_p(p: float, expected: dict[int, float]) -> None:
    expect(MinP(p).apply(cands(P4)), expected)


@pytest.mark.parametrize("t, expected", [
    (1.0, {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}),
    (0.0, {3: 1.0}),
])
def test_temperature(t: float, expected: dict[int, float]) -> None:
    expect(Temperature(t).apply(cands(P4)), expected)


def test_temperature_sharpens_and_flattens() -> None:
    sharp = survivors(Temperature(0.5).apply(cands(P4)))
    flat = survivors(Temperature(2.0).apply(cands(P4)))
    assert sharp[3] > 0.4 > flat[3]


@pytest.mark.parametrize("probs, p, expected", [
    # llama.cpp checks the probabilities before renormalising: these are those, per survivor.
    ([0.97, 0.01, 0.01, 0.01], 0.5, {0: 0.97}),
    ([0.4, 0.2, 0.2, 0.2], 0.5, {1: 0.2, 2: 0.2, 3: 0.2}),
])
def test_typical(probs: list[float], p: float, expected: dict[int, float]) -> None:
    result = Typical(p).apply(cands(probs))
    assert sorted(int(i) for i in result.ids) == sorted(expected)
    for token, prob in expected.items():
        assert probs[token] == pytest.approx(prob)


P5 = [0.2] * 5


@pytest.mark.parametrize("last, expected, repeat, frequency, presence", [
    ([0], [0, 0.25, 0.25, 0.25, 0.25], 50.0, 0.0, 0.0),
    ([0, 1, 2], [0, 0, 0, 0.5, 0.5], 50.0, 0.0, 0.0),
    ([0, 1, 2, 0, 0], [0, 0, 0, 0.5, 0.5], 50.0, 0.0, 0.0),
    ([0], [0.000011, 0.249997, 0.249997, 0.249997, 0.249997], 1.0, 5.0, 5.0),
    ([0, 1, 2], [0.000023, 0.000023, 0.000023, 0.499966, 0.499966], 1.0, 5.0, 5.0),
    ([0, 1, 2, 0, 0], [0.000000, 0.000023, 0.000023, 0.499977, 0.499977], 1.0, 5.0, 5.0),
])
def test_penalties(last, expected, repeat, frequency, presence) -> None:
    stage = Penalties(repeat, presence, frequency, window=len(last))
    for token in last:
        stage.accept(token)
    expect(stage.apply(cands(P5)), dict(enumerate(expected)))


def test_penalties_only_look_at_their_window() -> None:
    stage = Penalties(50.0, 0.0, 0.0, window=2)
    for token in [0, 1, 2]:  # token 0 has left the window
        stage.accept(token)
    got = survivors(stage.apply(cands(P5)))
    assert got[0] == pytest.approx(1 / 3, abs=1e-5) and got[1] < 1e-5


@pytest.mark.parametrize("probs, z, expected", [
    # classic llama.cpp test_tfs vectors (equal first differences: the curvature is flat)
    ([0.1, 0.15, 0.2, 0.25, 0.3], 0.25, {4: 1.0}),
    ([0.1, 0.15, 0.2, 0.25, 0.3], 0.75, {4: 0.3 / 0.55, 3: 0.25 / 0.55}),
    ([0.1, 0.15, 0.2, 0.25, 0.3], 0.99, {4: 0.3 / 0.55, 3: 0.25 / 0.55}),
    # ours: sorted p = .35 .25 .18 .12 .07 .03; first differences .10 .07 .06 .05 .04;
    # |second differences| .03 .01 .01 .01 -> normalised .5 .167 .167 .167, cumulative
    # .5 .667 .833 1: the cut falls at the first cumulative value above z (never before 1 kept)
    ([0.03, 0.07, 0.12, 0.18, 0.25, 0.35], 0.6, {5: 1.0}),
    ([0.03, 0.07, 0.12, 0.18, 0.25, 0.35], 0.7, {5: 0.35 / 0.6, 4: 0.25 / 0.6}),
    ([0.03, 0.07, 0.12, 0.18, 0.25, 0.35], 0.9, {5: 0.35 / 0.78, 4: 0.25 / 0.78,
                                                  3: 0.18 / 0.78}),
    ([0.03, 0.07, 0.12, 0.18, 0.25, 0.35], 0.0, {5: 1.0}),
    ([0.03, 0.07, 0.12, 0.18, 0.25, 0.35], 1.0,
     {5: 0.35, 4: 0.25, 3: 0.18, 2: 0.12, 1: 0.07, 0: 0.03}),
    ([0.7, 0.3], 0.0, {0: 0.7, 1: 0.3}),  # two candidates or fewer: nothing to cut
])
def test_tail_free(probs: list[float], z: float, expected: dict[int, float]) -> None:
    expect(TailFree(z).apply(cands(probs)), expected)


def queue_vocab(n: int) -> Candidates:
    """llama.cpp's sampler-queue vocabulary: logit(id) = log(id), so p(id) grows with id."""
    with np.errstate(divide="ignore"):
        return Candidates.full(np.log(np.arange(n, dtype=np.float64)))


@pytest.mark.parametrize("k", [10000, 1, 100])
def test_queue_top_k_keeps_the_highest_ids(k: int) -> None:
    result = TopK(k).apply(queue_vocab(10000))
    assert len(result) == k and result.ids[0] == 9999 and result.ids[-1] == 10000 - k


@pytest.mark.parametrize("p", [1.0, 0.0, 0.0002, 0.8])
def test_queue_top_p_size(p: float) -> None:
    n = 10000
    divisor = n * (n - 1) // 2
    target = math.ceil(p * divisor)
    size, total, token = 0, 0, n
    while True:  # at least one token is kept
        token -= 1
        size += 1
        total += token
        if total >= target:
            break
    if token == 1:  # token 0 has p == 0
        size += 1
    result = TopP(p).apply(queue_vocab(n))
    assert len(result) == (n if p >= 1.0 else size)


@pytest.mark.parametrize("p", [1.0, 9997.9 / 9999.0, 0.1])
def test_queue_min_p_size(p: float) -> None:
    n = 10000
    expected = min(max(math.ceil((1.0 - p) * n), 1), n)
    assert len(MinP(p).apply(queue_vocab(n))) == expected


def test_queue_min_p_tiny_keeps_every_possible_token() -> None:
    # llama.cpp's queue test computes its expectation in float32, where 1 - 1e-12 == 1; token 0
    # has probability 0 (logit -inf) and is rightly dropped by any min-p above 0.
    assert len(MinP(1e-12).apply(queue_vocab(10000))) == 9999


def chain_counts(settings: Settings, logits: np.ndarray) -> list[tuple[str, int]]:
    pick = SamplerChain(settings, seed=1).pick(logits)
    return [(s.name, s.kept) for s in pick.stages]


def test_chain_order_is_shown_as_configured() -> None:
    chain = SamplerChain(STOCHASTIC, seed=1)
    assert chain.describe() == (
        "logits -> penalties -> dry -> top-n-sigma -> top-k -> tail-free -> typical -> top-p "
        "-> min-p -> xtc -> temperature -> draw"
    )
    moved = SamplerChain(STOCHASTIC.replace(samplers="min-p,top-k,temperature"), seed=1)
    assert moved.describe() == "logits -> min-p -> top-k -> temperature -> draw"
    mirostat = SamplerChain(STOCHASTIC.replace(mirostat=2, logit_bias="5=-inf"), seed=1)
    assert mirostat.describe() == "logits -> logit-bias -> temperature -> mirostat-v2"
    assert SamplerChain(DETERMINISTIC, seed=1).describe().endswith("temperature -> greedy")


@pytest.mark.parametrize("filter_setting", [
    {"top_p": 0.0}, {"min_p": 1.0}, {"typical_p": 0.0}, {"tfs_z": 0.0}, {"top_k": 1},
])
def test_any_filter_at_its_deterministic_value_keeps_one(filter_setting: dict) -> None:
    open_filters = Settings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0,
                            tfs_z=1.0)
    logits = np.random.default_rng(0).normal(size=500).astype(np.float32)
    pick = SamplerChain(open_filters.replace(**filter_setting), seed=3).pick(logits)
    assert len(pick.survivors) == 1


def test_open_filters_keep_everything_and_draws_depend_on_the_seed() -> None:
    open_filters = Settings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0,
                            tfs_z=1.0)
    logits = np.zeros(1000, dtype=np.float32)
    counts = chain_counts(open_filters, logits)
    assert all(kept == 1000 for _, kept in counts)
    draws = {SamplerChain(open_filters, seed=s).sample(logits) for s in range(20)}
    assert len(draws) > 10
    assert SamplerChain(open_filters, seed=7).sample(logits) == SamplerChain(
        open_filters, seed=7).sample(logits)


def test_stage_counts_follow_the_settings() -> None:
    logits = np.random.default_rng(1).normal(size=5000).astype(np.float32)
    counts = dict(chain_counts(STOCHASTIC.replace(top_k=25, tfs_z=0.5), logits))
    assert counts["penalties"] == 5000 and counts["top-k"] == 25
    assert 1 <= counts["tail-free"] < 25
    assert counts["min-p"] <= counts["top-p"] <= counts["typical"] <= counts["tail-free"]


@pytest.mark.parametrize("settings", [
    DETERMINISTIC.replace(repeat_penalty=1.5, typical_p=1.0),
    DETERMINISTIC.replace(repeat_penalty=1.5),
    DETERMINISTIC.replace(top_k=0, typical_p=0.3, top_p=1.0, min_p=0.0),
    DETERMINISTIC.replace(top_k=1, tfs_z=1.0, typical_p=0.2),
    DETERMINISTIC.replace(top_k=2, typical_p=0.2),
    DETERMINISTIC.replace(tfs_z=1.0, typical_p=0.2, top_p=1.0, min_p=0.0),
    DETERMINISTIC.replace(repeat_penalty=1.5, logit_bias=(
        *((t, 2.5) for t in range(0, 300, 7)), *((t, -math.inf) for t in range(1, 300, 5)))),
])
def test_greedy_shortcut_agrees_with_the_full_chain(settings: Settings) -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        logits = rng.normal(size=300).astype(np.float32)
        fast, full = SamplerChain(settings, seed=0), SamplerChain(settings, seed=0)
        for token in rng.integers(0, 300, size=5):
            fast.accept(int(token))
            full.accept(int(token))
        assert fast.sample(logits) == full.pick(logits).token


def test_greedy_shortcut_when_the_best_tokens_are_banned_or_repeated() -> None:
    rng = np.random.default_rng(4)
    logits = rng.normal(size=262_144).astype(np.float32)
    order = np.argsort(-logits)
    banned = tuple((int(t), -math.inf) for t in order[:3])  # the three best go
    settings = DETERMINISTIC.replace(repeat_penalty=2.0, logit_bias=banned)
    fast, full = SamplerChain(settings, seed=0), SamplerChain(settings, seed=0)
    for token in order[3:6]:  # the next three were just said: penalised
        fast.accept(int(token))
        full.accept(int(token))
    assert fast.sample(logits) == full.pick(logits).token == int(order[6])


def test_sampling_never_modifies_the_logits() -> None:
    logits = np.random.default_rng(3).normal(size=100).astype(np.float32)
    before = logits.copy()
    chain = SamplerChain(STOCHASTIC.replace(repeat_penalty=2.0, presence_penalty=1.0), seed=0)
    chain.accept(int(np.argmax(logits)))
    chain.pick(logits)
    chain.sample(logits)
    assert np.array_equal(logits, before)


def test_penalties_find_their_tokens_among_any_subset() -> None:
    penalties = Penalties(2.0, 0.0, 0.0, 8)
    for token in (7, 3):
        penalties.accept(token)
    subset = Candidates(np.array([9, 3, 5, 7]), np.array([1.0, 4.0, 2.0, -1.0]))
    out = penalties.apply(subset)
    assert out.ids.tolist() == [9, 3, 5, 7]
    assert out.logits.tolist() == [1.0, 2.0, 2.0, -2.0]  # 3 divided, 7 multiplied, by id


class EveryFifth:
    """A stand-in grammar: tokens whose id is a multiple of five (or one of ``also``)."""

    def __init__(self, also: tuple[int, ...] = (), only: tuple[int, ...] | None = None) -> None:
        self.also, self.only = set(also), only
        self.seen: list[int] = []  # how many candidates each apply was asked about
        self.allowed_count, self.dead_end = 0, False

    def _ok(self, ids: np.ndarray) -> np.ndarray:
        if self.only is not None:
            return np.isin(ids, self.only)
        return (ids % 5 == 0) | np.isin(ids, list(self.also))

    def apply(self, ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        self.seen.append(len(ids))
        ok = self._ok(ids)
        self.allowed_count = int(ok.sum())
        return np.where(ok, logits, -np.inf)

    def allows(self, token: int) -> bool:
        return bool(self._ok(np.array([token]))[0])

    def accept(self, token: int) -> None:
        pass


@pytest.mark.parametrize("settings, narrowed", [
    (STOCHASTIC, True),
    (DETERMINISTIC.replace(repeat_penalty=1.3), True),
    (STOCHASTIC.replace(presence_penalty=-2.0, logit_bias=((7, 9.0), (11, -math.inf))), True),
    (STOCHASTIC.replace(top_k=0), False),  # no top-k: nothing to narrow to
    (STOCHASTIC.replace(samplers=("top-p", "top-k", "temperature")), False),  # top-p first
])
def test_a_grammar_sees_only_the_best_tokens_and_picks_as_if_it_saw_all(
        settings: Settings, narrowed: bool) -> None:
    rng = np.random.default_rng(11)
    n = 50_000
    fast_grammar, full_grammar = EveryFifth(also=(7,)), EveryFifth(also=(7,))
    fast = SamplerChain(settings, seed=5, constraint=fast_grammar)
    full = SamplerChain(settings, seed=5, constraint=full_grammar)
    refused = 0
    for _ in range(30):
        logits = (rng.standard_normal(n) * 3).astype(np.float32)
        token = fast.sample(logits)
        # as llama.cpp samples with a grammar: a first try without it; if the grammar refuses
        # that token, the same draw again with the grammar over the whole vocabulary
        state = full.draw.rng.bit_generator.state
        want = full.pick(logits, grammar=False).token
        if not full_grammar.allows(want):
            refused += 1
            full.draw.rng.bit_generator.state = state
            want = full.pick(logits).token
        assert token == want
        fast.accept(token)
        full.accept(token)
    assert refused >= 10
    assert (min(fast_grammar.seen) < n) == narrowed  # the narrowed path ran, or could not


def test_a_grammar_that_allows_few_tokens_is_asked_about_all() -> None:
    """Fewer allowed tokens among the best than top-k keeps: the whole vocabulary is asked."""
    logits = np.random.default_rng(12).standard_normal(50_000).astype(np.float32)
    only = tuple(int(t) for t in np.argsort(logits)[:3])  # three of the worst
    grammar = EveryFifth(only=only)
    token = SamplerChain(STOCHASTIC, seed=1, constraint=grammar).sample(logits)
    assert token in only and grammar.seen[-1] == 50_000


@pytest.mark.parametrize("settings", [
    DETERMINISTIC, STOCHASTIC,
    Settings(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0, tfs_z=1.0),
])
def test_a_banned_token_is_never_chosen_even_when_all_are(settings: Settings) -> None:
    logits = np.random.default_rng(13).normal(size=20).astype(np.float32)
    banned = settings.replace(logit_bias=tuple((t, -math.inf) for t in range(20)))
    with pytest.raises(NothingAllowed, match="No candidate is left"):
        SamplerChain(banned, seed=0).pick(logits)
