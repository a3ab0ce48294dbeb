"""Dynamic temperature and DRY in llama.cpp's float32 arithmetic (issue 26, item 13).

Vectors in the shape of llama.cpp's tests/test-sampling.cpp: input scores -> what the stage
leaves. Those marked "libllama" are what llama.cpp's own library (libllama of llama-cpp-python
0.3.36, through ``llama_sampler_init_temp_ext`` and ``llama_sampler_init_dry``) gave for the same
input, to the last bit: the scores it leaves (float32), ``-inf`` where it dropped a token."""

from __future__ import annotations

import numpy as np
import pytest

from samantha.core.candidates import Candidates
from samantha.core.stages_draws import Draw
from samantha.core.stages_dry import Dry, max_exponent
from samantha.core.stages_scores import DynamicTemperature, Temperature

INF = float("inf")
P4 = np.log(np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32))
SURE = np.log(np.array([0.97, 0.01, 0.01, 0.01], dtype=np.float32))
D30 = [30.0, 0.0, 0.0, 0.0, 0.0]  # one token dominates: the case
D10 = [10.0, 0.0, 0.0, 0.0, 0.0]
MIX = [2.5, -1.25, 0.75, 0.5, 3.0]


def scores(logits) -> Candidates:
    return Candidates.full(np.array(logits, dtype=np.float32))


def left(result: Candidates, n: int) -> list[float]:
    """The score of each token after the stage, ``-inf`` for those it dropped."""
    got = dict(zip(result.ids.tolist(), result.logits.tolist()))
    return [got.get(token, -INF) for token in range(n)]


@pytest.mark.parametrize("logits, temp, delta, exponent, expected", [  # libllama
    (D30, 0.8, 1.0, 5.0, [30.0, -INF, -INF, -INF, -INF]),
    (D30, 0.8, 1.0, 1.0, [2.38878e+12, 0.0, 0.0, 0.0, 0.0]),
    (D30, 0.0, 0.7, 1.0, [6.1425776e+12, 0.0, 0.0, 0.0, 0.0]),
    (D30, 1.5, 0.5, 0.5, [29.999922, 0.0, 0.0, 0.0, 0.0]),
    (D10, 0.8, 1.0, 5.0, [1.8874839e+15, 0.0, 0.0, 0.0, 0.0]),
    (D10, 0.5, 1.0, 1.0, [5372.048, 0.0, 0.0, 0.0, 0.0]),
    (P4, 0.8, 1.0, 5.0, [-1.907296, -1.3331426, -0.99728453, -0.75898933]),
    (P4, 0.0, 0.7, 1.0, [-3.562974, -2.490412, -1.8630034, -1.4178498]),
    (SURE, 0.8, 1.0, 5.0, [-653.20416, -98758.945, -98758.945, -98758.945]),
    (SURE, 1.5, 0.5, 0.5, [-0.022599047, -3.4167848, -3.4167848, -3.4167848]),
    (MIX, 0.8, 1.0, 5.0, [12.432193, -6.2160964, 3.729658, 2.4864385, 14.918632]),
    (MIX, 1.0, 0.5, 1.0, [2.1832242, -1.0916121, 0.6549673, 0.43664485, 2.6198692]),
])
def test_dynamic_temperature_matches_llama_cpp_to_the_bit(logits, temp, delta, exponent,
                                                          expected) -> None:
    result = DynamicTemperature(temp, delta, exponent).apply(scores(logits))
    assert left(result, len(expected)) == [float(np.float32(x)) for x in expected]


def test_dynamic_temperature_keeps_the_dominant_token_alone() -> None:
    # float64 gave 3.5e-56: scores of inf and nan, and a draw that could pick any token
    stage = DynamicTemperature(0.8, 1.0, 5.0)
    assert stage.temperature_for(scores(D30)) == 0.0
    kept = stage.apply(scores(D30))
    assert kept.ids.tolist() == [0] and np.isfinite(kept.probs()).all()
    assert {Draw(seed).pick(kept) for seed in range(20)} == {0}


@pytest.mark.parametrize("stage, logits", [
    (Temperature(1e-40), [2.0, 3.0, 1.0]),  # 3 / 1e-40 is past the largest float32
    (DynamicTemperature(0.8, 1.0, 3.5), [0.0, 30.0, 0.0, 0.0, 0.0]),  # a subnormal temperature
])
def test_a_temperature_too_small_to_divide_by_keeps_the_best_alone(stage, logits) -> None:
    # llama.cpp's scores become inf there and its probabilities nan; the limit is greedy
    kept = stage.apply(scores(logits))
    assert kept.ids.tolist() == [int(np.argmax(logits))]
    assert np.isfinite(kept.probs()).all()


def test_a_small_temperature_that_fits_still_divides() -> None:
    kept = Temperature(1e-37).apply(scores([2.0, 3.0, 1.0]))  # 3e37 is below the largest
    assert kept.logits.tolist() == (np.array([2, 3, 1], np.float32) / np.float32(1e-37)).tolist()


@pytest.mark.parametrize("base, cap", [  # libllama: the penalty it gives once the cap is hit
    (4.0, 64), (3.0, 80), (2.0, 128), (1.75, 158), (1.5, 218), (1.1, 930),
    (1.000001, 0), (1.0, 0),  # about 1: no cap
])
def test_dry_exponent_cap_is_llama_cpps_float32_value(base, cap) -> None:
    assert max_exponent(base) == cap  # float64 would say 63 for 4.0 and 127 for 2.0


def dry_after(answer: list[int], *args) -> Dry:
    stage = Dry(*args)
    for token in answer:
        stage.accept(token)
    return stage


@pytest.mark.parametrize("answer, mult, base, last_n, expected", [  # libllama
    ([0, 1] * 40, 1e-38, 4.0, 200, [-5.0122614, -1.609438, -1.609438, -1.609438, -1.609438]),
    ([0, 1] * 70, 2e-38, 2.0, 200, [-8.415085, -1.609438, -1.609438, -1.609438, -1.609438]),
    # 4 ** 64 is 2 ** 128, past the largest float32: the penalty is infinite
    ([0, 1] * 40, 1.0, 4.0, 200, [-INF, -1.609438, -1.609438, -1.609438, -1.609438]),
    ([0, 1] * 40, 0.5, 4.0, 200, [-1.7014118e+38, -1.609438, -1.609438, -1.609438, -1.609438]),
    ([0, 1, 2, 0, 1], 1.0, 1.75, 100, [-1.609438, -1.609438, -2.609438, -1.609438, -1.609438]),
])
def test_dry_penalties_match_llama_cpp_to_the_bit(answer, mult, base, last_n, expected) -> None:
    logits = np.log(np.full(5, 0.2, dtype=np.float32))
    out = dry_after(answer, mult, base, 2, last_n).apply(Candidates.full(logits))
    assert out.logits.tolist() == [float(np.float32(x)) for x in expected]
