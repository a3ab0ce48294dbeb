"""A run as a Jupyter notebook: the prompts as Markdown cells, the code as code cells."""

from __future__ import annotations

from samantha.core.codeblocks import extract_python, outside_code
from samantha.core.records import RunRecord


def run_to_notebook(run: RunRecord) -> str:
    """The notebook (nbformat 4) as JSON text. Each cycle gives a Markdown cell with its model
    and prompt, the answer's prose, and a code cell with its Python (install lines left out)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [new_markdown_cell(f"# Samantha run {run.id}\n\nStarted {run.started_at}.")]
    for cycle in run.cycles:
        quoted = "\n".join(f"> {line}" for line in cycle.prompt.splitlines()) or ">"
        cells.append(new_markdown_cell(
            f"## {cycle.number}. {cycle.model} (round {cycle.round}, item {cycle.item})\n\n"
            f"{quoted}"))
        prose = outside_code(cycle.response).strip()
        if prose:
            cells.append(new_markdown_cell(prose))
        extraction = extract_python(cycle.response)
        if extraction.code:
            cells.append(new_code_cell(extraction.code.rstrip("\n")))
    notebook = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
