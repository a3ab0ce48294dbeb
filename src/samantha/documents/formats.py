"""A stored run in any of the formats it can be exported to (the CLI and the UI offer the same)."""

from __future__ import annotations

import json

from samantha.core.records import RunRecord
from samantha.documents.chainfile import config_to_toml
from samantha.documents.export import EXPORTERS, markdown_to_html_page, run_to_markdown
from samantha.documents.notebook import run_to_notebook
from samantha.documents.results import RunResults, results_dict, results_markdown

FORMATS = ("html", "md", "json", "ipynb", "toml")


def export_run(record: RunRecord, fmt: str, results: RunResults | None = None) -> str:
    """``html``, ``md`` and ``json`` documents, an ``ipynb`` notebook (prompts as Markdown, code
    as code cells) or a ``toml`` chain file that repeats the run. ``results`` (the run's
    judgements, checks, votes and leaderboard) are added to all but the chain file."""
    if results is not None and not results.empty and fmt != "toml":
        return _with_results(record, fmt, results)
    if fmt == "ipynb":
        return run_to_notebook(record)
    if fmt == "toml":
        return config_to_toml(record.config, f"Samantha run {record.id}, {record.started_at}")
    if fmt not in EXPORTERS:
        raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
    return EXPORTERS[fmt](record)


def _with_results(record: RunRecord, fmt: str, results: RunResults) -> str:
    if fmt == "json":
        data = json.loads(EXPORTERS["json"](record))
        return json.dumps({**data, **results_dict(results)}, ensure_ascii=False, indent=2)
    section = results_markdown(record, results)
    if fmt == "ipynb":
        import nbformat
        from nbformat.v4 import new_markdown_cell

        notebook = nbformat.reads(run_to_notebook(record), as_version=4)
        notebook.cells.append(new_markdown_cell(section))
        nbformat.validate(notebook)
        return str(nbformat.writes(notebook))
    markdown = f"{run_to_markdown(record).rstrip()}\n\n{section}"
    if fmt == "md":
        return markdown
    if fmt == "html":
        title = f"Samantha run {record.id}"
        if str(record.config.get("prompts", "")).strip():
            title += f" — {record.title}"
        return markdown_to_html_page(markdown, title)
    raise ValueError(f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}.")
