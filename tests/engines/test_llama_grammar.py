"""Grammars through llama.cpp's own grammar sampler, on the real default model."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from samantha.core.generation import NeverCancel
from samantha.core.grammar_bounds import (
    MAX_GROUP_DEPTH,
    MAX_START_CHAIN,
    MAX_START_WAYS,
)
from samantha.engines.llama_grammar import (
    GrammarConstraint,
    GrammarError,
    grammar_from_json_schema,
)
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e

YES_NO = 'root ::= "yes" | "no"'
SCHEMA = '{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}'


@pytest.fixture
def session(real_workbench: Workbench):
    return real_workbench.session("default", 512)


def allowed_ids(constraint: GrammarConstraint, logits: np.ndarray) -> np.ndarray:
    masked = constraint.apply(np.arange(len(logits)), logits)
    return np.flatnonzero(np.isfinite(masked))


def greedy(session, constraint: GrammarConstraint, prompt: str, limit: int = 48):
    """Greedy decoding under the grammar until an end token: the text and the last logits."""
    logits = session.prefill(session.tokenize(prompt), NeverCancel())
    ids = np.arange(session.n_vocab)
    text = b""
    for _ in range(limit):
        token = int(np.argmax(constraint.apply(ids, logits)))
        if session.is_end(token):
            return text.decode("utf-8"), logits
        constraint.accept(token)
        text += session.piece(token)
        logits = session.advance(token)
    raise AssertionError(f"no end of generation after {limit} tokens: {text!r}")


def test_only_tokens_that_start_yes_or_no_are_allowed(session) -> None:
    constraint = session.constraint(YES_NO)
    logits = session.prefill(session.tokenize("Is the sky blue? Answer:"), NeverCancel())
    allowed = allowed_ids(constraint, logits)
    pieces = {session.piece(int(t)) for t in allowed}
    assert pieces and all(p and (b"yes".startswith(p) or b"no".startswith(p)) for p in pieces)
    assert {b"yes", b"no"} <= pieces
    assert constraint.allowed_count == len(allowed)
    assert not constraint.dead_end
    maybe = session.tokenize("maybe")[-1]
    assert constraint.allows(int(allowed[0])) and not constraint.allows(maybe)


def test_greedy_answer_is_yes_or_no_then_only_the_end(session) -> None:
    constraint = session.constraint(YES_NO)
    text, logits = greedy(session, constraint, "Is the sky blue? Answer:")
    assert text in ("yes", "no")
    ends = allowed_ids(constraint, logits)
    assert len(ends) > 0 and all(session.is_end(int(t)) for t in ends)


def test_a_json_schema_gives_json_with_an_integer(session) -> None:
    constraint = session.constraint(grammar_from_json_schema(SCHEMA))
    text, _ = greedy(session, constraint, "How many legs has a spider? As JSON:", limit=64)
    value = json.loads(text)
    assert isinstance(value["n"], int)


def test_order_and_subsets_do_not_change_the_verdict(session) -> None:
    constraint = session.constraint(YES_NO)
    logits = session.prefill(session.tokenize("Answer:"), NeverCancel())
    full = np.isfinite(constraint.apply(np.arange(session.n_vocab), logits))
    order = np.random.default_rng(7).permutation(session.n_vocab)[:50000]
    part = np.isfinite(constraint.apply(order, logits[order]))
    assert np.array_equal(part, full[order])
    masked = constraint.apply(order, logits[order])
    assert np.array_equal(masked[part], logits[order][part])  # allowed logits kept as they were


def test_a_dead_end_is_all_minus_infinity(session) -> None:
    constraint = session.constraint(YES_NO)
    some = np.array(session.tokenize(" maybe perhaps"))
    masked = constraint.apply(some, np.zeros(len(some), dtype=np.float32))
    assert np.all(np.isneginf(masked)) and constraint.dead_end and constraint.allowed_count == 0
    constraint.apply(np.arange(session.n_vocab), np.zeros(session.n_vocab))
    assert not constraint.dead_end


def test_reset_lets_the_constraint_be_used_again(session) -> None:
    constraint = session.constraint(YES_NO)
    first, _ = greedy(session, constraint, "Is the sky blue? Answer:")
    constraint.reset()
    logits = session.prefill(session.tokenize("Is the sky blue? Answer:"), NeverCancel())
    fresh = session.constraint(YES_NO)
    assert np.array_equal(allowed_ids(constraint, logits), allowed_ids(fresh, logits))
    again, _ = greedy(session, constraint, "Is the sky blue? Answer:")
    assert again == first


def test_accepting_a_forbidden_token_is_refused_not_fatal(session) -> None:
    constraint = session.constraint(YES_NO)
    with pytest.raises(ValueError, match="not allowed"):
        constraint.accept(session.tokenize("maybe")[-1])
    eos = next(t for t in range(session.n_vocab) if session.is_end(t))
    with pytest.raises(ValueError, match="not allowed"):  # llama.cpp aborts on an early EOG
        constraint.accept(eos)


def test_close_frees_and_refuses_further_use(session) -> None:
    constraint = session.constraint(YES_NO)
    constraint.close()
    constraint.close()
    with pytest.raises(RuntimeError, match="closed"):
        constraint.apply(np.arange(3), np.zeros(3))


@pytest.mark.parametrize("grammar, where, message", [
    ('root ::= "a"\n::= "b"', "line 2, column 1", "expecting name"),
    ('root ::= "a"\nb ::= ::= "x"', "line 2, column 7", "expecting newline or end"),
    ('root ::= "é" x\nx ::= ( "a" ', "line 2, column 13", "expecting ')'"),
    ('root ::= "a" item\n', "line 1, column 14", "Undefined rule identifier 'item'"),
    ('root ::= "abc', "line 1, column 14", "unexpected end of input"),
    ('root ::= "a"{3,2}', "line 1, column 13", "the repetition {3,2} has a maximum below"),
])
def test_a_malformed_grammar_says_where(session, grammar: str, where: str, message: str) -> None:
    with pytest.raises(GrammarError) as caught:
        session.constraint(grammar)
    assert f"Grammar, {where}: {message}" in str(caught.value)


@pytest.mark.parametrize("grammar, message", [
    ('answer ::= "a"', "no rule named root"),
    ('root ::= root "a"', "left recursion"),
    ("# nothing\n", "no rules"),
    ("  ", "empty"),
])
def test_a_refused_grammar_says_why(session, grammar: str, message: str) -> None:
    with pytest.raises(GrammarError, match=message):
        session.constraint(grammar)


def test_a_schema_that_is_not_json_says_where() -> None:
    with pytest.raises(GrammarError, match=r"line 2, column 11: this is not JSON"):
        grammar_from_json_schema('{"type":\n "object",}')


def test_a_schema_the_converter_refuses_says_why() -> None:
    with pytest.raises(GrammarError, match="Unrecognized schema"):
        grammar_from_json_schema('{"type": "frob"}')
    with pytest.raises(GrammarError, match="not an object"):
        grammar_from_json_schema("[1]")


def test_time_per_apply_on_the_full_vocabulary(session) -> None:
    constraint = session.constraint(grammar_from_json_schema(SCHEMA))
    logits = session.prefill(session.tokenize("As JSON:"), NeverCancel())
    ids = np.arange(session.n_vocab)
    constraint.apply(ids, logits)
    runs = 10
    started = time.perf_counter()
    for _ in range(runs):
        constraint.apply(ids, logits)
    took = (time.perf_counter() - started) / runs
    print(f"\ngrammar apply on {session.n_vocab} candidates: {took * 1000:.1f} ms per call "
          f"({constraint.allowed_count} allowed)")
    assert session.n_vocab == 262144 and constraint.allowed_count > 0


def test_a_constraint_outliving_its_model_refuses_to_run(real_workbench: Workbench) -> None:
    constraint = real_workbench.session("default", 512).constraint(YES_NO)
    real_workbench.unload()
    with pytest.raises(RuntimeError, match="unloaded"):
        constraint.apply(np.arange(3), np.zeros(3))
    constraint.close()


# -- bounds: checked against llama.cpp itself, in a child process (past them it crashes) ---------
CHILD = """
import json, sys, time
from pathlib import Path
from samantha.workbench.facade import Workbench

