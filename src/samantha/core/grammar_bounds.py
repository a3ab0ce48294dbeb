"""Bounds on a GBNF grammar, checked by a cheap scan before llama.cpp parses it.

llama.cpp's grammar code trusts its input. Measured on llama-cpp-python 0.3.36 (its
``llama_sampler_init_grammar``, in a child process, on a thread with an 8 MiB stack):

- its parser recurses once per nested ``( )`` group, about 450 bytes of stack each: 18,554
  levels parse, 18,750 die of SIGSEGV (2,319 on a 1 MiB stack);
- its left-recursion check recurses once per rule along a chain of rules that each start with
  the next, about 130 bytes each: 64,843 parse, 65,625 die;
- it expands a repetition ``S{m,n}`` into about ``n`` copies of ``S``'s elements, and each
  place the grammar can start from into one stack per way to begin there (a 500-byte grammar
  whose 20 rules each start with the next in two ways made 2^20 stacks: no answer in minutes);
- a rule that can start with itself through rules that can be empty (``a ::= b a "y"`` with
  ``b ::= c`` and ``c ::= "q" |``) escapes its left-recursion check and loops forever.

:func:`check_grammar` reads the text once (no recursion: a stack of open groups, a worklist
for the rules that can be empty, a depth-first walk with an explicit stack) and refuses, with
one line naming the limit, a grammar past any bound below. Real grammars pass: those
llama-cpp-python ships (json, c, chess, ..., all under 2 KB) and those its converter writes for
schemas within :mod:`samantha.core.json_schema_bounds` (the tests hand both to llama.cpp).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from samantha.core.errors import SettingsError

#: Text size. llama.cpp's own grammars are under 2 KB and the one written for a JSON schema
#: with 256 properties about 30 KB; this bound keeps our scan (made again with every change
#: of the settings) under about 0.2 s here, whatever the text.
MAX_GRAMMAR_BYTES = 256 * 1024
#: Nested ``( )`` groups: 2,000 levels take llama.cpp's recursive parser about 0.9 MB of
#: stack, a ninth of where it died; room for the 1,000 nested groups that the JSON schema
#: converter writes for ``maxLength`` 1000.
MAX_GROUP_DEPTH = 2_000
#: Rules, named or made by llama.cpp for groups: its symbol table and per-rule checks grow
#: with them; a schema with 300 properties makes about 600.
MAX_RULES = 20_000
#: The longest chain of rules each starting with the next (through parts that can be empty):
#: 4,000 take llama.cpp's recursive left-recursion check about 0.5 MB of stack, a 16th of
#: where it died, and leave room for 2,000 nested groups (each group is a rule).
MAX_START_CHAIN = 4_000
#: Ways one place of the grammar can begin (llama.cpp keeps one stack for each and checks
#: every candidate token against each: about 2 ms per stack over a 262,144-token vocabulary,
#: so at most about 8 s for a check of the whole vocabulary, which Samantha makes only when
#: the token it drew is refused). A 4,096-value enum fits.
MAX_START_WAYS = 4_096
#: A count of ``{m}``, ``{m,}`` or ``{m,n}``: llama.cpp refuses a minimum above 2000 and
#: silently reads a maximum above 2000 as "no maximum"; both are refused here, with a reason.
MAX_REPEAT = 2_000
#: Grammar elements after llama.cpp writes out the repetitions (a character of a string or a
#: class, a rule reference, ...): a million take llama.cpp 0.01 s and 15 MB to set up, four
#: million 0.2 s and 84 MB (a 3 KB string repeated 2,000 times would ask for 6 million).
MAX_ELEMENTS = 1_000_000

_ESCAPE = re.compile(r"\\(?:x..|u....|U........|.)", re.DOTALL)
_CAP = 1 << 62  # ways beyond any limit: counts stop growing here (no huge integers)

_LEXEME = re.compile(r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"?)
  | (?P<klass>\[(?:\\.|[^\]\\])*\]?)
  | (?P<token>!?<[^>]*>?)
  | (?P<repeat>\{[ \t]*(?P<least>\d+)[ \t]*(?P<comma>,[ \t]*(?P<most>\d*)[ \t]*)?\}?)
  | (?P<define>::=)
  | (?P<name>[a-zA-Z0-9-]+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<bar>\|)
  | (?P<suffix>[*+?])
  | (?P<dot>\.)
  | (?P<blank>[ \t\r\n]+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class GrammarBoundError(SettingsError):
    """A grammar or JSON schema past one of the bounds that keep llama.cpp (or the schema
    converter) alive and quick; the message names the limit."""


@dataclass(slots=True)
class _Element:
    """One symbol of a sequence: a terminal, an empty string, or a reference to a rule."""

    ref: str | int | None = None  # a rule's name, a group's number; None for a terminal
    empty: bool = False  # "" (a string of no characters)
    least: int = 1  # repetitions at least (0 after *, ?, {0,n})
    repeated: bool = False  # with a suffix: llama.cpp writes a rule of its own for it
    size: int = 1  # llama.cpp elements it makes (characters of a string, ...)


@dataclass
class _Rules:
    """Each rule's alternatives, each a list of elements; groups are numbered rules."""

    alternatives: dict[str | int, list[list[_Element]]] = field(default_factory=dict)
    where: dict[str | int, int] = field(default_factory=dict)  # offset of each definition


