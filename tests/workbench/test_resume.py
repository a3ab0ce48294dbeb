"""Resuming interrupted runs on the fake engine: a run interrupted after some cycles and resumed
ends with exactly the cycles of the same chain run without interruption."""

from __future__ import annotations

import shutil
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.core.answer_events import TokenEvent
from samantha.core.chain import ChainConfig
from samantha.core.errors import InputError, SettingsError
from samantha.core.run_events import (
    CodeRan,
    CodeRunning,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    RunEvent,
)
from samantha.core.settings import Settings
from samantha.store import RunNotFoundError
from samantha.workbench.facade import Workbench

FAKE = "fake.gguf"
KEYS = ("number", "model", "round", "item", "prompt", "messages", "settings", "random_overrides",
        "response", "tokens", "finish_reason", "error", "status", "skipped_cycles")
# The answer's code fails, printing "not yet N", in the folder of cycles 1 and 2 and prints "3" in
# that of cycle 3: its output is fed back, and the stop condition ends the run at cycle 3.
CODE = ("Here:\n```python\nimport os, sys\nn = os.getcwd()[-1]\nif n != '3':\n"
        "    sys.exit('not yet ' + n)\nprint(n)\n```\n")

When = Callable[[RunEvent, list[RunEvent]], bool]


def count(kind: type, n: int, then: type | None = None) -> When:
    """Interrupt at the n-th event of ``kind`` (or at the first ``then`` after it)."""
    def when(event: RunEvent, events: list[RunEvent]) -> bool:
        seen = sum(isinstance(e, kind) for e in events)
        if then is None:
            return isinstance(event, kind) and seen == n
        return isinstance(event, then) and seen >= n
    return when


def interrupted_run(bench: Workbench, config: ChainConfig, when: When) -> int:
    """Start a run and let it go (as Ctrl+C does) at the event ``when`` says."""
    chain = bench.start_run(config)
    events: list[RunEvent] = []
    iterator = iter(chain)
    for event in iterator:
        events.append(event)
        if when(event, events):
            break
    else:
        pytest.fail("the run ended before the interruption")
    iterator.close()
    assert bench.store.get_run(chain.id).status == "interrupted"
    return chain.id


def stored(bench: Workbench, run_id: int) -> tuple[str, str | None, list[dict[str, Any]]]:
    run = bench.store.get_run(run_id)
    return run.status, run.stop_reason, [{k: getattr(c, k) for k in KEYS} for c in run.cycles]


def code_outputs(bench: Workbench, run_id: int) -> list[tuple[int, str]]:
    cycles = {c.id: c.number for c in bench.store.get_run(run_id).cycles}
    return [(cycles[r.cycle_id], r.stdout) for r in bench.store.code_runs(run_id)]


def check_resume_matches(bench: Workbench, config: ChainConfig, when: When) -> int:
    """Interrupt the chain at ``when``, resume it, and compare it with the chain run whole (the
    same seed: the resumed run takes it from the history)."""
    config = config if config.seed is not None else config.replace(seed=5)
    whole = bench.start_run(config)
    list(whole)
    run_id = interrupted_run(bench, config, when)
    list(bench.resume_run(run_id))
    assert stored(bench, run_id) == stored(bench, whole.id)
    assert code_outputs(bench, run_id) == code_outputs(bench, whole.id)
    return run_id


@pytest.fixture
def answers(fake_engine):
    fake_engine.answers = {"love": "Amor.", "life": "Vida.", "Summarize": "Summary.",
                           "": "Ok then, a longer answer."}
    return fake_engine.answers


def copies(bench: Workbench, *names: str) -> None:
    for name in names:
        shutil.copy(bench.models_dir / FAKE, bench.models_dir / name)


CHAINS = {
    "feedback": dict(prompts="love\nlife\nmore", feedback=True),
    "cumulative": dict(prompts="love\nlife\nmore\nagain", feedback=True, cumulative=True,
                       previous="Start"),
    "final item": dict(prompts="[Poet]\nlove\nlife\n[[Summarize:]]", models=(FAKE, FAKE)),
    "random params, shuffled": dict(prompts="love\nlife", random_params=True,
                                    models=("a.gguf", "b.gguf", "c.gguf"), shuffle=True,
                                    settings=Settings(max_tokens=12)),
    "single response": dict(prompts="love\nlife\nmore", single=True, models=(FAKE, FAKE)),
}


@pytest.mark.parametrize("chain", CHAINS, ids=list(CHAINS))
@pytest.mark.parametrize("point", ["mid-cycle", "between cycles"])
def test_a_resumed_run_ends_as_an_uninterrupted_one(fake_workbench, answers, chain,
                                                    point) -> None:
    copies(fake_workbench, "a.gguf", "b.gguf", "c.gguf")
    options = {"models": (FAKE,), "seed": 11, **CHAINS[chain]}
    when = (count(CycleFinished, 1, then=TokenEvent) if point == "mid-cycle"
            else count(CycleFinished, 1))
    check_resume_matches(fake_workbench, ChainConfig(**options), when)


