"""The logit lens in numpy (core.lens), against computations written out here: RMSNorm, ggml's
Q8_0 rounding (the gguf package's reference), each layer's probabilities and ranks, the cheap
mode against the full one, and where the chosen token first leads."""

from __future__ import annotations

import numpy as np
import pytest

from samantha.core.lens import LayerLens, LensHead, layer_logits, lens, q8_0_round, rms_norm


class Rows:
    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix.astype(np.float32)

    def rows(self, ids):
        return self.matrix[list(ids)]

    def all(self):
        return self.matrix


RNG = np.random.default_rng(3)
W = RNG.normal(size=(50, 64)).astype(np.float32)  # 50 tokens, 64 wide
NORM = RNG.uniform(0.5, 1.5, size=64).astype(np.float32)
STREAMS = RNG.normal(size=(4, 64)).astype(np.float32)  # 4 layers


def test_rms_norm_as_written_out() -> None:
    h = STREAMS[0]
    expected = h / np.sqrt(np.mean(h.astype(np.float64) ** 2) + 1e-6) * NORM
    assert np.allclose(rms_norm(h, NORM, 1e-6), expected, atol=1e-6)


def test_q8_0_rounding_is_ggmls() -> None:
    import gguf
    from gguf.quants import dequantize, quantize

    x = (RNG.normal(size=(5, 640)) * 7).astype(np.float32)
    x[0, :32] = 0.0  # a block of zeros keeps its zeros
    reference = dequantize(quantize(x, gguf.GGMLQuantizationType.Q8_0),
                           gguf.GGMLQuantizationType.Q8_0).reshape(x.shape)
    assert np.array_equal(q8_0_round(x), reference)
    with pytest.raises(ValueError, match="whole blocks of 32"):
        q8_0_round(np.ones(33, dtype=np.float32))


def test_each_layer_is_the_softmax_of_its_normed_stream_times_the_matrix() -> None:
    head = LensHead(NORM, 1e-5, Rows(W), q8_input=False)
    logits = layer_logits(head, STREAMS)
    normed = STREAMS / np.sqrt(np.mean(STREAMS.astype(np.float64) ** 2, axis=1,
                                       keepdims=True) + 1e-5) * NORM
    assert np.allclose(logits, normed @ W.T, atol=1e-4)
    chosen = int(np.argmax(logits[-1]))
    seen = lens(head, STREAMS, chosen, [], mode="full", top=3)
    for layer, view in enumerate(seen.layers):
        p = np.exp(logits[layer] - logits[layer].max())
        p /= p.sum()
        order = np.argsort(-p)
        assert [i for i, _ in view.top] == order[:3].tolist()
        assert view.chosen_p == pytest.approx(p[chosen])
        assert view.chosen_rank == int(np.count_nonzero(p > p[chosen])) + 1
    assert seen.layers[-1].chosen_rank == 1


def test_the_cheap_mode_ranks_among_the_candidates_only() -> None:
    head = LensHead(NORM, 1e-5, Rows(W), q8_input=True)
    candidates = [7, 3, 41, 12]
    cheap = lens(head, STREAMS, 3, candidates, mode="cheap", top=4)
    full_logits = layer_logits(head, STREAMS)
    for layer, view in enumerate(cheap.layers):
        sub = full_logits[layer][candidates]
        p = np.exp(sub - sub.max())
        p /= p.sum()
        assert {i for i, _ in view.top} == set(candidates)
        assert view.chosen_p == pytest.approx(p[candidates.index(3)], rel=1e-6)
    assert cheap.mode == "cheap" and cheap.chosen == 3
    with pytest.raises(ValueError, match="mode must be one of cheap, full"):
        lens(head, STREAMS, 3, candidates, mode="half")


def test_the_first_lead_is_where_the_token_leads_to_the_end() -> None:
    from samantha.core.lens import LayerView

    def views(*ranks: int) -> LayerLens:
        return LayerLens("full", 1, tuple(LayerView(i, ((1, 0.5),), r, 0.5)
                                          for i, r in enumerate(ranks)))

    assert views(3, 1, 2, 1, 1).first_lead == 3
    assert views(1, 1, 1).first_lead == 0
    assert views(1, 2).first_lead is None
    again = views(2, 1)
    assert LayerLens.from_dict(again.to_dict()) == again


def test_attention_keeps_each_heads_top_positions_and_their_tokens() -> None:
    from samantha.core.lens import AttentionView, attention_view

    rows = {0: np.array([[0.7, 0.2, 0.1, 0.0], [0.1, 0.1, 0.8, 0.0]]),
            1: np.array([[0.25, 0.25, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0]])}
    seen = attention_view(rows, [11, 12, 13], top=2)  # 3 positions; the 4th cell is padding
    assert seen is not None and seen.positions == 3
    assert seen.layers[0] == (((0, 0.7), (1, 0.2)), ((2, 0.8), (0, 0.1)))
    assert seen.layers[1][0] == ((2, 0.5), (0, 0.25))  # ties keep position order
    assert seen.tokens == {0: 11, 1: 12, 2: 13}
    assert AttentionView.from_dict(seen.to_dict()) == seen
    assert attention_view({1: rows[1]}, [1, 2, 3]) is None  # a layer missing
    assert attention_view(rows, [1, 2, 3, 4, 5]) is None  # rows shorter than the context
