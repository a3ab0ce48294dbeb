"""The layer view against a forward pass written out in numpy, on a small GGUF whose weights the
test writes (tests/support/tiny_model.py: llama architecture, 2 layers, 4 heads, float32): each
layer's stream, each head's attention and each layer's lens, as llama.cpp computed them through
the tap, equal the same model computed here from the same weights."""

from __future__ import annotations

import threading
from pathlib import Path

import gguf
import numpy as np
import pytest

from samantha.core.engine import ModelSpec
from samantha.core.lens import layer_logits
from samantha.engines.llama_cpp import LlamaCppEngine
from samantha.models.lens_weights import lens_head

pytestmark = pytest.mark.e2e

TOKENS = [1, 261, 262, 263, 264, 265, 266]  # <s> then six words of the tiny vocabulary
HEADS = 4


def weights(path: Path) -> dict[str, np.ndarray]:
    reader = gguf.GGUFReader(str(path))
    return {t.name: np.array(t.data, dtype=np.float64).reshape(
        [int(n) for n in reversed(t.shape)]) for t in reader.tensors}


def rms(x: np.ndarray, w: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope(x: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """llama's rotation of adjacent pairs (x[2i], x[2i+1]) by position x angle (per head)."""
    tokens, heads, dim = x.shape
    angles = np.arange(tokens)[:, None] * base ** (-np.arange(0, dim, 2) / dim)[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def half(x: np.ndarray) -> np.ndarray:
    """Rounded to half precision, as llama.cpp keeps keys and values (and multiplies by them)."""
    return x.astype(np.float16).astype(np.float64)


def forward(w: dict[str, np.ndarray], tokens: list[int]) -> tuple[list, list]:
    """Each layer's stream at the last position, and each layer's attention of that position
    (heads x tokens). The KV cache holds keys and values in half precision, and ggml rounds what
    it multiplies them by to half precision too: so does this."""
    x = w["token_embd.weight"][tokens]
    n, embd = x.shape
    dim = embd // HEADS
    streams, attention = [], []
    for i in range(sum(1 for k in w if k.endswith("attn_q.weight"))):
        h = rms(x, w[f"blk.{i}.attn_norm.weight"])
        q = rope((h @ w[f"blk.{i}.attn_q.weight"].T).reshape(n, HEADS, dim))
        k = rope((h @ w[f"blk.{i}.attn_k.weight"].T).reshape(n, HEADS, dim))
        v = (h @ w[f"blk.{i}.attn_v.weight"].T).reshape(n, HEADS, dim)
        scores = np.einsum("qhd,khd->hqk", half(q), half(k)) / np.sqrt(dim)
        scores = np.where(np.tril(np.ones((n, n), dtype=bool))[None], scores, -np.inf)
        p = np.exp(scores - scores.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        attention.append(p[:, -1, :])
        mixed = np.einsum("hqk,khd->qhd", half(p), half(v)).reshape(n, embd)
        x = x + mixed @ w[f"blk.{i}.attn_output.weight"].T
        f = rms(x, w[f"blk.{i}.ffn_norm.weight"])
        gate, up = f @ w[f"blk.{i}.ffn_gate.weight"].T, f @ w[f"blk.{i}.ffn_up.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w[f"blk.{i}.ffn_down.weight"].T
        streams.append(x[-1])
    return streams, attention


def test_streams_attention_and_lens_equal_a_numpy_forward_pass(tiny_model: Path) -> None:
    engine = LlamaCppEngine(n_threads=2)
    session = engine.load(ModelSpec("tiny", tiny_model, 512, tapped=True))
    try:
        assert session.look_inside(True)
        logits = np.array(session.prefill(TOKENS, threading.Event()), dtype=np.float64)
        streams, attention = session.inside(), session.attention()
    finally:
        session.close()
    w = weights(tiny_model)
    expected_streams, expected_attention = forward(w, TOKENS)
    assert streams is not None and len(streams) == len(expected_streams) == 2
    for got, want in zip(streams, expected_streams):
        assert np.allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    for layer, want in enumerate(expected_attention):
        got = attention[layer]  # heads x cells: the cells after the prompt are masked (0)
        assert got.shape[0] == HEADS
        assert np.allclose(got[:, :len(TOKENS)], want, atol=1e-5)
        assert np.allclose(got[:, len(TOKENS):], 0.0)
    # each layer's lens: the final norm and the output matrix applied to its stream
    head = lens_head(tiny_model)
    assert not head.q8_input  # a float32 output matrix: no rounding of its input
    lens = layer_logits(head, streams)
    for layer, stream in enumerate(expected_streams):
        want = rms(stream, w["output_norm.weight"]) @ w["output.weight"].T
        assert np.allclose(lens[layer], want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    assert np.allclose(lens[-1], logits, atol=1e-4 * np.abs(logits).max())
