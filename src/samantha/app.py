"""The Workbench: the one facade the CLI and the UI call.

It picks the concrete engine, finds model files, keeps one model in memory at a time (a model used
by consecutive generations is not reloaded) and runs generations through our sampler chain.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from samantha.core.chat import Message
from samantha.core.engine import Cancel, Engine, ModelSession, ModelSpec
from samantha.core.events import GenerationResult, TokenEvent
from samantha.core.generation import generate as generate_tokens
from samantha.core.sampling import SamplerChain
from samantha.core.settings import Settings
from samantha.models.gguf_file import read_header
from samantha.models.resolve import resolve_model


@dataclass(frozen=True)
class Loaded:
    spec: ModelSpec
    session: ModelSession


class Workbench:
    """Everything a front end needs, wired together. One instance per process."""

    def __init__(self, home: Path, engine: Engine | None = None) -> None:
        self.home = Path(home)
        self._engine = engine
        self._loaded: Loaded | None = None
        self._lock = threading.Lock()  # guards loading and unloading
        self._busy = threading.Lock()  # one generation at a time on the loaded model

    # -- models -----------------------------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    def model_folders(self) -> list[Path]:
        return [self.models_dir, Path.home() / "Downloads"]

    def resolve_model(self, name: str) -> Path:
        return resolve_model(name, self.model_folders(), self.models_dir)

    def model_info(self, name: str) -> dict[str, Any]:
        """GGUF metadata of a model, read without loading its weights."""
        return read_header(self.resolve_model(name)).summary()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from samantha.engines.llama_cpp import LlamaCppEngine

            self._engine = LlamaCppEngine()
        return self._engine

    def session(self, model: str = "default", n_ctx: int = 4000) -> ModelSession:
        """The loaded model, loading (and first unloading the previous one) only when needed."""
        path = self.resolve_model(model)
        spec = ModelSpec(name=model, path=path, n_ctx=n_ctx)
        with self._lock:
            if self._loaded and self._loaded.spec == spec:
                return self._loaded.session
            self._close_loaded()
            read_header(path)  # a clear message for missing, foreign or truncated files
            self._loaded = Loaded(spec, self.engine.load(spec))
            return self._loaded.session

    def unload(self) -> None:
        with self._lock:
            self._close_loaded()

    def _close_loaded(self) -> None:
        if self._loaded is not None:
            self._loaded.session.close()
            self._loaded = None

    def reset_model(self) -> None:
        """Clear the loaded model's state (its KV cache) so the next prompt starts clean."""
        with self._lock:
            if self._loaded is not None:
                self._loaded.session.reset()

    # -- generation -------------------------------------------------------------------------------
    def generate(
        self,
        messages: Sequence[Message],
        settings: Settings,
        cancel: Cancel | None = None,
        model: str = "default",
    ) -> Iterator[TokenEvent | GenerationResult]:
        """Yield a :class:`TokenEvent` per token, then a :class:`GenerationResult`.

        Input errors (unknown model, prompt too long for the context, a chat template that
        rejects the messages) raise before the first token.
        """
        with self._busy:
            session = self.session(model, settings.n_ctx)
            prompt = session.render_chat(messages)
            tokens = session.tokenize(prompt.text)
            yield from generate_tokens(session, tokens, settings, cancel, prompt.stop)

    @staticmethod
    def chain_order(settings: Settings) -> str:
        """The sampler chain as shown to users, e.g. ``logits -> penalties -> top-k -> ...``."""
        return SamplerChain(settings, seed=0).describe()
