"""What the core needs from an inference engine: a loaded model it can feed tokens to.

Adapters in ``samantha.engines`` implement these protocols (llama.cpp, a scriptable fake for
tests). Core code only ever sees the protocols.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from samantha.core.chat import ChatPrompt, Message


class Cancel(Protocol):
    """Anything with ``is_set()``, such as :class:`threading.Event`."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ModelSpec:
    """Which model to load: a display name, its file, the context size wanted, and whether
    learning mode may look inside it (a tap on its graph, which slows every token by 2 to 5%:
    only loaded so when the layer view is asked for)."""

    name: str
    path: Path
    n_ctx: int = 4000
    tapped: bool = False

    def serves(self, wanted: "ModelSpec") -> bool:
        """Can a model loaded as this spec answer for ``wanted`` (a tapped one serves both)?"""
        return self == wanted or (self.tapped and dataclasses.replace(self, tapped=False)
                                  == wanted)


class ModelSession(Protocol):
    """A loaded model with its evaluation state (the KV cache)."""

    name: str
    n_ctx: int
    n_vocab: int

    @property
    def has_chat_template(self) -> bool:
        """True when the model's file carries a chat template."""

    def render_chat(self, messages: Sequence[Message],
                    cancel: "Cancel | None" = None) -> ChatPrompt:
        """The prompt text for these messages, from the model's chat template or the fallback.
        A template that fails (or ``cancel`` set while it renders) raises ``TemplateError``."""

    def tokenize(self, text: str) -> list[int]:
        """Token ids of a rendered prompt (special tokens parsed, BOS added when the model
        wants one and the text does not already start with it)."""

    def piece(self, token: int) -> bytes:
        """The bytes one token stands for (possibly a fragment of a UTF-8 character)."""

    def vocab_piece(self, token: int) -> bytes:
        """The token as shown in learning mode and the vocabulary (special tokens by name)."""

    def is_end(self, token: int) -> bool:
        """True for end-of-generation tokens (EOS, end of turn)."""

    def prefill(self, tokens: Sequence[int], cancel: "Cancel") -> np.ndarray | None:
        """Evaluate a whole prompt (reusing what the cache already holds) and return the logits
        of its last position, valid until the next call. Checks ``cancel`` between batches and
        returns None when it is set."""

    def advance(self, token: int) -> np.ndarray:
        """Append one token and return the logits of the next position."""

    def reset(self) -> None:
        """Forget the evaluation state, so the next prompt starts clean."""

    def close(self) -> None:
        """Free the model."""


class Vocabulary(Protocol):
    n_vocab: int

    def piece(self, token: int) -> bytes: ...

    def close(self) -> None: ...


class Engine(Protocol):
    def load(self, spec: ModelSpec) -> ModelSession: ...

    def vocabulary(self, path: Path) -> Vocabulary: ...
