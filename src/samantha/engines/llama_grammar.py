"""Grammar constraints through llama.cpp's own grammar sampler (GBNF), and JSON schemas as GBNF.

Samantha samples with its own chain (:mod:`samantha.core.candidates`); a grammar only removes the
candidates it does not allow. llama.cpp does the grammar work: :class:`GrammarConstraint` wraps
``llama_sampler_init_grammar`` and hands it our candidates as one ``llama_token_data_array``
built in bulk with numpy. JSON schemas are turned into GBNF by llama-cpp-python's converter.

How llama.cpp reports a bad grammar: ``llama_sampler_init_grammar`` returns NULL. The parser's
own message ("expecting name at <the rest of the text>") is written with ``fprintf(stderr)``,
not through the log callback, which only receives "failed to parse grammar"; the checks after
parsing (no ``root`` rule, left recursion) go through the log callback only. So the constraint
captures file descriptor 2 while the grammar is parsed, and reads the position from the rest of
the text that the message quotes.

End of generation: when the text so far is a complete sentence of the grammar, llama.cpp allows
the end-of-generation tokens (``llama_vocab_is_eog``: EOS, end of turn); once nothing can
follow, they are the only tokens allowed. Before that it rejects them.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
import tempfile
from typing import Any, Callable

import numpy as np

from samantha.core.errors import InputError
from samantha.core.grammar_bounds import GrammarBoundError, check_grammar
from samantha.core.json_schema_bounds import checked_schema

ROOT = "root"
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])


class GrammarError(InputError):
    """A grammar or JSON schema that cannot be used, with what was wrong and where."""


# -- JSON schema ----------------------------------------------------------------------------------
def grammar_from_json_schema(schema_text: str) -> str:
    """The GBNF grammar for a JSON schema given as text (llama-cpp-python's converter).

    Raises :class:`GrammarError` when the text is not JSON (with its line and column), is not a
    JSON object, uses something the converter does not support (with its message), or when it,
    or the grammar written for it, is past a bound (with the limit)."""
    try:
        schema = checked_schema(schema_text)
    except GrammarBoundError as exc:
        raise GrammarError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise GrammarError(
            f"JSON schema, line {exc.lineno}, column {exc.colno}: this is not JSON ({exc.msg}). "
            "Fix the schema text there, e.g. "
            '{"type": "object", "properties": {"n": {"type": "integer"}}}.'
        ) from None
    if not isinstance(schema, dict):
        raise GrammarError(
            f"The JSON schema is a JSON {type(schema).__name__}, not an object. Write it as an "
            'object, e.g. {"type": "object", "properties": {"n": {"type": "integer"}}}.'
        )
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        grammar = json_schema_to_gbnf(schema_text)
    except Exception as exc:  # the converter asserts, raises ValueError/KeyError, ...
        reason = str(exc) or type(exc).__name__
        raise GrammarError(
            f"llama.cpp's converter cannot turn this JSON schema into a grammar ({reason}). "
            "Simplify the schema (local $refs only, patterns written ^...$, known types), or "
            "write a GBNF grammar instead."
        ) from None
    try:
        check_grammar(grammar, "json_schema: the grammar written for it")
    except GrammarBoundError as exc:
        raise GrammarError(str(exc)) from None
    return grammar


# -- the constraint -------------------------------------------------------------------------------
class GrammarConstraint:
    """llama.cpp's grammar sampler over one model's vocabulary, fed our candidates.

    ``apply`` masks the candidates the grammar does not allow after the tokens accepted so far;
    ``accept`` moves the grammar past the chosen token; ``reset`` starts it over; ``close``
    frees it (also done on garbage collection).

    Dead end: when no candidate passed to ``apply`` is allowed, it returns all ``-inf``,
    ``allowed_count`` is 0 and ``dead_end`` is True: the caller should end the answer (if it
    passed a subset of the vocabulary, the full vocabulary may still allow a token). With the
    full vocabulary this only happens when no token can spell what the grammar requires.

    Speed: llama.cpp checks every candidate (tens of milliseconds for a 262,144-token
    vocabulary), ``allows`` checks one (well under a millisecond). llama.cpp's own samplers
    draw first and mask the full vocabulary only when the grammar rejects the token drawn.

    Use it only while its model is loaded: ``alive`` (given by the session) is checked before
    every call into llama.cpp, which would otherwise read freed memory."""

    def __init__(self, vocab: Any, grammar: str, alive: Callable[[], bool] = lambda: True) -> None:
        import llama_cpp

        if not grammar.strip():
            raise GrammarError("The grammar is empty. Write at least one rule, starting with "
                               '`root ::= ...` (e.g. root ::= "yes" | "no"), or use none.')
        self._lib = llama_cpp
        self._vocab = vocab
        self._alive = alive
        self.n_vocab: int = llama_cpp.llama_vocab_n_tokens(vocab)
        self.allowed_count = 0  # how many candidates the last apply allowed
        self.dead_end = False  # the last apply allowed none
        self._sampler = _init_sampler(llama_cpp, vocab, grammar)

    def apply(self, ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        """A copy of ``logits`` with ``-inf`` for every candidate the grammar does not allow.

        ``ids[i]`` is the token id of ``logits[i]``: any subset of the vocabulary, any order.
        Sets ``allowed_count`` (how many candidates the grammar allowed, whatever their
        logits)."""
        ids = np.asarray(ids)
        if ids.shape != np.shape(logits) or ids.ndim != 1:
            raise ValueError(f"ids {ids.shape} and logits {np.shape(logits)} must be matching "
                             "one-dimensional arrays")
        rejected = self._rejected(self._checked_ids(ids))
        out = np.array(logits, copy=True)
        out[rejected] = -np.inf
        self.allowed_count = int(len(ids) - np.count_nonzero(rejected))
        self.dead_end = self.allowed_count == 0
        return out

    def allows(self, token: int) -> bool:
        """Whether the grammar allows ``token`` next (cheap: one candidate)."""
        return not self._rejected(self._checked_ids(np.array([token])))[0]

    def accept(self, token: int) -> None:
        """Move the grammar past ``token``. Raises ValueError for a token it does not allow
        (llama.cpp itself would abort the process)."""
        if not self.allows(token):
            raise ValueError(f"Token {token} is not allowed by the grammar here; accept only a "
                             "token that apply() left finite.")
        self._lib.llama_sampler_accept(self._live(), int(token))

    def reset(self) -> None:
        """Start the grammar over (llama.cpp parses its text again), for a new answer."""
        self._lib.llama_sampler_reset(self._live())
        self.allowed_count, self.dead_end = 0, False

    def close(self) -> None:
        """Free llama.cpp's sampler; safe to call twice."""
        sampler, self._sampler = getattr(self, "_sampler", None), None
        if sampler:
            self._lib.llama_sampler_free(sampler)

    def __del__(self) -> None:
        self.close()

    def _live(self) -> Any:
        if not self._sampler:
            raise RuntimeError("This grammar constraint is closed; make a new one.")
        if not self._alive():
            raise RuntimeError("The model of this grammar constraint was unloaded; make a new "
                               "constraint from the loaded session.")
        return self._sampler

    def _checked_ids(self, ids: np.ndarray) -> np.ndarray:
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0
                         or ids.max() >= self.n_vocab):
            raise ValueError(f"Token ids must be integers in 0..{self.n_vocab - 1}.")
        return ids.astype(np.int32, copy=False)

    def _rejected(self, ids: np.ndarray) -> np.ndarray:
        """A mask of the ids the grammar rejects: llama.cpp sets their logit to -inf in place
        and touches nothing else, so every logit starts at 0 and the mask is exact."""
        sampler = self._live()
        if len(ids) == 0:
            return np.zeros(0, dtype=bool)
        data = np.zeros(len(ids), dtype=_TOKEN_DATA)
        data["id"] = ids
        lib = self._lib
        array = lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p), size=len(ids), selected=-1,
            sorted=False)
        lib.llama_sampler_apply(sampler, ctypes.byref(array))
        return np.isneginf(data["logit"])


