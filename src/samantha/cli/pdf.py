"""``samantha pdf``: a PDF as a prompt script, one item per page or the whole text as one item."""

from __future__ import annotations

from pathlib import Path

import click

from samantha.documents.pdf import (
    FINAL_INSTRUCTION,
    PAGE_INSTRUCTION,
    WHOLE_INSTRUCTION,
    pages_script,
    read_pages,
    whole_script,
)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--whole", is_flag=True, help="The whole text as one item (default: one item "
                                            "per page, then a summary of the answers).")
@click.option("--instruction", help="Put before every item (the script's [prefix]); \"\" for "
                                    "none. Default: a summary request.")
@click.option("--final", help="With pages: the last item's request over all the answers (the "
                              "script's [[final]]); \"\" for none.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the script to this file instead of printing it.")
def pdf(file: Path, whole: bool, instruction: str | None, final: str | None,
        output: Path | None) -> None:
    """Turn a PDF into a prompt script for `samantha run` (pages as `$$$` items, each after a
    `Page i of N:` header; brackets and `$$$` in the text stay text)."""
    pages = read_pages(file)
    if whole:
        script = whole_script(pages, WHOLE_INSTRUCTION if instruction is None else instruction)
    else:
        script = pages_script(pages, PAGE_INSTRUCTION if instruction is None else instruction,
                              FINAL_INSTRUCTION if final is None else final)
    if output is None:
        click.echo(script)
    else:
        output.write_text(script + "\n", encoding="utf-8")
        click.echo(f"Wrote {output} ({len(pages)} pages).")