def check_grammar(text: str, what: str = "grammar") -> None:
    """Refuse (:class:`GrammarBoundError`) a GBNF text past a bound; ``what`` names it in the
    message ("grammar", "the grammar written for the JSON schema", ...). Grammars that are
    merely wrong pass: llama.cpp's parser explains those with a position."""
    size = len(text.encode("utf-8"))
    if size > MAX_GRAMMAR_BYTES:
        raise GrammarBoundError(
            f"{what}: is {size} bytes, above the limit of {MAX_GRAMMAR_BYTES} bytes "
            "(MAX_GRAMMAR_BYTES). Shorten it: give repeated parts a rule of their own.")
    _check_starts(_read(text, what), text, what)


def _read(text: str, what: str) -> _Rules:
    """The rules of ``text``; refuses deep groups, many rules, big repetitions and too many
    elements as soon as it meets them."""
    rules = _Rules()
    open_groups: list[str | int] = []  # the rule being read, then each group opened in it
    sequence: list[_Element] = []  # where the next element goes
    pending: str | None = None  # a name that may be the start of a definition
    elements = groups = 0
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "blank" or kind == "comment":
            continue
        if pending is not None:  # the name before: a definition, or a reference
            if kind == "define":
                rules.alternatives[pending] = [sequence := []]  # a later one replaces it
                rules.where[pending] = match.start()
                open_groups, pending = [pending], None
                _check_rule_count(rules, what)
                continue
            sequence.append(_Element(ref=pending))
            elements, pending = elements + 1, None
        if kind == "name":
            pending = match[0]
        elif not open_groups:
            continue  # text before the first rule: llama.cpp's parser says what is wrong
        elif kind == "string":
            length = _characters(match[0][1:-1])
            sequence.append(_Element(empty=length == 0, size=max(length, 1)))
            elements += length
        elif kind == "klass" or kind == "token" or kind == "dot":
            sequence.append(_Element(size=max(_characters(match[0]) - 1, 1)))
            elements += sequence[-1].size
        elif kind == "open":
            groups += 1
            sequence.append(_Element(ref=groups))
            rules.alternatives[groups] = [sequence := []]
            rules.where[groups] = match.start()
            open_groups.append(groups)
            _check_rule_count(rules, what)
            if len(open_groups) - 1 > MAX_GROUP_DEPTH:
                raise GrammarBoundError(
                    f"{what}: nests ( ) groups more than {MAX_GROUP_DEPTH} deep (at "
                    f"{_line_column(text, match.start())}; the limit is MAX_GROUP_DEPTH: "
                    "llama.cpp's parser recurses once per level and crashes the program past "
                    "about 18,000). Give inner groups rules of their own.")
        elif kind == "close" and len(open_groups) > 1:
            open_groups.pop()
            sequence = rules.alternatives[open_groups[-1]][-1]
        elif kind == "bar":
            rules.alternatives[open_groups[-1]].append(sequence := [])
        elif (kind == "suffix" or kind == "repeat") and sequence:
            elements += _repeat(sequence[-1], match, text, what)
            if elements > MAX_ELEMENTS:
                raise GrammarBoundError(
                    f"{what}: writes out to more than {MAX_ELEMENTS} elements once its "
                    f"repetitions are expanded (at {_line_column(text, match.start())}; the "
                    "limit is MAX_ELEMENTS). Use smaller {m,n} counts or shorter repeated "
                    "strings.")
    if pending is not None and open_groups:
        sequence.append(_Element(ref=pending))
    return rules


