"""RunStore round trips on a real SQLite file: runs, cycles, partial text, search, errors, and
the cache of model file hashes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from samantha.core.errors import InputError, SamanthaError
from samantha.store import CycleNotFoundError, HistoryError, RunNotFoundError, RunStore

CycleArgs = Callable[..., dict[str, object]]


# -- round trips --------------------------------------------------------------------------------


def test_run_with_cycles_round_trips_every_field(store: RunStore, cycle_args: CycleArgs) -> None:
    config = {
        "prompts": "Grüß dich 🌍\nsecond", "system": "Sei kurz.", "models": ["default", "ü.gguf"],
        "settings": {"temperature": 0.5, "stop": ["\n\n"]},
    }
    run_id = store.start_run(config)
    messages = [{"role": "system", "content": "Sei kurz."}, {"role": "user", "content": "名前は？"}]
    second = store.start_cycle(run_id, **cycle_args(
        2, model="ü.gguf", model_path=None, model_sha256=None, round=2, item=1, prompt="名前は？",
        messages=messages, settings={"top_k": 40, "seed": 7, "nested": {"a": [1, 2.5]}},
        random_overrides={"temperature": 0.91, "top_p": 0.42},
    ))
    first = store.start_cycle(run_id, **cycle_args(1))  # stored after, shown first: by number
    store.finish_cycle(second, response="Ich heiße «Samantha» 😊", tokens=9, prompt_tokens=17,
                       seconds=1.25, finish_reason="length", error=None, status="done")
    store.finish_cycle(first, response="", tokens=0, prompt_tokens=3, seconds=0.01,
                       finish_reason="error", error="engine crashed", status="failed")
    store.finish_run(run_id, "stopped", stop_reason="keyword 'Ende' seen")

    run = store.get_run(run_id)
    assert (run.id, run.status, run.stop_reason, run.config) == (
        run_id, "stopped", "keyword 'Ende' seen", config)
    assert run.title == "Grüß dich 🌍"
    assert run.started_at <= run.finished_at and run.finished_at.endswith("+00:00")
    assert [c.number for c in run.cycles] == [1, 2]
    assert [c.id for c in run.cycles] == [first, second]
    c1, c2 = run.cycles
    assert (c1.status, c1.error, c1.finish_reason, c1.response) == (
        "failed", "engine crashed", "error", "")
    assert (c1.model_path, c1.model_sha256, c1.random_overrides) == (
        "/models/m.gguf", "ab" * 32, None)
    assert c2.run_id == run_id
    assert (c2.model, c2.model_path, c2.model_sha256) == ("ü.gguf", None, None)
    assert (c2.round, c2.item, c2.prompt, c2.messages) == (2, 1, "名前は？", messages)
    assert c2.settings == {"top_k": 40, "seed": 7, "nested": {"a": [1, 2.5]}}
    assert c2.random_overrides == {"temperature": 0.91, "top_p": 0.42}
    assert (c2.response, c2.tokens, c2.prompt_tokens, c2.seconds) == (
        "Ich heiße «Samantha» 😊", 9, 17, 1.25)
    assert (c2.finish_reason, c2.error, c2.status) == ("length", None, "done")
    assert c2.started_at <= c2.finished_at


def test_json_is_stored_readable_not_escaped(store: RunStore, db: Path) -> None:
    store.start_run({"prompts": "Grüß 🌍"})
    stored = sqlite3.connect(db).execute("SELECT config_json FROM runs").fetchone()[0]
    assert stored == '{"prompts": "Grüß 🌍"}'


def test_list_runs_newest_first_without_cycles(store: RunStore, cycle_args: CycleArgs) -> None:
    assert store.list_runs() == [] and store.latest_run_id() is None
    ids = [store.start_run({"prompts": f"run {n}"}) for n in range(5)]
    store.start_cycle(ids[0], **cycle_args(1))
    runs = store.list_runs()
    assert [r.id for r in runs] == ids[::-1]
    assert all(r.cycles == [] and r.status == "running" for r in runs)
    assert [r.id for r in store.list_runs(limit=2)] == [ids[4], ids[3]]
    assert store.list_runs(limit=0) == []
    assert store.latest_run_id() == ids[-1]


def test_search_matches_config_text_and_cycle_text_ignoring_case(
    store: RunStore, cycle_args: CycleArgs
) -> None:
    by_prompt = store.start_run({"prompts": "Write a HAIKU about Straße", "models": ["default"]})
    by_system = store.start_run({"prompts": "x", "system": "You are a pirate", "models": []})
    by_model = store.start_run({"prompts": "y", "models": ["tiny-llama.gguf"]})
    by_response = store.start_run({"prompts": "z"})
    cycle = store.start_cycle(by_response, **cycle_args(1, prompt="tell me 100% of it_all"))
    store.finish_cycle(cycle, response="The ÉLÉPHANT sleeps", tokens=3, prompt_tokens=1,
                       seconds=0.1, finish_reason="stop", error=None, status="done")

    def found(text: str | None) -> list[int]:
        return [r.id for r in store.list_runs(search=text)]

    assert found("haiku") == [by_prompt]
    assert found("STRASSE") == [by_prompt]  # full Unicode case folding, not ASCII-only LIKE
    assert found("Pirate") == [by_system]
    assert found("TINY-llama") == [by_model]
    assert found("éléphant") == [by_response]
    assert found("100% of it_") == [by_response]  # % and _ are plain characters
    assert found("%") == [by_response]
    assert found("nowhere") == []
    assert found("prompts") == []  # the JSON keys are not searched, only their text
    assert found(None) == found("") == found("  ") == [by_response, by_model, by_system, by_prompt]
    assert [r.id for r in store.list_runs(search="a", limit=1)] == [by_response]


# -- cycles -------------------------------------------------------------------------------------


def test_partial_text_then_finish(store: RunStore, cycle_args: CycleArgs) -> None:
    run_id = store.start_run({"prompts": "p"})
    cycle = store.start_cycle(run_id, **cycle_args(1))
    fresh = store.get_run(run_id).cycles[0]
    assert (fresh.status, fresh.response, fresh.tokens, fresh.finished_at) == (
        "running", "", 0, None)

    store.update_partial(cycle, "Once upon", 2)
    partial = store.get_run(run_id).cycles[0]
    assert (partial.status, partial.response, partial.tokens) == ("running", "Once upon", 2)

    store.finish_cycle(cycle, response="Once upon a time.", tokens=5, prompt_tokens=4,
                       seconds=0.3, finish_reason="stop", error=None, status="done")
    store.update_partial(cycle, "Once", 1)  # a late partial from another thread changes nothing
    done = store.get_run(run_id).cycles[0]
    assert (done.status, done.response, done.tokens, done.prompt_tokens) == (
        "done", "Once upon a time.", 5, 4)
    assert done.finished_at is not None


def test_record_skipped(store: RunStore) -> None:
    run_id = store.start_run({"prompts": "p"})
    cycle = store.record_skipped(run_id, number=3, model="gone.gguf", round=1, item=2,
                                 prompt="second item", reason="Model gone.gguf not found.")
    (skipped,) = store.get_run(run_id).cycles
    assert skipped.id == cycle
    assert (skipped.status, skipped.error, skipped.model, skipped.number) == (
        "skipped", "Model gone.gguf not found.", "gone.gguf", 3)
    assert (skipped.round, skipped.item, skipped.prompt) == (1, 2, "second item")
    assert (skipped.messages, skipped.settings, skipped.random_overrides) == ([], {}, None)
    assert (skipped.response, skipped.tokens, skipped.model_path) == ("", 0, None)
    assert skipped.finished_at is not None


def test_missing_run_or_cycle_says_what_to_do(store: RunStore, cycle_args: CycleArgs) -> None:
    with pytest.raises(InputError) as caught:
        store.get_run(12)
    assert str(caught.value) == "No run 12 in the history. `samantha history list` shows the runs."
    assert isinstance(caught.value, RunNotFoundError) and caught.value.run_id == 12
    with pytest.raises(RunNotFoundError, match="No run 5 "):
        store.finish_run(5, "finished")
    with pytest.raises(RunNotFoundError, match="No run 6 "):
        store.start_cycle(6, **cycle_args(1))
    with pytest.raises(RunNotFoundError, match="No run 7 "):
        store.record_skipped(7, number=1, model="m", round=1, item=1, prompt="p", reason="r")
    with pytest.raises(CycleNotFoundError, match="No cycle 9 "):
        store.update_partial(9, "x", 1)
    with pytest.raises(CycleNotFoundError, match="No cycle 9 "):
        store.finish_cycle(9, response="", tokens=0, prompt_tokens=0, seconds=0,
                           finish_reason=None, error=None, status="done")
    assert store.list_runs() == []  # nothing half-written by the failures


@pytest.mark.parametrize("status", ["running", "finished", "stopped", "failed"])
def test_finish_run_statuses(store: RunStore, status: str) -> None:
    run_id = store.start_run({})
    store.finish_run(run_id, status, stop_reason="why")
    run = store.get_run(run_id)
    assert (run.status, run.stop_reason) == (status, "why")
    assert run.finished_at is not None


def test_unknown_statuses_are_refused(store: RunStore, cycle_args: CycleArgs) -> None:
    run_id = store.start_run({})
    cycle = store.start_cycle(run_id, **cycle_args(1))
    with pytest.raises(ValueError, match="finished, stopped, failed, not 'done'"):
        store.finish_run(run_id, "done")
    with pytest.raises(ValueError, match="done, failed, skipped, not 'running'"):
        store.finish_cycle(cycle, response="", tokens=0, prompt_tokens=0, seconds=0,
                           finish_reason=None, error=None, status="running")
    assert store.get_run(run_id).status == "running"


def test_deleting_a_run_deletes_its_cycles(
    store: RunStore, db: Path, cycle_args: CycleArgs
) -> None:
    run_id = store.start_run({})
    store.start_cycle(run_id, **cycle_args(1))
    store.close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    with conn:
        conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
    assert conn.execute("SELECT count(*) FROM cycles").fetchone()[0] == 0


def test_closed_store_refuses_work(db: Path) -> None:
    with RunStore(db) as store:
        store.start_run({})
    with pytest.raises(sqlite3.ProgrammingError):
        store.list_runs()
    store.close()  # closing twice is harmless


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not sqlite, " * 100)
    with pytest.raises(HistoryError, match="cannot be used .* move it aside") as caught:
        RunStore(path)
    assert isinstance(caught.value, SamanthaError) and str(path) in str(caught.value)


# -- model file hashes --------------------------------------------------------------------------


def test_sha256_cache_hits_until_the_file_changes(
    store: RunStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"weights")
    assert store.cached_sha256(model) is None
    store.remember_sha256(model, "1" * 64)
    assert store.cached_sha256(model) == "1" * 64
    monkeypatch.chdir(tmp_path)
    assert store.cached_sha256(Path("model.gguf")) == "1" * 64  # relative paths share the entry

    model.write_bytes(b"other weights")  # a different size
    assert store.cached_sha256(model) is None
    store.remember_sha256(model, "2" * 64)
    assert store.cached_sha256(model) == "2" * 64

    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # same size, new mtime
    assert store.cached_sha256(model) is None

    model.unlink()
    assert store.cached_sha256(model) is None
    with pytest.raises(InputError, match="does not exist"):
        store.remember_sha256(model, "3" * 64)


def test_traces_round_trip_compressed(store, cycle_args) -> None:
    run_id = store.start_run({"prompts": "x"})
    cycle_id = store.start_cycle(run_id, **cycle_args(1))
    other = store.start_cycle(run_id, **cycle_args(2))
    steps = [{"step": i, "token_id": i, "piece": "olá", "candidates": [{"id": i, "p": 0.5}] * 10}
             for i in range(500)]
    store.save_trace(cycle_id, 10, steps)
    assert store.get_trace(cycle_id) == steps
    assert store.get_trace(other) == []
    import sqlite3

    size = sqlite3.connect(store.path).execute(
        "SELECT length(steps) FROM traces WHERE cycle_id = ?", (cycle_id,)).fetchone()[0]
    assert size < len(str(steps)) / 10  # stored compactly


def test_code_runs_round_trip(store, cycle_args) -> None:
    run_id = store.start_run({"prompts": "x"})
    cycle_id = store.start_cycle(run_id, **cycle_args(1))
    store.record_code_run(run_id, cycle_id, code="print('olá')\n", dropped=["pip install x"],
                          stdout="olá\n", stderr="", exit_status=0, seconds=0.2, timed_out=False,
                          limit=None, work_dir="/w", files=["/w/a.csv"], figures=["/w/f.png"])
    (record,) = store.code_runs(run_id)
    assert (record.cycle_id, record.code, record.dropped, record.stdout, record.exit_status,
            record.timed_out, record.files, record.figures) == (
        cycle_id, "print('olá')\n", ["pip install x"], "olá\n", 0, False, ["/w/a.csv"],
        ["/w/f.png"])
    assert (record.isolation, record.isolation_note) == (None, None)  # not given: unknown
    assert store.code_runs(run_id + 1) == []


def test_code_runs_keep_their_isolation(store, cycle_args) -> None:
    run_id = store.start_run({"prompts": "x"})
    cycle_id = store.start_cycle(run_id, **cycle_args(1))
    for isolation in ("bubblewrap", "rlimits (not isolated)"):
        store.record_code_run(run_id, cycle_id, code="print(1)", dropped=[], stdout="1\n",
                              stderr="", exit_status=0, seconds=0.1, timed_out=False, limit=None,
                              work_dir="/w", files=[], figures=[], isolation=isolation,
                              isolation_note=f"note for {isolation}")
    assert [(r.isolation, r.isolation_note) for r in store.code_runs(run_id)] == [
        ("bubblewrap", "note for bubblewrap"),
        ("rlimits (not isolated)", "note for rlimits (not isolated)")]
