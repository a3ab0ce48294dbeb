"""Python code in a model's answer: the fenced blocks tagged ``python`` or ``py``.

Every such block, in order, joined into one script (later blocks may use what earlier ones
defined). Lines that install packages (``pip …``, ``!pip …``, ``%pip …``) are dropped and
reported; code in other languages is ignored; a fence the model never closed runs to the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PYTHON_TAGS = {"python", "py", "python3", "py3"}
STOP_WORD = "STOP_SAMANTHA"
_OPEN = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$", re.M)
_INSTALL = re.compile(r"^\s*[!%]?\s*pip3?\s+\S")


@dataclass(frozen=True)
class Block:
    language: str  # the first word of the fence's info string, lower case ('' if none)
    code: str
    start: int  # offsets of the whole block, fences included
    end: int


@dataclass(frozen=True)
class Extraction:
    code: str  # the script to run ('' when the answer has no Python)
    blocks: int
    dropped: tuple[str, ...]  # install lines that were left out


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced code block, in order (an unclosed fence runs to the end of the text)."""
    blocks, pos = [], 0
    while match := _OPEN.search(text, pos):
        fence = match.group("fence")
        closing = re.compile(r"^[ \t]{0,3}%s{%d,}[ \t]*$" % (re.escape(fence[0]), len(fence)), re.M)
        body_start = match.end() + 1
        close = closing.search(text, body_start) if body_start <= len(text) else None
        body_end = close.start() if close else len(text)
        end = close.end() if close else len(text)
        language = (match.group("info").split() or [""])[0].lower()
        blocks.append(Block(language, text[body_start:body_end].rstrip("\n"), match.start(), end))
        pos = max(end, match.end() + 1)
    return blocks


def extract_python(text: str) -> Extraction:
    """The Python blocks of an answer, joined, with package installs dropped."""
    kept: list[str] = []
    dropped: list[str] = []
    count = 0
    for block in fenced_blocks(text):
        if block.language not in PYTHON_TAGS:
            continue
        count += 1
        lines: list[str] = []
        for line in block.code.split("\n"):
            (dropped if _INSTALL.match(line) else lines).append(line)
        kept.append("\n".join(lines))
    code = "\n\n".join(part for part in kept if part.strip())
    return Extraction(code + "\n" if code else "", count, tuple(line.strip() for line in dropped))


def outside_code(text: str) -> str:
    """The answer without its fenced code blocks (prose only)."""
    out, last = [], 0
    for block in fenced_blocks(text):
        out.append(text[last: block.start])
        last = block.end
    out.append(text[last:])
    return "".join(out)


def asks_to_stop(response: str) -> bool:
    """The model wrote STOP_SAMANTHA in its prose (not merely inside its code)."""
    return STOP_WORD in outside_code(response)
