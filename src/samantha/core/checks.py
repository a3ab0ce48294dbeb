"""Checks: tests of a model's answer that need no judge.

A check is its kind alone, or its kind, a colon and an argument (everything after the first
colon, spaces included): ``contains:Paris``, ``words:..200``, ``json``. A prompt item or a chain
may have up to 16 checks. Each passes or fails and says why in one line; a check that cannot be
done (a pattern that runs too long, a speed with no time measured) says so instead of guessing.

  contains:TEXT       the answer contains TEXT (capitals count)
  icontains:TEXT      the answer contains TEXT, ignoring capitals
  not-contains:TEXT   the answer does not contain TEXT (not-icontains: ignoring capitals)
  regex:PATTERN       the regular expression PATTERN matches somewhere in the answer (^ and $
                      match at every line); not-regex:PATTERN: it matches nowhere. A pattern
                      has at most 500 characters; one that runs over 1 second is not checked.
  json                the answer is valid JSON: its first fenced code block (``` or ```json)
                      if it has one, else the whole answer
  schema:{...}        the answer (read the same way) is JSON matching this JSON schema (draft
                      2020-12), e.g. schema:{"type": "object", "required": ["name"]}. It cannot
                      refer to files or web pages: put shared parts in $defs, "#/$defs/NAME".
  chars:LOW..HIGH     characters in the answer, both ends included; leave out one end for no
                      limit there: chars:..2000, chars:100..
  words:LOW..HIGH     words (pieces of text between spaces), e.g. words:50..200
  tokens:LOW..HIGH    tokens the model generated, e.g. tokens:10..
  tps:LOW..HIGH       tokens per second while generating (decimals allowed), e.g. tps:5..
  seconds:LOW..HIGH   seconds the answer took (decimals allowed), e.g. seconds:..30.5
  runs                the answer's Python code runs, in the sandbox, and ends without an error
  output:TEXT         the answer's Python code runs and what it prints contains TEXT
  python:EXPRESSION   a Python expression about ``answer`` (the answer's text) is true, run in
                      the sandbox, e.g. python:len(answer.split()) < 50; or code that defines
                      def check(answer): returning a true value for a good answer

(Pure: :func:`sandbox_program` writes the program a code check runs, :func:`read_sandbox` reads
what it did.)
"""

from __future__ import annotations

import ast
import difflib
import json
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

import regex

from samantha.core.codeblocks import extract_python, fenced_blocks
from samantha.core.errors import InputError
from samantha.core.grammar_bounds import GrammarBoundError
from samantha.core.json_schema_bounds import checked_schema

KINDS: tuple[str, ...] = (
    "contains", "icontains", "not-contains", "not-icontains", "regex", "not-regex", "json",
    "schema", "chars", "words", "tokens", "tps", "seconds", "runs", "output", "python")
SANDBOX_KINDS = ("runs", "output", "python")
RANGE_KINDS = ("chars", "words", "tokens", "tps", "seconds")  # whole numbers, then decimals
EXAMPLES = {
    "contains": "contains:Paris", "icontains": "icontains:paris", "not-contains":
    "not-contains:As an AI", "not-icontains": "not-icontains:sorry", "regex": r"regex:^\d+$",
    "not-regex": r"not-regex:(?i)lorem ipsum", "json": "json", "schema":
    'schema:{"type": "object", "required": ["name"]}', "chars": "chars:..2000", "words":
    "words:50..200", "tokens": "tokens:10..500", "tps": "tps:2..100", "seconds": "seconds:..30",
    "runs": "runs", "output": "output:42", "python": "python:len(answer.split()) < 50"}

MAX_CHECKS = 16  # per prompt item or per chain
MAX_SPEC = 20_000  # characters of one check's text (a schema can be long)
MAX_PATTERN = 500  # characters of a regex check's pattern
PATTERN_SECONDS = 1.0  # a pattern's time on one answer, beyond which it is not checked
MAX_DETAIL = 200  # characters of a result's detail (one line)
#: What starts the last line a ``python:`` check's program prints, before its result as JSON.
MARKER = "\x1esamantha-check:"

_FLAGS = regex.MULTILINE
_NUMBER = {"whole": re.compile(r"\d{1,15}"), "decimal": re.compile(r"\d{1,15}(?:\.\d*)?|\.\d+")}
_DEF_CHECK = re.compile(r"^[ \t]*def[ \t]+check[ \t]*\(", re.M)


