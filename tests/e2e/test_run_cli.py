"""``samantha run`` and ``samantha history`` end to end on the real default model and SQLite."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from samantha.store import RunStore

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def events(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def finished(result) -> dict:
    """The run_finished event: the last, or followed only by a chain's [judge] judging."""
    said = [e["event"] for e in events(result)]
    end = said.index("run_finished")
    assert set(said[end + 1:]) <= {"judged", "leaderboard"}, said[end:]
    return events(result)[end]


def test_a_two_item_chain_prints_banners_and_answers(samantha) -> None:
    result = samantha("run", "--prompts", "Who are you?\nWhat is love?", "--max-tokens", "12")
    assert result.stdout.count("=" * 42) == 2 and "1) default" in result.stdout
    assert result.stdout.count("---------- (") == 2
    assert "samantha history show" in result.stderr


def test_json_events_and_the_stored_run(samantha, real_workbench) -> None:
    result = samantha("run", "--prompts", "Who are you?\nWhat is love?", "--max-tokens", "8",
                      "--json")
    kinds = [e["event"] for e in events(result)]
    assert kinds[0] == "run_started" and kinds.count("cycle_finished") == 2
    last = finished(result)
    cycles = last["cycles"]
    assert [c["item"] for c in cycles] == [1, 2] and all(c["tokens"] > 0 for c in cycles)
    assert set(cycles[0]) >= {"model", "round", "item", "prompt", "response", "tokens",
                              "seconds", "settings"}
    stored = real_workbench.store.get_run(last["run_id"])
    assert stored.status == "finished"
    assert [c.response for c in stored.cycles] == [c["response"] for c in cycles]
    assert stored.cycles[0].model_sha256 and len(stored.cycles[0].model_sha256) == 64


def test_feedback_sends_the_first_answer_to_the_second_cycle(samantha, real_workbench) -> None:
    result = samantha("run", "--prompts", "Name a fruit.\nWhy?", "--feedback", "--max-tokens",
                      "10", "--json")
    run = real_workbench.store.get_run(finished(result)["run_id"])
    first, second = run.cycles
    assert {"role": "assistant", "content": first.response} in second.messages
    assert second.messages[-1] == {"role": "user", "content": "Why?"}


def test_cumulative_sends_every_answer(samantha, real_workbench) -> None:
    result = samantha("run", "--prompts", "One.\nTwo.\nThree.", "--feedback", "--cumulative",
                      "--max-tokens", "6", "--json")
    run = real_workbench.store.get_run(finished(result)["run_id"])
    third = run.cycles[2]
    assert third.messages[1]["content"] == f"{run.cycles[0].response}\n\n{run.cycles[1].response}"


def test_the_same_seed_reproduces_a_stochastic_run(samantha) -> None:
    args = ["run", "--prompts", "Tell a story.\nAnother one.", "--preset", "stochastic",
            "--seed", "9", "--max-tokens", "12", "--json"]
    first = [c["response"] for c in finished(samantha(*args))["cycles"]]
    second = [c["response"] for c in finished(samantha(*args))["cycles"]]
    assert first == second


def test_rerun_reproduces_the_run(samantha) -> None:
    original = finished(samantha("run", "--prompts", "Tell a story.", "--preset", "stochastic",
                                 "--max-tokens", "12", "--json"))
    again = finished(samantha("history", "rerun", str(original["run_id"]), "--json"))
    assert again["run_id"] != original["run_id"]
    assert [c["response"] for c in again["cycles"]] == [c["response"] for c in original["cycles"]]


def test_history_list_show_and_export(samantha, tmp_path) -> None:
    run_id = finished(samantha("run", "--prompts", "Describe the moon in one line.",
                               "--max-tokens", "8", "--json"))["run_id"]
    listed = json.loads(samantha("history", "list", "--json").stdout)
    assert listed[0]["id"] == run_id
    found = json.loads(samantha("history", "list", "--search", "the moon", "--json").stdout)
    assert [r["id"] for r in found][:1] == [run_id]
    assert "Describe the moon" in samantha("history", "show", str(run_id)).stdout
    page = tmp_path / "run.html"
    samantha("history", "export", str(run_id), "--format", "html", "--output", str(page))
    assert page.read_text().startswith("<!doctype html>")
    data = json.loads(samantha("history", "export", str(run_id), "--format", "json").stdout)
    assert data["id"] == run_id and len(data["cycles"]) == 1


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.toml")))
def test_shipped_examples_run_on_their_models(samantha, real_workbench, example) -> None:
    plan = json.loads(samantha("run", str(EXAMPLES / example), "--plan").stdout)
    result = samantha("run", str(EXAMPLES / example), "--max-tokens", "8", "--json")
    last = finished(result)
    assert len(last["cycles"]) == len(plan) > 1
    run = real_workbench.store.get_run(last["run_id"])
    assert run.status == "finished" and all(c.status == "done" for c in run.cycles)
    if any(c["final"] for c in plan):
        assert run.cycles[0].response in run.cycles[-1].prompt


def test_the_intelligence_challenge_pairs_models_and_prompts(samantha) -> None:
    plan = json.loads(samantha("run", str(EXAMPLES / "intelligence-challenge.toml"),
                               "--plan").stdout)
    assert [(c["model"], c["item"]) for c in plan] == [("smollm2", 1), ("default", 2),
                                                       ("smollm2", 3)]
    assert plan[1]["prompt"].endswith("Because") and plan[2]["final"]
    assert plan[2]["prompt"].startswith("Judge two answers")
    assert json.loads(plan[2]["settings"]["json_schema"])["properties"]["winner"]["enum"] == [
        "AI 1", "AI 2", "tie"]
    assert [c["settings"]["json_schema"] for c in plan[:2]] == ["", ""]


