"""A llama.cpp context of several sequences, for batch slots (see :mod:`samantha.core.slots`).

A second context on a loaded model (the weights are shared), with ``slots`` sequences and
``n_ctx`` cache cells for each (``kv_unified`` off: each sequence has a cache of its own, so
one cannot crowd out another). Every call runs on the engine's thread.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from samantha.core.errors import GenerationError, ModelError


class LlamaBatch:
    """The :class:`~samantha.core.slots.Decoder` of a loaded llama.cpp model."""

    def __init__(self, session: Any, slots: int, n_ctx: int, n_threads: int,
                 n_batch: int = 512, call: Callable[..., Any] = lambda fn, *a: fn(*a)) -> None:
        import llama_cpp

        self._lib, self._call = llama_cpp, call
        self.slots, self.n_ctx, self.n_batch = slots, n_ctx, n_batch
        self.n_vocab = session.n_vocab
        self._ctx = call(self._open, session, slots, n_ctx, n_threads, n_batch)
        self._batch = llama_cpp.llama_batch_init(max(n_batch, slots), 0, 1)
        self._length = [0] * slots  # tokens each sequence holds

    def _open(self, session: Any, slots: int, n_ctx: int, n_threads: int, n_batch: int) -> Any:
        lib = self._lib
        params = lib.llama_context_default_params()
        params.n_ctx = slots * n_ctx
        params.n_batch = params.n_ubatch = n_batch
        params.n_seq_max = slots
        params.n_threads = params.n_threads_batch = n_threads
        params.kv_unified = False
        context = lib.llama_init_from_model(session._llm.model, params)
        if not context:
            raise ModelError(f"llama.cpp could not make a context of {slots} sequences of "
                             f"{n_ctx} tokens for {session.name}: lower --parallel or n_ctx.")
        return context

    def decode(self, prefills: dict[int, list[int]], tokens: dict[int, int]
               ) -> dict[int, np.ndarray]:
        return self._call(self._decode, prefills, tokens)

    def _decode(self, prefills: dict[int, list[int]], tokens: dict[int, int]
                ) -> dict[int, np.ndarray]:
        answers = {}
        for slot, prompt in prefills.items():  # each prompt alone, in chunks, as a single
            self._forget(slot)                  # context would read it
            for start in range(0, len(prompt), self.n_batch):
                chunk = prompt[start:start + self.n_batch]
                self._run([(slot, token) for token in chunk], last_only=True)
            answers[slot] = self._logits(-1).copy()  # the next decode overwrites it
        if tokens:
            self._run(list(tokens.items()), last_only=False)
            for index, slot in enumerate(tokens):
                answers[slot] = self._logits(index)  # valid until the next step
        return answers

    def _run(self, entries: list[tuple[int, int]], last_only: bool) -> None:
        batch = self._batch
        batch.n_tokens = len(entries)
        for i, (slot, token) in enumerate(entries):
            if self._length[slot] >= self.n_ctx:
                raise GenerationError(f"Sequence {slot} is full ({self.n_ctx} tokens).")
            batch.token[i] = token
            batch.pos[i] = self._length[slot]
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = slot
            batch.logits[i] = (i == len(entries) - 1) if last_only else True
            self._length[slot] += 1
        status = self._lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise GenerationError(f"llama.cpp could not decode a batch of {len(entries)} "
                                  f"tokens (status {status}).")

    def _logits(self, index: int) -> np.ndarray:
        pointer = self._lib.llama_get_logits_ith(self._ctx, index if index >= 0 else -1)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))

    def forget(self, slot: int) -> None:
        self._call(self._forget, slot)

    def _forget(self, slot: int) -> None:
        memory = self._lib.llama_get_memory(self._ctx)
        self._lib.llama_memory_seq_rm(memory, slot, -1, -1)
        self._length[slot] = 0

    def close(self) -> None:
        self._call(self._close)

    def _close(self) -> None:
        if self._ctx is not None:
            self._lib.llama_batch_free(self._batch)
            self._lib.llama_free(self._ctx)
            self._ctx = None