class CheckError(InputError):
    """A check that cannot be used: an unknown kind, a missing or wrong argument, a pattern or
    schema that does not compile, too many checks."""


@dataclass(frozen=True)
class Check:
    kind: str  # one of KINDS
    argument: str  # everything after the first colon ('' for a bare kind)
    spec: str  # the check's text as written

    @property
    def needs_sandbox(self) -> bool:
        return self.kind in SANDBOX_KINDS


@dataclass(frozen=True)
class Answer:  # what a check looks at: the text, the tokens generated, the time it took
    text: str
    tokens: int
    seconds: float


@dataclass(frozen=True)
class CheckResult:
    """One check of one answer. ``passed`` is None when it could not be checked; ``detail``
    says why it passed, failed or could not be checked, in one line."""

    spec: str
    kind: str
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "kind": self.kind, "passed": self.passed,
                "detail": self.detail}

    @classmethod
    def from_dict(cls, data: object) -> CheckResult:
        """The result :meth:`to_dict` wrote; anything else raises ValueError."""
        if isinstance(data, dict) and set(data) == {"spec", "kind", "passed", "detail"}:
            spec, kind, passed, detail = (data[k] for k in ("spec", "kind", "passed", "detail"))
            if isinstance(spec, str) and isinstance(kind, str) and kind in KINDS \
                    and (passed is None or isinstance(passed, bool)) and isinstance(detail, str):
                return cls(spec, kind, passed, detail)
        raise ValueError(f"not a check result: {_quote(repr(data))}")


def parse_check(text: str) -> Check:
    """One check from its text, its argument checked (else :class:`CheckError`)."""
    if len(text) > MAX_SPEC:
        raise CheckError(f"A check is {len(text)} characters, above the limit of {MAX_SPEC} "
                         "(MAX_SPEC). Shorten it.")
    head, colon, argument = text.partition(":")
    kind = head.strip().lower()
    if not kind:
        raise CheckError(f"A check is empty{' before its colon' if colon else ''}. Write "
                         f"KIND or KIND:ARGUMENT, e.g. {EXAMPLES['contains']}; the kinds are "
                         f"{', '.join(KINDS)}.")
    if kind not in KINDS:
        raise CheckError(_unknown_kind(kind, text))
    check = Check(kind, argument, text)
    if kind in ("json", "runs"):
        if argument.strip():
            raise CheckError(f"{kind} takes no argument: write {kind}, not {_quote(text)}.")
    elif not argument.strip():
        raise CheckError(f"{kind} needs an argument after a colon, e.g. {EXAMPLES[kind]}.")
    elif kind in ("regex", "not-regex"):
        _compile(argument, kind)
    elif kind == "schema":
        _parse_schema(argument)
    elif kind in RANGE_KINDS:
        _range(check)
    elif kind == "python":
        _python_source(argument)
    return check


