"""PDF import: a document as a prompt script, one item per page or the whole text as one item.

This is the predecessor's *PDF Pages* and *Full PDF* (its README and its code disagreed; here the
pages really are ``$$$`` items). Each page's text is put on one line after a ``Page i of N:``
header, as the predecessor did, so that nothing in a document can be taken for script syntax:
brackets at the start of a line, ``{…}`` at the start of an item, or ``---``. A ``$$$`` in the
text itself becomes ``$ $ $``. Pages without text (scans) are left out; their numbers stay.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from samantha.core.errors import InputError

PAGE_INSTRUCTION = ("Summarize this page of a document in a few sentences. Keep names, numbers "
                    "and conclusions.")
FINAL_INSTRUCTION = "Write a summary of the whole document from the page summaries above."
WHOLE_INSTRUCTION = "Summarize this document. Keep names, numbers and conclusions."


def read_pages(path: str | Path) -> list[str]:
    """The text of every page (pypdf; nothing is rendered, no OCR)."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings: our error says it all
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No PDF at {path}: check the path.")
    with path.open("rb") as file:
        if b"%PDF-" not in file.read(1024):
            raise InputError(f"{path.name} is not a PDF (no %PDF header): give a .pdf file.")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                # many "protected" PDFs open with no password
                unlocked = reader.decrypt("") != PasswordType.NOT_DECRYPTED
            except DependencyError:  # AES, and no cryptography package
                unlocked = False
            if not unlocked:
                raise InputError(f"{path.name} is protected by a password: open it in a PDF "
                                 "reader, save an unprotected copy and import that.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # a damaged or unusual file: pypdf raises many kinds of errors
        raise InputError(f"{path.name} is not a PDF that can be read ({exc}). Is it really a "
                         "PDF, and complete?") from exc
    if not any(text.strip() for text in pages):
        raise InputError(f"{path.name} has no text to read (a scan? Samantha does no OCR): "
                         "export it with a text layer first.")
    return pages


def one_line(text: str) -> str:
    """The page's text on one line, with nothing the prompt-script grammar would act on (and
    no control characters, which prompts refuse: extracted text sometimes holds NULs)."""
    text = text.translate({code: " " for code in range(32)})
    return " ".join(text.split()).replace("$$$", "$ $ $")


def page_lines(pages: Sequence[str]) -> list[str]:
    total = len(pages)
    return [f"Page {number} of {total}: {one_line(text)}"
            for number, text in enumerate(pages, 1) if text.strip()]


def block(text: str, final: bool = False) -> str:
    """``[text]`` (or ``[[text]]``) on lines of its own; empty when there is no instruction."""
    text = text.strip()
    if not text:
        return ""
    return f"[[{text}]]\n" if final else f"[{text}]\n"


def pages_script(pages: Sequence[str], instruction: str = PAGE_INSTRUCTION,
                 final: str = FINAL_INSTRUCTION) -> str:
    """One item per page, each after ``instruction``; ``final`` summarises the answers."""
    return block(instruction) + block(final, final=True) + "\n$$$\n".join(page_lines(pages))


def whole_script(pages: Sequence[str], instruction: str = WHOLE_INSTRUCTION) -> str:
    """The whole document as one item (the ``$$$`` at the end makes the lines one item)."""
    return block(instruction) + "\n\n".join(page_lines(pages)) + "\n$$$"
