"""The prompt script: the USER prompt field (or a prompt file) turned into a list of items.

Grammar (SPEC §2), on text with ``\\n`` line ends:

- **Items.** If ``$$$`` occurs anywhere, items are the pieces between ``$$$`` separators (an item
  may span lines); otherwise every line is an item. Items are stripped; empty ones are dropped,
  and so is an item that starts with ``---``.
- **Prefix** ``[ … ]``: a block that starts at the beginning of a line with a single ``[`` and
  whose matching ``]`` ends a line. It is removed and prepended, with a blank line, to every item.
- **Final item** ``[[ … ]]``: same placement with double brackets. It becomes an extra last item
  whose text is the block's text, a blank line, then every response of the session so far.
- **Parameters** ``{key=value, …}`` at the very start of an item (or of the prefix, where they set
  defaults for every item). ``{verdict=AI 1|AI 2}`` makes the item a judgement between those
  contestants (:mod:`samantha.core.verdict`): on a final item, the last answers are headed by
  their names. ``{check=contains:Paris}`` or ``{check=["json", "words:..200"]}`` checks each
  answer to the item (:mod:`samantha.core.checks`).

Brackets and braces anywhere else are ordinary text (``a[0]``, ``[1]`` citations, JSON,
f-strings), and so is everything inside fenced code blocks. Errors carry the item number, line
and column, and are raised before anything runs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from samantha.core.checks import Check, parse_checks
from samantha.core.errors import InputError
from samantha.core.settings import ITEM_KEYS, coerce
from samantha.core.verdict import contestants, labelled

VERDICT = "verdict"  # an item key that is not a setting: the item is a judgement
CHECK = "check"  # the item's answers are checked (core.checks)
KEYS = (*ITEM_KEYS, VERDICT, CHECK)

SEPARATOR = "$$$"
IGNORE = "---"
# A leading brace opens a parameter block when a name and "=" follow, or a known parameter name.
_PARAM_START = re.compile(r"\{\s*(?:[A-Za-z_]\w*\s*=|(?:%s)\b)" % "|".join(KEYS))
_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.M)


class PromptScriptError(InputError):
    """A prompt script (or another text: ``source`` names it, e.g. a file) that cannot be run as
    written, with the line and column of the fault."""

    def __init__(self, message: str, line: int, column: int, item: int | None = None,
                 source: str = "Prompt script") -> None:
        self.line, self.column, self.item, self.source = line, column, item, source
        where = f"item {item}, " if item is not None else ""
        super().__init__(f"{source}, {where}line {line}, column {column}: {message}")


BOM = "\ufeff"
# C0 control characters other than tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def checked_text(text: str, source: str = "Prompt script") -> str:
    """The text without a leading byte order mark; a NUL or another control character (other
    than tab and line breaks) raises :class:`PromptScriptError` with its line and column."""
    text = text.removeprefix(BOM)
    found = _CONTROL.search(text)
    if found:
        before = text[: found.start()].replace("\r\n", "\n").replace("\r", "\n")
        line, column = _position(before, len(before))
        raise PromptScriptError(_control_message(found.group()), line, column, source=source)
    return text


def _control_message(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == "\0":
        return (f"a NUL character ({code}) is not allowed: remove it (a file saved as UTF-16 "
                "has one after every letter: save it as UTF-8).")
    return (f"a control character ({code}) is not allowed: remove it (text may hold tabs and "
            "line breaks, no other control characters).")


@dataclass(frozen=True)
class PromptItem:
    """One prompt of the list. ``final`` items get the session's responses appended at run time."""

    text: str
    overrides: dict[str, Any] = field(default_factory=dict)
    line: int = 1
    final: bool = False
    verdict: tuple[str, ...] = ()  # the contestants, when the item is a judgement
    checks: tuple[Check, ...] = ()  # what every answer to it is checked for

    def render(self, responses: list[str]) -> str:
        """The text sent to the model (the final item receives every response so far; a
        judgement's, the last ones headed by the contestants' names)."""
        if not self.final:
            return self.text
        return "\n\n".join([self.text, *labelled(responses, self.verdict)])


@dataclass(frozen=True)
class PromptScript:
    items: tuple[PromptItem, ...]
    prefix: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)


def first_part(field_text: str) -> str:
    """The SYSTEM and previous-response rule (SPEC §2.9): split on ``$$$``, drop the parts that
    start with ``---``, use the first remaining part (stripped). An empty part counts."""
    text = field_text.replace("\r\n", "\n").replace("\r", "\n")
    for part in text.split(SEPARATOR):
        part = part.strip()
        if not part.startswith(IGNORE):
            return part
    return ""


