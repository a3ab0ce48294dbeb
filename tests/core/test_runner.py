"""The chain runner on the fake engine: messages, feedback, final item, random draws, stops,
failures."""

from __future__ import annotations

import pytest

from samantha.core.answer_events import TokenEvent
from samantha.core.chain import ChainConfig
from samantha.core.control import RunControl
from samantha.core.promptscript import PromptScriptError
from samantha.core.run_events import (
    CycleFailed,
    CycleFinished,
    CycleStarted,
    ModelBanner,
    RunFinished,
    RunStarted,
)
from samantha.core.runner import ChainRunner
from samantha.core.settings import RANDOM_RANGES, Settings
from samantha.workbench.facade import Workbench

FAKE = "fake.gguf"


def run(bench: Workbench, control: RunControl | None = None, **options) -> list:
    options.setdefault("models", (FAKE,))
    return list(ChainRunner(bench, ChainConfig(**options), control).run())


def of(events, kind) -> list:
    return [e for e in events if isinstance(e, kind)]


def roles(started: CycleStarted) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in started.messages]


@pytest.fixture
def answers(fake_engine):
    fake_engine.answers = {"love": "Amor.", "life": "Vida.", "Summarize": "Summary.",
                           "": "Ok."}
    return fake_engine.answers


def test_events_of_a_two_item_run(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love\nlife")
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert [e.model for e in of(events, ModelBanner)] == [FAKE]
    assert [e.response for e in of(events, CycleFinished)] == ["Amor.", "Vida."]
    assert events[-1].status == "finished" and events[-1].cycles == 2
    assert len(of(events, TokenEvent)) == len("Amor.") + len("Vida.")


def test_without_feedback_every_cycle_gets_the_field_text(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love\nlife", previous="Earlier", system="Sys")
    for started in of(events, CycleStarted):
        assert roles(started)[:3] == [("system", "Sys"), ("user", ""), ("assistant", "Earlier")]


def test_feedback_passes_each_response_to_the_next_cycle(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love\nlife\nmore", feedback=True)
    first, second, third = of(events, CycleStarted)
    assert roles(first) == [("user", "love")]
    assert roles(second) == [("user", ""), ("assistant", "Amor."), ("user", "life")]
    assert roles(third)[1] == ("assistant", "Vida.")


def test_feedback_crosses_models(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love", models=(FAKE, FAKE), feedback=True)
    assert roles(of(events, CycleStarted)[1])[1] == ("assistant", "Amor.")


def test_cumulative_appends_the_responses(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love\nlife\nmore", feedback=True, cumulative=True,
                 previous="Start")
    third = of(events, CycleStarted)[2]
    assert roles(third)[1] == ("assistant", "Start\n\nAmor.\n\nVida.")


def test_cumulative_without_feedback_does_nothing(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love\nlife", cumulative=True)
    assert roles(of(events, CycleStarted)[1]) == [("user", "life")]


def test_final_item_receives_every_response(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="[Poet]\nlove\nlife\n[[Summarize:]]",
                 models=(FAKE, FAKE))
    finals = [e for e in of(events, CycleStarted) if e.cycle.prompt.final]
    assert [f.prompt for f in finals] == [
        "Summarize:\n\nAmor.\n\nVida.",
        "Summarize:\n\nAmor.\n\nVida.\n\nSummary.\n\nAmor.\n\nVida.",
    ]


def test_item_parameters_and_cycle_seeds(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="{max_tokens=2} love\nlife", seed=5,
                 settings=Settings(max_tokens=50))
    first, second = of(events, CycleStarted)
    assert first.settings.max_tokens == 2 and second.settings.max_tokens == 50
    assert of(events, CycleFinished)[0].response == "Am"
    assert first.settings.seed != second.settings.seed
    again = run(fake_workbench, prompts="{max_tokens=2} love\nlife", seed=5,
                settings=Settings(max_tokens=50))
    assert [e.settings.seed for e in of(again, CycleStarted)] == [
        first.settings.seed, second.settings.seed]


def test_random_hyperparameters_are_drawn_per_cycle_and_reproducible(fake_workbench,
                                                                      answers) -> None:
    events = run(fake_workbench, prompts="love\nlife", random_params=True, seed=3)
    draws = [e.random_overrides for e in of(events, CycleStarted)]
    assert draws[0] != draws[1]
    for draw, started in zip(draws, of(events, CycleStarted)):
        for name, (low, high) in RANDOM_RANGES.items():
            assert low <= draw[name] <= high and getattr(started.settings, name) == draw[name]
    again = run(fake_workbench, prompts="love\nlife", random_params=True, seed=3)
    assert [e.random_overrides for e in of(again, CycleStarted)] == draws


def test_stop_next_ends_the_cycle_and_goes_on(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "a long answer that goes on"}
    control = RunControl()
    events = []
    for event in ChainRunner(fake_workbench, ChainConfig("one\ntwo", models=(FAKE,)),
                             control).run():
        events.append(event)
        if isinstance(event, TokenEvent) and len(of(events, TokenEvent)) == 3:
            control.stop_cycle()
    first, second = of(events, CycleFinished)
    assert first.response == "a l" and first.result.finish_reason == "cancelled"
    assert second.response == "a long answer that goes on"
    assert events[-1].status == "finished"


def test_stop_all_ends_the_run_and_keeps_the_partial_text(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "a long answer"}
    control = RunControl()
    events = []
    for event in ChainRunner(fake_workbench, ChainConfig("one\ntwo\nthree", models=(FAKE,)),
                             control).run():
        events.append(event)
        if isinstance(event, TokenEvent) and len(of(events, TokenEvent)) == 4:
            control.stop_run()
    assert [e.response for e in of(events, CycleFinished)] == ["a lo"]
    assert events[-1].status == "stopped" and events[-1].cycles == 1


def test_a_stop_never_leaks_into_the_next_run(fake_workbench, answers) -> None:
    stale = RunControl()
    stale.stop_run()
    assert of(run(fake_workbench, stale, prompts="love"), CycleFinished) == []
    assert len(of(run(fake_workbench, prompts="love"), CycleFinished)) == 1


def test_a_model_that_fails_to_load_is_reported_and_skipped(fake_workbench, fake_engine,
                                                            answers) -> None:
    (fake_workbench.models_dir / "broken.gguf").write_bytes(
        (fake_workbench.models_dir / FAKE).read_bytes())
    fake_engine.broken = {"broken.gguf"}
    events = run(fake_workbench, prompts="love\nlife", models=("broken.gguf", FAKE), responses=2)
    failed = of(events, CycleFailed)
    assert len(failed) == 1 and "refuses" in failed[0].error
    assert failed[0].skipped_cycles == 3
    assert [(e.cycle.model, e.response) for e in of(events, CycleFinished)] == [
        (FAKE, "Amor."), (FAKE, "Vida."), (FAKE, "Amor."), (FAKE, "Vida.")]
    assert events[-1].status == "finished"


def test_an_unknown_model_is_reported_and_the_run_goes_on(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love", models=("missing-model", FAKE))
    assert "Model not found" in of(events, CycleFailed)[0].error
    assert len(of(events, CycleFinished)) == 1


def test_a_prompt_too_long_skips_only_its_cycle(fake_workbench, answers) -> None:
    events = run(fake_workbench, prompts="love " * 30 + "\nlife",
                 settings=Settings(n_ctx=64))
    failed = of(events, CycleFailed)
    assert len(failed) == 1 and "tokens" in failed[0].error and failed[0].skipped_cycles == 0
    assert [e.response for e in of(events, CycleFinished)] == ["Vida."]


def test_generation_error_keeps_the_partial_text(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "abcdefgh"}
    fake_engine.fail_after = 3
    events = run(fake_workbench, prompts="one\ntwo", models=(FAKE, FAKE))
    finished = of(events, CycleFinished)
    assert [e.response for e in finished] == ["abc", "abc"]
    assert [f.skipped_cycles for f in of(events, CycleFailed)] == [1, 1]


def test_a_bad_script_fails_before_anything_runs(fake_workbench, fake_engine) -> None:
    with pytest.raises(PromptScriptError):
        ChainRunner(fake_workbench, ChainConfig("{temprature=1} x", models=(FAKE,)))
    assert fake_engine.loads == []


def test_reset_model_option_resets_before_each_cycle(fake_workbench, answers,
                                                     monkeypatch) -> None:
    resets = []
    monkeypatch.setattr(fake_workbench, "reset_model", lambda: resets.append(1))
    run(fake_workbench, prompts="love\nlife", reset_model=True)
    assert len(resets) == 2
    run(fake_workbench, prompts="love\nlife")
    assert len(resets) == 2


def test_the_control_is_a_cancel_for_generation() -> None:
    control = RunControl()
    assert not control.is_set()
    control.stop_cycle()
    assert control.is_set() and not control.run_stopped
    control.new_cycle()
    assert not control.is_set()
    control.stop_run()
    assert control.is_set() and control.run_stopped