def test_the_interrupted_cycle_keeps_its_partial_text_until_it_is_replaced(
        fake_workbench, answers) -> None:
    config = ChainConfig("love\nlife\nmore", models=(FAKE,), feedback=True)
    run_id = interrupted_run(fake_workbench, config, count(TokenEvent, 8))
    first, second = fake_workbench.store.get_run(run_id).cycles
    assert (first.status, second.status, second.response, second.tokens) == (
        "done", "interrupted", "Vid", 3)
    chain = fake_workbench.resume_run(run_id)
    assert chain.id == run_id and chain.runner.first_new_cycle().number == 2
    events = list(chain)
    assert [e.cycle.number for e in events if isinstance(e, CycleStarted)] == [2, 3]
    run = fake_workbench.store.get_run(run_id)
    assert run.status == "finished" and [c.response for c in run.cycles] == [
        "Amor.", "Vida.", "Ok then, a longer answer."]
    assert events[-1].cycles == 3  # the replayed cycle counts as run


def test_code_outputs_are_fed_back_and_the_stop_condition_holds(fake_workbench,
                                                                 fake_engine) -> None:
    fake_engine.answers = {"": CODE}
    config = ChainConfig("go", models=(FAKE,), loops=6, feedback=True, auto_run_code=True,
                         stop_condition=True)
    for when in (count(CodeRan, 2), count(CodeRunning, 2), count(CycleFinished, 2)):
        run_id = check_resume_matches(fake_workbench, config, when)
        status, reason, cycles = stored(fake_workbench, run_id)
        assert len(cycles) == 3 and "cycle 3" in reason and "stop condition" in reason
        assert cycles[2]["messages"][1]["content"] == (
            CODE + "\n\nPython interpreter output:\n\nnot yet 2")


def test_a_stop_word_of_a_replayed_cycle_ends_the_resumed_run(fake_workbench,
                                                             fake_engine) -> None:
    fake_engine.answers = {"": "All done. STOP_SAMANTHA"}
    config = ChainConfig("go", models=(FAKE,), loops=3)
    run_id = check_resume_matches(fake_workbench, config, count(CycleFinished, 1))
    assert "the answer says STOP_SAMANTHA" in stored(fake_workbench, run_id)[1]


@pytest.mark.parametrize("when", [count(CycleFailed, 1), count(CycleFinished, 1),
                                  count(CycleFinished, 1, then=TokenEvent)],
                         ids=["after the failure", "after the next cycle", "mid-cycle"])
def test_a_model_that_failed_to_load_is_skipped_again(fake_workbench, fake_engine, answers,
                                                      when) -> None:
    copies(fake_workbench, "broken.gguf")
    fake_engine.broken = {"broken.gguf"}
    config = ChainConfig("love\nlife", models=("broken.gguf", FAKE), responses=2, feedback=True)
    run_id = check_resume_matches(fake_workbench, config, when)
    status, _, cycles = stored(fake_workbench, run_id)
    assert [c["number"] for c in cycles] == [1, 5, 6, 7, 8]
    assert cycles[0]["skipped_cycles"] == 3


def test_a_broken_generation_is_fed_back_and_skips_the_rest(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "abcdefgh"}
    fake_engine.fail_after = 3
    config = ChainConfig("one\ntwo", models=(FAKE, FAKE), feedback=True)
    run_id = check_resume_matches(fake_workbench, config, count(CycleFailed, 1))
    _, _, cycles = stored(fake_workbench, run_id)
    assert [(c["number"], c["status"]) for c in cycles] == [(1, "failed"), (3, "failed")]
    assert cycles[1]["messages"][1] == {"role": "assistant", "content": "abc"}


def test_a_run_interrupted_after_its_last_cycle_only_finishes(fake_workbench, answers) -> None:
    config = ChainConfig("love\nlife", models=(FAKE,))
    run_id = interrupted_run(fake_workbench, config, count(CycleFinished, 2))
    chain = fake_workbench.resume_run(run_id)
    assert chain.runner.first_new_cycle() is None
    assert not any(isinstance(e, CycleStarted) for e in chain)
    assert fake_workbench.store.get_run(run_id).status == "finished"


def test_only_interrupted_runs_resume(fake_workbench, answers) -> None:
    whole = fake_workbench.start_run(ChainConfig("love", models=(FAKE,)))
    list(whole)
    with pytest.raises(InputError, match=f"is finished, not interrupted: nothing to resume; "
                                         f"`samantha history rerun {whole.id}`"):
        fake_workbench.resume_run(whole.id)
    with pytest.raises(RunNotFoundError):
        fake_workbench.resume_run(999)


