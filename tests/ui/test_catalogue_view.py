"""The catalogue's rows as the Models tab shows them, in both languages (no browser)."""

from __future__ import annotations

from pathlib import Path

from samantha.models.known import Memory, find, shipped
from samantha.ui.models.catalogue import CatalogueSection
from samantha.ui.words.table import texts


class Bench:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.models_dir = home / "models"


def test_fits_or_needs_more_in_english_and_portuguese(tmp_path: Path) -> None:
    big, small = find(shipped(), "llama3.1-8b"), find(shipped(), "qwen2.5-0.5b")
    four = Memory(4_000_000_000, "available")
    en = CatalogueSection(Bench(tmp_path), texts("en"), "en")
    pt = CatalogueSection(Bench(tmp_path), texts("pt"), "pt")
    assert en.fits(big, four) == "needs 2.0 GB more"
    assert pt.fits(big, four) == "precisa de mais 2,0 GB"
    assert (en.fits(small, four), pt.fits(small, four)) == ("fits this computer",
                                                           "cabe neste computador")
    assert en.fits(small, None) == "?"


def test_rows_have_every_column_and_say_the_language_of_the_page(tmp_path: Path) -> None:
    headers = texts("pt")["catalogue_headers"].label.split("|")
    rows = CatalogueSection(Bench(tmp_path), texts("pt"), "pt").rows()
    assert len(rows) == len(shipped()) and all(len(row) == len(headers) for row in rows)
    first = rows[0]
    assert first[0] == "qwen2.5-0.5b" and first[2] == "0,5 GB" and first[7] == "Apache-2.0"
    assert first[6] == find(shipped(), "qwen2.5-0.5b").good_at_pt
    memory = CatalogueSection(Bench(tmp_path), texts("en"), "en").memory_text()
    assert "MemAvailable" in memory and "4000 tokens" in memory
