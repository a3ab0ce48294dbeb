"""Checks that need no judge: every kind passing and failing on chosen answers, the parse errors
a user meets, the bounds (a pattern that runs too long, JSON nested too deep), results kept and
read back, and the sandbox kinds' programs run for real in a subprocess and read back."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time

import pytest

from samantha.core.checks import (
    KINDS,
    MARKER,
    MAX_CHECKS,
    MAX_DETAIL,
    MAX_PATTERN,
    MAX_SPEC,
    Answer,
    Check,
    CheckError,
    CheckResult,
    evaluate,
    no_code_result,
    parse_check,
    parse_checks,
    read_sandbox,
    sandbox_program,
)
from samantha.core.errors import InputError

PROSE = Answer("The capital of France is Paris.\nIt has 2 million people.", 12, 3.0)
FENCED = Answer('Here it is:\n```json\n{"name": "Ada", "age": 36}\n```\nDone.', 20, 2.0)
CODE = Answer("Run this:\n```python\nprint(6 * 7)\n```\n", 10, 1.0)
BROKEN = Answer("```python\nprint(1)\nraise ValueError('boom')\n```", 10, 1.0)
PERSON = '{"type": "object", "required": ["name"], "properties": {"age": {"type": "integer"}}}'


def check_of(spec: str, answer: Answer) -> CheckResult:
    return evaluate(parse_check(spec), answer)


@pytest.mark.parametrize("spec, answer, passed", [
    ("contains:Paris", PROSE, True), ("contains:paris", PROSE, False),
    ("contains:capital of France", PROSE, True),
    ("icontains:PARIS", PROSE, True), ("icontains:London", PROSE, False),
    ("not-contains:London", PROSE, True), ("not-contains:Paris", PROSE, False),
    ("not-icontains:PARIS", PROSE, False), ("not-icontains:lyon", PROSE, True),
    (r"regex:\d+ million", PROSE, True), (r"regex:^It has", PROSE, True),  # ^ at every line
    (r"regex:^\d+$", PROSE, False), ("regex:(?i)CAPITAL", PROSE, True),
    ("not-regex:Lyon|Nice", PROSE, True), (r"not-regex:Paris\.$", PROSE, False),
    ("json", FENCED, True), ("json", PROSE, False), ("json", Answer(' [1, 2] \n', 1, 1), True),
    ("json", Answer("```\n{\"a\": 1}\n```", 1, 1), True),
    ("json", Answer("```json\n{\"a\": 1,}\n```", 1, 1), False),
    ("json", Answer("   ", 1, 1), False),
    (f"schema:{PERSON}", FENCED, True),
    (f"schema:{PERSON}", Answer('{"age": 36}', 1, 1), False),
    (f"schema:{PERSON}", Answer('{"name": "x", "age": "old"}', 1, 1), False),
    (f"schema:{PERSON}", PROSE, False),
    ('schema:{"type": "array", "items": {"$ref": "#/$defs/n"}, "$defs": {"n": {"type": '
     '"number"}}}', Answer("[1, 2.5]", 1, 1), True),
    ('schema:{"type": "array", "items": {"$ref": "#/$defs/n"}, "$defs": {"n": {"type": '
     '"number"}}}', Answer('[1, "2"]', 1, 1), False),
    ('schema:{"properties": {"id": {"pattern": "^[a-z]+$"}}}', Answer('{"id": "abc"}', 1, 1),
     True),
    ('schema:{"properties": {"id": {"pattern": "^[a-z]+$"}}}', Answer('{"id": "ab1"}', 1, 1),
     False),
    ('schema:{"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": false}',
     Answer('{"xa": "s"}', 1, 1), True),
    ('schema:{"patternProperties": {"^x": {"type": "string"}}, "additionalProperties": false}',
     Answer('{"xa": "s", "b": 1}', 1, 1), False),
    ('schema:{"patternProperties": {"^x": {"type": "string"}}}', Answer('{"xa": 1}', 1, 1),
     False),
    ("chars:..100", PROSE, True), ("chars:..10", PROSE, False), ("chars:56..56", PROSE, True),
    ("chars:57..", PROSE, False),
    ("words:11..11", PROSE, True), ("words:12..", PROSE, False), ("words:..10", PROSE, False),
    ("tokens:12..12", PROSE, True), ("tokens:13..", PROSE, False), ("tokens:..11", PROSE, False),
    ("tps:4..4", PROSE, True), ("tps:3.5..", PROSE, True), ("tps:4.01..", PROSE, False),
    ("tps:..3.99", PROSE, False),
    ("seconds:..3", PROSE, True), ("seconds:2.5..3.5", PROSE, True),
    ("seconds:..2.99", PROSE, False), ("seconds:3.01..", PROSE, False),
])
def test_each_kind_passes_and_fails(spec: str, answer: Answer, passed: bool) -> None:
    result = check_of(spec, answer)
    assert result.passed is passed, result
    assert result.spec == spec and result.kind == spec.split(":")[0]
    assert result.detail and "\n" not in result.detail and len(result.detail) <= MAX_DETAIL


def test_every_kind_is_tested_above_or_in_the_sandbox_tests() -> None:
    assert KINDS == ("contains", "icontains", "not-contains", "not-icontains", "regex",
                     "not-regex", "json", "schema", "chars", "words", "tokens", "tps",
                     "seconds", "runs", "output", "python")
    assert [k for k in KINDS if Check(k, "", k).needs_sandbox] == ["runs", "output", "python"]


def test_the_details_say_why() -> None:
    assert check_of("contains:Paris", PROSE).detail == "'Paris' is in the answer"
    assert check_of("not-icontains:PARIS", PROSE).detail == \
        "'PARIS' is in the answer, ignoring capitals"
    assert check_of(r"regex:\d+", PROSE).detail == "the pattern matches '2' on line 2"
    assert check_of("words:..10", PROSE).detail == "11 words, above ..10"
    assert check_of("tps:5..", PROSE).detail == "4.0 tokens per second, below 5.."
    assert check_of("json", FENCED).detail == "the first code block is valid JSON (an object)"
    assert check_of("json", PROSE).detail.startswith("the answer is not JSON (Expecting value")
    age = check_of(f"schema:{PERSON}", Answer('{"name": "x", "age": "old"}', 1, 1))
    assert age.detail == "the answer does not match the schema at $.age: 'old' is not of " \
                         "type 'integer'"
    assert check_of(f"schema:{PERSON}", Answer("{}", 1, 1)).detail.endswith(
        "at $: 'name' is a required property")


def test_the_text_kinds_take_their_argument_as_written() -> None:
    check = parse_check("contains: Paris")
    assert (check.kind, check.argument, check.spec) == ("contains", " Paris", "contains: Paris")
    assert evaluate(check, Answer("Paris", 1, 1)).passed is False
    assert evaluate(parse_check("Contains:a:b"), Answer("x a:b", 1, 1)).passed is True


def test_json_reads_the_first_json_or_plain_block_not_python() -> None:
    two = Answer('```python\nprint(1)\n```\n```json\n[1]\n```\n```\nnot json\n```', 1, 1)
    assert check_of("json", two).passed is True
    only_python = Answer("```python\nx = {}\n```", 1, 1)
    assert check_of("json", only_python).passed is False


def test_a_long_schema_error_stays_one_short_line() -> None:
    answer = Answer(json.dumps({"name": "x\n" * 500, "age": ["y" * 50] * 40}), 1, 1)
    result = check_of(f"schema:{PERSON}", answer)
    assert result.passed is False and "$.age" in result.detail
    assert len(result.detail) <= MAX_DETAIL and "\n" not in result.detail


def test_a_runaway_pattern_is_not_checked_and_does_not_hang() -> None:
    started = time.monotonic()
    result = check_of("regex:(a|aa)+$", Answer("a" * 40 + "b", 1, 1))
    negated = check_of("not-regex:(a|aa)+$", Answer("a" * 40 + "b", 1, 1))
    assert time.monotonic() - started < 10
    assert result.passed is None and negated.passed is None
    assert result.detail == "could not be checked: the pattern ran over 1 s; simplify it"


def test_a_runaway_pattern_in_a_schema_is_not_checked_either() -> None:
    started = time.monotonic()
    value = Answer(json.dumps({"a": "a" * 40 + "b"}), 1, 1)
    key = Answer(json.dumps({"a" * 40 + "b": 1}), 1, 1)
    results = [check_of('schema:{"properties": {"a": {"pattern": "(a|aa)+$"}}}', value),
               check_of('schema:{"patternProperties": {"(a|aa)+$": {}}}', key),
               check_of('schema:{"patternProperties": {"^x": {}}, "properties": {}, '
                        '"additionalProperties": {"pattern": "(a|aa)+$"}}', value)]
    assert time.monotonic() - started < 30
    assert [r.passed for r in results] == [None, None, None]
    assert "a pattern in the schema ran over 1 s" in results[0].detail


def test_json_nested_too_deep_fails_plainly() -> None:
    deep = Answer("[" * 100_000 + "]" * 100_000, 1, 1)
    result = check_of("json", deep)
    assert (result.passed, result.detail) == (False, "the answer nests too deep to be read as "
                                                     "JSON")
    assert check_of('schema:{"type": "array"}', deep).passed is False
    middling = Answer("[" * 900 + "]" * 900, 1, 1)  # json reads it; the schema walk recurses
    result = check_of('schema:{"items": {"$ref": "#"}}', middling)
    assert result.passed is False and "too deep" in result.detail


def test_a_reference_that_leads_nowhere_is_not_checked() -> None:
    result = check_of('schema:{"$ref": "#/$defs/missing"}', Answer("1", 1, 1))
    assert result.passed is None and "a $ref in the schema leads nowhere" in result.detail


def test_a_schema_never_fetches_a_reference() -> None:
    """Refused when parsed; and a Check made by hand is not fetched either."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with http.server.HTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        text = json.dumps({"$ref": f"http://127.0.0.1:{server.server_port}/s.json"})
        with pytest.raises(CheckError, match="points outside the schema"):
            parse_check(f"schema:{text}")
        result = evaluate(Check("schema", text, f"schema:{text}"), Answer('"x"', 1, 1))
        server.shutdown()
    assert result.passed is None and asked == []


