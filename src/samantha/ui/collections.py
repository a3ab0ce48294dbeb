"""Prompt collections: example user and system prompts, editable text files in the data home
(pieces separated by ``$-$-$``, as in the predecessor's files)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SEPARATOR = "$-$-$"
NAMES = ("user_prompts.txt", "system_prompts.txt")
ITEMS = "$$$"  # between the prompts of one example (a prompt script)
LOOKING_BACK = ("previous response", "resposta anterior")  # what a chained prompt works on


def collection(home: Path, name: str) -> list[str]:
    """The examples of one collection; the shipped file is copied to the data home first."""
    path = home / "prompts" / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files("samantha.ui").joinpath("prompts", name).read_text("utf-8"),
                        encoding="utf-8")
    pieces = path.read_text(encoding="utf-8").split(SEPARATOR)
    return [piece.strip() for piece in pieces if piece.strip()]


def title(example: str, width: int = 70) -> str:
    first = next((line for line in example.splitlines() if line.strip()), "")
    return first if len(first) <= width else first[: width - 1] + "…"


def needs_feedback(example: str) -> bool:
    """True for a chain whose later prompts work on "your previous response": it means
    something only with the feedback loop on (without it the model is asked to refine nothing,
    and a small model may then count "1. 2. 3. …" until max_tokens)."""
    later = example.split(ITEMS)[1:]
    return any(phrase in item.lower() for item in later for phrase in LOOKING_BACK)
