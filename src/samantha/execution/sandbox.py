"""Which confinement code runs get: bubblewrap where it works here, else resource limits only.

A :class:`Sandbox` finds out once (the first run asks) whether bubblewrap is installed and can
make a sandbox on this machine, and keeps the answer: make one per process and give it to every
run (the Workbench does).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from samantha.core.errors import SettingsError
from samantha.execution.errors import SandboxUnavailable

if TYPE_CHECKING:
    from samantha.execution.bubblewrap import Bubblewrap

PREFERENCES = ("auto", "bubblewrap", "rlimits")


class Sandbox:
    """``prefer``: "auto" (bubblewrap when it works, else resource limits), "bubblewrap" (refuse
    to run without it) or "rlimits" (resource limits only, never isolated). ``bwrap``: the
    bubblewrap program (default: ``bwrap`` on PATH)."""

    def __init__(self, prefer: str = "auto", bwrap: str | None = None) -> None:
        if prefer not in PREFERENCES:
            raise SettingsError(f"Unknown sandbox {prefer!r}: choose one of "
                                f"{', '.join(PREFERENCES)}.")
        self.prefer = prefer
        self._bwrap = bwrap
        self._lock = threading.Lock()
        self._probed = False
        self._tool: Bubblewrap | None = None
        self._why = ""

    def bubblewrap(self) -> "Bubblewrap | None":
        """The bubblewrap backend, or None when runs get resource limits only. Raises
        :class:`SandboxUnavailable` when bubblewrap was required and does not work here."""
        if self.prefer == "rlimits":
            return None
        self._probe()
        if self._tool is None and self.prefer == "bubblewrap":
            raise SandboxUnavailable(f"Bubblewrap is required for this run: {self._why} "
                                     "(`make test` installs bubblewrap.)")
        return self._tool

    def reason(self) -> str:
        """Why runs are not isolated (a sentence), or "" when they are."""
        if self.prefer == "rlimits":
            return "Isolation was turned off for this run (sandbox: rlimits)."
        self._probe()
        return "" if self._tool is not None else self._why

    def _probe(self) -> None:
        with self._lock:
            if not self._probed:
                from samantha.execution.bubblewrap import probe_bubblewrap

                self._tool, self._why = probe_bubblewrap(self._bwrap)
                self._probed = True
