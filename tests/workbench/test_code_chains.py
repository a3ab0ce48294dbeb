"""Run code automatically: the fake engine writes the code, the real sandbox runs it, the real
SQLite history keeps it."""

from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest
from support.hostile import an_address_of_this_machine

from samantha.core.chain import ChainConfig
from samantha.core.run_events import CodeRan, CycleFinished, RunFinished
from samantha.execution import Sandbox, SandboxUnavailable

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


@pytest.fixture
def listening() -> Iterator[tuple[str, int]]:
    """A server on this machine's network address (what allowed code may reach, unlike
    127.0.0.1) that answers "hello" once per connection, for a few seconds."""
    with an_address_of_this_machine() as address:
        yield from _hello_server(address)


def _hello_server(address: str) -> Iterator[tuple[str, int]]:
    listener = socket.socket()
    listener.bind((address, 0))
    listener.listen(4)
    listener.settimeout(15)

    def serve() -> None:
        try:
            while True:
                connection, _ = listener.accept()
                with connection:
                    connection.sendall(b"hello")
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()
    listener.close()


def test_allow_network_reaches_the_chains_code(fake_workbench, fake_engine, listening) -> None:
    """allow_network in the chain goes to every code run of the run (and only that run)."""
    sandbox = Sandbox("bubblewrap")
    try:
        sandbox.bubblewrap()
    except SandboxUnavailable as exc:
        pytest.fail(str(exc))
    fake_workbench.sandbox = sandbox
    fake_engine.answers = {"": f"""```python
import socket
try:
    with socket.create_connection({listening!r}, timeout=3) as s:
        print("reached", s.recv(5).decode())
except OSError as error:
    print("unreachable", type(error).__name__)
```"""}
    outputs = {}
    for allowed in (False, True):
        chain, events = run(fake_workbench, prompts="go", auto_run_code=True,
                            allow_network=allowed)
        (ran,) = [e.result for e in events if isinstance(e, CodeRan)]
        outputs[allowed] = ran.output
        (stored,) = fake_workbench.store.code_runs(chain.id)
        assert stored.isolation == "bubblewrap" == ran.isolation
        assert stored.isolation_note == ran.isolation_note
        assert ("this run allowed it" in stored.isolation_note) is allowed
    assert outputs == {False: "unreachable OSError", True: "reached hello"}  # no route


def test_a_run_without_isolation_is_stored_as_such(fake_workbench, fake_engine) -> None:
    fake_workbench.sandbox = Sandbox("rlimits")
    fake_engine.answers = {"": "```python\nprint(1)\n```"}
    chain, _ = run(fake_workbench, prompts="go", auto_run_code=True)
    (stored,) = fake_workbench.store.code_runs(chain.id)
    assert stored.isolation == "rlimits (not isolated)"
    assert "no boundary against hostile code" in stored.isolation_note
