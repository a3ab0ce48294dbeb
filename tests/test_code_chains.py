"""Run code automatically: the fake engine writes the code, the real sandbox runs it, the real
SQLite history keeps it."""

from __future__ import annotations

from samantha.core.chain import ChainConfig
from samantha.core.events import CodeRan, CycleFinished, RunFinished

RANDOM_CODE = """Here is the code:
```python
import random

def pick():
    n = random.randint(1, 10)
    print(n if n < 4 else '')

pick()
```
"""
SEED_PROMPT = (
    "Follow the instructions below step by step:\n"
    "1) Create a Python function that generates a random number between 1 and 10. If the number "
    "returned is less than 4, print that number. Otherwise, print ''.\n"
    "2) Execute the function.\nAttention: Write only the code. Do not include comments.\n$$$")


def run(bench, **options):
    chain = bench.start_run(ChainConfig(models=("fake.gguf",), **options))
    return chain, list(chain)


def test_the_seeds_stop_condition_example(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": RANDOM_CODE}
    chain, events = run(fake_workbench, prompts=SEED_PROMPT, auto_run_code=True,
                        stop_condition=True, loops=20, feedback=True)
    outputs = [e.result.output for e in events if isinstance(e, CodeRan)]
    assert outputs and all(out == "" for out in outputs[:-1])
    assert outputs[-1] in {"1", "2", "3"} or len(outputs) == 20
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    stored = fake_workbench.store.get_run(chain.id)
    assert len(stored.cycles) == len(outputs)
    if outputs[-1]:
        assert "stop condition" in finished.reason and stored.stop_reason == finished.reason
        assert stored.status == "finished"
    runs = fake_workbench.store.code_runs(chain.id)
    assert [r.stdout.strip() for r in runs] == outputs
    assert all(r.cycle_id == c.id for r, c in zip(runs, stored.cycles))


def test_an_infinite_loop_is_killed_and_the_chain_goes_on(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"loop": "```python\nwhile True:\n    pass\n```",
                           "": "```python\nprint('second')\n```"}
    chain, events = run(fake_workbench, prompts="loop\nnext", auto_run_code=True,
                        code_timeout=1.5)
    first, second = [e.result for e in events if isinstance(e, CodeRan)]
    assert first.timed_out and "1.5" in (first.limit or "") and second.output == "second"
    assert len([e for e in events if isinstance(e, CycleFinished)]) == 2


def test_an_answer_without_code_runs_nothing(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "Just words."}
    chain, events = run(fake_workbench, prompts="a\nb", auto_run_code=True, feedback=True)
    assert not any(isinstance(e, CodeRan) for e in events)
    assert fake_workbench.store.code_runs(chain.id) == []
    second = fake_workbench.store.get_run(chain.id).cycles[1]
    assert second.messages[1]["content"] == "Just words."


def test_output_is_fed_back_and_figures_are_saved(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"chart": "```python\nimport matplotlib.pyplot as plt\n"
                                   "plt.plot([1, 2, 3])\nplt.show()\nprint('drawn')\n```",
                           "": "ok"}
    chain, events = run(fake_workbench, prompts="chart\nthen", auto_run_code=True, feedback=True)
    (ran,) = [e for e in events if isinstance(e, CodeRan)]
    assert ran.result.output == "drawn" and len(ran.result.figures) == 1
    assert ran.result.figures[0].read_bytes()[:4] == b"\x89PNG"
    assert str(fake_workbench.home / "runs" / str(chain.id)) in str(ran.result.work_dir)
    second = fake_workbench.store.get_run(chain.id).cycles[1]
    assert second.messages[1]["content"].endswith("Python interpreter output:\n\ndrawn")


def test_stop_samantha_printed_by_the_code(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "```python\nprint('STOP_SAMANTHA')\n```"}
    chain, events = run(fake_workbench, prompts="go", auto_run_code=True, loops=5)
    assert len([e for e in events if isinstance(e, CodeRan)]) == 1
    assert "STOP_SAMANTHA" in fake_workbench.store.get_run(chain.id).stop_reason


def test_a_syntax_error_is_not_a_success(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "```python\nprint('x'\n```"}
    chain, events = run(fake_workbench, prompts="go", auto_run_code=True, stop_condition=True,
                        loops=2)
    results = [e.result for e in events if isinstance(e, CodeRan)]
    assert len(results) == 2 and not results[0].succeeded and results[0].exit_status != 0
    assert "SyntaxError" in results[0].stderr
