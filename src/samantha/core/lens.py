"""What each layer would say: the logit lens, in numpy.

A transformer adds each layer's work to one vector per position, the residual stream. After the
last layer the model normalises that vector (RMSNorm with its ``output_norm`` weights) and
multiplies it by the output matrix: one score (logit) per token of the vocabulary. The logit
lens does the same to the stream after *every* layer, as if the model stopped there: each layer's
own top candidates, the rank and probability of the token finally chosen, and the layer where
that token first leads. The last layer's lens is the model's own answer, which the tests check
to float tolerance on the bundled models.

What the lens does not show: the middle layers were not trained to be read this way, so their
"answers" are a view through the last layer's glasses, not what the layer "thinks"; early
layers often say nothing readable.

Two modes: ``full`` scores the whole vocabulary at every layer (exact probabilities and ranks);
``cheap`` scores only the final top candidates (their probabilities among themselves, and their
ranks among themselves), which costs a few thousand multiplications a token.

llama.cpp multiplies by a Q8_0 output matrix after rounding the normalised vector to Q8_0 blocks
itself (32 values sharing one half-precision scale): :func:`q8_0_round` does the same, so the
last layer's lens matches the model's logits to 1e-5 instead of 0.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

MODES = ("cheap", "full")
Q8_BLOCK = 32
MAX_LENS_TOP = 20  # candidates kept per layer (a stored trace stays small)


class OutputRows(Protocol):
    """The output matrix of a model, row ``i`` scoring token ``i`` (float32, n_embd wide)."""

    def rows(self, ids: Sequence[int]) -> np.ndarray: ...

    def all(self) -> np.ndarray: ...


@dataclass(frozen=True)
class LensHead:
    """The last steps of a model, applied to any layer's stream: its final norm and output."""

    norm: np.ndarray  # output_norm.weight, float32 (n_embd,)
    eps: float
    output: OutputRows
    q8_input: bool  # round the normalised vector to Q8_0 first, as llama.cpp does