def parse_checks(value: object) -> tuple[Check, ...]:
    """Checks from one check's text, a JSON list of them written as text (starting with
    ``[``), or a list of texts: at least one, at most :data:`MAX_CHECKS`."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "it nests too deep"
            raise CheckError(f"The list of checks is not a JSON list of texts ({why}). Write "
                             'e.g. ["json", "words:..200"].') from None
    elif isinstance(value, str):
        return (parse_check(value),)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise CheckError(f"Checks are a list of texts, e.g. [\"json\", \"words:..200\"], not "
                         f"{_quote(repr(value))}.")
    if not value:
        raise CheckError("The list of checks is empty: write at least one, e.g. "
                         "[\"json\"], or leave the checks out.")
    if len(value) > MAX_CHECKS:
        raise CheckError(f"{len(value)} checks, above the limit of {MAX_CHECKS} (MAX_CHECKS). "
                         "Keep the ones that matter most.")
    return tuple(parse_check(text) for text in value)


def evaluate(check: Check, answer: Answer) -> CheckResult:
    """A check that needs no sandbox, done on ``answer`` (ValueError for a sandbox kind)."""
    kind = check.kind
    passed: bool | None
    if kind in KINDS[:4]:  # contains and its kin
        passed, detail = _contains(check, answer.text)
    elif kind in ("regex", "not-regex"):
        passed, detail = _regex(check, answer.text)
    elif kind == "json":
        value, where, problem = _read_json(answer.text)
        passed, detail = problem is None, problem or f"{where} is valid JSON ({_kind_of(value)})"
    elif kind == "schema":
        passed, detail = _schema(check, answer.text)
    elif kind in RANGE_KINDS:
        passed, detail = _measure(check, answer)
    else:
        raise ValueError(f"{kind} is not a check done without the sandbox")
    return CheckResult(check.spec, kind, passed, _line(detail))


def sandbox_program(check: Check, answer: Answer) -> str | None:
    """The Python to run in the sandbox for ``check``: for runs and output the answer's code
    (None when it has none: see :func:`no_code_result`); for python a program holding the
    answer as a string literal that runs the check and prints its result last, after
    :data:`MARKER` (an error in the check ends it with a nonzero status)."""
    if not check.needs_sandbox:
        raise ValueError(f"{check.kind} is not a check run in the sandbox")
    if check.kind != "python":
        return extract_python(answer.text).code or None
    is_def, source = _python_source(check.argument)
    if not is_def:  # an expression is the body of a check(answer) of its own: one way to run
        source = f"def check(answer):\n    return (\n{source}\n    )\n"
    # the check's source travels as an ASCII literal, compiled in the sandbox: the program
    # stays ASCII whatever the check or the answer holds
    return (f"import json as _json\n"
            f"answer = {ascii(answer.text)}\n"
            f"_names = {{'__name__': '__check__'}}\n"
            f"exec(compile({ascii(source)}, '<check>', 'exec'), _names)\n"
            f"_result = _names['check'](answer)\n"
            f"print('\\n' + {ascii(MARKER)} + _json.dumps(bool(_result)), flush=True)\n")


def no_code_result(check: Check) -> CheckResult:
    """The result of runs or output on an answer with no Python code."""
    if check.kind not in ("runs", "output"):
        raise ValueError(f"{check.kind} does not run the answer's code")
    return CheckResult(check.spec, check.kind, False, "the answer has no Python code")


def read_sandbox(check: Check, exit_status: int | None, stdout: str, stderr: str,
                 timed_out: bool) -> CheckResult:
    """The result of a sandbox check from what its program did (``exit_status`` None: it
    could not be run)."""
    if not check.needs_sandbox:
        raise ValueError(f"{check.kind} is not a check run in the sandbox")
    what, last_error = "the check" if check.kind == "python" else "the code", _last_line(stderr)
    passed: bool | None
    if timed_out:
        passed, detail = False, f"{what} ran over its time limit"
    elif exit_status is None:
        passed, detail = None, f"could not be checked: {what} could not be run"
        detail += f" ({last_error})" if last_error else ""
    elif exit_status != 0:
        passed, detail = False, f"{what} failed with exit status {exit_status}"
        detail += f": {last_error}" if last_error else ""
    elif check.kind == "runs":
        passed, detail = True, "the code ran and exited with status 0"
    elif check.kind == "output":
        passed = check.argument in stdout
        printed = f"printed {_quote(stdout.strip(), 60)}" if stdout.strip() else "printed nothing"
        detail = (f"the code printed {_quote(check.argument)}" if passed else
                  f"the code's output lacks {_quote(check.argument)} (it {printed})")
    else:
        passed, detail = _marker_value(stdout)
    return CheckResult(check.spec, check.kind, passed, _line(detail))


def _unknown_kind(kind: str, text: str) -> str:
    first = kind.split()[0]
    if first in KINDS and ":" not in text:
        return f"Write a colon after the kind: {first}:ARGUMENT, e.g. {EXAMPLES[first]}."
    close = difflib.get_close_matches(kind, KINDS, n=1)
    guess = f" Did you mean {close[0]!r}?" if close else ""
    return (f"Unknown check kind {_quote(kind, 40)}.{guess} The kinds are {', '.join(KINDS)}; "
            f"write KIND or KIND:ARGUMENT, e.g. {EXAMPLES['contains']}.")


def _compile(pattern: str, kind: str) -> None:
    if len(pattern) > MAX_PATTERN:
        raise CheckError(f"{kind}: the pattern is {len(pattern)} characters, above the limit "
                         f"of {MAX_PATTERN} (MAX_PATTERN). Shorten it.")
    try:
        regex.compile(pattern, _FLAGS)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise CheckError(f"{kind}: {_quote(pattern, 60)} is not a regular expression ({exc}). "
                         f"Write e.g. {EXAMPLES[kind]}.") from None


def _parse_schema(text: str) -> dict[str, Any]:
    try:
        schema = checked_schema(text.strip())
    except GrammarBoundError as exc:
        raise CheckError(f"schema: {str(exc).removeprefix('json_schema: ')}") from None
    except json.JSONDecodeError as exc:
        raise CheckError(f"schema: the schema is not JSON ({exc.msg} at column {exc.colno}). "
                         f"Write a JSON object, e.g. {EXAMPLES['schema']}.") from None
    if not isinstance(schema, dict):
        raise CheckError(f"schema: the schema is {_kind_of(schema)}, not an object. "
                         f"Write e.g. {EXAMPLES['schema']}.")
    from jsonschema.exceptions import SchemaError

    try:
        _validator_class().check_schema(schema)
    except SchemaError as exc:
        raise CheckError(f"schema: not a valid JSON schema: {_quote(exc.message, 120, False)} "
                         f"at {exc.json_path}. Write e.g. {EXAMPLES['schema']}.") from None
    _refuse_outside_refs(schema)
    return schema


def _refuse_outside_refs(schema: dict[str, Any]) -> None:
    stack: list[Any] = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack += item
        elif isinstance(item, dict):
            for key, value in item.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str) \
                        and not value.startswith("#"):
                    raise CheckError(f"schema: {key} {_quote(value, 60)} points outside the "
                                     "schema, and checks read no files or web pages. Put the "
                                     'part in $defs and write "$ref": "#/$defs/NAME".')
                stack.append(value)


def _range(check: Check) -> tuple[float | None, float | None]:
    """The bounds of a range check (None: no bound on that side)."""
    style = "whole" if check.kind in RANGE_KINDS[:3] else "decimal"
    how = (f"Write {check.kind}:LOW..HIGH with {style} numbers, leaving out one end for no "
           f"limit there, e.g. {EXAMPLES[check.kind]}.")
    parts = check.argument.strip().split("..")
    if len(parts) != 2:
        raise CheckError(f"{check.kind}: {_quote(check.argument, 40)} is not a range. {how}")
    bounds: list[float | None] = []
    for part in (p.strip() for p in parts):
        if part and not _NUMBER[style].fullmatch(part):
            raise CheckError(f"{check.kind}: {_quote(part, 40)} is not a {style} number "
                             f"(at least 0). {how}")
        bounds.append(None if not part else int(part) if style == "whole" else float(part))
    low, high = bounds
    if low is None and high is None:
        raise CheckError(f"{check.kind}: the range needs at least one end. {how}")
    if low is not None and high is not None and low > high:
        raise CheckError(f"{check.kind}: the range {check.argument.strip()} goes down: write "
                         "the low end first.")
    return low, high


def _python_source(code: str) -> tuple[bool, str]:
    """Whether ``code`` defines check(answer), and its source as it will run; it must parse."""
    is_def = _DEF_CHECK.search(code) is not None
    source = textwrap.dedent(code).strip("\n") + "\n" if is_def else code.strip()
    try:
        tree = ast.parse(source, "<check>", "exec" if is_def else "eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        what = "the code defining check(answer)" if is_def else "the expression"
        why = f"{exc.msg}, line {exc.lineno}" if isinstance(exc, SyntaxError) else repr(exc)
        raise CheckError(f"python: {what} does not parse ({why}). Write an "
                         f"expression using answer, e.g. {EXAMPLES['python']}, or code "
                         "defining def check(answer): that returns a true value.") from None
    if is_def and not any(isinstance(n, ast.FunctionDef) and n.name == "check" for n in
                          getattr(tree, "body", [])):
        raise CheckError("python: define check(answer) at the top level of the code.")
    return is_def, source


def _contains(check: Check, text: str) -> tuple[bool, str]:
    needle, fold = check.argument, "icontains" in check.kind
    found = needle.casefold() in text.casefold() if fold else needle in text
    case = ", ignoring capitals" if fold else ""
    detail = f"{_quote(needle)} is {'' if found else 'not '}in the answer{case}"
    return found != check.kind.startswith("not-"), detail


def _regex(check: Check, text: str) -> tuple[bool | None, str]:
    try:
        match = regex.search(check.argument, text, _FLAGS, timeout=PATTERN_SECONDS)
    except TimeoutError:
        return None, (f"could not be checked: the pattern ran over {PATTERN_SECONDS:g} s; "
                      "simplify it")
    if match is None:
        return check.kind == "not-regex", "the pattern matches nowhere in the answer"
    line = text.count("\n", 0, match.start()) + 1
    return check.kind == "regex", f"the pattern matches {_quote(match.group(), 60)} on line {line}"


def _read_json(text: str) -> tuple[Any, str, str | None]:
    """The answer's JSON, where it was read from, and what was wrong (None: nothing)."""
    block = next((b for b in fenced_blocks(text) if b.language in ("", "json")), None)
    where = "the first code block" if block else "the answer"
    body = block.code.strip() if block else text.strip()
    if not body:
        return None, where, f"{where} is empty, not JSON"
    try:
        return json.loads(body), where, None
    except json.JSONDecodeError as exc:
        return None, where, f"{where} is not JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
    except RecursionError:
        return None, where, f"{where} nests too deep to be read as JSON"


