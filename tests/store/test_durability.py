"""The history under stress: a process killed mid-cycle, processes and threads writing at once,
and the connection settings that make this safe (WAL, busy timeout, foreign keys)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import samantha
from samantha.store import RunStore
from samantha.store.migrations import MIGRATIONS

CycleArgs = Callable[..., dict[str, object]]
SRC = Path(samantha.__file__).resolve().parents[1]


def run_child(code: str, *args: str, **popen: object) -> subprocess.Popen[str]:
    """Start a Python child process that imports the samantha package under test."""
    path = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
    )


def test_connection_settings(store: RunStore, db: Path) -> None:
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = store._conn  # the store's own connection, as its writes use it
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def test_a_killed_process_leaves_finished_and_partial_cycles(db: Path) -> None:
    child = run_child(
        """
        import os, signal, sys
        from pathlib import Path
        from samantha.store import RunStore

        store = RunStore(Path(sys.argv[1]))
        run = store.start_run({"prompts": "durable"})
        args = dict(model="default", model_path=None, model_sha256=None, round=1, item=1,
                    prompt="p", messages=[], settings={}, random_overrides=None)
        first = store.start_cycle(run, number=1, **args)
        store.update_partial(first, "one two", 2)
        store.finish_cycle(first, response="one two three", tokens=3, prompt_tokens=1,
                           seconds=0.5, finish_reason="stop", error=None, status="done")
        second = store.start_cycle(run, number=2, **args)
        store.update_partial(second, "half an ans", 3)
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        str(db),
    )
    _, err = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, err
    assert Path(f"{db}-wal").exists()  # never checkpointed: what follows comes from the WAL

    with RunStore(db) as store:
        run = store.get_run(store.latest_run_id())
    assert (run.config, run.status, run.finished_at) == ({"prompts": "durable"}, "running", None)
    first, second = run.cycles
    assert (first.status, first.response, first.tokens) == ("done", "one two three", 3)
    assert (second.status, second.response, second.tokens) == ("running", "half an ans", 3)


WRITER = """
    import sys
    import time
    from pathlib import Path
    from samantha.store import RunStore

    print("ready", flush=True)
    sys.stdin.readline()  # both children open the fresh file and write at the same moment
    with RunStore(Path(sys.argv[1])) as store:
        run = store.start_run({"prompts": sys.argv[2]})
        for n in range(1, 201):
            cycle = store.start_cycle(
                run, number=n, model="default", model_path=None, model_sha256=None, round=1,
                item=n, prompt=f"{sys.argv[2]} {n}", messages=[{"role": "user", "content": "hi"}],
                settings={"seed": n}, random_overrides={"temperature": n / 200})
            for token in range(1, 6):  # partial text streams in, one write per token
                time.sleep(0.0005)  # the model choosing a token: the other writer gets a turn
                store.update_partial(cycle, f"answer {n}"[: token * 2], token)
            store.finish_cycle(cycle, response=f"answer {n}", tokens=2, prompt_tokens=1,
                               seconds=0.01, finish_reason="stop", error=None, status="done")
        store.finish_run(run, "finished")
"""


def test_two_processes_write_at_once(db: Path) -> None:
    children = [run_child(WRITER, str(db), name, stdin=subprocess.PIPE) for name in ("a", "b")]
    for child in children:
        assert child.stdout.readline() == "ready\n"
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        _, err = child.communicate(timeout=300)
        assert child.returncode == 0, err

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM cycles WHERE status = 'done'").fetchone()[0] == 400
    spans = conn.execute("SELECT min(id), max(id) FROM cycles GROUP BY run_id").fetchall()
    (first_a, last_a), (first_b, last_b) = spans
    assert first_a < last_b and first_b < last_a  # the writes did interleave
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
    with RunStore(db) as store:
        runs = store.list_runs()
        assert sorted(r.config["prompts"] for r in runs) == ["a", "b"]
        for summary in runs:
            run = store.get_run(summary.id)
            assert run.status == "finished"
            assert [c.number for c in run.cycles] == list(range(1, 201))
            assert {c.response for c in run.cycles} == {f"answer {n}" for n in range(1, 201)}


def test_stores_opened_together_on_a_fresh_file(tmp_path: Path) -> None:
    """The first open switches the file to WAL and migrates it; racing openers must all succeed."""
    for attempt in range(30):
        path = tmp_path / f"fresh-{attempt}.sqlite"
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def open_and_write() -> None:
            barrier.wait()
            try:
                with RunStore(path) as opened:
                    opened.start_run({})
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                errors.append(exc)

        threads = [threading.Thread(target=open_and_write) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 4
        assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
        conn.close()


@pytest.fixture
def busy_thread_switching() -> Iterator[None]:
    """Switch threads as often as possible, so one thread's transaction meets another's."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("busy_thread_switching")
def test_threads_share_one_store(store: RunStore, cycle_args: CycleArgs) -> None:
    run_id = store.start_run({"prompts": "threads"})
    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for n in range(offset, offset + 50):
                cycle = store.start_cycle(run_id, **cycle_args(n))
                store.update_partial(cycle, "x", 1)
                store.finish_cycle(cycle, response=str(n), tokens=1, prompt_tokens=1, seconds=0,
                                   finish_reason="stop", error=None, status="done")
                store.list_runs(search="threads")
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(1 + 50 * k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    run = store.get_run(run_id)
    assert [c.number for c in run.cycles] == list(range(1, 201))
    assert all(c.response == str(c.number) and c.status == "done" for c in run.cycles)