def _check_rule_count(rules: _Rules, what: str) -> None:
    if len(rules.alternatives) > MAX_RULES:
        raise GrammarBoundError(
            f"{what}: has more than {MAX_RULES} rules (each ( ) group is one), above the "
            f"limit of {MAX_RULES} (MAX_RULES). Merge rules, or use fewer groups.")


def _repeat(element: _Element, match: re.Match[str], text: str, what: str) -> int:
    """Apply a suffix to ``element``; the elements llama.cpp adds to write it out."""
    element.repeated = True
    if match.lastgroup == "suffix":
        if match[0] != "+":
            element.least = 0
        return element.size + 2
    least = int(match["least"])
    most = int(match["most"]) if match["most"] else None
    biggest = max(least, most or 0)
    if biggest > MAX_REPEAT:
        raise GrammarBoundError(
            f"{what}: repeats something {biggest} times ({match[0]} at "
            f"{_line_column(text, match.start())}), above the limit of {MAX_REPEAT} "
            "(MAX_REPEAT; llama.cpp refuses a larger minimum and reads a larger maximum as "
            "none). Use a smaller count, or * or + for no maximum.")
    if least == 0:
        element.least = 0
    copies = max(least, most if match["comma"] and most is not None else least) + 1
    return (element.size + 3) * copies


def _characters(body: str) -> int:
    """Characters of a string's or class's text, an escape counting as one."""
    if "\\" not in body:
        return len(body)
    return len(body) - sum(len(escape) - 1 for escape in _ESCAPE.findall(body))


def _check_starts(rules: _Rules, text: str, what: str) -> None:
    """Left recursion, the longest chain of rules each starting with the next, and the ways
    each place can begin, counting the rules that can be empty. A depth-first walk over the
    rules each rule starts with, with a stack of its own; each sequence is measured once."""
    empty = _may_be_empty(rules)
    leads = {rule: [_leading(sequence, empty) for sequence in alternatives]
             for rule, alternatives in rules.alternatives.items()}
    chain: dict[str | int, int] = {}
    ways: dict[str | int, int] = {}
    most = 0
    walking: set[str | int] = set()
    for top in rules.alternatives:
        if top in chain:
            continue
        walk = [(top, _starts(leads[top], rules))]
        walking.add(top)
        while walk:
            rule, todo = walk[-1]
            if todo:
                child = todo.pop()
                if child in walking:
                    raise _left_recursion(child, rules, text, what)
                if child not in chain:
                    walking.add(child)
                    walk.append((child, _starts(leads[child], rules)))
                continue
            walk.pop()
            walking.discard(rule)
            depth, count = 1, 0
            for sequence, leading in zip(rules.alternatives[rule], leads[rule]):
                for element in leading:
                    if element.ref in chain:
                        depth = max(depth, 1 + chain[element.ref] + element.repeated)
                first, widest = _ways(sequence, ways, empty)
                count, most = min(_CAP, count + first), max(most, widest)
            if depth > MAX_START_CHAIN:
                raise _too_long_chain(rule, rules, text, what)
            chain[rule], ways[rule] = depth, count
            most = max(most, count)
    if most > MAX_START_WAYS:
        shown = str(most) if most < _CAP else "more than 10^18"
        raise GrammarBoundError(
            f"{what}: one place of it can begin in {shown} ways, above the limit of "
            f"{MAX_START_WAYS} (MAX_START_WAYS: llama.cpp follows each way for every token, "
            "and rules that each start with the next in several ways multiply them). Factor "
            'the shared start out: a ::= b ("x" | "y") rather than a ::= b "x" | b "y".')


