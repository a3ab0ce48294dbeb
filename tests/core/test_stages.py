"""The stages of samantha.core.stages_* against the vectors of llama.cpp's tests/test-sampling.cpp
(dry, xtc, top_n_sigma, temp_ext, min_keep in the sampler queue), vectors that llama.cpp's own
library (libllama of llama-cpp-python 0.3.36) gave for cases its tests leave out (marked
"libllama"), and our own checks."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from samantha.core.candidates import Candidates
from samantha.core.stages_draws import Draw, Mirostat, MirostatV2
from samantha.core.stages_dry import Dry, dry_breakers
from samantha.core.stages_filters import (
    MinP,
    MinPKeep,
    TopK,
    TopNSigma,
    TopP,
    TopPKeep,
    Typical,
    TypicalKeep,
    Xtc,
)
from samantha.core.stages_scores import DynamicTemperature, LogitBias

P4 = [0.1, 0.2, 0.3, 0.4]


def cands(probs: list[float]) -> Candidates:
    return Candidates.full(np.log(np.array(probs, dtype=np.float64)))


def expect(result: Candidates, expected: list[float]) -> None:
    """llama.cpp's check: the survivors' probabilities, renormalised (its tests apply the dist
    sampler after the stage). An expected 0 means the token is gone or has probability 0."""
    got = {int(i): float(p) for i, p in zip(result.ids, result.probs())}
    assert set(got) <= set(range(len(expected)))
    for token, p in enumerate(expected):
        assert got.get(token, 0.0) == pytest.approx(p, abs=1e-5), (token, got)


def ids(result: Candidates) -> set[int]:
    return {int(i) for i in result.ids}


def token_breakers(sequences: list[list[int]]) -> dict[int, list[tuple[int, ...]]]:
    """Token-id breakers as llama.cpp's llama_sampler_init_dry_testing takes them."""
    out: dict[int, list[tuple[int, ...]]] = {}
    for seq in sequences:
        out.setdefault(seq[0], []).append(tuple(seq[1:]))
    return out


def dry_after(answer: list[int], *args, breakers=None) -> Dry:
    stage = Dry(*args, breakers=breakers)
    for token in answer:
        stage.accept(token)
    return stage


@pytest.mark.parametrize("probs, answer, expected, mult, base, allowed, last_n, breakers", [
    ([0.25] * 4, [0, 1], [0.25] * 4, 1.0, 1.1, 2, 4, []),
    ([0.25] * 4, [0, 1, 2, 0, 1], [0.296923, 0.296923, 0.109232, 0.296923], 1.0, 1.1, 2, 5, []),
    ([0.2] * 5, [0, 1, 3, 4, 0, 1], [0.2] * 5, 1.0, 1.1, 2, 6, [[3]]),
    ([0.2] * 5, [0, 1, 2, 0, 1], [0.241818, 0.241818, 0.032727, 0.241818, 0.241818],
     2.0, 1.1, 2, 5, []),
    ([0.2] * 5, [0, 1, 2, 3, 4, 0, 1], [0.2] * 5, 1.0, 1.1, 4, 7, []),
])
def test_dry(probs, answer, expected, mult, base, allowed, last_n, breakers) -> None:
    stage = dry_after(answer, mult, base, allowed, last_n, breakers=token_breakers(breakers))
    expect(stage.apply(cands(probs)), expected)


def test_dry_penalises_the_token_that_continues_a_loop() -> None:
    a, b, c, d = 0, 1, 2, 3
    logits = np.zeros(4)
    out = dry_after([a, b, c, a, b], 1.0, 1.75, 2, -1).apply(Candidates.full(logits))
    assert out.logits[c] == pytest.approx(-1.0) and list(out.logits[[a, b, d]]) == [0, 0, 0]
    longer = dry_after([a, b, c, d, a, b, c], 1.0, 1.75, 2, -1).apply(Candidates.full(logits))
    assert longer.logits[d] == pytest.approx(-1.75)  # one token longer: times base


