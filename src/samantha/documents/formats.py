"""A stored run in any of the formats it can be exported to (the CLI and the UI offer the same)."""

from __future__ import annotations

from samantha.core.records import RunRecord
from samantha.documents.chainfile import config_to_toml
from samantha.documents.export import EXPORTERS
from samantha.documents.notebook import run_to_notebook

FORMATS = ("html", "md", "json", "ipynb", "toml")


def export_run(record: RunRecord, fmt: str) -> str:
    """``html``, ``md`` and ``json`` documents, an ``ipynb`` notebook (prompts as Markdown, code
    as code cells) or a ``toml`` chain file that repeats the run."""
    if fmt == "ipynb":
        return run_to_notebook(record)
    if fmt == "toml":
        return config_to_toml(record.config, f"Samantha run {record.id}, {record.started_at}")
    if fmt not in EXPORTERS:
        raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return EXPORTERS[fmt](record)
