"""Learning mode inside the model: the lens of each token, read from what the local engine's tap
captured for that step (see :mod:`samantha.engines.llama_tap` and :mod:`samantha.core.lens`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from samantha.core.errors import InputError
from samantha.core.lens import MODES, AttentionView, LayerLens, LensHead, attention_view, lens


@dataclass
class ModelInside:
    """The :class:`~samantha.core.lens.Inside` of a loaded local model."""

    session: Any  # a LlamaCppSession (inside(), look_inside())
    head: LensHead
    mode: str = "cheap"
    top: int = 5

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")

    def close(self) -> None:
        """Close the tap: the next decodes keep nothing."""
        self.session.look_inside(False)

    def look(self, chosen: int, candidates: Sequence[int]) -> LayerLens | None:
        streams = self.session.inside()
        if streams is None:
            return None
        return lens(self.head, streams, chosen, candidates, self.mode, self.top)

    def attend(self) -> AttentionView | None:
        """Where each head looked: the cache was emptied before the prompt, so its cells are
        the context's positions in order."""
        return attention_view(self.session.attention(), self.session.context())


class LensHeads:
    """Each model file's lens head, read once (the full lens's matrix stays with it)."""

    def __init__(self) -> None:
        self._heads: dict[str, LensHead] = {}

    def of(self, path: Path) -> LensHead:
        from samantha.models.lens_weights import lens_head

        key = str(path)
        if key not in self._heads:
            self._heads[key] = lens_head(path)
        return self._heads[key]


def inside_of(session: Any, head: LensHead, mode: str) -> ModelInside:
    """Open ``session``'s tap and return its Inside; the engine must have a tap."""
    if not hasattr(session, "look_inside") or not session.look_inside(True):
        raise InputError("The layer view needs the embedded llama.cpp engine (a local GGUF "
                         "model); this model's engine shows no layers.")
    session.reset()  # the attention's cells are then the positions of this answer's context
    return ModelInside(session, head, mode)
