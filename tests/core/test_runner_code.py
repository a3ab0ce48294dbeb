"""Run code automatically in chains: feedback of the output, stop rules (fake engine and a
scripted executor; the real sandbox is tested in tests/execution and end to end)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from samantha.core.chain import ChainConfig
from samantha.core.run_events import CodeRan, CycleFinished, CycleStarted, RunFinished
from samantha.core.runner import ChainRunner

FAKE = "fake.gguf"
CODE_ANSWER = "Here you go:\n```python\nprint('hi')\n```\n"


@dataclass(frozen=True)
class Outcome:
    output: str
    succeeded: bool = True


class ScriptedExecutor:
    """Returns the given outputs in turn and remembers the code it was asked to run."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.codes: list[str] = []

    def run(self, code, cycle, cancel):
        self.codes.append(code)
        return self.outcomes.pop(0) if self.outcomes else Outcome("")


def run(bench, executor, **options):
    options.setdefault("models", (FAKE,))
    runner = ChainRunner(bench, ChainConfig(auto_run_code=True, **options), executor=executor)
    return list(runner.run())


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def test_the_output_is_appended_to_the_fed_back_answer(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": CODE_ANSWER}
    executor = ScriptedExecutor(Outcome("hi"), Outcome("again"))
    events = run(fake_workbench, executor, prompts="one\ntwo", feedback=True)
    assert executor.codes == ["print('hi')\n", "print('hi')\n"]
    second = of(events, CycleStarted)[1]
    assert second.messages[1].content == CODE_ANSWER + "\n\nPython interpreter output:\n\nhi"
    assert [e.result.output for e in of(events, CodeRan)] == ["hi", "again"]


def test_feed_back_interpreter_output_only(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": CODE_ANSWER}
    events = run(fake_workbench, ScriptedExecutor(Outcome("42")), prompts="one\ntwo",
                 feedback_output_only=True)
    assert of(events, CycleStarted)[1].messages[1].content == "42"


def test_output_only_falls_back_to_the_answer_when_no_code_ran(fake_workbench,
                                                              fake_engine) -> None:
    fake_engine.answers = {"": "No code here."}
    executor = ScriptedExecutor()
    events = run(fake_workbench, executor, prompts="one\ntwo", feedback_output_only=True)
    assert executor.codes == [] and of(events, CodeRan) == []
    assert of(events, CycleStarted)[1].messages[1].content == "No code here."


def test_stop_samantha_in_the_output_stops_the_run(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": CODE_ANSWER}
    events = run(fake_workbench, ScriptedExecutor(Outcome(""), Outcome("x STOP_SAMANTHA")),
                 prompts="go", loops=5)
    assert len(of(events, CycleFinished)) == 2
    assert events[-1].status == "finished" and "printed STOP_SAMANTHA" in events[-1].reason


def test_stop_samantha_in_the_prose_stops_the_run(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "All done. STOP_SAMANTHA"}
    events = run(fake_workbench, ScriptedExecutor(), prompts="go", loops=3)
    assert len(of(events, CycleFinished)) == 1 and "the answer says" in events[-1].reason


def test_stop_samantha_inside_code_alone_does_not_stop(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "```python\nif x < 4:\n    print('STOP_SAMANTHA')\n```"}
    events = run(fake_workbench, ScriptedExecutor(Outcome(""), Outcome(""), Outcome("")),
                 prompts="go", loops=3)
    assert len(of(events, CycleFinished)) == 3 and events[-1].reason is None


@pytest.mark.parametrize("outcomes, cycles", [
    ([Outcome(""), Outcome(""), Outcome("3")], 3),  # the seed's example: stops at the first print
    ([Outcome("Traceback ...", succeeded=False), Outcome("7")], 2),  # errors do not count
    ([Outcome("   \n"), Outcome("ok")], 2),  # whitespace is not output
])
def test_stop_condition(fake_workbench, fake_engine, outcomes, cycles) -> None:
    fake_engine.answers = {"": CODE_ANSWER}
    events = run(fake_workbench, ScriptedExecutor(*outcomes), prompts="go", loops=20,
                 stop_condition=True)
    assert len(of(events, CycleFinished)) == cycles
    assert "stop condition" in events[-1].reason


def test_without_the_stop_condition_output_does_not_stop(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": CODE_ANSWER}
    events = run(fake_workbench, ScriptedExecutor(Outcome("3")), prompts="go", loops=3)
    assert len(of(events, CycleFinished)) == 3 and isinstance(events[-1], RunFinished)