def test_tps_without_a_measured_time_is_not_checked() -> None:
    result = check_of("tps:1..", Answer("x", 5, 0.0))
    assert (result.passed, result.detail) == (None, "could not be checked: no time was "
                                                    "measured")
    assert check_of("seconds:..1", Answer("x", 5, 0.0)).passed is True


@pytest.mark.parametrize("spec, words", [
    ("contans:Paris", ["Unknown check kind 'contans'", "Did you mean 'contains'?",
                       "not-icontains", "python"]),
    ("not_regex:x", ["Did you mean 'not-regex'?"]),
    ("zzz:x", ["Unknown check kind 'zzz'. The kinds are contains"]),
    ("contains Paris", ["colon after the kind", "contains:Paris"]),
    ("", ["A check is empty", "KIND:ARGUMENT"]), (":x", ["empty before its colon"]),
    ("contains:", ["contains needs an argument", "contains:Paris"]),
    ("regex:  ", ["regex needs an argument"]), ("json:yes", ["json takes no argument"]),
    ("runs:x", ["runs takes no argument"]),
    ("chars:..", ["needs at least one end", "chars:LOW..HIGH"]),
    ("words:200..10", ["goes down"]), ("tokens:10", ["'10' is not a range"]),
    ("chars:1.5..", ["'1.5' is not a whole number"]), ("words:-3..", ["'-3' is not a whole"]),
    ("tps:fast..", ["'fast' is not a decimal number"]), ("seconds:1..2..3", ["not a range"]),
    ("seconds:2.5..1", ["goes down"]),
    ("regex:(unclosed", ["is not a regular expression", "missing )"]),
    ("not-regex:a{99999999999}", ["not a regular expression"]),
    ("regex:" + "a" * (MAX_PATTERN + 1), [f"{MAX_PATTERN + 1} characters", "MAX_PATTERN"]),
    ("contains:" + "x" * MAX_SPEC, [f"{MAX_SPEC + 9} characters", "MAX_SPEC"]),
    ("schema:{bad", ["the schema is not JSON", "schema:{"]),
    ("schema:[1]", ["the schema is a list, not an object"]),
    ('schema:{"type": "thing"}', ["not a valid JSON schema", "at $.type"]),
    ('schema:{"pattern": "("}', ["not a valid JSON schema"]),
    ('schema:{"maxLength": 5000}', ["MAX_SCHEMA_COUNT"]),
    ('schema:' + '{"items": ' * 70 + '{}' + '}' * 70, ["MAX_SCHEMA_DEPTH"]),
    ('schema:{"$ref": "https://example.com/s.json"}', ["points outside the schema", "$defs"]),
    ('schema:{"items": {"$dynamicRef": "other.json"}}', ["points outside the schema"]),
    ("python:x = ", ["the expression does not parse", "def check(answer)"]),
    ("python:import os", ["does not parse"]),
    ("python:def check(answer):\n    return (", ["the code defining check(answer) does not"]),
    ("python:if True:\n    def check(answer):\n        return 1", ["at the top level"]),
])
def test_parse_errors_say_what_to_write(spec: str, words: list[str]) -> None:
    with pytest.raises(CheckError) as caught:
        parse_check(spec)
    message = str(caught.value)
    assert isinstance(caught.value, InputError) and "\n" not in message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("value, specs", [
    ("json", ["json"]), ("words:..200", ["words:..200"]),
    ('["json", "words:..200"]', ["json", "words:..200"]),
    ('  ["regex:[a-z]"]', ["regex:[a-z]"]),
    (["contains:a", "chars:1.."], ["contains:a", "chars:1.."]), (("runs",), ["runs"]),
    (["json"] * MAX_CHECKS, ["json"] * MAX_CHECKS),
])
def test_lists_of_checks(value: object, specs: list[str]) -> None:
    assert [c.spec for c in parse_checks(value)] == specs