def _init_sampler(lib: Any, vocab: Any, grammar: str) -> Any:
    """llama.cpp's grammar sampler for ``grammar``, or :class:`GrammarError` with the reason
    (past a bound, where llama.cpp would crash, hang or fill the memory, with the limit)."""
    try:
        check_grammar(grammar)
    except GrammarBoundError as exc:
        raise GrammarError(str(exc)) from None
    _refuse_early(grammar)
    log = getattr(lib, "_samantha_log", None)  # samantha.engines.llama_cpp.LlamaLog, if loaded
    if log is not None:
        log.errors.clear()
    source = grammar.encode("utf-8")
    sampler, printed = _capturing_stderr(
        lambda: lib.llama_sampler_init_grammar(vocab, source, ROOT.encode()))
    if sampler:
        _pass_on(printed)
        return sampler
    parse_message, other = _parse_message(printed, source)
    _pass_on(other)
    # without Samantha's log callback llama.cpp prints its log on stderr too
    logged = list(log.errors) if log is not None else other.decode("utf-8", "replace").split("\n")
    raise _grammar_error(grammar, parse_message, [line for line in logged if line.strip()])


def _refuse_early(grammar: str) -> None:
    """Refuse what llama.cpp cannot be given at all: a NUL (the end of a C string to it) and
    ``{m,n}`` with n < m (its parser counts n - m repetitions in unsigned arithmetic and
    allocates until the process is killed)."""
    if "\x00" in grammar:
        where = _line_column(grammar, len(grammar[: grammar.index("\x00")].encode("utf-8")))
        raise GrammarError(f"Grammar, {where}: a NUL character, which llama.cpp reads as the "
                           "end of the text. Remove it (write \\x00 inside a string if meant).")
    for match in _LEXEMES.finditer(grammar):
        if match["least"] and int(match["most"]) < int(match["least"]):
            where = _line_column(grammar, len(grammar[: match.start()].encode("utf-8")))
            raise GrammarError(
                f"Grammar, {where}: the repetition {match[0]} has a maximum below its minimum. "
                f"Write {{{match['most']},{match['least']}}} or another {{min,max}} with "
                "min <= max.")


