"""What one answer yields while it is generated: its tokens, a download or a load before them,
a restart on another backend, and its result. Front ends render them; they never compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from samantha.core.settings import Settings

if TYPE_CHECKING:
    from samantha.core.trace import TokenStep

FinishReason = Literal["stop", "length", "cancelled", "error", "repetition"]


@dataclass(frozen=True)
class TokenEvent:
    """One generated token. ``text`` is what became visible with it: it can be empty while the
    token is half a character or could be the start of a stop string."""

    index: int
    token_id: int
    text: str
    trace: "TokenStep | None" = None  # learning mode only


@dataclass(frozen=True)
class DownloadProgress:
    """A model given as a URL is being downloaded before it can answer."""

    url: str
    done: int  # bytes
    total: int | None  # bytes, when the server said
    finished: bool = False


@dataclass(frozen=True)
class ModelLoading:
    """A model is being loaded into memory (a few seconds to minutes) before it can answer."""

    model: str


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
    timings: dict[str, float] = field(default_factory=dict, repr=False)  # a backend's own
    answered_by: str | None = None  # MODEL@BACKEND, for a remote answer

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class AnswerRestarted:
    """A remote backend failed during an answer and the answer starts again elsewhere
    (``--retry-on-other``): what was shown of it so far is dropped."""

    reason: str
    backend: str  # where it starts again