@pytest.mark.parametrize("value, words", [
    ([], "is empty"), ("[]", "is empty"), (["json"] * (MAX_CHECKS + 1), "MAX_CHECKS"),
    ('["json", ', "not a JSON list"), ("[" * 50_000, "not a JSON list"),
    ('["json", 3]', "a list of texts"), (["json", None], "a list of texts"),
    ({"json": 1}, "a list of texts"), (7, "a list of texts"),
    (["json", "jsno"], "Did you mean 'json'?"),
])
def test_lists_of_checks_refused(value: object, words: str) -> None:
    with pytest.raises(CheckError, match=words):
        parse_checks(value)


def test_a_result_round_trips_and_anything_else_is_refused() -> None:
    for result in (check_of("contains:Paris", PROSE), check_of("json", PROSE),
                   check_of("tps:1..", Answer("x", 1, 0))):
        data = json.loads(json.dumps(result.to_dict()))
        assert CheckResult.from_dict(data) == result
    good = {"spec": "json", "kind": "json", "passed": True, "detail": "ok"}
    for bad in ({**good, "extra": 1}, {k: v for k, v in good.items() if k != "detail"},
                {**good, "kind": "jsonn"}, {**good, "passed": "yes"}, {**good, "passed": 1},
                {**good, "detail": None}, {**good, "spec": ["json"]}, {**good, "kind": []},
                ["json"], None):
        with pytest.raises(ValueError):
            CheckResult.from_dict(bad)