def test_a_run_of_a_live_process_is_refused(fake_workbench, answers) -> None:
    chain = fake_workbench.start_run(ChainConfig("love\nlife", models=(FAKE,)))
    events = iter(chain)
    next(events)
    with pytest.raises(InputError, match=r"is running in process \d+ on .*let it finish"):
        fake_workbench.resume_run(chain.id)
    list(events)


def test_a_run_resumed_twice_is_refused_the_second_time(fake_workbench, answers) -> None:
    run_id = interrupted_run(fake_workbench, ChainConfig("love\nlife", models=(FAKE,)),
                             count(CycleFinished, 1))
    first = fake_workbench.resume_run(run_id)
    with pytest.raises(InputError, match="running in process"):
        fake_workbench.resume_run(run_id)
    list(first)


def test_history_resume_on_the_command_line(fake_workbench, answers) -> None:
    run_id = interrupted_run(fake_workbench, ChainConfig("love\nlife\nmore", models=(FAKE,)),
                             count(CycleFinished, 1, then=TokenEvent))
    runner = CliRunner()
    result = runner.invoke(cli, ["history", "resume", str(run_id)], obj=fake_workbench)
    assert result.exit_code == 0, result.output
    assert f"Resuming run {run_id} at cycle 2 of 3 (1 cycle already done)." in result.stderr
    assert "Vida." in result.stdout and "Amor." not in result.stdout
    again = runner.invoke(cli, ["history", "resume", str(run_id)], obj=fake_workbench)
    assert again.exit_code == 2 and "samantha history rerun" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1


def test_history_resume_json_lists_every_cycle(fake_workbench, answers) -> None:
    import json

    run_id = interrupted_run(fake_workbench, ChainConfig("love\nlife", models=(FAKE,)),
                             count(CycleFinished, 1))
    result = CliRunner().invoke(cli, ["history", "resume", str(run_id), "--json"],
                                obj=fake_workbench)
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["event"] == "run_finished" and last["run_id"] == run_id
    assert [c["response"] for c in last["cycles"]] == ["Amor.", "Vida."]


def test_rerun_config_changes_settings_seed_and_models(fake_workbench, answers) -> None:
    original = fake_workbench.start_run(ChainConfig("love", models=(FAKE,), seed=4,
                                                    settings=Settings(max_tokens=30)))
    list(original)
    same = fake_workbench.rerun_config(original.id)
    assert (same.seed, same.settings.max_tokens, same.models) == (4, 30, (FAKE,))
    changed = fake_workbench.rerun_config(original.id, {"max_tokens": 3, "temperature": 0.5,
                                                        "seed": 9}, ["a.gguf", FAKE])
    assert (changed.seed, changed.settings.max_tokens, changed.settings.temperature) == (
        9, 3, 0.5)
    assert changed.models == ("a.gguf", FAKE) and changed.prompts == "love"
    with pytest.raises(SettingsError, match="temperature"):
        fake_workbench.rerun_config(original.id, {"temperature": 9})
    with pytest.raises(SettingsError, match="temprature"):
        fake_workbench.rerun_config(original.id, {"temprature": 1})


def test_history_rerun_flags_override_the_stored_run(fake_workbench, answers) -> None:
    copies(fake_workbench, "a.gguf")
    original = fake_workbench.start_run(ChainConfig("love\nlife", models=(FAKE,)))
    list(original)
    result = CliRunner().invoke(cli, ["history", "rerun", str(original.id), "--max-tokens", "2",
                                      "--seed", "5", "-m", "a.gguf", "-m", FAKE],
                                obj=fake_workbench)
    assert result.exit_code == 0, result.output
    rerun = fake_workbench.store.get_run(fake_workbench.store.latest_run_id())
    assert rerun.id != original.id and rerun.config["seed"] == 5
    assert rerun.config["settings"]["max_tokens"] == 2 and rerun.config["models"] == [
        "a.gguf", FAKE]
    assert [(c.model, c.response) for c in rerun.cycles] == [
        ("a.gguf", "Am"), ("a.gguf", "Vi"), (FAKE, "Am"), (FAKE, "Vi")]


def test_history_rerun_preset_replaces_the_stored_settings(fake_workbench, answers) -> None:
    from samantha.core.settings import STOCHASTIC

    original = fake_workbench.start_run(ChainConfig("love", models=(FAKE,), seed=8,
                                                    settings=Settings(max_tokens=30)))
    list(original)
    result = CliRunner().invoke(cli, ["history", "rerun", str(original.id), "--preset",
                                      "stochastic", "--top-k", "7"], obj=fake_workbench)
    assert result.exit_code == 0, result.output
    rerun = fake_workbench.store.get_run(fake_workbench.store.latest_run_id())
    expected = STOCHASTIC.replace(top_k=7).to_dict()
    assert rerun.config["settings"] == expected and rerun.config["seed"] == 8
