"""Learning mode end to end on the real default model."""

from __future__ import annotations

import json
import threading
import time

import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.chat import build_messages
from samantha.core.control import RunControl
from samantha.core.generation import Ask
from samantha.core.prompt_format import COMPLETION_STOP
from samantha.core.settings import STOCHASTIC, Settings

pytestmark = pytest.mark.e2e

PROMPT = "Write a short poem about the sea."
OPEN = dict(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=1.0, tfs_z=1.0)


def traced(bench, settings: Settings, top: int = 10, pacer=None, cancel=None):
    events = list(bench.generate(Ask(build_messages("", "", PROMPT), settings, trace_top=top),
                                 cancel, pacer))
    steps = [e.trace for e in events if isinstance(e, TokenEvent)]
    result = events[-1]
    assert isinstance(result, GenerationResult)
    return steps, result


def kept(step) -> dict[str, int]:
    return {s.name: s.kept for s in step.stages}


def test_greedy_picks_rank_one_with_the_configured_counts(real_workbench) -> None:
    steps, result = traced(real_workbench, Settings(max_tokens=12))
    assert steps and len(steps) == result.tokens
    for step in steps:
        assert step.rank == 1 and step.token_id == step.candidates[0].id
        assert kept(step) == {"penalties": 262144, "dry": 262144, "top-n-sigma": 262144,
                              "top-k": 40, "tail-free": 1, "typical": 1, "top-p": 1,
                              "min-p": 1, "xtc": 1, "temperature": 1}
        assert len(step.candidates) == 10 and step.entropy > 0
        assert step.final[0].id == step.token_id and step.final[0].p == pytest.approx(1.0)


def test_top_k_five_keeps_five(real_workbench) -> None:
    steps, _ = traced(real_workbench, Settings(max_tokens=6, seed=3, **{**OPEN, "top_k": 5}))
    assert all(kept(s)["top-k"] == 5 and kept(s)["temperature"] == 5 for s in steps)
    assert all(1 <= s.rank <= 5 for s in steps)


def test_min_p_one_leaves_one_survivor(real_workbench) -> None:
    steps, _ = traced(real_workbench, Settings(max_tokens=6, seed=3, **{**OPEN, "min_p": 1.0}))
    assert all(kept(s)["min-p"] == 1 and len(s.final) == 1 and s.rank == 1 for s in steps)


def test_a_seeded_stochastic_trace_repeats(real_workbench) -> None:
    settings = STOCHASTIC.replace(max_tokens=16, seed=8)
    first, _ = traced(real_workbench, settings)
    second, _ = traced(real_workbench, settings)
    strip = [{**s.to_dict(), "seconds": 0} for s in first]
    assert strip == [{**s.to_dict(), "seconds": 0} for s in second]


def test_chosen_ids_detokenise_to_the_text(real_workbench) -> None:
    steps, result = traced(real_workbench, STOCHASTIC.replace(max_tokens=24, seed=2))
    session = real_workbench.session("default", 4000)
    text = b"".join(session.piece(s.token_id) for s in steps).decode("utf-8", "replace")
    assert [s.token_id for s in steps] == list(result.token_ids)
    # a stop string is generated but not shown: the base model is given the prompt to continue
    # (completion), which ends with its paragraph
    assert text == result.text or (result.finish_reason == "stop" and any(
        text == result.text + stop for stop in COMPLETION_STOP))


def test_step_mode_gives_one_token_per_click(real_workbench) -> None:
    control = RunControl(pace="step")
    seen: list[TokenEvent] = []
    settings = Settings(max_tokens=30)

    def consume() -> None:
        for event in real_workbench.generate(Ask(build_messages("", "", PROMPT), settings,
                                                 trace_top=5), control, control):
            if isinstance(event, TokenEvent):
                seen.append(event)

    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(0.5)
    assert seen == []  # the prompt is ready, but nothing is chosen before the first click
    for clicks in (1, 2, 3):
        control.step()
        deadline = time.monotonic() + 10
        while len(seen) < clicks and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert len(seen) == clicks and all(e.trace is not None for e in seen)
    control.stop_run()
    worker.join(10)
    assert not worker.is_alive() and len(seen) == 3


def test_learn_cli_table(samantha) -> None:
    out = samantha("learn", PROMPT, "--max-tokens", "3", "--top", "4").stdout
    assert out.count("262144 -> top-k 40 -> tail-free 1") == 3
    assert out.count("\n  >    1") == 3  # the chosen token marked, at rank 1
    assert "Chosen although not the most likely: none" in out