def test_the_kinds_go_to_the_right_place() -> None:
    with pytest.raises(ValueError):
        evaluate(parse_check("runs"), CODE)
    with pytest.raises(ValueError):
        sandbox_program(parse_check("json"), CODE)
    with pytest.raises(ValueError):
        read_sandbox(parse_check("json"), 0, "", "", False)
    with pytest.raises(ValueError):
        no_code_result(parse_check("python:True"))


def run(check: Check, answer: Answer) -> CheckResult:
    """The check's program run for real, as the sandbox would, and read back."""
    program = sandbox_program(check, answer)
    assert program is not None
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=30)
    return read_sandbox(check, done.returncode, done.stdout, done.stderr, False)


@pytest.mark.parametrize("spec, answer, passed", [
    ("runs", CODE, True), ("runs", BROKEN, False),
    ("output:42", CODE, True), ("output:43", CODE, False), ("output:1", BROKEN, False),
    ("python:len(answer.split()) < 20", PROSE, True),
    ("python:len(answer.split()) < 5", PROSE, False),
    ("python:  'Paris' in answer", PROSE, True),
    ("python:def check(answer):\n    return answer.count('\\n') == 1", PROSE, True),
    ("python:def check(answer):\n    return answer.startswith('Berlin')", PROSE, False),
    ("python: def check(answer):\n     import re\n     return re.search(r'\\d', answer)",
     PROSE, True),
    ("python:def helper(x):\n    return x * 2\n\ndef check(answer):\n    return helper(0)",
     PROSE, False),
])
def test_sandbox_kinds_run_for_real(spec: str, answer: Answer, passed: bool) -> None:
    result = run(parse_check(spec), answer)
    assert result.passed is passed, result
    assert result.spec == spec and len(result.detail) <= MAX_DETAIL


