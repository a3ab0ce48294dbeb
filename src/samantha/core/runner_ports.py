"""What the chain runner needs from outside it: a backend that answers (the Workbench), batch
slots when it has them, the control a cycle runs under, and a code executor."""

from __future__ import annotations

from typing import Callable, ContextManager, Iterator, Protocol, Sequence, TypeGuard

from samantha.core.answer_events import (
    AnswerRestarted,
    DownloadProgress,
    GenerationResult,
    ModelLoading,
    TokenEvent,
)
from samantha.core.chat import Message
from samantha.core.engine import Cancel
from samantha.core.generation import Ask, Pacer
from samantha.core.plan import Cycle
from samantha.core.run_events import CodeOutcome

#: What a backend's answer yields: its events, then one GenerationResult.
AnswerEvent = DownloadProgress | ModelLoading | TokenEvent | AnswerRestarted | GenerationResult


class Backend(Protocol):
    """What the runner needs from the Workbench.

    ``generate`` answers one :class:`~samantha.core.generation.Ask` under ``cancel`` at the
    pace of ``pacer``; ``retry`` lets a failing backend hand it to another; ``batch`` is passed
    only for a cycle decoded in a batch slot: (the slots :meth:`BatchingBackend.batch_slots`
    gave, the cycle's number), so a backend that never batches may leave it out.
    """

    def generate(self, ask: Ask, cancel: Cancel | None = None, pacer: Pacer | None = None, *,
                 retry: bool = False, batch: tuple[object, int] | None = None
                 ) -> Iterator[AnswerEvent]: ...

    def reset_model(self) -> None: ...

    def prompt_format_of(self, model: str, requested: str,
                         messages: Sequence[Message]) -> str:
        """The format ``model`` gets for ``messages`` (core/prompt_format.resolve)."""


class BatchingBackend(Backend, Protocol):
    """A backend that can decode a run's independent cycles of one local model together
    (``--parallel``): the runner holds the slots while the run goes and hands them back to
    :meth:`Backend.generate` as ``batch=``."""

    def batch_slots(self, parallel: int, model: str, n_ctx: int, numbers: Sequence[int],
                    stopped: Callable[[], bool]) -> ContextManager[object]:
        """P slots for the cycles ``numbers`` (plan order) of ``model``, for one run."""


def can_batch(backend: Backend) -> TypeGuard[BatchingBackend]:
    """Whether ``backend`` has batch slots (a backend without them runs cycles one by one)."""
    return hasattr(backend, "batch_slots")


class CycleControl(Protocol):
    """What a cycle is generated under: the run's :class:`RunControl` (cycles in order) or a
    lane's cancel. It cancels the answer and paces its tokens."""

    def is_set(self) -> bool: ...

    def wait_turn(self) -> None: ...


class CodeExecutor(Protocol):
    """Runs the Python of an answer for a cycle (the app gives each run its own folder)."""

    def run(self, code: str, cycle: Cycle, cancel: Cancel) -> CodeOutcome: ...