def test_dry_window_breakers_and_switches() -> None:
    logits = np.zeros(5)
    answer = [0, 1, 2, 4, 4, 4, 0, 1]
    assert dry_after(answer, 1.0, 2.0, 2, -1).apply(Candidates.full(logits)).logits[2] == -1
    window = dry_after(answer, 1.0, 2.0, 2, 5)  # the first "0 1 2" is out of sight
    assert np.all(window.apply(Candidates.full(logits)).logits == 0)
    loop = [0, 1, 2, 4, 0, 1, 2]  # "0 1 2" again: 4 would make it 4 tokens long
    assert dry_after(loop, 1.0, 2.0, 2, -1).apply(Candidates.full(logits)).logits[4] == -2
    broken = dry_after(loop, 1.0, 2.0, 2, -1, breakers={1: [()]})  # only "2" after the "1"
    assert np.all(broken.apply(Candidates.full(logits)).logits == 0)
    for off in (Dry(0.0, 1.75, 2, -1), Dry(1.0, 1.75, 2, 0), Dry(1.0, 0.9, 2, -1)):
        assert not off.active
    stage = dry_after([0, 1, 2, 0, 1], 1.0, 1.75, 2, -1)
    stage.reset()
    assert not stage.recent and np.all(stage.apply(Candidates.full(logits)).logits == 0)


def test_dry_breaker_of_two_tokens_limits_a_match_only_when_complete() -> None:
    def penalty(answer: list[int], breakers=None) -> float:
        stage = dry_after(answer, 1.0, 2.0, 2, -1, breakers=breakers)
        return float(stage.apply(Candidates.full(np.zeros(10))).logits[9])
    two = {1: [(2,)]}  # the breaker "1 2"
    assert penalty([1, 2, 6, 7, 9, 1, 2, 6, 7]) == -4  # "1 2 6 7" again: 2 ** (4 - 2)
    assert penalty([1, 2, 6, 7, 9, 1, 2, 6, 7], two) == -1  # only "6 7" counts: 2 ** 0
    assert penalty([1, 3, 6, 7, 9, 1, 3, 6, 7], two) == -4  # "1" without its "2"


def test_dry_works_on_a_shuffled_subset_and_keeps_the_logits() -> None:
    logits = np.array([0.5, 0.1, 0.3], dtype=np.float32)
    subset = Candidates(np.array([9, 2, 4]), logits)
    out = dry_after([1, 2, 9, 1, 2], 1.0, 1.75, 2, -1).apply(subset)
    assert list(out.ids) == [9, 2, 4] and out.logits[0] == pytest.approx(-0.5)
    assert list(logits) == pytest.approx([0.5, 0.1, 0.3])


TOY = ["a", "b", ":", "\n", "a:", "ab", "x\n", "\n\n", "c"]  # token id = index


def test_dry_breakers_on_a_toy_vocabulary() -> None:
    assert dry_breakers([":", "ab:", "\n\n"], TOY) == {
        2: ((),),  # ":" is a whole token
        4: ((),),  # ":" is part of the longer token "a:"
        5: ((2,),),  # "ab:" spans two tokens: "ab" then ":"
        0: ((1, 2),),  # ...or three: "a" then "b" ":"
        7: ((),),  # "\n\n" is a whole token...
        3: ((3,),),  # ...or "\n" then "\n"
        6: ((3,),),  # "x\n" ends with the start of "\n\n"
    }


def test_dry_breakers_use_the_given_tokenizer_and_cut_tails() -> None:
    calls: list[str] = []

    def tokenize(text: str) -> list[int]:
        calls.append(text)
        return [3] * 30
    found = dry_breakers(["\n\n"], TOY, tokenize)
    assert set(calls) == {"\n"} and found[3] == ((3,) * 20,)  # llama.cpp keeps 20 tokens
    assert dry_breakers([""], TOY) == {}
    assert dry_breakers(["é" * 30], ["é" * 20]) == {0: ((),)}  # cut to 40 bytes: 20 é


def test_dry_breakers_stand_in_tokenizer_prefers_ordinary_tokens() -> None:
    pieces = [":", "a", "b", "ab", ":"]  # id 0 is like a byte token <0x3A>, shown as ":"
    assert dry_breakers(["ab:"], pieces) == {3: ((4,),), 1: ((2, 4),)}


def test_dry_with_built_breakers_limits_at_a_two_token_breaker() -> None:
    pieces = ["a", "b", "c", "ab", ":", "\n"]
    answer = [1, 4, 0, 2, 5, 1, 4, 0, 2]  # "b:ac" again; "\n" would continue it
    for breakers, expected in ((None, -4.0), (dry_breakers(["b:"], pieces), -1.0)):
        out = dry_after(answer, 1.0, 2.0, 2, -1, breakers=breakers).apply(
            Candidates.full(np.zeros(6)))
        assert out.logits[5] == expected


