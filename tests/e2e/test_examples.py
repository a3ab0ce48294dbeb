"""Every shipped example runs to its end on the model it names, through the real CLI and the real
bundled models (greedy): the chain files in examples/ and the web UI's example collections, in
English and Portuguese. An example made for a bigger model says which catalogue model, and asking
for it says how to get it. The intelligence challenge's verdict is read, printed and stored."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from samantha.core.verdict import Verdict
from samantha.models.bundled import BUNDLED
from samantha.ui.chat.prompt_collections import (
    SEPARATOR,
    Example,
    example,
    needs_feedback,
    title,
)

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CHAIN_FILES = sorted(EXAMPLES.glob("*.toml"))
BUNDLED_NAMES = {model.name for model in BUNDLED}
ENDED_BY_ITSELF = ("stop", "repetition")  # the loop guard's repetition at worst, never length
TRY = re.compile(r"(?:such as|como): (.+)$", re.M)  # a system example's USER prompt to try it with


def shipped(name: str) -> list[Example]:
    text = files("samantha.ui.chat").joinpath("prompts", name).read_text("utf-8")
    return [e for e in map(example, text.split(SEPARATOR)) if e.text]


def collection_cases() -> list:
    cases = []
    for name in ("user_prompts.txt", "user_prompts_pt.txt", "system_prompts.txt",
                 "system_prompts_pt.txt"):
        for one in shipped(name):
            cases.append(pytest.param(name, one, id=f"{name[:-4]}-{title(one.text)[:24]}"))
    return cases


def finished(result) -> list[dict]:
    events = [json.loads(line) for line in result.stdout.splitlines()]
    return [e for e in events if e["event"] == "cycle_finished"]


def assert_ended_by_themselves(cycles: list[dict], planned: int) -> None:
    assert len(cycles) == planned, cycles
    assert all(c["finish_reason"] in ENDED_BY_ITSELF and c["error"] is None for c in cycles), \
        [(c["cycle"], c["tokens"], c["finish_reason"], c["response"][-80:]) for c in cycles]
    assert all(c["response"].strip() for c in cycles), cycles


@pytest.mark.parametrize("path", CHAIN_FILES, ids=lambda p: p.stem)
def test_each_chain_file_names_its_models_and_runs_to_its_end_on_them(samantha, path) -> None:
    text = path.read_text(encoding="utf-8")
    models = tomllib.loads(text)["models"]
    assert set(models) <= BUNDLED_NAMES, models
    comments = " ".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Made for" in comments and all(model in comments for model in models), comments
    assert "samantha models get" in comments  # what a bigger version of it needs
    plan = json.loads(samantha("run", str(path), "--plan").stdout)
    cycles = finished(samantha("run", str(path), "--json"))
    assert_ended_by_themselves(cycles, len(plan))


CHALLENGE = EXAMPLES / "intelligence-challenge.toml"


def test_the_intelligence_challenge_gives_a_verdict_printed_and_stored(samantha,
                                                                       real_workbench) -> None:
    result = samantha("run", str(CHALLENGE))
    verdict_lines = [line for line in result.stdout.splitlines() if line.startswith("Verdict:")]
    assert len(verdict_lines) == 1, result.stdout
    assert re.fullmatch(r"Verdict: (AI [12] wins|a tie)\. Scores: AI 1 \d+/10, AI 2 \d+/10\. "
                        r"Reason: .+", verdict_lines[0]), verdict_lines
    run = real_workbench.store.get_run(real_workbench.store.latest_run_id())
    judge = run.cycles[-1]
    assert judge.model == "smollm2" and judge.prompt.count("\n\nAI 1: ") == 1 \
        and "\n\nAI 2: " in judge.prompt
    assert json.loads(judge.settings["json_schema"])["required"] == ["winner", "scores", "reason"]
    verdict = Verdict.from_dict(judge.verdict)
    assert verdict.read and verdict.winner in ("AI 1", "AI 2", "tie")
    assert json.loads(judge.response)["winner"] == verdict.winner  # read, not made up
    assert [c.verdict for c in run.cycles[:-1]] == [None, None]
    shown = samantha("history", "show", str(run.id)).stdout
    assert f"**{verdict_lines[0]}**" in shown.replace("\\", "")
    exported = json.loads(samantha("history", "export", str(run.id), "--format", "json").stdout)
    assert exported["cycles"][-1]["verdict"] == judge.verdict


def test_the_intelligence_challenge_ends_with_a_leaderboard(samantha, real_workbench) -> None:
    """[judge] scores both contestants' answers after the run (not the verdict: it is a
    judgement), {check=…} checks them, and the run's output ends with the leaderboard."""
    out = samantha("run", str(CHALLENGE)).stdout
    board = out[out.index("\n## Leaderboard\n"):]
    rows = [line for line in board.splitlines() if line.startswith("| ")][1:]
    assert sorted(row.split(" | ")[0] for row in rows) == ["| default", "| smollm2"]
    assert all("1 (0 unread)" in row and "(1/1)" in row for row in rows), board
    assert all(row.endswith("[—] |") for row in rows), board  # one vote: no interval to show
    run = real_workbench.store.get_run(real_workbench.store.latest_run_id())
    judged = real_workbench.store.judgements(run.id)
    assert sorted(j.cycle_id for j in judged) == [c.id for c in run.cycles[:2]]
    assert all(j.judge == "smollm2" and j.scores and len(j.scores) == 9 for j in judged)
    assert [c.spec for c in real_workbench.store.checks(run.id)] == ["words:..80"] * 2
    # the chain's own verdict is the judge's vote between the two answers it judged
    (vote,) = real_workbench.store.votes([run.id])
    verdict = Verdict.from_dict(run.cycles[2].verdict)
    assert (vote.first_cycle, vote.second_cycle, vote.voter) == \
        (run.cycles[0].id, run.cycles[1].id, "smollm2")
    assert vote.winner == {"AI 1": "first", "AI 2": "second", "tie": "tie"}[verdict.winner]
    again = json.loads(samantha("history", "leaderboard", str(run.id), "--json").stdout)
    assert sorted(r["model"] for r in again["rows"]) == ["default", "smollm2"]
    assert all(r["judged"] == 1 and r["checks"]["passed"] + r["checks"]["failed"] == 1
               for r in again["rows"])


