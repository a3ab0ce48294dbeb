"""``samantha generate`` end to end on the real default model through llama.cpp."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PROMPT = "Write a short story about a cat."
OPEN = ["--temperature", "1", "--top-k", "0", "--top-p", "1", "--min-p", "0", "--typical-p",
        "1", "--tfs-z", "1"]


def text(samantha, *args: str) -> str:
    return samantha.json("generate", PROMPT, "--max-tokens", "16", *args)["text"]


def test_streams_an_answer_with_a_footer(samantha) -> None:
    result = samantha("generate", "Who are you?", "--max-tokens", "12")
    assert len(result.stdout.strip()) > 0
    assert "tokens" in result.stderr and "----------" in result.stderr


def test_json_output_has_every_field(samantha) -> None:
    data = samantha.json("generate", "Who are you?", "--max-tokens", "8", "--seed", "5")
    assert set(data) >= {"model", "text", "tokens", "seconds", "tokens_per_second",
                         "finish_reason", "settings"}
    assert data["model"] == "default" and data["settings"]["seed"] == 5
    assert data["finish_reason"] in {"stop", "length"} and data["tokens"] <= 8


def test_max_tokens_gives_exactly_that_many_tokens(samantha) -> None:
    data = samantha.json("generate", PROMPT, "--max-tokens", "5")
    assert data["tokens"] == 5 and data["finish_reason"] == "length"


def test_stop_string_cuts_the_output(samantha) -> None:
    full = text(samantha)
    word = full.split()[2]
    cut = samantha.json("generate", PROMPT, "--max-tokens", "16", "--stop", f'["{word}"]')
    assert cut["finish_reason"] == "stop"
    assert word not in cut["text"] and full.startswith(cut["text"])


def test_greedy_is_reproducible_whatever_the_seed(samantha) -> None:
    assert text(samantha, "--seed", "1") == text(samantha, "--seed", "2") == text(samantha)


def test_same_seed_same_text_when_stochastic(samantha) -> None:
    args = ["--preset", "stochastic", "--seed", "11"]
    assert text(samantha, *args) == text(samantha, *args)


def test_different_seeds_differ_with_open_filters(samantha) -> None:
    texts = {text(samantha, *OPEN, "--seed", str(seed)) for seed in range(4)}
    assert len(texts) >= 2


@pytest.mark.parametrize("flag, value", [
    ("--top-k", "1"), ("--top-p", "0"), ("--min-p", "1"), ("--typical-p", "0"),
    ("--tfs-z", "0"), ("--temperature", "0"),
])
def test_each_filter_at_its_deterministic_value_gives_the_greedy_answer(samantha, flag,
                                                                        value) -> None:
    greedy = text(samantha)
    answers = {text(samantha, *OPEN, flag, value, "--seed", str(seed)) for seed in (1, 2, 3)}
    if flag == "--typical-p":  # keeps the most *typical* token, not always the most likely
        assert len(answers) == 1
    else:
        assert answers == {greedy}


def test_temperature_one_alone_changes_nothing(samantha) -> None:
    """The seed's lesson: with the deterministic filters on, temperature 1 is still greedy."""
    assert text(samantha, "--temperature", "1", "--seed", "3") == text(samantha)


REPEAT = "Say hello five times: hello hello hello"


@pytest.mark.parametrize("flag", ["--repeat-penalty", "--presence-penalty",
                                  "--frequency-penalty"])
def test_penalties_change_a_repetitive_answer(samantha, flag) -> None:
    plain = samantha.json("generate", REPEAT, "--max-tokens", "24")["text"]
    penalised = samantha.json("generate", REPEAT, "--max-tokens", "24", flag, "1.8")["text"]
    off = samantha.json("generate", REPEAT, "--max-tokens", "24", flag, "1.8",
                        "--penalty-last-n", "0")
    assert penalised != plain
    assert off["text"] == plain


def test_tfs_z_changes_the_candidate_count(real_workbench) -> None:
    from samantha.core.chat import build_messages
    from samantha.core.generation import NeverCancel
    from samantha.core.sampler_chain import SamplerChain
    from samantha.core.settings import STOCHASTIC

    session = real_workbench.session("default", 4000)
    prompt = session.render_chat(build_messages("", "", PROMPT))
    logits = session.prefill(session.tokenize(prompt.text), NeverCancel()).copy()

    def tail_free_kept(z: float) -> int:
        pick = SamplerChain(STOCHASTIC.replace(tfs_z=z), seed=0).pick(logits)
        return next(s.kept for s in pick.stages if s.name == "tail-free")

    assert tail_free_kept(1.0) == 40
    assert tail_free_kept(0.5) < tail_free_kept(0.95) < 40


def test_system_and_previous_reach_the_model(samantha) -> None:
    bare = samantha.json("generate", "Continue.", "--max-tokens", "4")
    both = samantha.json("generate", "Continue.", "--max-tokens", "4", "--system",
                         "You are a pirate.", "--previous", "Arr, the sea is calm today.")
    assert both["prompt_tokens"] > bare["prompt_tokens"] + 10


def test_prompt_from_standard_input(samantha) -> None:
    result = samantha("generate", "-", "--max-tokens", "4", "--json", input="Who are you?")
    assert '"tokens": 4' in result.stdout or '"finish_reason": "stop"' in result.stdout


def test_small_context(samantha) -> None:
    data = samantha.json("generate", "Hi", "--n-ctx", "256", "--max-tokens", "0")
    assert data["tokens"] > 0 and data["settings"]["n_ctx"] == 256


def test_models_info_json(samantha) -> None:
    import json

    info = json.loads(samantha("models", "info", "default", "--json").stdout)
    assert info["architecture"] == "gemma3" and info["vocab_size"] == 262144
    assert info["chat_template"] is False and info["quantization"] == "Q4_K_M"
    assert info["context_length"] == 32768 and info["file_size"] > 200_000_000


def test_models_info_table(samantha) -> None:
    out = samantha("models", "info", "default").stdout
    assert "architecture" in out and "gemma3" in out and "Q4_K_M" in out


def test_a_model_with_a_chat_template(samantha, tiny_model) -> None:
    data = samantha.json("generate", "hello", "--model", str(tiny_model), "--max-tokens", "6",
                         "--system", "be nice")
    assert data["tokens"] == 6
