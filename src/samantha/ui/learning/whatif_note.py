"""The line over a what-if table that left one candidate: which stage cut the list to one, and
what to write to keep more (see :func:`samantha.core.whatif.one_left`)."""

from __future__ import annotations

import html
from typing import Mapping

from samantha.core.whatif import WhatIf, one_left
from samantha.ui.words.table import Text


def one_left_note(other: WhatIf, t: Mapping[str, Text]) -> str:
    """``<p>⚠️ One candidate is left: tail-free (tfs_z=0) keeps only one. To keep more, write:
    tfs_z=1, typical_p=1, temperature=0.8</p>``, or "" when more than one is left."""
    found = one_left(other)
    if found is None:
        return ""
    stage = f"{found.stage} ({found.setting})" if found.setting else found.stage
    text = t["what_if_one"].label.format(stage=stage)
    if found.changes:
        text += " " + t["what_if_more"].label.format(changes=", ".join(found.changes))
    return f'<p class="what-if-one">⚠️ {html.escape(text)}</p>'
