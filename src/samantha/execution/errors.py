"""Errors of the code runner: the only ones it raises (bad user code never raises)."""

from __future__ import annotations

from samantha.core.errors import SamanthaError


class CodeRunError(SamanthaError):
    """The interpreter could not be started at all (missing, not executable, not Python)."""


class AnalysisEnvError(CodeRunError):
    """An analysis environment could not be created or its packages could not be installed."""


class SandboxUnavailable(CodeRunError):
    """Bubblewrap was required for a run and does not work on this machine."""
