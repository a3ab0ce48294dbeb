"""The llama.cpp adapter on the real default model."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from samantha.core.answer_events import GenerationResult
from samantha.core.chat import PLAIN_STOP, build_messages
from samantha.core.generation import Ask, NeverCancel
from samantha.core.prompt_format import COMPLETION_STOP
from samantha.core.settings import Settings
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e


def result_of(bench: Workbench, prompt: str, **settings) -> GenerationResult:
    *_, result = bench.generate(Ask(build_messages("", "", prompt), Settings(**settings)))
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
    rest = decoded[len(result.text):]  # a stop string is generated, not shown (the base
    # model is given the prompt to continue: its stop is the end of a paragraph)
    assert decoded.startswith(result.text)
    assert rest == "" or (result.finish_reason == "stop"
                          and rest.startswith(PLAIN_STOP + COMPLETION_STOP))


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
        list(real_workbench.generate(Ask(build_messages("S", "", "Q"), Settings(n_ctx=0),
                                         str(path))))
    real_workbench.unload()


def test_stochastic_answers_do_not_depend_on_what_ran_before(real_workbench) -> None:
    """llama.cpp's numbers depend on how tokens are batched; the cache reuse must not change
    an answer (the prompt is longer than one batch, so a whole batch is reused)."""
    from samantha.core.settings import STOCHASTIC

    long_prompt = "Once upon a time, " * 120 + "the end. Now tell a story."
    settings = STOCHASTIC.replace(max_tokens=16, seed=21)
    real_workbench.reset_model()
    *_, clean = real_workbench.generate(Ask(build_messages("", "", long_prompt), settings))
    *_, other = real_workbench.generate(Ask(build_messages("", "", long_prompt + " Longer."),
                                            settings))
    *_, reused = real_workbench.generate(Ask(build_messages("", "", long_prompt), settings))
    assert reused.prompt_tokens > 512
    assert reused.text == clean.text


LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
HUGE = "{% for m in messages %}{{ m['content'] * 500000000 }}{% endfor %}"


def run_events(bench: Workbench, prompts: str, model: Path, control=None) -> list:
    from samantha.core.chain import ChainConfig
    from samantha.core.settings import DETERMINISTIC

    config = ChainConfig(prompts, models=(str(model),),
                         settings=DETERMINISTIC.replace(max_tokens=4, n_ctx=0))
    return list(bench.start_run(config, control))


def test_a_hostile_chat_template_fails_its_cycle_and_the_run_goes_on(tmp_path,
                                                                     real_workbench) -> None:
    """Issue 25, case 6: endless loops and a 1.5 GB string in the GGUF's chat template, on a
    real tiny model through the real runner: each ends its cycle with the limit it met, and
    the next cycle runs."""
    from support.tiny_model import CHATML, write_tiny_llama

    from samantha.core.run_events import CycleFailed, CycleFinished
    from samantha.engines.template_worker import TEMPLATE_MEMORY_BYTES, TEMPLATE_SECONDS

    hostile = ("{% if messages[-1]['content'] == 'loop' %}" + LOOPS + "{% endif %}"
               "{% if messages[-1]['content'] == 'big' %}" + HUGE + "{% endif %}" + CHATML)
    path = write_tiny_llama(tmp_path / "hostile.gguf", chat_template=hostile)
    events = run_events(real_workbench, "loop\nbig\nhi", path)
    failed = {e.cycle.number: e for e in events if isinstance(e, CycleFailed)}
    assert f"more than {TEMPLATE_SECONDS:g} s to render" in failed[1].error
    assert f"more than {TEMPLATE_MEMORY_BYTES // 2**20} MiB to render" in failed[2].error
    assert failed[1].skipped_cycles == failed[2].skipped_cycles == 0
    finished = [e for e in events if isinstance(e, CycleFinished)]
    assert [e.cycle.number for e in finished] == [3] and finished[0].result.tokens > 0
    real_workbench.unload()


def test_stop_ends_a_run_whose_template_renders_forever(tmp_path, real_workbench) -> None:
    from support.tiny_model import write_tiny_llama

    from samantha.core.control import RunControl
    from samantha.core.run_events import CycleFailed, CycleStarted

    path = write_tiny_llama(tmp_path / "loops.gguf", chat_template=LOOPS)
    control = RunControl()
    stopper = threading.Timer(1.0, control.stop_run)  # pressed while the first cycle renders
    stopper.start()
    events = run_events(real_workbench, "one\ntwo", path, control)
    stopper.join()
    failed = [e for e in events if isinstance(e, CycleFailed)]
    assert len(failed) == 1 and "Stopped while the chat template" in failed[0].error
    assert sum(isinstance(e, CycleStarted) for e in events) == 1  # the run ended there
    real_workbench.unload()