def _capturing_stderr(fn: Callable[[], Any]) -> tuple[Any, bytes]:
    """Run ``fn`` with file descriptor 2 sent to a temporary file; its result and what was
    written (llama.cpp prints grammar parse errors there with fprintf)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            result = fn()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        return result, sink.read()


def _pass_on(printed: bytes) -> None:
    """Write back what someone else printed on stderr while it was captured."""
    if printed.strip():
        os.write(2, printed)


def _parse_message(printed: bytes, source: bytes) -> tuple[bytes | None, bytes]:
    """The parser's message out of ``parse: error parsing grammar: <what>\\n\\n<source>\\n``,
    and the rest of what was printed."""
    head = printed.find(b"error parsing grammar: ")
    tail = printed.rfind(b"\n\n" + source + b"\n")
    if head < 0 or tail < head:
        return None, printed
    start = printed.rfind(b"\n", 0, head) + 1
    end = tail + len(source) + 3
    what = printed[head + len(b"error parsing grammar: "): tail]
    return what, printed[:start] + printed[end:]


def _grammar_error(grammar: str, what: bytes | None, logged: list[str]) -> GrammarError:
    if what is None:
        return GrammarError(_after_parse_message(logged))
    message, offset = _split_position(what, grammar.encode("utf-8"))
    if offset is None:
        offset = _fault_offset(grammar, message)
    where = "Grammar" if offset is None else "Grammar, " + _line_column(grammar, offset)
    return GrammarError(f"{where}: {message} (llama.cpp's GBNF parser). Fix the grammar there; "
                        "rules look like  name ::= \"text\" | [a-z]+ | other-rule.")


def _split_position(what: bytes, source: bytes) -> tuple[str, int | None]:
    """``expecting name at <rest>`` → ("expecting name", byte offset of <rest> in the source).
    The rest is a suffix of the source, which tells exactly where the parser stopped."""
    for match in re.finditer(rb" at ", what):
        rest = what[match.end():]
        if source.endswith(rest):
            message = what[: match.start()].decode("utf-8", "replace")
            return message, len(source) - len(rest)
    return what.decode("utf-8", "replace").strip(), None


def _fault_offset(grammar: str, message: str) -> int | None:
    """Where a message that quotes no position points: the end of the text, or the first use of
    an undefined rule. A byte offset in the UTF-8 text."""
    if message == "unexpected end of input":
        return len(grammar.encode("utf-8"))
    undefined = re.fullmatch(r"Undefined rule identifier '(.*)'", message)
    if undefined:
        return _first_reference(grammar, undefined.group(1))
    return None


_LEXEMES = re.compile(r'#[^\r\n]*|"(?:\\.|[^"\\])*"?|\[(?:\\.|[^\]\\])*\]?|<[^>]*>?'
                      r"|\{\s*(?P<least>\d+)\s*,\s*(?P<most>\d+)\s*\}"
                      r"|(?P<name>[a-zA-Z0-9-]+)(?P<defines>[ \t]*::=)?|.", re.S)


def _first_reference(grammar: str, name: str) -> int | None:
    """Byte offset of the first use of rule ``name`` outside strings, classes and comments."""
    for match in _LEXEMES.finditer(grammar):
        if match["name"] == name and not match["defines"]:
            return len(grammar[: match.start()].encode("utf-8"))
    return None


def _line_column(grammar: str, offset: int) -> str:
    """``line L, column C`` (both from 1, columns in characters) of a byte offset."""
    before = grammar.encode("utf-8")[:offset].decode("utf-8", "replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column}"


def _after_parse_message(logged: list[str]) -> str:
    """The message for a grammar that parsed but that llama.cpp refused (its log says why)."""
    reason = " ".join(logged) or "llama.cpp gave no reason"
    if "does not contain" in reason:
        return (f"The grammar has no rule named {ROOT}, where every answer starts. Add one, "
                f'e.g. {ROOT} ::= "yes" | "no".')
    if "left recursion" in reason:
        return ("The grammar has a rule that starts with itself (left recursion), which "
                "llama.cpp does not support. Rewrite e.g. list ::= list \",\" item | item as "
                'list ::= item ("," item)*.')
    if "failed to parse grammar" in reason:
        return ("The grammar has no rules (only blanks or comments). Write at least one, "
                f'starting with {ROOT} ::= ...')
    return f"llama.cpp refused the grammar ({reason}). Check its rules."
