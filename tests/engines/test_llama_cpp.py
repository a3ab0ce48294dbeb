"""The llama.cpp adapter on the real default model."""

from __future__ import annotations

import pytest

from samantha.app import Workbench
from samantha.core.chat import PLAIN_STOP, build_messages
from samantha.core.events import GenerationResult
from samantha.core.generation import NeverCancel
from samantha.core.settings import Settings

pytestmark = pytest.mark.e2e


def result_of(bench: Workbench, prompt: str, **settings) -> GenerationResult:
    *_, result = bench.generate(build_messages("", "", prompt), Settings(**settings))
    return result


def test_only_the_last_row_of_logits_is_kept(real_workbench: Workbench) -> None:
    session = real_workbench.session("default", 4000)
    assert session._llm._logits_all is False
    logits = session.prefill(session.tokenize("Hello"), NeverCancel())
    assert logits.shape == (262144,)


def test_generated_ids_detokenise_to_the_text(real_workbench: Workbench) -> None:
    result = result_of(real_workbench, "Name three colours.", max_tokens=24)
    session = real_workbench.session("default", 4000)
    decoded = b"".join(session.piece(t) for t in result.token_ids).decode("utf-8", "replace")
    rest = decoded[len(result.text):]  # a stop string is generated, not shown
    assert decoded.startswith(result.text)
    assert rest == "" or (result.finish_reason == "stop" and rest.startswith(PLAIN_STOP))


def test_reusing_the_cache_gives_the_same_answer_as_a_reset(real_workbench: Workbench) -> None:
    first = result_of(real_workbench, "The capital of France is", max_tokens=12)
    shared_prefix = result_of(real_workbench, "The capital of France is a city", max_tokens=12)
    real_workbench.reset_model()
    clean = result_of(real_workbench, "The capital of France is a city", max_tokens=12)
    assert shared_prefix.text == clean.text
    assert first.tokens > 0


def test_n_ctx_zero_uses_the_trained_context(real_workbench: Workbench) -> None:
    session = real_workbench.session("default", 0)
    assert session.n_ctx == 32768
    real_workbench.unload()


def test_base_model_uses_the_plain_format(real_workbench: Workbench) -> None:
    session = real_workbench.session("default", 4000)
    prompt = session.render_chat(build_messages("Be brief.", "", "Hi"))
    assert prompt.text == "Be brief.\n\nUser: Hi\nAssistant:" and prompt.stop == PLAIN_STOP


def test_chat_template_from_the_gguf_metadata(tiny_model, real_workbench: Workbench) -> None:
    session = real_workbench.session(str(tiny_model), 0)
    prompt = session.render_chat(build_messages("S", "P", "Q"))
    assert prompt.text.startswith("<|im_start|>system\nS<|im_end|>")
    assert prompt.text.endswith("<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n")
    tokens = session.tokenize(prompt.text)
    assert tokens[0] == 1 and tokens[1] == 3  # BOS, then <|im_start|> as one special token
    real_workbench.unload()


def test_a_template_that_rejects_messages_is_a_clear_error(tmp_path, real_workbench) -> None:
    from support.tiny_model import write_tiny_llama

    from samantha.core.errors import ModelError

    strict = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system') }}{% endif %}"
    path = write_tiny_llama(tmp_path / "strict.gguf", chat_template=strict)
    with pytest.raises(ModelError, match="rejected the messages"):
        list(real_workbench.generate(build_messages("S", "", "Q"), Settings(n_ctx=0),
                                     model=str(path)))
    real_workbench.unload()


def test_stochastic_answers_do_not_depend_on_what_ran_before(real_workbench) -> None:
    """llama.cpp's numbers depend on how tokens are batched; the cache reuse must not change
    an answer (the prompt is longer than one batch, so a whole batch is reused)."""
    from samantha.core.settings import STOCHASTIC

    long_prompt = "Once upon a time, " * 120 + "the end. Now tell a story."
    settings = STOCHASTIC.replace(max_tokens=16, seed=21)
    real_workbench.reset_model()
    *_, clean = real_workbench.generate(build_messages("", "", long_prompt), settings)
    *_, other = real_workbench.generate(build_messages("", "", long_prompt + " Longer."),
                                        settings)
    *_, reused = real_workbench.generate(build_messages("", "", long_prompt), settings)
    assert reused.prompt_tokens > 512
    assert reused.text == clean.text
