"""The weights the logit lens needs, read from a GGUF file with the ``gguf`` package: the final
norm (``output_norm.weight``), its epsilon, and the output matrix (``output.weight``, or the
token embeddings when the model ties them), dequantised a few rows at a time for the cheap lens
and whole, once, for the full one (kept in memory while the model is; for Gemma 3 270M's
262,144 x 640 matrix that is 670 MB and about 10 s the first time).

Architectures whose last steps are not "RMSNorm, then the output matrix" (logit soft-capping,
a LayerNorm with a bias) are refused in one line: the lens would not be the model's own view.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from samantha.core.errors import ModelError
from samantha.core.lens import LensHead

#: Architectures checked: the last layer's lens equals the model's logits (tests/e2e).
SUPPORTED = ("gemma3", "llama")
#: Output matrix types whose product llama.cpp's CPU code takes after rounding its input to Q8_0.
Q8_INPUT_TYPES = ("Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1")


class OutputMatrix:
    """The output matrix's rows as float32, dequantised on demand (the whole, once)."""

    def __init__(self, tensor: Any) -> None:
        self.tensor = tensor
        self._all: np.ndarray | None = None
        self._lock = threading.Lock()

    def rows(self, ids: Sequence[int]) -> np.ndarray:
        from gguf.quants import dequantize

        raw = np.asarray(self.tensor.data)[np.asarray(list(ids), dtype=np.int64)]
        return np.asarray(dequantize(raw, self.tensor.tensor_type), dtype=np.float32)

    def all(self) -> np.ndarray:
        with self._lock:
            if self._all is None:
                from gguf.quants import dequantize

                rows = int(self.tensor.shape[1])
                self._all = np.asarray(dequantize(self.tensor.data, self.tensor.tensor_type),
                                       dtype=np.float32).reshape(rows, -1)
            return self._all


def lens_head(path: Path) -> LensHead:
    """The lens head of the model file at ``path``; :class:`ModelError` when the architecture is
    not one the lens is known to be exact for."""
    import gguf

    try:
        reader = gguf.GGUFReader(str(path))
    except (ValueError, OSError) as exc:
        raise ModelError(f"Cannot read the weights of {Path(path).name} for the layer view: "
                         f"{exc}.") from None
    arch = str(reader.fields["general.architecture"].contents())
    if arch not in SUPPORTED:
        raise ModelError(f"The layer view supports {', '.join(SUPPORTED)} models; "
                         f"{Path(path).name} is {arch}. Learning mode's other views work.")
    tensors = {t.name: t for t in reader.tensors}
    output = tensors.get("output.weight") or tensors.get("token_embd.weight")
    norm = tensors.get("output_norm.weight")
    if output is None or norm is None:
        raise ModelError(f"{Path(path).name} has no output norm or output matrix: the layer "
                         "view cannot be made for it.")
    eps = float(reader.fields[f"{arch}.attention.layer_norm_rms_epsilon"].contents())
    return LensHead(np.asarray(norm.data, dtype=np.float32).copy(), eps, OutputMatrix(output),
                    output.tensor_type.name in Q8_INPUT_TYPES)
