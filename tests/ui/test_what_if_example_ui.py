"""Learning mode's What if in Chromium: its own example changes the table under the default
settings, and a what-if that leaves one candidate says which stage cut the list to one and what
to write to keep more."""

from __future__ import annotations

import re

import pytest

from .test_explainer_ui import learning_answer

pytestmark = pytest.mark.e2e

TABLE = "document.querySelector('#what-if-table').innerText"


def kept_by_the_last_stage(page) -> int:
    heads = page.locator("#what-if-table thead th").all_inner_texts()
    return int(re.search(r"\((\d+)\)$", heads[-1]).group(1))


def test_the_example_shows_other_candidates_and_one_left_says_why(page) -> None:
    learning_answer(page, 3)  # the default settings: one candidate at every token
    box = page.locator("#what-if textarea")
    placeholder = box.get_attribute("placeholder") or ""
    example = re.fullmatch(r"e\.g\. (.+), then Enter", placeholder).group(1)
    box.fill(example)  # what the page suggests, as it is
    box.press("Enter")
    page.wait_for_function(f"{TABLE}.includes('What if ' + {example!r})")
    assert kept_by_the_last_stage(page) > 1  # the example changes what is kept
    assert "One candidate is left" not in page.inner_text("#what-if-table")
    box.fill("top_p=0.5, min_p=0.1")  # the example this page used to give
    box.press("Enter")
    page.wait_for_function(f"{TABLE}.includes('One candidate is left')")
    assert kept_by_the_last_stage(page) == 1
    assert ("One candidate is left: tail-free (tfs_z=0) keeps only one. To keep more, write: "
            "tfs_z=1, typical_p=1, temperature=1") in page.inner_text("#what-if-table")