def _schema(check: Check, text: str) -> tuple[bool | None, str]:
    value, where, problem = _read_json(text)
    if problem is not None:
        return False, problem
    from jsonschema.exceptions import best_match
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    validator = _validator_class()(json.loads(check.argument), registry=Registry())
    try:
        error = best_match(validator.iter_errors(value))
    except TimeoutError:
        return None, (f"could not be checked: a pattern in the schema ran over "
                      f"{PATTERN_SECONDS:g} s; simplify it")
    except RecursionError:
        return False, f"{where} nests too deep to be checked against the schema"
    except Unresolvable as exc:
        return None, f"could not be checked: a $ref in the schema leads nowhere ({exc})"
    if error is None:
        return True, f"{where} is JSON that matches the schema"
    return False, f"{where} does not match the schema at {error.json_path}: {error.message}"


def _measure(check: Check, answer: Answer) -> tuple[bool | None, str]:
    low, high = _range(check)
    if check.kind == "tps" and answer.seconds <= 0:
        return None, "could not be checked: no time was measured"
    value: float = {"chars": len(answer.text), "words": len(answer.text.split()),
                    "tokens": answer.tokens, "seconds": answer.seconds}.get(
        check.kind, answer.tokens / max(answer.seconds, 1e-9))
    shown = (f"{value:.1f} tokens per second" if check.kind == "tps" else
             f"{value:.2f} seconds" if check.kind == "seconds" else f"{value} {check.kind}")
    wanted = check.argument.strip()
    if low is not None and value < low:
        return False, f"{shown}, below {wanted}"
    if high is not None and value > high:
        return False, f"{shown}, above {wanted}"
    return True, f"{shown}, within {wanted}"


