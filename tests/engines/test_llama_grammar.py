"""Grammars through llama.cpp's own grammar sampler, on the real default model."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from samantha.app import Workbench
from samantha.core.generation import NeverCancel
from samantha.engines.llama_grammar import (
    GrammarConstraint,
    GrammarError,
    grammar_from_json_schema,
)

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