def parse(text: str) -> PromptScript:
    """Parse a prompt script; raises :class:`PromptScriptError` with line and column."""
    text = checked_text(text).replace("\r\n", "\n").replace("\r", "\n")
    code = _code_spans(text)
    blocks = _find_blocks(text, code)
    prefixes = [b for b in blocks if not b.final]
    finals = [b for b in blocks if b.final]
    for kind, found in (("prefix [ … ]", prefixes), ("final [[ … ]]", finals)):
        if len(found) > 1:
            first, second = found[0], found[1]
            line, col = _position(text, second.start)
            raise PromptScriptError(
                f"a second {kind} block; the first one is at line "
                f"{_position(text, first.start)[0]}. Merge them into one block.", line, col)
    body = _blank_out(text, blocks)

    prefix_text = ""
    defaults: dict[str, Any] = {}
    if prefixes:
        block = prefixes[0]
        prefix_text, defaults = _leading_parameters(block.inner, text, block.inner_start, None)
        prefix_text = prefix_text.strip()

    items: list[PromptItem] = []
    for start, piece in _pieces(body):
        stripped = piece.strip()
        if not stripped or stripped.startswith(IGNORE):
            continue
        offset = start + (len(piece) - len(piece.lstrip()))
        own_text, overrides = _leading_parameters(stripped, text, offset, len(items) + 1)
        own_text = own_text.strip()
        full = f"{prefix_text}\n\n{own_text}" if prefix_text else own_text
        items.append(_item(full, {**defaults, **overrides}, _position(text, offset)[0]))

    if finals:
        block = finals[0]
        final_text, overrides = _leading_parameters(
            block.inner, text, block.inner_start, len(items) + 1)
        items.append(_item(final_text.strip(), {**defaults, **overrides},
                           _position(text, block.start)[0], final=True))
    if not items:
        raise PromptScriptError(
            "the script has no prompt. Write one prompt per line, or separate prompts with "
            "$$$ (lines starting with --- are ignored).", 1, 1)
    return PromptScript(tuple(items), prefix_text, defaults)


def _item(text: str, keys: dict[str, Any], line: int, final: bool = False) -> PromptItem:
    """An item: its settings, its contestants when it is a judgement, its checks."""
    verdict = keys.pop(VERDICT, ())
    checks = keys.pop(CHECK, ())
    return PromptItem(text, keys, line, final, verdict, checks)


# -- blocks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Block:
    start: int  # offset of the opening bracket
    end: int  # offset just after the closing bracket
    final: bool
    inner: str  # the text between the brackets
    inner_start: int


def _find_blocks(text: str, code: list[tuple[int, int]]) -> list[_Block]:
    blocks = []
    for match in re.finditer(r"^[ \t]*\[", text, re.M):
        start = match.end() - 1
        if _inside(start, code):
            continue
        final = text.startswith("[[", start)
        end = _block_end(text, start, final)
        if end is not None:
            width = 2 if final else 1
            blocks.append(_Block(start, end, final, text[start + width: end - width],
                                 start + width))
    return blocks


def _block_end(text: str, start: int, final: bool) -> int | None:
    """Where a block opened at ``start`` ends, or None when the bracket is ordinary text.

    A final block ends at the first ``]]`` that ends a line. A prefix block ends at its matching
    ``]`` (brackets inside it nest), which must end a line; otherwise the ``[`` was just text.
    An opening bracket that is never closed on a line end is an error, since it looks like a
    block the user forgot to close.
    """
    if final:
        for match in re.finditer(r"\]\][ \t]*(?=\n|$)", text[start + 2:]):
            return start + 2 + match.start() + 2
        return _unclosed(text, start, "[[", "]]")
    depth = 0
    for i in range(start, len(text)):
        char = text[i]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                rest = text[i + 1:].split("\n", 1)[0]
                return i + 1 if not rest.strip() else None
    return _unclosed(text, start, "[", "]")


def _unclosed(text: str, start: int, opening: str, closing: str) -> NoReturn:
    line, col = _position(text, start)
    raise PromptScriptError(
        f"the block opened with {opening} is never closed. End it with {closing} at the end of a "
        f"line, or put the text in a code block if the {opening} is meant literally.", line, col)


