"""Branches on the fake engine (workbench/branches.py): what a branch starts from, the settings
it gets, the run it is stored as, and the refusals tests/e2e/test_branches.py does not reach
(a cycle answered by a remote backend). The e2e tests branch on the real model."""

from __future__ import annotations

import pytest

from samantha.core.answer_events import TokenEvent
from samantha.core.chain import ChainConfig
from samantha.core.errors import InputError, PromptTooLongError
from samantha.core.run_events import CycleFinished, RunFinished
from samantha.engines.fake import FakeEngine
from samantha.workbench.branches import (
    BranchPoint,
    BranchStarted,
    branch_settings,
    find_parent,
    run_branch,
)
from samantha.workbench.facade import Workbench
from samantha.workbench.liveness import this_process

ANSWER = "Blue sky."


def token(char: str) -> int:
    return ord(char) + 1  # the fake vocabulary: byte b is token b + 1


@pytest.fixture
def parent(fake_workbench: Workbench, fake_engine: FakeEngine) -> int:
    """A learning-mode run of one cycle, 3 candidates a token: ``Blue sky.``, greedy."""
    fake_engine.answers = {"": ANSWER}
    run = fake_workbench.start_run(ChainConfig("Name a colour.", models=("fake.gguf",),
                                               learn=True, learn_top=3, seed=4))
    list(run)
    return run.id


def test_the_parent_is_its_tokens_before_the_step(fake_workbench: Workbench,
                                                  parent: int) -> None:
    found = find_parent(fake_workbench, BranchPoint(parent, 1, 3, token("o")))
    assert found.before == (token("B"), token("l"))
    assert found.top == 3 and found.cycle.response == ANSWER and found.run.id == parent
    assert find_parent(fake_workbench, BranchPoint(parent, 1, 1, token("o"))).before == ()


def test_the_branch_gets_the_parents_settings_with_the_changes(fake_workbench: Workbench,
                                                               parent: int) -> None:
    found = find_parent(fake_workbench, BranchPoint(parent, 1, 3, token("o")))
    same = branch_settings(found, {}, None)
    assert same.to_dict() == found.cycle.settings  # the seed too
    changed = branch_settings(found, {"temperature": 0.7, "top_k": 5}, max_tokens=4)
    assert (changed.temperature, changed.top_k, changed.seed) == (0.7, 5, same.seed)
    assert changed.max_tokens == 2 + 1 + 4  # the tokens before, the one chosen, four more


def test_a_branch_is_a_run_of_its_own_linked_to_its_parent(fake_workbench: Workbench,
                                                           parent: int) -> None:
    point = BranchPoint(parent, 1, 2, token("r"))
    events = list(run_branch(fake_workbench, point))
    assert events[0] == BranchStarted(events[0].run_id, point)
    texts = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert texts.startswith("Br")  # the parent's "B", then the candidate taken instead
    assert isinstance(events[-2], CycleFinished) and events[-1] == RunFinished("finished", None,
                                                                               1)
    branch = fake_workbench.store.get_run(events[0].run_id)
    assert branch.parent == point.to_dict() and branch.status == "finished"
    assert branch.config["learn"] is True and branch.config["learn_top"] == 3
    (answer,) = branch.cycles
    assert answer.response.startswith("Br") and fake_workbench.store.get_trace(answer.id)
    assert [b.id for b in fake_workbench.store.branches(parent)] == [branch.id]


def test_a_branch_let_go_half_way_is_interrupted_with_its_text(fake_workbench: Workbench,
                                                               parent: int) -> None:
    events = run_branch(fake_workbench, BranchPoint(parent, 1, 2, token("r")))
    started = next(events)
    for event in events:
        if isinstance(event, TokenEvent):
            break
    events.close()
    branch = fake_workbench.store.get_run(started.run_id)
    assert (branch.status, branch.stop_reason) == ("interrupted",
                                                   "the branch was let go before its end")
    assert branch.cycles[0].status == "interrupted"


def test_a_branch_that_cannot_generate_fails_its_run_saying_why(fake_workbench: Workbench,
                                                                parent: int) -> None:
    events = run_branch(fake_workbench, BranchPoint(parent, 1, 2, token("r")), {"n_ctx": 8})
    started = next(events)
    with pytest.raises(PromptTooLongError) as error:
        list(events)
    branch = fake_workbench.store.get_run(started.run_id)
    assert (branch.status, branch.stop_reason) == ("failed", str(error.value))
    assert "context window holds 8" in branch.stop_reason
    (cycle,) = branch.cycles  # it used to stay "running" for ever
    assert (cycle.status, cycle.response, cycle.finish_reason, cycle.error) == (
        "failed", "", "error", str(error.value))


def test_a_branch_broken_half_way_fails_its_cycle_keeping_its_text(fake_workbench: Workbench,
                                                                   parent: int) -> None:
    events = run_branch(fake_workbench, BranchPoint(parent, 1, 2, token("r")))
    started = next(events)
    text = ""
    for event in events:
        if isinstance(event, TokenEvent):
            text += event.text
            if len(text) == 3:
                break
    with pytest.raises(RuntimeError, match="^boom$"):
        events.throw(RuntimeError("boom"))
    branch = fake_workbench.store.get_run(started.run_id)
    assert (branch.status, branch.stop_reason) == ("failed", "boom")
    (cycle,) = branch.cycles
    assert (cycle.status, cycle.response, cycle.tokens, cycle.error) == ("failed", text, 3,
                                                                         "boom")


def test_a_token_outside_the_vocabulary_opens_no_run(fake_workbench: Workbench,
                                                     parent: int) -> None:
    with pytest.raises(InputError, match=r"^Token 257 is not in the vocabulary of fake\.gguf "
                                         r"\(ids 0 to 256\)\.$"):
        list(run_branch(fake_workbench, BranchPoint(parent, 1, 2, 257)))
    assert fake_workbench.store.latest_run_id() == parent


def test_a_remotely_answered_cycle_cannot_branch(fake_workbench: Workbench) -> None:
    store = fake_workbench.store
    run = store.start_run(ChainConfig("hi", models=("gemma@lab",)).to_dict(), this_process())
    cycle = store.start_cycle(run, number=1, model="gemma@lab", model_path=None,
                              model_sha256=None, round=1, item=1, prompt="hi", messages=[],
                              settings={}, random_overrides=None)
    store.finish_cycle(cycle, response="Blue", tokens=1, prompt_tokens=3, seconds=0.1,
                       finish_reason="stop", error=None, status="done")
    store.save_trace(cycle, 2, [{"token_id": -1, "candidates": []}])
    with pytest.raises(InputError) as refused:
        find_parent(fake_workbench, BranchPoint(run, 1, 1, 5))
    assert str(refused.value) == (
        f"Cycle 1 of run {run} was answered by a remote backend, whose tokens Samantha cannot "
        "feed to a model of its own: branch from a cycle answered by a local model.")
