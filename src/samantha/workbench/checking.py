"""The checks of a run's answers, done as each answer is finished (see
:mod:`samantha.core.checks`): the plain ones here, the ones that run Python (``runs``,
``output``, ``python``) in the sandbox, each in a folder of its own under the run's folder,
never with the network. A check that cannot be done (no sandbox, a code run that fails to
start) is recorded as not checked, with why; it never stops the run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from samantha.core.checks import (
    Answer,
    Check,
    CheckResult,
    evaluate,
    no_code_result,
    read_sandbox,
    sandbox_program,
)
from samantha.core.errors import SamanthaError
from samantha.core.run_events import ChecksDone, CycleFinished

if TYPE_CHECKING:
    from samantha.execution import CodeResult


class AnswerChecker:
    """Checks each finished answer against its item's checks, then the chain's."""

    def __init__(self, chain_checks: Sequence[Check], run_code: Callable[..., "CodeResult"],
                 folder: Path, timeout: float) -> None:
        self.chain_checks = tuple(chain_checks)
        self.run_code = run_code
        self.folder = folder
        self.timeout = timeout

    def check(self, event: CycleFinished) -> ChecksDone | None:
        """The checks of this answer (None when it has none)."""
        checks = (*event.cycle.prompt.checks, *self.chain_checks)
        if not checks:
            return None
        result = event.result
        answer = Answer(result.text, result.tokens, result.seconds)
        return ChecksDone(event.cycle, tuple(
            self._one(check, answer, self.folder / f"cycle-{event.cycle.number}-check-{i}")
            for i, check in enumerate(checks, 1)))

    def _one(self, check: Check, answer: Answer, folder: Path) -> CheckResult:
        if not check.needs_sandbox:
            return evaluate(check, answer)
        program = sandbox_program(check, answer)
        if program is None:
            return no_code_result(check)
        from samantha.execution import CodeLimits

        try:
            ran = self.run_code(program, folder, None, CodeLimits(timeout=self.timeout),
                                allow_network=False)
        except SamanthaError as exc:  # no sandbox here, no interpreter, a full disk...
            return CheckResult(check.spec, check.kind, None,
                               f"not checked: the code could not run ({exc})"[:200])
        return read_sandbox(check, ran.exit_status, ran.stdout, ran.stderr, ran.timed_out)