def test_learn_cli_json(samantha) -> None:
    lines = samantha("learn", PROMPT, "--max-tokens", "4", "--top", "1000", "--preset",
                     "stochastic", "--seed", "5", "--json").stdout.splitlines()
    steps = [json.loads(line) for line in lines]
    assert [s["step"] for s in steps] == [1, 2, 3, 4]
    for s in steps:
        assert {"step", "token_id", "piece", "rank", "entropy", "candidates", "stages",
                "final"} <= set(s)
        assert len(s["candidates"]) == 1000
        assert {"id", "piece", "logit", "p"} <= set(s["candidates"][0])
        assert s["stages"][3] == {"name": "top-k", "kept": 40, "active": True}
        assert s["stages"][1] == {"name": "dry", "kept": 262144, "active": False}
        assert any(c["id"] == s["token_id"] for c in s["candidates"][: s["rank"]])


def test_learn_cli_shows_each_stage_and_what_if(samantha) -> None:
    """--json carries the survivors of each stage; --what-if gives another chain's survivors on
    the same scores, and the answer is the one generated without it."""
    args = ["learn", PROMPT, "--max-tokens", "4", "--top", "5", "--preset", "stochastic",
            "--seed", "7", "--json"]
    plain = [json.loads(line) for line in samantha(*args).stdout.splitlines()]
    asked = [json.loads(line) for line in samantha(*args, "--what-if", "top_k=1")
             .stdout.splitlines()]
    assert [s["token_id"] for s in asked] == [s["token_id"] for s in plain]
    for s in asked:
        views = s["views"]
        assert [v["name"] for v in views] == [c["name"] for c in s["stages"] if c["active"]]
        assert views[1] == {**views[1], "name": "top-k", "kept": 40}
        assert [i for i, _ in views[-1]["survivors"]][:len(s["final"])] == [
            f["id"] for f in s["final"]]
        assert s["token_id"] in {i for v in views for i, _ in v["survivors"]}
        best = s["candidates"][0]["id"]  # top_k=1 keeps the model's most likely token
        assert s["what_if"]["final"] == [[best, 1.0]]
        assert s["what_if"]["views"][1]["kept"] == 1
    text = samantha("learn", PROMPT, "--max-tokens", "2", "--top", "3", "--stages",
                    "--what-if", "min_p=0.5").stdout
    assert text.count("stage by stage") == 2 and text.count("    top-k             40") == 2
    assert text.count("what if min_p=0.5:") == 2


def test_learn_cli_refuses_too_many_candidates(samantha) -> None:
    result = samantha("learn", PROMPT, "--top", "1001", code=2)
    assert "1001" in result.stderr


def test_learn_cli_plot(samantha, tmp_path) -> None:
    png = tmp_path / "learn.png"
    samantha("learn", PROMPT, "--max-tokens", "20", "--preset", "stochastic", "--seed", "1",
             "--plot", str(png))
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_vocabulary_range_with_bytes_that_are_not_utf8(samantha) -> None:
    entries = json.loads(samantha("models", "vocab", "default", "--from", "364", "--to", "368",
                                  "--json").stdout)
    assert [e["id"] for e in entries] == [364, 365, 366, 367]
    assert entries[0]["piece"] == "~" and entries[2] == {"id": 366, "piece": "\\x80",
                                                         "bytes": "80"}
    text = samantha("models", "vocab", "default", "--from", "0", "--to", "3").stdout
    assert text.splitlines() == ["       0  '<pad>'", "       1  '<eos>'", "       2  '<bos>'"]


def test_vocabulary_range_errors(samantha) -> None:
    result = samantha("models", "vocab", "default", "--from", "300000", "--to", "300010", code=2)
    assert "262143" in result.stderr


def test_run_learn_stores_traces_to_replay_and_plot(samantha, real_workbench, tmp_path) -> None:
    lines = samantha("run", "--prompts", "Hi.\nBye.", "--learn", "--top", "3", "--max-tokens",
                     "5", "--json").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert all(len(e["trace"]["candidates"]) == 3 for e in events if e["event"] == "token")
    run_id = events[-1]["run_id"]
    run = real_workbench.store.get_run(run_id)
    stored = real_workbench.store.get_trace(run.cycles[1].id)
    assert len(stored) == run.cycles[1].tokens and len(stored[0]["candidates"]) == 3
    replay = samantha("history", "trace", str(run_id), "--cycle", "2", "--plot",
                      str(tmp_path / "t.png")).stdout
    assert replay.count("token ") == run.cycles[1].tokens
    assert (tmp_path / "t.png").stat().st_size > 10_000