def _marker_value(stdout: str) -> tuple[bool, str]:
    last = stdout.rstrip("\n").split("\n")[-1].rstrip("\r")
    value = last.removeprefix(MARKER) if last.startswith(MARKER) else ""
    if value not in ("true", "false"):
        return False, "the check printed no result (it must return a value, not exit)"
    return value == "true", f"the check returned a {value} value"


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    """Draft 2020-12, its keywords that search patterns under :data:`PATTERN_SECONDS`."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from jsonschema.validators import extend

    def pattern(validator: Any, wanted: str, instance: Any, schema: Any) -> Iterator[Any]:
        if isinstance(instance, str) and not _search(wanted, instance):
            yield ValidationError(f"{_quote(instance, 60)} does not match {wanted!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any,
                           schema: Any) -> Iterator[Any]:
        if isinstance(instance, dict):
            for wanted, subschema in patterns.items():
                for key, value in instance.items():
                    if _search(wanted, key):
                        yield from validator.descend(value, subschema, path=key,
                                                     schema_path=wanted)

    def additional_properties(validator: Any, allowed: Any, instance: Any,
                              schema: Any) -> Iterator[Any]:
        if not isinstance(instance, dict):
            return
        extras = [key for key in instance if key not in schema.get("properties", {})
                  and not any(_search(p, key) for p in schema.get("patternProperties", {}))]
        if isinstance(allowed, dict):
            for key in extras:
                yield from validator.descend(instance[key], allowed, path=key)
        elif allowed is False and extras:
            yield ValidationError(f"properties not allowed: {', '.join(map(repr, extras))}")

    return extend(Draft202012Validator, {"pattern": pattern,
                                         "patternProperties": pattern_properties,
                                         "additionalProperties": additional_properties})


def _search(pattern: str, text: str) -> bool:
    return regex.search(pattern, text, timeout=PATTERN_SECONDS) is not None


def _quote(text: str, limit: int = 60, quoted: bool = True) -> str:
    short = text if len(text) <= limit else text[:limit] + "…"
    return repr(short) if quoted else short


def _line(text: str, limit: int = MAX_DETAIL) -> str:
    one = " ".join(text.splitlines())
    return one if len(one) <= limit else one[:limit - 1] + "…"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _quote(lines[-1], 120, False) if lines else ""


def _kind_of(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")
