"""What-if's line when one candidate is left: which stage cut the list to one, and what to write
to keep more (the default settings keep one at four stages, then temperature 0 takes it)."""

from __future__ import annotations

import numpy as np
import pytest

from samantha.core.settings import DETERMINISTIC
from samantha.core.whatif import one_left, parse_what_if, what_if
from samantha.ui.learning.whatif_note import one_left_note
from samantha.ui.words.table import texts

LOGITS = (np.random.default_rng(0).normal(size=1000) * 3).astype(np.float32)


def other(asked: str):
    return what_if(LOGITS, [], parse_what_if(asked, DETERMINISTIC), 10)


@pytest.mark.parametrize(("asked", "stage", "setting", "changes"), [
    ("top_p=0.5, min_p=0.1", "tail-free", "tfs_z=0", ("tfs_z=1", "typical_p=1", "temperature=1")),
    ("tfs_z=1, typical_p=1, top_p=0.9, min_p=0.05", "temperature", "temperature=0",
     ("temperature=1",)),
    ("top_k=1", "top-k", "top_k=1",
     ("top_k=40", "tfs_z=1", "typical_p=1", "top_p=1", "min_p=0", "temperature=1")),
    ("tfs_z=1, typical_p=1, top_p=0.01, min_p=0, temperature=1", "top-p", "top_p=0.01",
     ("top_p=1",)),
    ("tfs_z=1, typical_p=1, top_p=1, min_p=0.999, temperature=1", "min-p", "min_p=0.999",
     ("min_p=0",)),
])
def test_the_stage_that_left_one_and_what_keeps_more(asked: str, stage: str, setting: str,
                                                     changes: tuple[str, ...]) -> None:
    found = one_left(other(asked))
    assert (found.stage, found.setting, found.changes) == (stage, setting, changes)
    assert len(other(asked + ", " + ", ".join(changes)).final) > 1  # the advice works


def test_the_examples_own_settings_keep_more_than_one() -> None:
    example = texts("en")["what_if_example"].label.removeprefix("e.g. ")
    example = example.removesuffix(", then Enter")
    result = other(example)
    assert one_left(result) is None and len(result.final) > 1
    assert result.views[-1].kept > 1  # the table's last stage shows several candidates


def test_on_a_sure_token_the_example_still_shows_other_candidates() -> None:
    sure = np.zeros(1000, dtype=np.float32)
    sure[7] = 12.0  # p 0.994: top-p 0.9 or min-p 0.05 would keep it alone
    example = texts("en")["what_if_example"].label.removeprefix("e.g. ")
    result = what_if(sure, [], parse_what_if(example.removesuffix(", then Enter"),
                                             DETERMINISTIC), 10)
    assert result.views[-1].kept == 40 and one_left(result) is None


def test_the_panels_line_in_both_languages() -> None:
    result = other("top_p=0.5, min_p=0.1")
    assert one_left_note(result, texts("en")) == (
        '<p class="what-if-one">⚠️ One candidate is left: tail-free (tfs_z=0) keeps only one. '
        "To keep more, write: tfs_z=1, typical_p=1, temperature=1</p>")
    assert "Sobra um candidato só: tail-free (tfs_z=0)" in one_left_note(result, texts("pt"))
    assert one_left_note(other("temperature=1, tfs_z=1, typical_p=1, top_p=0.9, min_p=0.05"),
                         texts("en")) == ""