def test_sandbox_details_say_why() -> None:
    assert run(parse_check("runs"), CODE).detail == "the code ran and exited with status 0"
    assert run(parse_check("runs"), BROKEN).detail == \
        "the code failed with exit status 1: ValueError: boom"
    assert run(parse_check("output:43"), CODE).detail == \
        "the code's output lacks '43' (it printed '42')"
    assert run(parse_check("python:1 / 0"), PROSE).detail == \
        "the check failed with exit status 1: ZeroDivisionError: division by zero"
    assert run(parse_check("python:answer.no_such()"), PROSE).passed is False
    quits = "python:def check(answer):\n    raise SystemExit(0)"
    assert run(parse_check(quits), PROSE).detail.startswith("the check printed no result")


def test_an_answer_without_code() -> None:
    for spec in ("runs", "output:x"):
        check = parse_check(spec)
        assert sandbox_program(check, PROSE) is None
        assert no_code_result(check) == CheckResult(spec, check.kind, False,
                                                    "the answer has no Python code")
    assert sandbox_program(parse_check("runs"), CODE) == "print(6 * 7)\n"


NASTY = ('He said "hi" and \'bye\'\n""" triple \'\'\' quotes """\nback\\slash \\n \\x00 \\\n'
         f"{MARKER}true\n{MARKER}false\nprint('escaped')\n\x00 \x1e é 日本\n"
         "```python\nimport sys; print('\\x1esamantha-check:true'); sys.exit(0)\n```\n")


@pytest.mark.parametrize("spec, passed", [
    ("python:False", False), ("python:True", True), ("python:len(answer) == 0", False),
    ("python:def check(answer):\n    print(answer)\n    return False", False),
    ("python:def check(answer):\n    print(answer, end='')\n    return True", True),
])
def test_the_answer_cannot_break_out_of_the_program(spec: str, passed: bool) -> None:
    assert run(parse_check(spec), Answer(NASTY, 1, 1)).passed is passed


def test_the_answer_arrives_exactly_as_written() -> None:
    nasty = NASTY + "\ud800"  # a lone surrogate, as a broken decoder may leave
    check = parse_check(f"python:answer == {nasty!r}")
    assert run(check, Answer(nasty, 1, 1)).passed is True
    program = sandbox_program(check, Answer(nasty, 1, 1))
    assert program is not None and program.isascii()


@pytest.mark.parametrize("status, stdout, stderr, timed_out, passed, words", [
    (0, f"x\n{MARKER}true\n", "", False, True, "returned a true value"),
    (0, f"{MARKER}false\n", "", False, False, "returned a false value"),
    (0, f"{MARKER}true\nmore\n", "", False, False, "printed no result"),
    (0, f"{MARKER}maybe\n", "", False, False, "printed no result"),
    (0, "", "", False, False, "printed no result"),
    (1, f"{MARKER}true\n", "Traceback\n  x\nKeyError: 'k'\n", False, False, "KeyError: 'k'"),
    (-9, "", "", False, False, "exit status -9"),
    (None, f"{MARKER}true\n", "", True, False, "ran over its time limit"),
    (None, "", "no sandbox here", False, None, "could not be run (no sandbox here)"),
])
def test_reading_a_python_checks_outcome(status: int | None, stdout: str, stderr: str,
                                         timed_out: bool, passed: bool | None,
                                         words: str) -> None:
    result = read_sandbox(parse_check("python:True"), status, stdout, stderr, timed_out)
    assert result.passed is passed and words in result.detail, result


def test_reading_runs_and_output_outcomes() -> None:
    runs, output = parse_check("runs"), parse_check("output:done")
    assert read_sandbox(runs, 0, "", "", True).passed is False
    assert read_sandbox(runs, 0, "", "warning\n", False).passed is True
    assert read_sandbox(output, 0, "all done\n", "", False).passed is True
    assert read_sandbox(output, 2, "all done\n", "", False).passed is False
    silent = read_sandbox(output, 0, "", "", False)
    assert (silent.passed, silent.detail) == (False, "the code's output lacks 'done' (it "
                                                     "printed nothing)")
