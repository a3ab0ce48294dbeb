"""Events emitted while generating. Front ends render them; they never compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from samantha.core.settings import Settings

FinishReason = Literal["stop", "length", "cancelled", "error"]


@dataclass(frozen=True)
class TokenEvent:
    """One generated token. ``text`` is what became visible with it: it can be empty while the
    token is half a character or could be the start of a stop string."""

    index: int
    token_id: int
    text: str


@dataclass(frozen=True)
class GenerationResult:
    """The end of one generation. Partial text is kept whatever the finish reason."""

    text: str
    tokens: int
    prompt_tokens: int
    seconds: float
    finish_reason: FinishReason
    settings: Settings
    error: str | None = None
    token_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0