def test_the_verdict_comes_as_a_json_line_and_in_the_runs_summary(samantha) -> None:
    events = [json.loads(line) for line in samantha("run", str(CHALLENGE), "--json")
              .stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds.count("verdict") == 1 and kinds[kinds.index("verdict") - 1] == "cycle_finished"
    given = events[kinds.index("verdict")]
    assert given["cycle"] == 3 and given["contestants"] == ["AI 1", "AI 2"]
    assert given["problem"] is None and set(given["scores"]) == {"AI 1", "AI 2"}
    summary = events[kinds.index("run_finished")]["cycles"]
    assert summary[-1]["verdict"] == {k: v for k, v in given.items()
                                      if k not in ("event", "cycle")}


@pytest.mark.parametrize("name, one", collection_cases())
def test_each_ui_example_runs_to_its_end_on_the_model_it_names(samantha, name, one) -> None:
    assert one.models, f"{title(one.text)} does not say which model it is for"
    if not set(one.models) <= BUNDLED_NAMES:  # made for a bigger model: it says which
        (model,) = set(one.models)
        assert f"samantha models get {model}" in one.text
        line = samantha("run", "--prompts", "Hi", "-m", model, code=2).stderr.strip()
        assert f"is in the catalogue but not downloaded yet: `samantha models get {model}`" \
            in line and "\n" not in line
        return
    flags = [flag for model in one.models for flag in ("-m", model)]
    if name.startswith("system"):
        asked = TRY.search(one.text)
        assert asked, f"{title(one.text)} does not say which USER prompt to try it with"
        flags += ["--system", one.text, "--prompts", asked.group(1)]
    else:
        flags += ["--prompts", one.text, *(["--feedback"] if needs_feedback(one.text) else []),
                  *(["--single"] if one.single else [])]
    plan = json.loads(samantha("run", *flags, "--plan").stdout)
    assert_ended_by_themselves(finished(samantha("run", *flags, "--json")), len(plan))


def test_the_portuguese_examples_are_portuguese_and_made_for_the_base_model() -> None:
    users = shipped("user_prompts_pt.txt")
    bundled = [e for e in users if set(e.models) <= BUNDLED_NAMES]
    assert len(bundled) >= 5 and all(e.models == ("default",) for e in bundled)
    assert not {e.text for e in users} & {e.text for e in shipped("user_prompts.txt")}
