"""One experiment over many machines: simulated OpenAI-compatible servers on 127.0.0.1 (each
with its slots and a fixed time per token, see ``tests/support/sim_servers.py``) stand in for a
rack; cycles spread by placement (:mod:`samantha.core.placement`)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from support.sim_servers import Farm

from samantha.core.backend_specs import BackendSpec
from samantha.core.chain import ChainConfig
from samantha.core.settings import DETERMINISTIC
from samantha.workbench.backends import write_backends
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def rack(home: Path, farm: Farm) -> Workbench:
    write_backends(home, {s.name: BackendSpec(s.name, s.url, "openai") for s in farm.servers})
    return Workbench(home)


def run(bench: Workbench, models: tuple[str, ...], cycles: int, concurrency: int,
        tokens: int = 12) -> list:
    prompts = "\n".join(f"Say {n}." for n in range(cycles))
    chain = bench.start_run(ChainConfig(prompts=prompts, models=models, concurrency=concurrency,
                                        retry_on_other=True,
                                        settings=DETERMINISTIC.replace(max_tokens=tokens)))
    list(chain)
    return bench.store.get_run(chain.id).cycles


@pytest.fixture
def eight(home: Path) -> Iterator[tuple[Farm, Workbench]]:
    with Farm(8, slots=2, seconds_per_token=0.005) as farm:
        bench = rack(home, farm)
        yield farm, bench
        bench.close()


def test_cycles_fill_every_servers_slots_as_each_says(eight) -> None:
    farm, bench = eight
    cycles = run(bench, ("sim@*",), 48, concurrency=16)
    assert len(cycles) == 48 and all(c.status == "done" and c.tokens == 12 for c in cycles)
    assert sorted(c.answered_by for c in cycles) == sorted(
        f"sim@{s.name}" for s in farm.servers for _ in range(6))  # six each
    assert all(s.peak <= 2 for s in farm.servers)  # never more than its slots at once
    assert [(s.slots, s.cycles, s.busy, s.state) for s in bench.remotes.placement.status()] == \
        [(2, 6, 0, "up")] * 8


def test_a_server_that_goes_down_is_benched_then_used_again(eight) -> None:
    farm, bench = eight
    farm.fail(3)
    cycles = run(bench, ("sim@*",), 40, concurrency=8)
    assert all(c.status == "done" for c in cycles)  # its cycles went elsewhere
    down = farm.servers[3]
    assert down.answered == 0 and down.requests <= 2  # benched, not asked again and again
    status = {s.name: s for s in bench.remotes.placement.status()}
    assert status["sim03"].state == "benched" and status["sim03"].failed == down.requests
    farm.fail(3, down=False)
    later = time.monotonic() + 3600
    bench.remotes.placement.clock = lambda: later  # the cool-down is over
    run(bench, ("sim@*",), 16, concurrency=8)
    assert down.answered > 0
    assert {s.name: s for s in bench.remotes.placement.status()}["sim03"].state == "up"


def test_a_server_that_dies_mid_answer_has_its_cycles_answered_again_elsewhere(eight
                                                                               ) -> None:
    farm, bench = eight
    farm.servers[2].down_at_token = 18  # in the middle of its second answer
    cycles = run(bench, ("sim@*",), 64, concurrency=16)
    assert farm.servers[2].broken >= 1
    whole = "".join(f"w{i} " for i in range(12))
    assert [(c.status, c.response) for c in cycles] == [("done", whole)] * 64
    assert sum(c.answered_by == "sim@sim02" for c in cycles) <= 1  # its first answer only


def test_model_after_model_each_server_swaps_once(home: Path) -> None:
    """Four servers that can each serve m1 and m2 (as an Ollama does, one in memory at a
    time); the plan runs m1's cycles, then m2's. m1 spreads over the four; each then loads m2
    once, when m1 no longer needs it: no server swaps back and forth."""
    with Farm(4, slots=1, seconds_per_token=0.005, models=("m1", "m2")) as farm:
        bench = rack(home, farm)
        cycles = run(bench, ("m1@*", "m2@*"), 12, concurrency=4)
        status = bench.remotes.placement.status()
        bench.close()
    assert len(cycles) == 24 and all(c.status == "done" for c in cycles)
    assert all(s.models_asked.get("m1") for s in farm.servers)
    assert sum("m2" in s.models_asked for s in farm.servers) >= 3
    assert [s.swaps for s in status] == [int("m2" in s.models_asked) for s in farm.servers]


def done_cycles(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM cycles WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # not made yet
        return 0


def test_a_fanned_out_run_killed_three_times_resumes_to_exactly_its_cycles(
        home: Path) -> None:
    """`samantha run` of 1,000 cycles over eight servers (32 slots), killed with SIGKILL when
    about 100, 400 and 750 cycles are stored, resumed each time: in the end every cycle is
    stored once, done, with its whole answer."""
    db = home / "history.sqlite3"
    prompts = "\n".join(f"Item {n}." for n in range(1, 1001))
    env = {**os.environ, "SAMANTHA_HOME": str(home)}
    with Farm(8, slots=4, seconds_per_token=0.004) as farm:
        rack(home, farm).close()
        command = ["run", "--prompts", prompts, "-m", "sim@*", "--concurrency", "32",
                   "--retry-on-other", "--max-tokens", "16", "--no-loop-guard"]
        for moment in (100, 400, 750):
            child = subprocess.Popen([sys.executable, "-m", "samantha", *command], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while done_cycles(db) < moment:
                assert child.poll() is None, "the run ended before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)
            child.wait()
            command = ["history", "resume", "1"]
        last = subprocess.run([sys.executable, "-m", "samantha", *command], env=env,
                              capture_output=True, text=True, timeout=300)
        assert last.returncode == 0, last.stderr
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT number, status, tokens, response FROM cycles "
                            "WHERE run_id = 1 ORDER BY number").fetchall()
        status = conn.execute("SELECT status FROM runs WHERE id = 1").fetchone()[0]
    assert status == "finished"
    assert [r[0] for r in rows] == list(range(1, 1001))  # each once
    whole = "".join(f"w{i} " for i in range(16))
    assert all(r[1:] == ("done", 16, whole) for r in rows), [r for r in rows if r[1] != "done"]
    assert sum(s.answered for s in farm.servers) >= 1000  # those cut off were asked again


def test_the_json_of_a_run_says_each_backends_state_before_it_ends(home: Path) -> None:
    with Farm(3, slots=2, seconds_per_token=0.002) as farm:
        rack(home, farm).close()
        out = subprocess.run([sys.executable, "-m", "samantha", "run", "--prompts",
                              "\n".join(f"Item {n}." for n in range(9)), "-m", "sim@*",
                              "--concurrency", "6", "--max-tokens", "4", "--json"],
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "SAMANTHA_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    *_, backends, last = [json.loads(line) for line in out.stdout.splitlines()]
    assert last["event"] == "run_finished" and backends["event"] == "backends"
    assert [(b["name"], b["state"], b["slots"], b["cycles"]) for b in backends["backends"]] == [
        ("sim00", "up", 2, 3), ("sim01", "up", 2, 3), ("sim02", "up", 2, 3)]
