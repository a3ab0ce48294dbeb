"""The llama.cpp engine (through llama-cpp-python): the only module that imports ``llama_cpp``.

We use llama-cpp-python for loading, tokenising and evaluating, and read the logits of the last
position straight from llama.cpp (``llama_get_logits_ith``), never asking for the logits of every
position (``logits_all``). Sampling is ours (:mod:`samantha.core.candidates`).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

import numpy as np

from samantha.core.chat import ChatPrompt, Message, plain_prompt
from samantha.core.engine import Cancel, ModelSpec
from samantha.core.errors import ModelError
from samantha.engines.llama_tap import Tap, tapped

if TYPE_CHECKING:
    from types import ModuleType

    from llama_cpp import Llama
    from llama_cpp._internals import LlamaModel

    from samantha.engines.llama_grammar import GrammarConstraint
    from samantha.engines.template_worker import TemplateWorker

T = TypeVar("T")


def default_threads() -> int:
    """``SAMANTHA_THREADS`` if set, else every core this process may use."""
    configured = os.environ.get("SAMANTHA_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LlamaLog:
    """Keeps llama.cpp's recent error lines (to explain a failed load) instead of printing its
    chatter on the terminal.

    llama.cpp holds one log callback for the whole process and calls it until the process ends,
    so exactly one instance is made, kept on the ``llama_cpp`` module it serves (a callback freed
    while llama.cpp still points at it would crash the process)."""

    ERROR = 4  # ggml_log_level: 1 debug, 2 info, 3 warn, 4 error, 5 continuation

    @classmethod
    def installed(cls) -> "LlamaLog":
        import llama_cpp

        log: LlamaLog | None = getattr(llama_cpp, "_samantha_log", None)
        if log is None:
            log = cls()
            setattr(llama_cpp, "_samantha_log", log)  # kept where llama.cpp's callback lives
        return log

    def __init__(self) -> None:
        import llama_cpp

        self.errors: deque[str] = deque(maxlen=5)
        self._callback = llama_cpp.llama_log_callback(self._record)  # kept alive by self
        llama_cpp.llama_log_set(self._callback, ctypes.c_void_p(0))

    def _record(self, level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        if level == self.ERROR:
            self.errors.append(text.decode("utf-8", "replace").strip())

    def first_error(self) -> str:
        return self.errors[0] if self.errors else ""


class LlamaCppEngine:
    """Loads GGUF models on the CPU.

    Every call into llama.cpp runs on one thread of the engine's own: llama.cpp computes with an
    OpenMP team per calling thread, and teams left behind by other threads (a web server's
    workers, the main thread) compete for the cores and slow generation down by a fifth."""

    def __init__(self, n_threads: int | None = None, n_batch: int = 512) -> None:
        self.n_threads = n_threads or default_threads()
        self.n_batch = n_batch
        self._log: LlamaLog | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llama.cpp")
        self._worker_id = self._worker.submit(threading.get_ident).result()

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the engine's thread and wait for it (at once when already
        there)."""
        if threading.get_ident() == self._worker_id:
            return fn(*args)
        return self._worker.submit(fn, *args).result()

    def load(self, spec: ModelSpec) -> "LlamaCppSession":
        return self.call(self._load, spec)

    def _load(self, spec: ModelSpec) -> "LlamaCppSession":
        import llama_cpp

        self._log = LlamaLog.installed()
        self._log.errors.clear()
        tap = Tap() if spec.tapped else None  # learning mode's view inside, closed until asked
        try:
            with tapped(tap):
                llm = llama_cpp.Llama(
                    model_path=str(spec.path),
                    n_ctx=spec.n_ctx,
                    n_batch=self.n_batch,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    logits_all=False,
                    flash_attn=False,  # its fused kernel has no attention weights to show
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            reason = self._log.first_error() or str(exc)
            raise ModelError(
                f"llama.cpp could not load {spec.path.name} ({reason}). The file may use an "
                "architecture or quantisation this version of llama.cpp does not support; "
                "try another model or quantisation."
            ) from None
        return LlamaCppSession(spec.name, llm, self.call, tap)

    def vocabulary(self, path: Path) -> "LlamaVocabulary":
        """The model's vocabulary only (no weights): fast, for listing pieces by id."""
        return self.call(self._vocabulary, path)

    def _vocabulary(self, path: Path) -> "LlamaVocabulary":
        import llama_cpp
        from llama_cpp._internals import LlamaModel

        self._log = LlamaLog.installed()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        try:
            model = LlamaModel(path_model=str(path), params=params, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp could not read the vocabulary of {path.name} "
                             f"({self._log.first_error() or exc}).") from None
        return LlamaVocabulary(model)


class LlamaVocabulary:
    def __init__(self, model: LlamaModel) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self._model = model
        self._vocab = llama_cpp.llama_model_get_vocab(model.model)
        self.n_vocab: int = model.n_vocab()

    def piece(self, token: int) -> bytes:
        return _token_bytes(self._lib, self._vocab, token, special=True)

    def close(self) -> None:
        self._model.close()


class LlamaCppSession:
    """One loaded model and its KV cache (see :class:`samantha.core.engine.ModelSession`)."""

    def __init__(self, name: str, llm: Llama,
                 call: Callable[..., Any] = lambda fn, *args: fn(*args),
                 tap: Tap | None = None) -> None:
        import llama_cpp

        self.tap = tap  # what the graph showed in the last decode, while open

        self._lib = llama_cpp
        self._llm = llm
        self._call = call  # runs llama.cpp's computations on the engine's thread
        self._feed = llm.eval  # llama-cpp-python's name for "decode these tokens"
        self.name = name
        self.n_ctx: int = llm.n_ctx()
        self.n_vocab: int = llm.n_vocab()
        self._vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self._cached: list[int] = []  # the tokens whose keys and values the cache holds
        self._prefilled = 0  # how many of them a prefill computed (generated ones come after)
        self._pieces: dict[int, bytes] = {}  # as generated text (special tokens are empty)
        self._shown: dict[int, bytes] = {}  # as shown in learning mode (special tokens named)
        self._bos_text = self._text(llm.token_bos()) if llm.token_bos() >= 0 else ""
        self._formatter = self._chat_formatter()

    # -- text -------------------------------------------------------------------------------------
    def _text(self, token: int) -> str:
        return self._lib.llama_vocab_get_text(self._vocab, token).decode("utf-8", "replace")

    def _chat_formatter(self) -> "TemplateWorker | None":
        """The model's chat template, rendered in a worker process with a time and memory
        budget (see :mod:`samantha.engines.template_worker`); started now, so that it loads
        while the first prompt is prepared."""
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        from samantha.engines.chat_template import ChatTemplate
        from samantha.engines.template_worker import TemplateWorker

        eos = self._llm.token_eos()
        worker = TemplateWorker(ChatTemplate(template, bos_token=self._bos_text,
                                             eos_token=self._text(eos) if eos >= 0 else ""),
                                self.name)
        worker.start()
        return worker

    @property
    def has_chat_template(self) -> bool:
        return self._formatter is not None

    def render_chat(self, messages: Sequence[Message], cancel: Cancel | None = None) -> ChatPrompt:
        """The prompt from the model's chat template (raises ``TemplateError`` when the
        template refuses the messages, goes over its budget, or ``cancel`` is set while it
        renders), or the plain format when the model has none."""
        if self._formatter is None:
            return plain_prompt(messages)
        text = self._formatter.render([m.to_dict() for m in messages], cancel)
        eos = self._formatter.template.eos_token
        return ChatPrompt(text, (eos,) if eos else ())

    def tokenize(self, text: str) -> list[int]:
        add_bos = bool(self._llm._model.add_bos_token()) and not (
            self._bos_text and text.startswith(self._bos_text)
        )
        return self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    def piece(self, token: int) -> bytes:
        cached = self._pieces.get(token)
        if cached is None:
            cached = self._pieces[token] = _token_bytes(self._lib, self._vocab, token, False)
        return cached

    def vocab_piece(self, token: int) -> bytes:
        cached = self._shown.get(token)
        if cached is None:
            cached = self._shown[token] = _token_bytes(self._lib, self._vocab, token, True)
        return cached

    def is_end(self, token: int) -> bool:
        return bool(self._lib.llama_vocab_is_eog(self._vocab, token))

    def constraint(self, grammar: str) -> "GrammarConstraint":
        """llama.cpp's grammar sampler for a GBNF ``grammar`` over this model's vocabulary (see
        :mod:`samantha.engines.llama_grammar`); raises ``GrammarError`` for a bad grammar. Made
        on the engine's thread, one at a time (it captures stderr while llama.cpp parses)."""
        from samantha.engines.llama_grammar import GrammarConstraint

        model = self._llm._model
        return self._call(GrammarConstraint, self._vocab, grammar,
                          lambda: model.model is not None)

    # -- evaluation -------------------------------------------------------------------------------
    def _logits(self) -> np.ndarray:
        pointer = self._lib.llama_get_logits_ith(self._llm.ctx, -1)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))

    def prefill(self, tokens: Sequence[int], cancel: Cancel) -> np.ndarray | None:
        return self._call(self._prefill, tokens, cancel)

    def look_inside(self, on: bool) -> bool:
        """Open (or close) the tap on the model's graph: each decode then keeps every layer's
        stream and attention at its last position. False when this session has no tap."""
        if self.tap is None:
            return False
        self.tap.open = on
        self.tap.clear()
        return True

    def inside(self) -> np.ndarray | None:
        """The streams (layers x n_embd) at the position the last decode predicted from."""
        return None if self.tap is None else self.tap.layers()

    def context(self) -> list[int]:
        """The tokens the cache holds, in position order (the prompt, then the answer)."""
        return list(self._cached)

    def attention(self) -> dict[int, np.ndarray]:
        """Each layer's attention of that position (heads x cells), when the tap is open."""
        return {} if self.tap is None else dict(self.tap.attention)

    def _prefill(self, tokens: Sequence[int], cancel: Cancel) -> np.ndarray | None:
        """Evaluate the prompt in chunks of ``n_batch`` aligned to position 0, reusing only whole
        chunks that an earlier prefill computed. llama.cpp's numbers depend slightly on how
        tokens are batched, so this keeps every answer independent of what ran before: the same
        seed, settings and prompt give the same answer, reused cache or not."""
        tokens = list(tokens)
        if self.tap is not None and self.tap.open:
            self.tap.clear()
        step = self._llm.n_batch
        common = _common_prefix(self._cached[: self._prefilled], tokens)
        keep = min(common, len(tokens) - 1) // step * step
        if keep < len(self._cached) and not self._llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            self._llm._ctx.kv_cache_clear()  # this cache cannot drop a tail: start over
            keep = 0
        self._llm.n_tokens = keep
        self._cached = tokens[:keep]
        self._prefilled = keep
        for start in range(keep, len(tokens), step):
            if cancel.is_set():
                return None
            chunk = tokens[start: start + step]
            self._feed(chunk)
            self._cached += chunk
            self._prefilled += len(chunk)
        return self._logits()

    def advance(self, token: int) -> np.ndarray:
        return self._call(self._advance, token)

    def _advance(self, token: int) -> np.ndarray:
        if self.tap is not None and self.tap.open:
            self.tap.clear()
        self._feed([token])
        self._cached.append(token)
        return self._logits()

    def reset(self) -> None:
        self._call(self._reset)

    def _reset(self) -> None:
        self._llm._ctx.kv_cache_clear()
        self._llm.n_tokens = 0
        self._cached = []
        self._prefilled = 0

    def close(self) -> None:
        if self._formatter is not None:
            self._formatter.close()
        self._call(self._llm.close)


def _token_bytes(lib: ModuleType, vocab: object, token: int, special: bool) -> bytes:
    buffer = ctypes.create_string_buffer(64)
    n = lib.llama_token_to_piece(vocab, token, buffer, 64, 0, special)
    if n > 64:
        buffer = ctypes.create_string_buffer(n)
        n = lib.llama_token_to_piece(vocab, token, buffer, n, 0, special)
    return buffer.raw[: max(n, 0)]


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