def _leading(sequence: list[_Element], empty: set[str | int]) -> list[_Element]:
    """The elements a sequence can start with: up to the first that cannot be empty."""
    out = []
    for element in sequence:
        out.append(element)
        if not _element_empty(element, empty):
            break
    return out


def _starts(leads: list[list[_Element]], rules: _Rules) -> list[str | int]:
    """The (defined) rules that a rule can start with, from its leading elements."""
    return [element.ref for leading in leads for element in leading
            if element.ref is not None and element.ref in rules.alternatives]


def _ways(sequence: list[_Element], ways: dict[str | int, int],
          empty: set[str | int]) -> tuple[int, int]:
    """Ways to begin from the start of ``sequence``, and the most from any place in it (the
    end counts as one: what follows the rule)."""
    after = widest = 1
    for element in reversed(sequence):
        own = ways.get(element.ref, 1) if element.ref is not None else 1
        after = min(_CAP, own + after) if _element_empty(element, empty) else own
        widest = max(widest, after)
    return after, widest


def _element_empty(element: _Element, empty: set[str | int]) -> bool:
    return element.least == 0 or element.empty or element.ref in empty


def _may_be_empty(rules: _Rules) -> set[str | int]:
    """The rules that can match nothing: a worklist, linear in the grammar's size."""
    remaining: list[int] = []  # per sequence: its elements that cannot be skipped yet
    owner: list[str | int] = []  # per sequence: its rule
    waiting: dict[str | int, list[int]] = {}  # rule -> the sequences waiting on it
    empty: set[str | int] = set()
    for rule, alternatives in rules.alternatives.items():
        for sequence in alternatives:
            refs = [element.ref for element in sequence
                    if not (element.least == 0 or element.empty)]
            if any(ref is None or ref not in rules.alternatives for ref in refs):
                continue  # a terminal (or an undefined rule) that is always there
            blocking = [ref for ref in refs if ref is not None]
            for ref in blocking:
                waiting.setdefault(ref, []).append(len(remaining))
            remaining.append(len(blocking))
            owner.append(rule)
            if not blocking:
                empty.add(rule)
    todo = list(empty)
    while todo:
        for index in waiting.get(todo.pop(), ()):
            remaining[index] -= 1
            if remaining[index] == 0 and owner[index] not in empty:
                empty.add(owner[index])
                todo.append(owner[index])
    return empty


def _left_recursion(rule: str | int, rules: _Rules, text: str, what: str) -> GrammarBoundError:
    return GrammarBoundError(
        f"{what}: {_rule_name(rule, rules, text)} can start with itself (left recursion, "
        "perhaps through rules that can be empty), which llama.cpp refuses or loops on "
        'forever. Rewrite e.g. list ::= list "," item | item as list ::= item ("," item)*.')


def _too_long_chain(rule: str | int, rules: _Rules, text: str, what: str) -> GrammarBoundError:
    return GrammarBoundError(
        f"{what}: {_rule_name(rule, rules, text)} starts a chain of more than "
        f"{MAX_START_CHAIN} rules each starting with the next, above the limit of "
        f"{MAX_START_CHAIN} (MAX_START_CHAIN: llama.cpp checks such chains recursively and "
        "crashes the program past about 65,000). Shorten the chain: merge rules that only "
        "name the next one.")


def _rule_name(rule: str | int, rules: _Rules, text: str) -> str:
    where = _line_column(text, rules.where[rule])
    return f"rule {rule} ({where})" if isinstance(rule, str) else f"the group at {where}"


def _line_column(text: str, offset: int) -> str:
    """``line L, column C`` (from 1) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