def rms_norm(h: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """RMSNorm of each row of ``h`` (float32), times ``weight``."""
    h = np.asarray(h, dtype=np.float32)
    scale = 1.0 / np.sqrt(np.mean(h * h, axis=-1, keepdims=True) + np.float32(eps))
    normed: np.ndarray = (h * scale.astype(np.float32) * weight).astype(np.float32)
    return normed


def q8_0_round(x: np.ndarray) -> np.ndarray:
    """Each row of ``x`` rounded as ggml rounds a vector to Q8_0: blocks of 32 values, a scale
    ``max|x| / 127`` kept in half precision, each value ``round(x / scale)`` times the scale."""
    x = np.asarray(x, dtype=np.float32)
    shape = x.shape
    if shape[-1] % Q8_BLOCK:
        raise ValueError(f"Q8_0 rounds vectors of whole blocks of {Q8_BLOCK}, not {shape[-1]}")
    blocks = x.reshape(-1, Q8_BLOCK)
    amax = np.max(np.abs(blocks), axis=1, keepdims=True)
    # as ggml's CPU code: the scale from max/127, the values times 127/max, rounded to nearest
    inverse = np.divide(np.float32(127), amax, out=np.zeros_like(amax), where=amax != 0)
    q = np.round(blocks * inverse)
    scale = (amax / np.float32(127)).astype(np.float16).astype(np.float32)
    rounded: np.ndarray = (q * scale).reshape(shape).astype(np.float32)
    return rounded


def layer_logits(head: LensHead, streams: np.ndarray,
                 ids: Sequence[int] | None = None) -> np.ndarray:
    """Each layer's logits (layers x tokens): every token, or only ``ids``."""
    normed = rms_norm(streams, head.norm, head.eps)
    if head.q8_input:
        normed = q8_0_round(normed)
    matrix = head.output.all() if ids is None else head.output.rows(ids)
    logits: np.ndarray = (normed @ matrix.T).astype(np.float32)
    return logits


@dataclass(frozen=True)
class LayerView:
    """What one layer would say: its top tokens with their probabilities, and the chosen
    token's rank (1: it leads) and probability there."""

    layer: int
    top: tuple[tuple[int, float], ...]
    chosen_rank: int
    chosen_p: float

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "top": [[i, round(p, 6)] for i, p in self.top],
                "chosen_rank": self.chosen_rank, "chosen_p": round(self.chosen_p, 6)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LayerView":
        return cls(int(data["layer"]), tuple((int(i), float(p)) for i, p in data["top"]),
                   int(data["chosen_rank"]), float(data["chosen_p"]))


@dataclass(frozen=True)
class LayerLens:
    """The logit lens of one token: a view per layer, and where the chosen token first led."""

    mode: str  # "cheap" or "full"
    chosen: int
    layers: tuple[LayerView, ...]

    @property
    def first_lead(self) -> int | None:
        """The first layer from which the chosen token leads at every later layer."""
        first = None
        for view in self.layers:
            if view.chosen_rank == 1:
                first = view.layer if first is None else first
            else:
                first = None
        return first

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "chosen": self.chosen, "first_lead": self.first_lead,
                "layers": [v.to_dict() for v in self.layers]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LayerLens":
        return cls(str(data["mode"]), int(data["chosen"]),
                   tuple(LayerView.from_dict(v) for v in data["layers"]))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 (small probabilities stay exact enough to rank)."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    probs: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return probs


def lens(head: LensHead, streams: np.ndarray, chosen: int, candidates: Sequence[int],
         mode: str = "cheap", top: int = 5) -> LayerLens:
    """The lens of one token from its streams (layers x n_embd, the predicted position):
    ``full`` over the whole vocabulary, ``cheap`` over ``candidates`` (the chosen one added)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    top = max(1, min(top, MAX_LENS_TOP))
    ids = None if mode == "full" else list(dict.fromkeys([*candidates, chosen]))
    probs = softmax(layer_logits(head, streams, ids))
    index = np.arange(probs.shape[1]) if ids is None else np.asarray(ids)
    at = chosen if ids is None else ids.index(chosen)
    views = []
    for layer, row in enumerate(probs):
        order = np.argsort(-row, kind="stable")[:top]
        views.append(LayerView(layer, tuple((int(index[j]), float(row[j])) for j in order),
                               int(np.count_nonzero(row > row[at])) + 1, float(row[at])))
    return LayerLens(mode, chosen, tuple(views))


ATTENTION_TOP = 8  # positions kept per head (a stored trace stays small)


@dataclass(frozen=True)
class AttentionView:
    """Where each head of each layer looked from the position being predicted: its ``top``
    positions of the context (0: the first token of the prompt) with their weights, most
    weight first, and the ``tokens`` of those positions (ids) to label them."""

    positions: int  # the context's length at this step
    layers: tuple[tuple[tuple[tuple[int, float], ...], ...], ...]  # layer -> head -> top
    tokens: Mapping[int, int]  # position -> token id, for the positions shown

    def to_dict(self) -> dict[str, Any]:
        return {"positions": self.positions,
                "layers": [[[[i, round(w, 6)] for i, w in head] for head in layer]
                           for layer in self.layers],
                "tokens": {str(k): v for k, v in self.tokens.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "AttentionView":
        return cls(int(data["positions"]),
                   tuple(tuple(tuple((int(i), float(w)) for i, w in head) for head in layer)
                         for layer in data["layers"]),
                   {int(k): int(v) for k, v in data["tokens"].items()})


def attention_view(rows: Mapping[int, np.ndarray], context: Sequence[int],
                   top: int = ATTENTION_TOP) -> AttentionView | None:
    """The :class:`AttentionView` of each layer's rows (heads x cells, the cells being the
    positions of ``context``, the tokens read so far); None when a layer is missing or the
    rows do not cover the context."""
    count = len(context)
    if not rows or sorted(rows) != list(range(len(rows))) or count == 0:
        return None
    layers: list[tuple[tuple[tuple[int, float], ...], ...]] = []
    shown: set[int] = set()
    for layer in range(len(rows)):
        weights = np.asarray(rows[layer], dtype=np.float64)
        if weights.ndim != 2 or weights.shape[1] < count:
            return None
        heads = []
        for row in weights[:, :count]:
            order = np.argsort(-row, kind="stable")[:top]
            heads.append(tuple((int(i), float(row[i])) for i in order))
            shown.update(int(i) for i in order)
        layers.append(tuple(heads))
    return AttentionView(count, tuple(layers), {i: int(context[i]) for i in sorted(shown)})


class Inside(Protocol):
    """What learning mode asks of a model for each token, read from what the engine captured
    for that step: the lens of the token just chosen, and where attention went."""

    def look(self, chosen: int, candidates: Sequence[int]) -> LayerLens | None: ...

    def attend(self) -> AttentionView | None: ...

