"""``samantha learn --what-if`` on the real default model: its help's example shows other
candidates under the default settings, and a what-if that leaves one says which stage cut the
list to one and what to add."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.e2e

PROMPT = "The Eiffel Tower is in the city of"


def test_the_helps_example_shows_other_candidates_under_the_defaults(samantha) -> None:
    helped = " ".join(samantha("learn", "--help").stdout.split())
    example = re.search(r'e\.g\. "([^"]+)"', helped).group(1)
    lines = [json.loads(line) for line in samantha(
        "learn", PROMPT, "--max-tokens", "2", "--top", "5", "--json",
        "--what-if", example).stdout.splitlines()]
    for step in lines:
        assert len(step["final"]) == 1  # the real chain (the defaults): one candidate
        assert len(step["what_if"]["final"]) > 1 and step["what_if"]["one_left"] is None


def test_a_what_if_that_leaves_one_says_which_stage_and_what_to_add(samantha) -> None:
    text = samantha("learn", PROMPT, "--max-tokens", "2", "--top", "3",
                    "--what-if", "top_p=0.5,min_p=0.1").stdout
    assert text.count("    one left tail-free (tfs_z=0) keeps only one; to keep more, add: "
                      "tfs_z=1,typical_p=1,temperature=1\n") == 2
