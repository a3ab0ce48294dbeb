"""PDF import: pages as prompt-script items, the whole text as one item, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pdf_file import write_pdf

from samantha.core.errors import InputError
from samantha.core.promptscript import parse
from samantha.documents.pdf import one_line, pages_script, read_pages, whole_script

TRICKY = ("Results\n[Figure 1] shows it]\n{max_tokens=5} is text\n--- not a comment\n"
          "Cost $$$ 3 (net)")


def test_each_page_with_text_is_an_item_after_the_instruction(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "doc.pdf", ["The first page.", "", TRICKY])
    pages = read_pages(pdf)
    assert len(pages) == 3 and "first page" in pages[0] and not pages[1].strip()
    script = parse(pages_script(pages, "Summarize.", "Sum up the summaries."))
    items = [item for item in script.items if not item.final]
    assert [item.text.split("\n\n")[1][:13] for item in items] == ["Page 1 of 3: ", "Page 3 of 3: "]
    assert all(item.text.startswith("Summarize.\n\n") and not item.overrides for item in items)
    third = items[1].text  # the document's brackets, braces, dashes and $$$ stayed text
    for kept in ("[Figure 1] shows it]", "{max_tokens=5} is text", "--- not a comment",
                 "Cost $ $ $ 3 (net)"):
        assert kept in third
    assert script.items[-1].final and script.items[-1].text == "Sum up the summaries."


def test_the_whole_document_is_one_item(tmp_path: Path) -> None:
    pages = read_pages(write_pdf(tmp_path / "doc.pdf", ["One.", "Two.", TRICKY]))
    script = parse(whole_script(pages, "Summarize the document."))
    assert len(script.items) == 1
    text = script.items[0].text
    assert text.startswith("Summarize the document.\n\nPage 1 of 3: One.")
    assert "Page 2 of 3: Two." in text and "[Figure 1] shows it]" in text


def test_no_instruction_means_no_prefix(tmp_path: Path) -> None:
    pages = read_pages(write_pdf(tmp_path / "doc.pdf", ["Alpha.", "Beta."]))
    script = parse(pages_script(pages, "", ""))
    assert [item.text for item in script.items] == ["Page 1 of 2: Alpha.", "Page 2 of 2: Beta."]


@pytest.mark.parametrize("name, content, message", [
    ("missing.pdf", None, "No PDF at"),
    ("notes.pdf", b"just some text", "no %PDF header"),
    ("cut.pdf", "cut", "not a PDF that can be read"),
    ("scan.pdf", ["", ""], "no text to read"),
])
def test_bad_files_get_a_clear_error(tmp_path: Path, name: str, content, message: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "cut":
        whole = write_pdf(tmp_path / "whole.pdf", ["Some text."]).read_bytes()
        path.write_bytes(whole[:len(whole) // 2])
    elif content is not None:
        write_pdf(path, content)
    with pytest.raises(InputError, match=message):
        read_pages(path)


def test_a_password_protected_pdf_is_explained(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(write_pdf(tmp_path / "open.pdf", ["Secret."])))
    writer.encrypt("pw")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as file:
        writer.write(file)
    with pytest.raises(InputError, match="protected by a password"):
        read_pages(locked)


def test_page_text_loses_its_control_characters() -> None:
    """Prompts refuse control characters; text extracted from a PDF sometimes holds NULs."""
    script = pages_script(["a\x00b\x0cc\n d"])
    assert one_line("a\x00b\x0cc\n d") == "a b c d"
    assert parse(script).items[0].text.endswith("a b c d")
