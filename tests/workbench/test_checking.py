"""A run's answers checked as they finish (workbench.checking): the item's {check=…} and the
chain's checks, the plain ones and those run in the sandbox, each stored with its cycle and said
in the run's events; a failed check never fails the run."""

from __future__ import annotations

import pytest

from samantha.core.chain import ChainConfig, ChainConfigError
from samantha.core.promptscript import PromptScriptError
from samantha.core.run_events import ChecksDone, RunFinished

ANSWERS = {
    "capital": "The capital of France is Paris.",
    "code": "```python\nprint(6 * 7)\n```",
    "broken": "```python\nraise SystemExit(3)\n```",
    "json": '```json\n{"name": "Ada", "age": 36}\n```',
}
SCRIPT = (
    '{check=["contains:Paris", "not-icontains:london", "regex:^The", "words:3..10", '
    '"python:answer.endswith(\'.\')"]} The capital?\n'
    '{check=["contains:Rome", "regex:\\\\d", "chars:..5", "python:len(answer) < 3"]} capital '
    'again?\n'
    '{check=["runs", "output:42", "output:43"]} code please\n'
    '{check=["runs"]} broken code please\n'
    '{check=["json", "schema:{\\"type\\": \\"object\\", \\"required\\": [\\"name\\"]}", '
    '"schema:{\\"required\\": [\\"email\\"]}"]} json please\n'
)


def test_every_answer_is_checked_and_the_checks_are_stored(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"capital": ANSWERS["capital"], "broken": ANSWERS["broken"],
                           "code": ANSWERS["code"], "json": ANSWERS["json"]}
    config = ChainConfig(prompts=SCRIPT, models=("fake.gguf",), checks=("tokens:1..",))
    chain = fake_workbench.start_run(config)
    events = list(chain)
    assert isinstance(events[-1], RunFinished) and events[-1].status == "finished"
    done = [e for e in events if isinstance(e, ChecksDone)]
    said = [[(r.spec, r.passed) for r in e.results] for e in done]
    assert said == [
        [("contains:Paris", True), ("not-icontains:london", True), ("regex:^The", True),
         ("words:3..10", True), ("python:answer.endswith('.')", True), ("tokens:1..", True)],
        [("contains:Rome", False), ("regex:\\d", False), ("chars:..5", False),
         ("python:len(answer) < 3", False), ("tokens:1..", True)],
        [("runs", True), ("output:42", True), ("output:43", False), ("tokens:1..", True)],
        [("runs", False), ("tokens:1..", True)],
        [("json", True), ('schema:{"type": "object", "required": ["name"]}', True),
         ('schema:{"required": ["email"]}', False), ("tokens:1..", True)],
    ]
    stored = fake_workbench.store.checks(chain.id)
    assert [(c.spec, c.passed) for c in stored] == [pair for one in said for pair in one]
    assert all(c.detail for c in stored)


def test_an_answer_with_no_code_fails_a_code_check(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "No code here."}
    chain = fake_workbench.start_run(ChainConfig(prompts="{check=output:1} hi",
                                                 models=("fake.gguf",)))
    checked = [e for e in chain if isinstance(e, ChecksDone)]
    assert [(r.passed, r.detail) for r in checked[0].results] == [
        (False, "the answer has no Python code")]


def test_a_run_without_checks_yields_none(fake_workbench) -> None:
    events = list(fake_workbench.start_run(ChainConfig(prompts="hi", models=("fake.gguf",))))
    assert not any(isinstance(e, ChecksDone) for e in events)


def test_bad_checks_are_refused_before_anything_runs(fake_workbench) -> None:
    with pytest.raises(PromptScriptError, match="item 1, line 1, column 8: Unknown check kind "
                                                "'contain'. Did you mean 'contains'"):
        fake_workbench.start_run(ChainConfig(prompts="{check=contain:x} hi",
                                             models=("fake.gguf",)))
    with pytest.raises(ChainConfigError, match="checks: .*range"):
        ChainConfig(prompts="hi", checks=("words:9..1",))
    assert fake_workbench.store.list_runs() == []
