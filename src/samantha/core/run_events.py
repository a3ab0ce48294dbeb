"""What a chain run yields around its answers: its start and end, each cycle's start and end,
the model banners, batch slots, code runs, verdicts and checks. :data:`RunEvent` is any of them
or an answer's event (:mod:`samantha.core.answer_events`). Front ends render them; they never
compute them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from samantha.core.answer_events import (
    AnswerRestarted,
    DownloadProgress,
    GenerationResult,
    ModelLoading,
    TokenEvent,
)
from samantha.core.settings import Settings

if TYPE_CHECKING:
    from samantha.core.chain import ChainConfig
    from samantha.core.chat import Message
    from samantha.core.checks import CheckResult
    from samantha.core.codeblocks import Extraction
    from samantha.core.plan import Cycle
    from samantha.core.verdict import Verdict


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
    its cycle finished; ``verdict.problem`` says when it could not be read. ``contestants``:
    the numbers of the cycles whose answers it judged, in the contestants' order (empty when
    the session had fewer answers than contestants)."""

    cycle: "Cycle"
    verdict: "Verdict"
    contestants: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChecksDone:
    """The checks of an answer (the item's ``{check=…}`` and the chain's ``checks``), right
    after its cycle finished: each passed, failed, or could not be done, and why."""

    cycle: "Cycle"
    results: tuple["CheckResult", ...]

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.passed is False)


@dataclass(frozen=True)
class RunFinished:
    status: Literal["finished", "stopped", "failed"]
    reason: str | None
    cycles: int  # cycles that ran (finished or failed)


RunEvent = (RunStarted | ModelBanner | CycleStarted | DownloadProgress | ModelLoading
            | TokenEvent | AnswerRestarted | SlotTaken | CycleFinished | CycleFailed | CodeRunning
            | CodeRan | VerdictGiven | ChecksDone | RunFinished)