def _blank_out(text: str, blocks: list[_Block]) -> str:
    """Remove the blocks but keep their line breaks, so line numbers stay true."""
    out, last = [], 0
    for block in sorted(blocks, key=lambda b: b.start):
        out.append(text[last: block.start])
        out.append("\n" * text.count("\n", block.start, block.end))
        last = block.end
    out.append(text[last:])
    # Lines that held only a block are now empty, so they drop out in newline mode.
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks (an unterminated fence runs to the end)."""
    spans, opened = [], None
    for match in _FENCE.finditer(text):
        if opened is None:
            opened = match.start()
        else:
            spans.append((opened, match.end()))
            opened = None
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= offset < b for a, b in spans)


# -- items ----------------------------------------------------------------------------------------
def _pieces(body: str) -> list[tuple[int, str]]:
    """(offset, text) of each raw item: split on ``$$$`` when present, else on newlines."""
    separator = SEPARATOR if SEPARATOR in body else "\n"
    pieces, start = [], 0
    for part in body.split(separator):
        pieces.append((start, part))
        start += len(part) + len(separator)
    return pieces


def _leading_parameters(item: str, text: str, offset: int,
                        number: int | None) -> tuple[str, dict[str, Any]]:
    """Split ``{key=value, …}`` off the start of an item. Braces that do not look like
    parameters (JSON, code) are left alone."""
    lead = len(item) - len(item.lstrip())
    if not _PARAM_START.match(item, lead):
        return item, {}
    reader = _ParamReader(item, lead + 1, text, offset, number)
    return item[reader.parse():], reader.values


class _ParamReader:
    """Reads ``key=value`` pairs up to the closing brace. Values may be numbers, bare words, or
    JSON strings and lists (for ``stop``)."""

    def __init__(self, item: str, pos: int, text: str, offset: int, number: int | None) -> None:
        self.item, self.pos, self.text, self.offset, self.number = item, pos, text, offset, number
        self.values: dict[str, Any] = {}

    def fail(self, message: str, at: int | None = None) -> PromptScriptError:
        line, col = _position(self.text, self.offset + (self.pos if at is None else at))
        return PromptScriptError(message, line, col, self.number)

    def skip_spaces(self) -> None:
        while self.pos < len(self.item) and self.item[self.pos] in " \t\n":
            self.pos += 1

    def parse(self) -> int:
        while True:
            self.skip_spaces()
            key_at = self.pos
            match = re.compile(r"[A-Za-z_]\w*").match(self.item, self.pos)
            if not match:
                raise self.fail("expected a parameter name such as temperature=0.7.")
            key = match.group()
            self.pos = match.end()
            if key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise self.fail(f"unknown parameter {key!r}.{hint} Parameters allowed here: "
                                f"{', '.join(KEYS)}.", key_at)
            self.skip_spaces()
            if not self.item.startswith("=", self.pos):
                raise self.fail(f"expected = after {key}.")
            self.pos += 1
            self.skip_spaces()
            value_at = self.pos
            raw = self.value()
            try:
                self.values[key] = (contestants(raw) if key == VERDICT else
                                    parse_checks(raw) if key == CHECK else coerce(key, raw))
            except InputError as exc:
                raise self.fail(str(exc), value_at) from None
            self.skip_spaces()
            if self.item.startswith("}", self.pos):
                return self.pos + 1
            if self.pos >= len(self.item):
                raise self.fail("the parameters are never closed. End them with } before the "
                                "prompt text.", value_at)
            if not self.item.startswith(",", self.pos):
                raise self.fail("expected , or } after a value. Close the parameters with }.")
            self.pos += 1

    def value(self) -> str:
        start = self.pos
        if self.item.startswith(("[", '"'), self.pos):
            closing = "]" if self.item[self.pos] == "[" else '"'
            in_string, escaped = closing == '"', False
            self.pos += 1
            while self.pos < len(self.item):
                char = self.item[self.pos]
                self.pos += 1
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    if closing == '"':
                        return self.item[start: self.pos]
                    in_string = not in_string
                elif char == "]" and not in_string:
                    return self.item[start: self.pos]
            raise self.fail(f"the value opened with {self.item[start]} is never closed.", start)
        while self.pos < len(self.item) and self.item[self.pos] not in ",}\n":
            self.pos += 1
        if self.pos >= len(self.item):
            raise self.fail("the parameters are never closed. End them with } before the "
                            "prompt text.", start)
        raw = self.item[start: self.pos].strip()
        if not raw:
            raise self.fail("missing value.", start)
        return raw


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
