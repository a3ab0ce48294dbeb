"""A scriptable engine for fast tests: no weights, fully predictable.

Its vocabulary is a list of byte pieces; token 0 is the end token. The model "wants" to write a
scripted answer: at each step the next token of the answer gets the highest logit, the others a
fixed ladder of lower ones, so every sampler stage has something to cut. Scripts can be given per
prompt substring, and the session can be told to fail after some tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from samantha.core.chat import ChatPrompt, Message, plain_prompt
from samantha.core.engine import Cancel, ModelSpec
from samantha.core.errors import ModelError


def byte_vocabulary() -> list[bytes]:
    """Token 0 is the end token, tokens 1..256 are single bytes."""
    return [b""] + [bytes([b]) for b in range(256)]


@dataclass
class FakeEngine:
    """Loads :class:`FakeSession` objects. ``answers`` maps a prompt substring to the text the
    model writes when the prompt contains it (the first match wins; ``""`` matches any prompt)."""

    answers: dict[str, str] = field(default_factory=lambda: {"": "Hello from the fake model."})
    n_ctx_train: int = 2048
    fail_after: int | None = None
    broken: set[str] = field(default_factory=set)
    loads: list[ModelSpec] = field(default_factory=list)

    def vocabulary(self, path: Path) -> "FakeSession":
        return FakeSession(path.name, self.n_ctx_train, {}, None)

    def load(self, spec: ModelSpec) -> "FakeSession":
        self.loads.append(spec)
        if spec.path.name in self.broken:
            raise ModelError(f"The fake engine refuses to load {spec.path.name}.")
        n_ctx = spec.n_ctx or self.n_ctx_train
        return FakeSession(spec.name, n_ctx, self.answers, self.fail_after)


class FakeSession:
    def __init__(
        self, name: str, n_ctx: int, answers: dict[str, str], fail_after: int | None
    ) -> None:
        self.name = name
        self.n_ctx = n_ctx
        self.vocab = byte_vocabulary()
        self.n_vocab = len(self.vocab)
        self.answers = answers
        self.fail_after = fail_after
        self.cached: list[int] = []
        self.evaluated: list[int] = []  # every token fed, across prefill and advance
        self.plan: list[int] = []
        self.closed = False

    has_chat_template = True  # its "template" is the plain transcript

    def render_chat(self, messages: Sequence[Message], cancel: Any = None) -> ChatPrompt:
        return plain_prompt(messages)

    def tokenize(self, text: str) -> list[int]:
        return [b + 1 for b in text.encode("utf-8")]

    def piece(self, token: int) -> bytes:
        return self.vocab[token]

    def vocab_piece(self, token: int) -> bytes:
        return self.vocab[token] or b"<end>"

    def is_end(self, token: int) -> bool:
        return token == 0

    def _answer_for(self, prompt: bytes) -> str:
        for key, answer in self.answers.items():
            if key.encode("utf-8") in prompt:
                return answer
        return ""

    def _logits(self) -> np.ndarray:
        step = len(self.cached) - self.prompt_length
        wanted = self.plan[step] if step < len(self.plan) else 0
        logits = np.linspace(0.0, -8.0, self.n_vocab, dtype=np.float32)
        logits = np.roll(logits, wanted)  # the wanted token on top, then its neighbours
        return logits

    def prefill(self, tokens: Sequence[int], cancel: Cancel) -> np.ndarray | None:
        if cancel.is_set():
            return None
        self.cached = list(tokens)
        self.evaluated += tokens
        self.prompt_length = len(tokens)
        prompt = bytes(t - 1 for t in tokens if t > 0)
        self.plan = self.tokenize(self._answer_for(prompt))
        return self._logits()

    def advance(self, token: int) -> np.ndarray:
        produced = len(self.cached) - self.prompt_length + 1
        if self.fail_after is not None and produced >= self.fail_after:
            raise RuntimeError("the fake engine failed on purpose")
        self.cached.append(token)
        self.evaluated.append(token)
        return self._logits()

    def reset(self) -> None:
        self.cached = []

    def close(self) -> None:
        self.closed = True
