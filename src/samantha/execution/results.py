"""The two values of a code run: the limits it runs under and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from samantha.core.errors import SettingsError

if TYPE_CHECKING:
    from samantha.core.run_events import CodeOutcome

ISOLATED = "bubblewrap"  # CodeResult.isolation: confined by bubblewrap (Linux namespaces)
NOT_ISOLATED = "rlimits (not isolated)"  # resource limits only: no boundary against hostile code


@dataclass(frozen=True)
class CodeLimits:
    """What one run may use. Every limit applies to the whole run, its child processes included.
    The memory cap applies to each process, and to all of them together where the run gets a
    cgroup of its own (``CodeResult.isolation_note`` says which)."""

    timeout: float = 60.0  # seconds of wall time
    memory_bytes: int = 2 * 2**30  # address space per process (RLIMIT_AS)
    output_bytes: int = 1 * 2**20  # kept per stream; the rest is read and dropped, with a note
    processes: int = 64  # processes and threads the run may start (fork bombs)

    def __post_init__(self) -> None:
        problems = []
        if not self.timeout > 0:
            problems.append(f"timeout must be more than 0 seconds (got {self.timeout})")
        if self.memory_bytes < 32 * 2**20:
            problems.append(f"memory_bytes must be at least 32 MiB, which Python needs to start "
                            f"(got {self.memory_bytes:,})")
        if self.output_bytes < 0:
            problems.append(f"output_bytes cannot be negative (got {self.output_bytes})")
        if self.processes < 1:
            problems.append(f"processes must be at least 1 (got {self.processes})")
        if problems:
            raise SettingsError("Invalid code limits: " + "; ".join(problems) + ".")


@dataclass(frozen=True)
class CodeResult:
    """What happened when a script ran. ``limit`` is a sentence for the user when a limit
    stopped or cut the code. ``isolation`` is :data:`ISOLATED` or :data:`NOT_ISOLATED` ("" when
    unknown, e.g. read back from a record made before it was kept); ``isolation_note`` says in
    a few sentences what the code could and could not reach (see the package documentation)."""

    stdout: str
    stderr: str
    exit_status: int | None  # negative: killed by that signal, as subprocess reports it
    seconds: float
    timed_out: bool
    cancelled: bool
    limit: str | None
    work_dir: Path
    files: tuple[Path, ...]  # created or changed by the code, sorted (no internals, figures)
    figures: tuple[Path, ...]  # PNG files of matplotlib figures, in the order they were saved
    isolation: str = ""
    isolation_note: str = ""

    @property
    def output(self) -> str:
        """Standard output then standard error, as the user (or the next model) should read
        them; the limit sentence is separate (``limit``)."""
        parts = [text.rstrip() for text in (self.stdout, self.stderr) if text.strip()]
        return "\n".join(parts).strip()

    @property
    def isolated(self) -> bool:
        """Confined by bubblewrap (own namespaces, read-only system, no network unless allowed)."""
        return self.isolation == ISOLATED

    def isolation_line(self) -> str:
        """One line to show with the result: "isolated (bubblewrap): ..." or "not isolated:
        ..." ("" when unknown). Front ends show it at least when the run was not isolated."""
        if self.isolation == ISOLATED:
            return f"isolated ({ISOLATED}): {self.isolation_note}"
        if self.isolation == NOT_ISOLATED:
            return f"not isolated: {self.isolation_note}"
        return ""

    @property
    def succeeded(self) -> bool:
        """Exit status 0 and not stopped by the time limit or a cancel."""
        return self.exit_status == 0 and not self.timed_out and not self.cancelled


def code_result(outcome: CodeOutcome) -> CodeResult:
    """A code run's outcome as this package made it: the core sees only a
    :class:`~samantha.core.run_events.CodeOutcome` (``CodeRan.result``), and every code run of the
    Workbench is made here."""
    assert isinstance(outcome, CodeResult), type(outcome)
    return outcome
