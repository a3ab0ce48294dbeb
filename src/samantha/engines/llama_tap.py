"""A tap on llama.cpp's compute graph: the residual stream after each layer (``l_out-N``) and
each layer's attention weights (``kq_soft_max-N``), copied as they are computed.

llama.cpp calls a context's eval callback (``cb_eval``) for every named tensor of the graph: first
asking whether we want it (we say yes only while the tap is open, and only for those names),
then, once it is computed, with its data, which we copy for the last position of the batch. The
callback is set when the context is made (``llama_context_params``; llama-cpp-python's ``Llama``
has no argument for it, so :func:`tapped` hands it the defaults with the callback in). Closed, the
tap answers "no" to every question and costs a call per tensor.

The ggml_tensor layout below is ggml's as vendored by llama-cpp-python 0.3.36 (checked: the name
read through it equals ``ggml_get_name`` for every node, and the data read through it gives the
model's own logits).
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

GGML_TYPE_F32 = 0
_WANTED = re.compile(r"^(l_out|kq_soft_max)-(\d+)$")


class GgmlTensor(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("buffer", ctypes.c_void_p),
        ("ne", ctypes.c_int64 * 4),
        ("nb", ctypes.c_size_t * 4),
        ("op", ctypes.c_int),
        ("op_params", ctypes.c_int32 * 16),
        ("flags", ctypes.c_int32),
        ("src", ctypes.c_void_p * 10),
        ("view_src", ctypes.c_void_p),
        ("view_offs", ctypes.c_size_t),
        ("data", ctypes.c_void_p),
        ("name", ctypes.c_char * 64),
        ("extra", ctypes.c_void_p),
        ("padding", ctypes.c_char * 8),
    ]


class Tap:
    """What the graph showed during the last decode while open: per layer, the stream at the
    batch's last position (n_embd) and the attention of its last query (heads x cells)."""

    def __init__(self) -> None:
        import llama_cpp
        from llama_cpp import _ggml

        self.open = False
        self.streams: dict[int, np.ndarray] = {}
        self.attention: dict[int, np.ndarray] = {}
        self.errors: list[str] = []
        self._get = _ggml.libggml.ggml_backend_tensor_get
        self._get.restype = None
        self._get.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
        self._contiguous = _ggml.libggml.ggml_is_contiguous
        self._contiguous.restype = ctypes.c_bool
        self._contiguous.argtypes = [ctypes.c_void_p]
        # kept as long as the tap: llama.cpp holds a bare pointer to it
        self.callback = llama_cpp.llama_cpp.ggml_backend_sched_eval_callback(self._called)
        self._lock = threading.Lock()

    def clear(self) -> None:
        self.streams, self.attention, self.errors = {}, {}, []

    def _called(self, pointer: int, ask: bool, user_data: Any) -> bool:
        try:
            tensor = GgmlTensor.from_address(pointer)
            if ask:
                return self.open and _WANTED.match(tensor.name.decode(errors="replace")) \
                    is not None
            self._copy(pointer, tensor)
        except Exception as exc:  # never let an exception through C: it would fail the decode
            self.errors.append(f"{type(exc).__name__}: {exc}")
        return True  # False here would stop the graph

    def _copy(self, pointer: int, tensor: GgmlTensor) -> None:
        found = _WANTED.match(tensor.name.decode(errors="replace"))
        if found is None or tensor.type != GGML_TYPE_F32 or not self._contiguous(pointer):
            return
        ne = [int(n) for n in tensor.ne]
        count = int(np.prod(ne))
        data = np.empty(count, dtype=np.float32)
        self._get(pointer, data.ctypes.data, 0, count * 4)
        array = data.reshape(ne[::-1])  # (ne3, ne2, ne1, ne0)
        layer = int(found.group(2))
        if found.group(1) == "l_out":
            if ne[1] > 0:  # a micro-batch without outputs leaves the last layer empty
                self.streams[layer] = array[0, 0, -1].copy()
        elif ne[1] > 0:  # (heads, queries, cells): the last query's row of each head
            self.attention[layer] = array[0, :, -1, :].copy()

    def layers(self) -> np.ndarray | None:
        """The streams of every layer (layers x n_embd), or None when a layer is missing."""
        if not self.streams or sorted(self.streams) != list(range(len(self.streams))):
            return None
        return np.stack([self.streams[i] for i in range(len(self.streams))])


@contextmanager
def tapped(tap: Tap | None) -> Iterator[None]:
    """While inside, contexts llama-cpp-python makes get ``tap``'s callback (none: unchanged)."""
    if tap is None:
        yield
        return
    import llama_cpp

    module = llama_cpp.llama_cpp
    original = module.llama_context_default_params

    def with_tap() -> Any:
        params = original()
        params.cb_eval = tap.callback
        params.cb_eval_user_data = None
        return params

    module.llama_context_default_params = with_tap
    try:
        yield
    finally:
        module.llama_context_default_params = original
