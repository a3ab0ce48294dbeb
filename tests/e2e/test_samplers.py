"""The new sampler stages, the order of the chain, logit bias and grammars, end to end on the
real default model through `samantha generate` and `samantha learn`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

COUNT = "Count from 1 to 300: 1, 2, 3, 4,"
OPEN = ["--temperature", "1", "--top-k", "0", "--top-p", "1", "--min-p", "0", "--typical-p",
        "1", "--tfs-z", "1"]


def steps(samantha, *args: str, prompt: str = COUNT) -> list[dict]:
    out = samantha("learn", prompt, "--json", "--max-tokens", "4", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_the_order_of_the_chain_is_data(samantha) -> None:
    moved = steps(samantha, "--samplers", "min-p,top-k,temperature", "--min-p", "0.05",
                  "--top-k", "3", "--temperature", "1", "--seed", "1")
    assert [s["name"] for s in moved[0]["stages"]] == ["min-p", "top-k", "temperature"]
    default = steps(samantha)
    assert [s["name"] for s in default[0]["stages"]] == [
        "penalties", "dry", "top-n-sigma", "top-k", "tail-free", "typical", "top-p", "min-p",
        "xtc", "temperature"]


def test_dry_breaks_a_greedy_loop(samantha) -> None:
    looping = ["--max-tokens", "40", "--no-loop-guard"]
    prompt = "Say: yes yes yes yes yes yes"
    plain = samantha.json("generate", prompt, *looping)["text"]
    dry = samantha.json("generate", prompt, *looping, "--dry-multiplier", "2")["text"]
    assert plain.lower().count("yes") >= 30  # greedy loops...
    assert dry.lower().count("yes") < 10  # ...and DRY pushes back on the repetition


def test_xtc_removes_top_choices_and_is_reproducible(samantha) -> None:
    on = [*OPEN, "--xtc-probability", "1", "--xtc-threshold", "0.05", "--seed", "3"]
    open_ended = "My favourite colour is"  # several likely words (a count has one)
    first = steps(samantha, *on, prompt=open_ended)
    assert [s["token_id"] for s in first] == [s["token_id"]
                                              for s in steps(samantha, *on, prompt=open_ended)]
    xtc = [next(c for c in s["stages"] if c["name"] == "xtc")["kept"] for s in first]
    before = [next(c for c in s["stages"] if c["name"] == "min-p")["kept"] for s in first]
    assert any(x < b for x, b in zip(xtc, before))
    assert any(s["rank"] > 1 for s in first)  # the most likely token was removed


def test_top_n_sigma_and_mirostat_count_their_candidates(samantha) -> None:
    sigma = steps(samantha, *OPEN, "--top-n-sigma", "1", "--seed", "2")
    assert all(next(c for c in s["stages"] if c["name"] == "top-n-sigma")["kept"] < 262144
               for s in sigma)
    miro = steps(samantha, "--mirostat", "2", "--temperature", "1", "--seed", "2")
    assert [c["name"] for c in miro[0]["stages"]] == ["temperature", "mirostat-v2"]
    assert miro[0]["stages"][-1]["kept"] < 262144


def test_a_logit_bias_of_minus_infinity_keeps_a_word_out(samantha) -> None:
    prompt = "Write a sentence about the sea."
    plain = samantha.json("generate", prompt, "--max-tokens", "12")["text"]
    assert " sea" in plain
    banned = samantha.json("generate", prompt, "--max-tokens", "12", "--logit-bias",
                           "' sea'=-inf")["text"]
    assert " sea" not in banned


def test_a_json_schema_gives_an_answer_that_parses(samantha, tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {
        "n": {"type": "integer"}, "word": {"type": "string"}}, "required": ["n", "word"]}))
    data = samantha.json("generate", "Give a number and a word as JSON.", "--json-schema",
                         str(schema), "--max-tokens", "60")
    answer = json.loads(data["text"])
    assert isinstance(answer["n"], int) and isinstance(answer["word"], str)
    assert data["finish_reason"] == "stop"
    grammar = tmp_path / "yes.gbnf"
    grammar.write_text('root ::= "yes" | "no"\n')
    assert samantha.json("generate", "Is the sea blue?", "--grammar", str(grammar),
                         "--max-tokens", "10")["text"] in ("yes", "no")


def test_a_grammar_with_nowhere_to_go_ends_the_answer(samantha, real_workbench,
                                                      tmp_path: Path) -> None:
    """The end tokens banned, a finished grammar allows nothing more: a clean stop, not an
    error, stochastic (its first try drawn without the grammar) or greedy."""
    session = real_workbench.session("default", 512)
    ends = [t for t in range(session.n_vocab) if session.is_end(t)]
    grammar = tmp_path / "yes.gbnf"
    grammar.write_text('root ::= "yes"\n')
    for preset in ("deterministic", "stochastic"):
        data = samantha.json("generate", "Is the sea blue?", "--grammar", str(grammar),
                             "--preset", preset, "--seed", "2", "--max-tokens", "10",
                             "--logit-bias", ",".join(f"{t}=-inf" for t in ends))
        assert (data["text"], data["finish_reason"], data["error"]) == ("yes", "stop", None)


@pytest.mark.parametrize("args, words", [
    (["--samplers", "penalties,top-q"], ["'top-q' is not a stage", "Did you mean 'top-p'?"]),
    (["--logit-bias", "''=-inf"], ["logit_bias", "not a token id or a text"]),
    (["--logit-bias", "999999999=-inf"], ["outside the vocabulary"]),
    (["--logit-bias", "5=lots"], ["must be a number or -inf"]),
])
def test_bad_sampler_input_is_one_line_and_exit_2(samantha, args, words) -> None:
    result = samantha("generate", "Hi.", "--max-tokens", "2", *args, code=2)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    for word in words:
        assert word in message


def test_bad_grammars_say_where(samantha, tmp_path: Path) -> None:
    grammar = tmp_path / "bad.gbnf"
    grammar.write_text('root ::= "a" |\n  x\n')
    result = samantha("generate", "Hi.", "--grammar", str(grammar), code=2)
    assert "Grammar, line 2, column 3" in result.stderr
    schema = tmp_path / "bad.json"
    schema.write_text('{"type": \n')
    result = samantha("generate", "Hi.", "--json-schema", str(schema), code=2)
    assert "line 2, column 1" in result.stderr and "not JSON" in result.stderr


def test_new_settings_go_into_prompt_scripts_and_the_history(samantha, real_workbench) -> None:
    samantha("run", "--prompts", "{dry_multiplier=0.8, xtc_probability=0.5} Say hi.",
             "--max-tokens", "3", "--samplers", "dry,top-k,xtc,temperature")
    record = real_workbench.store.get_run(real_workbench.store.latest_run_id())
    settings = record.cycles[0].settings
    assert settings["dry_multiplier"] == 0.8 and settings["xtc_probability"] == 0.5
    assert settings["samplers"] == ["dry", "top-k", "xtc", "temperature"]