def reference_breakers(strings, pieces, tokenize):
    """llama.cpp's get_overlapping_token_sequences, loop for loop (slow, for comparison)."""
    out: dict[int, list[tuple[int, ...]]] = {}
    for s in strings:
        for token, word in enumerate(pieces):
            if s in word:
                out.setdefault(token, []).append(())
                continue
            for pos in (i for i, ch in enumerate(word) if ch == s[0]):
                i = 1
                while i < len(s) and i + pos < len(word) and word[pos + i] == s[i]:
                    i += 1
                if i == len(s) or i + pos == len(word):
                    tail = tuple(tokenize(s[i:]))[:20]
                    if tail not in out.setdefault(token, []):
                        out[token].append(tail)
    return {token: tuple(dict.fromkeys(tails)) for token, tails in out.items()}


def random_pieces(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = np.array(list('abc :\n*"'))
    text = "".join(alphabet[rng.integers(0, len(alphabet), size=n * 8)])
    cuts = np.cumsum(rng.integers(1, 9, size=n))  # piece lengths 1 to 8
    return [text[a:b] for a, b in zip(np.r_[0, cuts[:-1]], cuts)]


def test_dry_breakers_match_llama_cpp_loop_by_loop() -> None:
    pieces = random_pieces(3000, 1)
    strings = ["\n", ":", "a:\n", "*c*", "ab c", " \" "]
    def tokenize(text: str) -> list[int]:
        return [ord(ch) for ch in text]
    assert dry_breakers(strings, pieces, tokenize) == reference_breakers(strings, pieces, tokenize)


def test_dry_breakers_are_fast_on_a_large_vocabulary() -> None:
    pieces = random_pieces(262_144, 2)
    start = time.perf_counter()
    found = dry_breakers(["\n", ":", '"', "*", "a:\n"], pieces)
    assert time.perf_counter() - start < 5.0  # measured: about 0.3 s
    assert len(found) > 50_000 and all(() in found[t] for t in range(200) if "\n" in pieces[t])


@pytest.mark.parametrize("probs, expected, p, t", [
    # llama.cpp checks the probabilities before renormalising: these are those, per survivor
    ([0.4, 0.3, 0.2, 0.1], {3: 0.1}, 0.99, 0.09),
    ([0.4, 0.3, 0.2, 0.1], {2: 0.2, 3: 0.1}, 0.99, 0.19),
    ([0.4, 0.3, 0.2, 0.1], {1: 0.3, 2: 0.2, 3: 0.1}, 0.99, 0.29),
    ([0.4, 0.3, 0.2, 0.1], {0: 0.4, 1: 0.3, 2: 0.2, 3: 0.1}, 0.99, 0.39),  # only one above
])
def test_xtc(probs, expected, p, t) -> None:
    result = Xtc(p, t, 0, seed=0).apply(cands(probs))
    assert ids(result) == set(expected)
    for token, prob in expected.items():
        assert probs[token] == pytest.approx(prob)


@pytest.mark.parametrize("t, min_keep, expected", [  # libllama, probability 1
    (0.19, 2, {2, 3}), (0.19, 3, {0, 1, 2, 3}), (0.09, 2, {0, 1, 2, 3}), (0.09, 1, {3}),
])
def test_xtc_min_keep(t: float, min_keep: int, expected: set[int]) -> None:
    assert ids(Xtc(1.0, t, min_keep, seed=5).apply(cands([0.4, 0.3, 0.2, 0.1]))) == expected


def test_xtc_is_off_when_its_settings_say_so() -> None:
    assert not Xtc(0.0, 0.1).active and not Xtc(0.5, 0.51).active and Xtc(0.5, 0.5).active
    assert len(Xtc(1.0, 0.6).apply(cands(P4))) == 4


def xtc_decisions(seed: int, n: int = 200) -> list[int]:
    stage = Xtc(0.5, 0.1, 0, seed)
    return [len(stage.apply(cands(P4))) for _ in range(n)]


def test_xtc_is_reproducible_per_seed() -> None:
    first = xtc_decisions(3)
    assert first == xtc_decisions(3) and first != xtc_decisions(4)
    assert set(first) == {1, 4} and 60 < first.count(1) < 140  # about half the time
    stage = Xtc(0.5, 0.1, 0, 3)
    stage.apply(cands(P4))
    stage.reset()
    assert [len(stage.apply(cands(P4))) for _ in range(200)] == first


@pytest.mark.parametrize("n, expected", [
    (1.0, [0.0, 0.0, 0.428571, 0.571429]),
    (0.0, [0.1, 0.2, 0.3, 0.4]),  # a no-op since llama.cpp PR #13345
    (3.0, [0.1, 0.2, 0.3, 0.4]),
])
def test_top_n_sigma(n: float, expected: list[float]) -> None:
    expect(TopNSigma(n).apply(cands(P4)), expected)


def test_top_n_sigma_spread_is_the_population_deviation() -> None:  # libllama
    assert ids(TopNSigma(0.5).apply(cands([0.01, 0.09, 0.2, 0.3, 0.4]))) == {3, 4}


def test_top_n_sigma_ignores_banned_tokens() -> None:
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    logits = np.append(logits, [-np.inf] * 50)
    assert ids(TopNSigma(1.0).apply(Candidates.full(logits))) == {2, 3}


@pytest.mark.parametrize("probs, expected, temp, delta, exponent", [
    (P4, [0.1, 0.2, 0.3, 0.4], 1.0, 0.0, 1.0),
    (P4, [0.0, 0.0, 0.0, 1.0], 0.0, 0.0, 1.0),
    # libllama
    (P4, [0.134408, 0.218745, 0.290847, 0.356001], 1.0, 0.5, 1.0),
    (P4, [0.129698, 0.216537, 0.292244, 0.361521], 1.0, 0.5, 2.0),
    (P4, [0.1319, 0.217582, 0.291595, 0.358922], 0.5, 1.0, 1.0),
    ([0.97, 0.01, 0.01, 0.01], [0.998108, 0.000631, 0.000631, 0.000631], 1.0, 0.5, 1.0),
])
def test_dynamic_temperature(probs, expected, temp, delta, exponent) -> None:
    expect(DynamicTemperature(temp, delta, exponent).apply(cands(probs)), expected)


def test_dynamic_temperature_follows_the_uncertainty() -> None:
    stage = DynamicTemperature(1.0, 0.5, 1.0)
    assert stage.temperature_for(cands([0.25] * 4)) == pytest.approx(1.5)
    assert stage.temperature_for(cands([1 - 3e-9, 1e-9, 1e-9, 1e-9])) == pytest.approx(0.5)
    assert stage.name == "dynamic-temperature" and stage.active
    plain = DynamicTemperature(1.0, 0.0, 1.0)
    assert plain.name == "temperature" and not plain.active


@pytest.mark.parametrize("stage, expected", [  # test-sampling.cpp's vectors, min_keep 0
    (TopPKeep(0.0, 0), [0, 0, 0, 1.0]),
    (TopPKeep(0.7, 0), [0, 0, 0.428571, 0.571429]),
    (TopPKeep(0.8, 0), [0, 0.22222, 0.33333, 0.44444]),
    (TopPKeep(1.0, 0), P4),
    (MinPKeep(0.0, 0), P4), (MinPKeep(0.24, 0), P4),
    (MinPKeep(0.26, 0), [0, 0.2 / 0.9, 0.3 / 0.9, 0.4 / 0.9]),
    (MinPKeep(0.49, 0), [0, 0.2 / 0.9, 0.3 / 0.9, 0.4 / 0.9]),
    (MinPKeep(0.51, 0), [0, 0, 0.3 / 0.7, 0.4 / 0.7]),
    (MinPKeep(0.74, 0), [0, 0, 0.3 / 0.7, 0.4 / 0.7]),
    (MinPKeep(0.76, 0), [0, 0, 0, 1.0]), (MinPKeep(1.0, 0), [0, 0, 0, 1.0]),
])
def test_min_keep_zero_keeps_llama_cpp_vectors(stage, expected) -> None:
    expect(stage.apply(cands(P4)), expected)


def test_typical_keep_vectors() -> None:
    assert ids(TypicalKeep(0.5, 0).apply(cands([0.97, 0.01, 0.01, 0.01]))) == {0}
    assert ids(TypicalKeep(0.5, 0).apply(cands([0.4, 0.2, 0.2, 0.2]))) == {1, 2, 3}


Q = [0.9, 0.05, 0.03, 0.02]


@pytest.mark.parametrize("stage, probs, expected", [  # libllama
    (TopPKeep(0.0, 2), P4, {3, 2}), (TopPKeep(0.5, 3), P4, {3, 2, 1}),
    (TopPKeep(0.0, 9), P4, {0, 1, 2, 3}),
    (MinPKeep(0.76, 2), P4, {3, 2}), (MinPKeep(0.76, 3), P4, {3, 2, 1}),
    (MinPKeep(0.5, 2), Q, {0, 1}), (MinPKeep(0.5, 3), Q, {0, 1, 2}),
    (TypicalKeep(0.5, 2), Q, {0, 1}), (TypicalKeep(0.5, 3), Q, {0, 1, 2}),
    (TypicalKeep(0.5, 4), P4, {0, 1, 2, 3}), (TypicalKeep(0.5, 2), P4, {1, 2, 3}),
])
def test_min_keep_above_one(stage, probs, expected) -> None:
    assert ids(stage.apply(cands(probs))) == expected


@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("min_keep", [0, 1])
def test_min_keep_zero_or_one_is_exactly_sampling(p: float, min_keep: int) -> None:
    rng = np.random.default_rng(int(p * 10) + min_keep)
    for _ in range(30):
        c = Candidates.full(rng.normal(size=40) * 2)
        for ours, base in ((TopPKeep, TopP), (MinPKeep, MinP), (TypicalKeep, Typical)):
            got, want = ours(p, min_keep).apply(c), base(p).apply(c)
            assert list(got.ids) == list(want.ids) and np.array_equal(got.logits, want.logits)


def test_typical_keep_extends_typical_in_its_own_order() -> None:
    c = Candidates.full(np.random.default_rng(9).normal(size=60) * 3)
    base = list(Typical(0.2).apply(c).ids)
    more = list(TypicalKeep(0.2, len(base) + 5).apply(c).ids)
    assert len(more) == len(base) + 5 and more[:len(base)] == base


def queue_vocab(n: int) -> Candidates:
    """llama.cpp's sampler-queue vocabulary: logit(id) = log(id), so p(id) grows with id."""
    with np.errstate(divide="ignore"):
        return Candidates.full(np.log(np.arange(n, dtype=np.float64)))


@pytest.mark.parametrize("sequence, top_k, top_p, min_p", [
    ("p", 10000, 1.0, 1.0), ("p", 10000, 0.0, 1.0), ("m", 10000, 1.0, 1.0),
    ("p", 10000, 0.0003, 1.0), ("p", 10000, 0.8, 1.0), ("m", 10000, 1.0, 9997.9 / 9999.0),
    ("m", 10000, 1.0, 0.1), ("kp", 100, 0.8, 0.1), ("km", 100, 0.8, 0.1), ("pk", 100, 0.8, 0.1),
    ("pm", 100, 0.8, 0.1), ("mk", 100, 0.8, 0.1), ("mp", 100, 0.8, 9997.9 / 9999.0),
    ("mp", 100, 0.8, 0.1), ("kpm", 100, 0.8, 0.1), ("kmp", 100, 0.8, 0.1),
    ("pkm", 100, 0.8, 0.1), ("pmk", 100, 0.8, 0.1), ("mkp", 100, 0.8, 0.1),
    ("mpk", 100, 0.8, 0.1),
])
def test_sampler_queue_with_min_keep_one(sequence: str, top_k: int, top_p: float,
                                         min_p: float) -> None:
    """test_sampler_queue: top-p and min-p with min_keep 1, in every order with top-k."""
    n = 10000
    f32 = np.float32
    c, low = queue_vocab(n), 0  # low: the smallest id still expected
    for step in sequence:
        stage = {"k": TopK(top_k), "p": TopPKeep(top_p, 1), "m": MinPKeep(min_p, 1)}[step]
        c = stage.apply(c)
        if step == "k":
            low = max(low, n - top_k)
            assert len(c) <= top_k and c.is_sorted
        elif step == "p":
            divisor = n * (n - 1) // 2 - low * (low - 1) // 2
            target = math.ceil(f32(top_p) * f32(divisor))
            low, size, total = n, 0, 0
            while True:
                low, size, total = low - 1, size + 1, total + low - 1
                if total >= target:
                    break
            if low == 1:  # token 0 has p == 0
                low, size = 0, size + 1
            assert len(c) == size
        else:
            size = min(max(math.ceil((f32(1.0) - f32(min_p)) * f32(n)), 1), len(c))
            assert len(c) == size
            low = min(max(int(f32(min_p) * f32(n)), 1, n - len(c)), n - 1)
        if c.is_sorted:
            assert c.ids[0] == n - 1 and c.ids[len(c) - 1] == low


def test_logit_bias_bans_and_favours() -> None:
    out = LogitBias({3: -math.inf, 0: math.log(4.0), 99: 5.0, -1: 1.0}).apply(cands(P4))
    expect(out, [0.4 / 0.9, 0.2 / 0.9, 0.3 / 0.9, 0.0])  # 99 and -1: not in the vocabulary
    draw = Draw(seed=4)
    assert 3 not in {draw.pick(out) for _ in range(2000)}  # never drawn...
    assert ids(MinP(0.01).apply(out)) == {0, 1, 2}  # ...and a filter drops it
    assert not LogitBias({}).active


def test_logit_bias_on_shuffled_candidates() -> None:
    c = Candidates(np.array([7, 3, 5]), np.array([1.0, 2.0, 3.0]))
    out = LogitBias({5: -1.0, 7: 0.5, 2: 9.0}).apply(c)
    assert list(out.ids) == [7, 3, 5] and list(out.logits) == [1.5, 2.0, 2.0]


ZIPF = np.log(1.0 / np.arange(1, 1001) ** 1.2)


@pytest.mark.parametrize("tau, v1, v2", [(2.0, 3, 2), (3.0, 10, 9), (5.0, 107, 94)])  # libllama
def test_mirostat_keeps_what_llama_cpp_keeps(tau: float, v1: int, v2: int) -> None:
    order = np.random.default_rng(0).permutation(1000)  # the order must not matter
    for c in (Candidates.full(ZIPF), Candidates(order, ZIPF[order])):
        assert len(Mirostat(tau, 0.1, 1000, seed=1).apply(c)) == v1
        assert len(MirostatV2(tau, 0.1, seed=1).apply(c)) == v2


@pytest.mark.parametrize("tau, expected", [(0.5, {3}), (1.0, {3, 2}), (1.5, {3, 2, 1})])
def test_mirostat_v2_cuts_by_surprise(tau: float, expected: set[int]) -> None:
    assert ids(MirostatV2(tau, 0.1, seed=1).apply(cands(P4))) == expected  # libllama


def test_mirostat_v1_small_vectors() -> None:
    r = [0.5, 0.25, 0.125, 0.0625, 0.0625]
    assert ids(Mirostat(1.0, 0.1, 5, seed=1).apply(cands(r))) == {0, 1}  # libllama
    assert len(Mirostat(2.0, 0.1, 5, seed=1).apply(cands(r))) == 5


@pytest.mark.parametrize("kind", [Mirostat, MirostatV2])
def test_mirostat_learning_step_and_target(kind) -> None:
    stage = kind(4.0, 0.2, 1000, seed=2) if kind is Mirostat else kind(4.0, 0.2, seed=2)
    assert stage.mu == 8.0
    kept = stage.apply(Candidates.full(ZIPF))
    token = stage.pick(kept)
    p = dict(zip(kept.ids.tolist(), kept.probs()))[token]
    assert stage.mu == pytest.approx(8.0 - 0.2 * (-math.log2(p) - 4.0))
    surprises = []
    for _ in range(600):
        kept = stage.apply(Candidates.full(ZIPF))
        token = stage.pick(kept)
        surprises.append(-math.log2(dict(zip(kept.ids.tolist(), kept.probs()))[token]))
    assert abs(np.mean(surprises[100:]) - 4.0) < 0.5  # the surprise settles near tau
    stage.mu = 0.0  # far too strict: one candidate, surprise 0, so mu rises by eta * tau
    assert len(stage.apply(Candidates.full(ZIPF))) == 1
    stage.sample(Candidates.full(ZIPF))
    assert stage.mu == pytest.approx(0.8)
    stage.mu = 40.0  # far too loose: mu falls back
    for _ in range(100):
        stage.sample(Candidates.full(ZIPF))
    assert stage.mu < 15.0
    stage.reset()
    assert stage.mu == 8.0


@pytest.mark.parametrize("kind", [Mirostat, MirostatV2])
def test_mirostat_is_reproducible_per_seed(kind) -> None:
    def picks(seed: int) -> list[int]:
        stage = kind(5.0, 0.1, 1000, seed) if kind is Mirostat else kind(5.0, 0.1, seed)
        return [stage.sample(Candidates.full(ZIPF)) for _ in range(100)]
    assert picks(1) == picks(1) and picks(1) != picks(2)
    assert len(set(picks(1))) > 5