session = Workbench(Path(sys.argv[1])).session("default", 512)
for name, text in json.loads(sys.stdin.read()):
    started = time.perf_counter()
    try:
        session.constraint(text).close()
        print(json.dumps([name, "ok", round(time.perf_counter() - started, 3)]), flush=True)
    except Exception as exc:
        print(json.dumps([name, type(exc).__name__, str(exc)]), flush=True)
"""


def nested(depth: int) -> str:
    return "root ::= " + "(" * depth + '"a"' + ")" * depth


def chain(length: int) -> str:
    rules = "".join(f"r{i} ::= r{i + 1}\n" for i in range(length - 1))
    return f"root ::= r0\n{rules}r{length - 1} ::= \"a\"\n"


def constraints_in_a_child(home: Path, grammars: dict[str, str]) -> dict[str, list]:
    """Each grammar handed to llama.cpp in a child process: name -> [outcome, detail]."""
    proc = subprocess.run([sys.executable, "-c", CHILD, str(home)], check=False,
                          capture_output=True, text=True, timeout=600,
                          input=json.dumps(list(grammars.items())))
    assert proc.returncode == 0, f"the child died ({proc.returncode}): {proc.stderr[-2000:]}"
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("[")]
    return {name: rest for name, *rest in rows}


def test_hostile_grammars_are_refused_before_llama_cpp_sees_them(session_home: Path) -> None:
    """Without the bounds, the first crashes the child (SIGSEGV in llama.cpp's parser), the
    second never returns (left recursion through a rule that can be empty), the third takes
    minutes (2^20 ways to begin)."""
    doubling = "".join(f'r{i} ::= r{i + 1} "a" | r{i + 1} "b"\n' for i in range(20))
    found = constraints_in_a_child(session_home, {
        "nested": nested(20_000),
        "empty-left-recursion": 'root ::= a "x"\na ::= b a "y" | "z"\nb ::= c\nc ::= "q" |\n',
        "doubling": f'root ::= r0\n{doubling}r20 ::= "c"\n',
    })
    assert found["nested"][0] == "GrammarError" and "MAX_GROUP_DEPTH" in found["nested"][1]
    assert "can start with itself" in found["empty-left-recursion"][1]
    assert "1048576 ways" in found["doubling"][1] and "MAX_START_WAYS" in found["doubling"][1]


def test_the_largest_allowed_grammars_work_in_llama_cpp(session_home: Path) -> None:
    """The limits leave a wide margin: llama.cpp takes grammars at each of them, quickly (the
    times are printed), and the grammars of llama-cpp-python and of large JSON schemas pass."""
    import llama_cpp.llama_grammar as shipped

    strings = {"type": "string", "minLength": 1, "maxLength": 1000}
    many = {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(256)}}
    grammars = {
        "deepest-groups": nested(MAX_GROUP_DEPTH),
        "longest-chain": chain(MAX_START_CHAIN - 1),
        "most-ways": "root ::= " + " | ".join(f'"v{i}"' for i in range(MAX_START_WAYS)),
        "longest-repeat": 'root ::= [a-z]{0,2000} "b"{2000}',
        "most-elements": 'root ::= "' + "b" * 490 + '"{2000}',
        "schema-maxLength-1000": grammar_from_json_schema(json.dumps(strings)),
        "schema-256-properties": grammar_from_json_schema(json.dumps(many)),
        **{name: getattr(shipped, name) for name in dir(shipped) if name.endswith("_GBNF")},
    }
    found = constraints_in_a_child(session_home, grammars)
    print("\nllama.cpp grammar init at the limits (s): " + ", ".join(
        f"{name} {outcome[1]}" for name, outcome in found.items()))
    assert {name: outcome[0] for name, outcome in found.items()} == {
        name: "ok" for name in grammars}


def test_a_schema_whose_grammar_is_past_a_bound_says_so() -> None:
    with pytest.raises(GrammarError, match="MAX_SCHEMA_COUNT"):
        grammar_from_json_schema('{"type": "string", "minLength": 100000000}')
    enum = json.dumps({"enum": [f"v{i}" for i in range(MAX_START_WAYS + 1)]})
    with pytest.raises(GrammarError) as caught:
        grammar_from_json_schema(enum)
    assert str(caught.value).startswith("json_schema: the grammar written for it: one place")
