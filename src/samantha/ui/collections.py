"""Prompt collections: example user and system prompts, editable text files in the data home
(pieces separated by ``$-$-$``, as in the predecessor's files)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SEPARATOR = "$-$-$"
NAMES = ("user_prompts.txt", "system_prompts.txt")


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
