"""Events emitted while generating. Front ends render them; they never compute them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from samantha.core.settings import Settings

if TYPE_CHECKING:
    from samantha.core.chain import ChainConfig
    from samantha.core.chat import Message
    from samantha.core.codeblocks import Extraction
    from samantha.core.plan import Cycle
    from samantha.core.trace import TokenStep
    from samantha.core.verdict import Verdict

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


# -- chain runs -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotTaken:
    """A cycle took batch slot ``slot`` of ``slots`` (``--parallel``) at the pool's ``step``-th
    decode: the one after the previous cycle of that slot ended."""

    slot: int
    slots: int
    step: int


@dataclass(frozen=True)
class RunStarted:
    config: "ChainConfig"
    seed: int
    total_cycles: int
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelBanner:
    """A model starts a response round (the predecessor's ``====`` banner)."""

    model: str
    entry: int
    round: int


@dataclass(frozen=True)
class CycleStarted:
    cycle: "Cycle"
    prompt: str  # the text sent as the user turn
    messages: tuple["Message", ...]
    settings: Settings
    random_overrides: dict[str, float] | None = None


@dataclass(frozen=True)
class CycleFinished:
    cycle: "Cycle"
    result: GenerationResult

    @property
    def response(self) -> str:
        return self.result.text


@dataclass(frozen=True)
class CycleFailed:
    """A cycle that could not run (model failed to load, prompt too long, …)."""

    cycle: "Cycle"
    error: str
    skipped_cycles: int = 0  # the rest of this model's cycles, skipped because it failed


class CodeOutcome(Protocol):
    """What the runner needs to know about a code run (the execution module gives more)."""

    @property
    def output(self) -> str: ...

    @property
    def succeeded(self) -> bool: ...


@dataclass(frozen=True)
class CodeRunning:
    """The Python of a cycle's answer is about to run (Run code automatically)."""

    cycle: "Cycle"


@dataclass(frozen=True)
class CodeRan:
    """The Python of a cycle's answer was run (Run code automatically)."""

    cycle: "Cycle"
    extraction: "Extraction"
    result: CodeOutcome


@dataclass(frozen=True)
class VerdictGiven:
    """A judgement's answer (an item marked ``{verdict=…}``) read as a verdict, right after
    its cycle finished; ``verdict.problem`` says when it could not be read."""

    cycle: "Cycle"
    verdict: "Verdict"


@dataclass(frozen=True)
class RunFinished:
    status: Literal["finished", "stopped", "failed"]
    reason: str | None
    cycles: int  # cycles that ran (finished or failed)


RunEvent = (RunStarted | ModelBanner | CycleStarted | DownloadProgress | ModelLoading
            | TokenEvent | AnswerRestarted | SlotTaken | CycleFinished | CycleFailed | CodeRunning
            | CodeRan | VerdictGiven | RunFinished)
