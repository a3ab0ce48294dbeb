"""Prompt collections: example user and system prompts, editable text files in the data home
(pieces separated by ``$-$-$``, as in the predecessor's files), one set per page language.

An example may start with header lines that say what it is made for; they are not part of the
prompt::

    % models: smollm2, default, smollm2
    % single: on

``models`` are put in the model list when the example is picked; ``single`` switches Single
response per model on (model k answers prompt item k), else it is switched off.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

SEPARATOR = "$-$-$"
NAMES = ("user_prompts.txt", "system_prompts.txt")
ITEMS = "$$$"  # between the prompts of one example (a prompt script)
LOOKING_BACK = ("previous response", "resposta anterior")  # what a chained prompt works on
_HEADER = re.compile(r"^%\s*(models|single)\s*:(.*)$", re.I)
#: The files an earlier Samantha copied to the data home, as it shipped them (sha256): a copy
#: nobody edited is replaced by the examples of this version.
SHIPPED_BEFORE = frozenset({
    "f5e11ba95366754ab99c98de17a46d95c0130580aa5201d26d373edc6fb70f32",
    "c331d4fc6e17f6154cd5e919cd64edda788258be4cf2bcc555dc0b6f70d7db96",
})


@dataclass(frozen=True)
class Example:
    """One example: the text that goes in the field, and what it is made for."""

    text: str
    models: tuple[str, ...] = ()
    single: bool = False


def file_name(name: str, lang: str) -> str:
    """The collection's file for a page language: ``user_prompts_pt.txt`` for Portuguese."""
    return name if lang == "en" else name.replace(".txt", f"_{lang}.txt")


def collection(home: Path, name: str, lang: str = "en") -> list[Example]:
    """The examples of one collection; the shipped file is copied to the data home first (and
    again over a copy of an earlier version's file that was never edited)."""
    name = file_name(name, lang)
    path = home / "prompts" / name
    if not path.is_file() or _unedited_old(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files("samantha.ui.chat").joinpath("prompts", name).read_text("utf-8"),
                        encoding="utf-8")
    examples = map(example, path.read_text(encoding="utf-8").split(SEPARATOR))
    return [one for one in examples if one.text]


def _unedited_old(path: Path) -> bool:
    return hashlib.sha256(path.read_bytes()).hexdigest() in SHIPPED_BEFORE


def example(piece: str) -> Example:
    """An example from its piece of the file: the header lines read, the text stripped."""
    lines = piece.strip().splitlines()
    models: tuple[str, ...] = ()
    single = False
    while lines and (header := _HEADER.match(lines[0].strip())):
        lines.pop(0)
        key, value = header.groups()
        if key.lower() == "models":
            models = tuple(m.strip() for m in value.split(",") if m.strip())
        else:
            single = value.strip().lower() in ("on", "yes", "true", "1")
    return Example("\n".join(lines).strip(), models, single)


def title(example: str, width: int = 70) -> str:
    first = next((line for line in example.splitlines() if line.strip()), "")
    return first if len(first) <= width else first[: width - 1] + "…"


def label(example: Example, width: int = 70) -> str:
    """The example as the list shows it: its first line, then the models it is for."""
    models = f" ({', '.join(dict.fromkeys(example.models))})" if example.models else ""
    return title(example.text, width) + models


def needs_feedback(example: str) -> bool:
    """True for a chain whose later prompts work on "your previous response": it means
    something only with the feedback loop on (without it the model is asked to refine nothing,
    and a small model may then count "1. 2. 3. …" until max_tokens)."""
    later = example.split(ITEMS)[1:]
    return any(phrase in item.lower() for item in later for phrase in LOOKING_BACK)
