"""Errors of the tools (JupyterLab, Datasette, D-Tale, PyInstaller): the only ones they raise."""

from __future__ import annotations

from samantha.core.errors import InputError, SamanthaError

INSTALL = "pip install 'samantha[tools]'"


class ToolError(SamanthaError):
    """A tool could not be started, did not answer, or failed (its log's last lines say why)."""


class ToolMissingError(InputError):
    """The program a tool needs is not installed in the Python that would run it."""


class ToolInputError(InputError):
    """What a tool was given cannot be used: a missing or unreadable CSV, a run without code,
    a port already taken."""