def test_a_model_that_fails_mid_chain_is_recorded_and_skipped(samantha, real_workbench,
                                                              tmp_path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    result = samantha("run", "--prompts", "Hi.", "-m", "default", "-m", str(broken), "-m",
                      "default", "--max-tokens", "4", "--json", code=1)
    kinds = [e["event"] for e in events(result)]
    assert kinds.count("cycle_finished") == 2 and kinds.count("cycle_failed") == 1
    run = real_workbench.store.get_run(finished(result)["run_id"])
    assert [c.status for c in run.cycles] == ["done", "failed", "done"]
    assert "GGUF" in run.cycles[1].error or "truncated" in run.cycles[1].error


def test_a_prompt_too_long_is_refused_with_the_numbers(samantha, real_workbench) -> None:
    result = samantha("run", "--prompts", "word " * 300 + "\nShort one.", "--n-ctx", "256",
                      "--max-tokens", "4", "--json", code=1)
    failed = [e for e in events(result) if e["event"] == "cycle_failed"]
    assert len(failed) == 1 and "256" in failed[0]["error"] and "tokens" in failed[0]["error"]
    assert finished(result)["cycles"][1]["tokens"] > 0


@pytest.mark.parametrize("args, words", [
    (["--prompts", "{temprature=1} hi"], ["line 1, column 2", "temprature"]),
    (["--prompts", ""], ["no prompt"]),
    (["--prompts", "hi", "--loops", "0"], ["loops"]),
    ([], ["Nothing to run"]),
])
def test_input_errors_exit_with_2(samantha, args, words) -> None:
    result = samantha("run", *args, code=2)
    for word in words:
        assert word in result.stderr


def test_unknown_option_in_a_chain_file(samantha, tmp_path) -> None:
    chain = tmp_path / "chain.toml"
    chain.write_text('prompts = "hi"\n[options]\nloopz = 3\n')
    result = samantha("run", str(chain), code=2)
    assert "options.loopz is not a known option. Did you mean loops?" in result.stderr


def test_history_survives_a_killed_process(session_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    os.link(session_home / "models" / "gemma-3-270m-q4_k_m.gguf",
            home / "models" / "gemma-3-270m-q4_k_m.gguf")
    env = {**os.environ, "SAMANTHA_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "samantha", "run", "--prompts",
         "Count to ten.\nCount from 1 to 300: 1, 2, 3, 4,",
         "--max-tokens", "0", "--n-ctx", "2048", "--json"],
        stdout=subprocess.PIPE, text=True, env=env)
    tokens_after_first = 0
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "cycle_finished":
            tokens_after_first = -1
        elif event["event"] == "token" and tokens_after_first < 0:
            tokens_after_first -= 1
            if tokens_after_first < -60:  # well past the recorder's half-second flush
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with RunStore(home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    assert run.status == "running"
    first, second = run.cycles
    assert first.status == "done" and first.response
    assert second.status == "running" and len(second.response) > 0
    with sqlite3.connect(home / "history.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_unknown_model_name_fails_before_anything_runs(samantha, real_workbench) -> None:
    before = real_workbench.store.latest_run_id()
    result = samantha("run", "--prompts", "Hi.", "-m", "default", "-m", "no-such-model", code=2)
    assert "Model not found" in result.stderr and "no-such-model" in result.stderr
    assert real_workbench.store.latest_run_id() == before


def test_a_prompt_file(samantha, tmp_path) -> None:
    script = tmp_path / "prompts.txt"
    script.write_text("[Answer briefly]\nWhat is the sun?\n---ignored\nWhat is the sea?\n")
    last = finished(samantha("run", str(script), "--max-tokens", "6", "--json"))
    assert [c["prompt"] for c in last["cycles"]] == [
        "Answer briefly\n\nWhat is the sun?", "Answer briefly\n\nWhat is the sea?"]


def test_stop_next_mid_cycle_on_the_real_model(real_workbench) -> None:
    from samantha.core.answer_events import TokenEvent
    from samantha.core.chain import ChainConfig
    from samantha.core.run_events import CycleFinished, RunFinished
    from samantha.core.settings import Settings

    run = real_workbench.start_run(ChainConfig("Tell a long story.\nSay hi.",
                                               settings=Settings(max_tokens=40)))
    seen, finished_cycles = 0, []
    for event in run:
        if isinstance(event, TokenEvent):
            seen += 1
            if seen == 3:
                run.control.stop_cycle()
        elif isinstance(event, CycleFinished):
            finished_cycles.append(event.result)
        elif isinstance(event, RunFinished):
            assert event.status == "finished"
    first, second = finished_cycles
    assert first.finish_reason == "cancelled" and first.tokens == 3
    assert second.finish_reason in {"stop", "length"} and second.tokens > 0
    stored = real_workbench.store.get_run(run.id)
    assert stored.cycles[0].finish_reason == "cancelled" and stored.cycles[0].tokens == 3


def test_a_run_exported_as_a_chain_file_repeats_exactly(samantha, tmp_path) -> None:
    prompts = 'Tell a story about "quotes" and a \\ backslash.\n{temperature=0.9} Olá, mundo!'
    original = finished(samantha("run", "--prompts", prompts, "--preset", "stochastic",
                                 "--random-params", "--max-tokens", "10", "--json"))
    chain = tmp_path / "chain.toml"
    samantha("history", "export", str(original["run_id"]), "--format", "toml", "--output",
             str(chain))
    again = finished(samantha("run", str(chain), "--json"))
    assert [c["response"] for c in again["cycles"]] == [c["response"] for c in original["cycles"]]
    assert [c["settings"] for c in again["cycles"]] == [c["settings"] for c in original["cycles"]]
