"""The Workbench on the fake engine: model life, generation events."""

from __future__ import annotations

import pytest

from samantha.core.answer_events import GenerationResult, ModelLoading, TokenEvent
from samantha.core.chat import build_messages
from samantha.core.errors import ModelError
from samantha.core.generation import Ask
from samantha.core.settings import Settings
from samantha.engines.fake import FakeEngine
from samantha.workbench.facade import Workbench


def answer(bench: Workbench, settings: Settings = Settings(), model: str = "fake.gguf") -> str:
    events = list(bench.generate(Ask(build_messages("", "", "hi"), settings, model)))
    loading = [e for e in events if isinstance(e, ModelLoading)]
    tokens = events[len(loading):-1]
    assert loading in ([], [ModelLoading(model)]) and events[:len(loading)] == loading
    assert tokens and all(isinstance(e, TokenEvent) for e in tokens)
    assert isinstance(events[-1], GenerationResult)
    return events[-1].text


def test_loading_a_model_is_announced_once(fake_workbench: Workbench) -> None:
    ask = Ask(build_messages("", "", "hi"), Settings(), "fake.gguf")
    first = list(fake_workbench.generate(ask))
    again = list(fake_workbench.generate(ask))
    assert first[0] == ModelLoading("fake.gguf")  # before its first token: the status line
    assert not any(isinstance(e, ModelLoading) for e in again)  # already in memory


def test_generate_yields_tokens_then_a_result(fake_workbench: Workbench) -> None:
    assert answer(fake_workbench) == "Hello from the fake model."


def test_a_model_used_twice_is_loaded_once(fake_workbench: Workbench,
                                           fake_engine: FakeEngine) -> None:
    answer(fake_workbench)
    answer(fake_workbench)
    assert len(fake_engine.loads) == 1


def test_a_new_context_size_reloads(fake_workbench: Workbench, fake_engine: FakeEngine) -> None:
    answer(fake_workbench)
    answer(fake_workbench, Settings(n_ctx=512))
    assert [spec.n_ctx for spec in fake_engine.loads] == [4000, 512]


def test_unload_frees_the_model(fake_workbench: Workbench, fake_engine: FakeEngine) -> None:
    session = fake_workbench.session("fake.gguf")
    fake_workbench.unload()
    assert session.closed
    answer(fake_workbench)
    assert len(fake_engine.loads) == 2


def test_unknown_model_is_a_clear_error(fake_workbench: Workbench) -> None:
    with pytest.raises(ModelError, match="samantha models list"):
        answer(fake_workbench, model="nothing-like-this")


def test_model_names_resolve_in_the_models_folder(fake_workbench: Workbench) -> None:
    assert fake_workbench.resolve_model("fake") == fake_workbench.models_dir / "fake.gguf"


def test_chain_order_text() -> None:
    assert Workbench.chain_order(Settings()).startswith(
        "logits -> penalties -> dry -> top-n-sigma -> top-k")


def test_unload_waits_for_a_generation_in_progress(fake_workbench: Workbench) -> None:
    import threading

    events = fake_workbench.generate(Ask([], Settings(), "fake.gguf"))
    next(events)  # a generation is under way, holding the model
    unloaded = threading.Event()
    worker = threading.Thread(target=lambda: (fake_workbench.unload(), unloaded.set()))
    worker.start()
    assert not unloaded.wait(0.3)  # it does not pull the model out from under the generation
    list(events)
    assert unloaded.wait(5)
    worker.join()


def test_an_item_that_cannot_fit_is_refused_before_any_model_loads(
        fake_workbench: Workbench, fake_engine: FakeEngine, tiny_model) -> None:
    import shutil

    from samantha.core.chain import ChainConfig
    from samantha.core.errors import ItemTooLongError

    shutil.copy(tiny_model, fake_workbench.models_dir / "tiny.gguf")  # longest piece 12 bytes
    before = fake_workbench.store.latest_run_id()
    big = "x" * (12 * 512)
    with pytest.raises(ItemTooLongError, match="Prompt item 2 has 6144 bytes"):
        fake_workbench.start_run(ChainConfig(f"short\n{big}", models=("tiny.gguf",),
                                             settings=Settings(n_ctx=512)))
    with pytest.raises(ItemTooLongError, match="n_ctx 0: the model's trained context"):
        fake_workbench.start_run(ChainConfig(big, models=("tiny.gguf",),
                                             settings=Settings(n_ctx=0)))
    assert fake_engine.loads == [] and fake_workbench.store.latest_run_id() == before
    fake_workbench.start_run(ChainConfig(big[:-12], models=("tiny.gguf",),
                                         settings=Settings(n_ctx=512)))  # left to generation
    fake_workbench.start_run(ChainConfig(big, models=("fake.gguf",),  # no vocabulary: no bound
                                         settings=Settings(n_ctx=512)))
