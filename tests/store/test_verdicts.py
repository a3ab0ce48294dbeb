"""A judgement's verdict is stored with its cycle (migration m009_verdicts), read back with the
run, and exported in Markdown, HTML and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samantha.core.verdict import Verdict, read_verdict
from samantha.documents.export import run_to_html, run_to_json, run_to_markdown
from samantha.store import CycleNotFoundError, RunStore

NAMES = ("AI 1", "AI 2")
WON = read_verdict('{"winner": "AI 1", "scores": {"AI 1": 8, "AI 2": 3}, "reason": "It <b>is</b>'
                   ' clearer."}', NAMES)
UNREAD = read_verdict("AI 1, surely", NAMES)


def stored(store: RunStore, cycle_args, *verdicts: Verdict | None):
    run_id = store.start_run({"prompts": "x"})
    for number, verdict in enumerate(verdicts, start=1):
        cycle = store.start_cycle(run_id, **cycle_args(number))
        store.finish_cycle(cycle, response="{}", tokens=3, prompt_tokens=2, seconds=0.5,
                           finish_reason="stop", error=None, status="done")
        if verdict is not None:
            store.set_verdict(cycle, verdict.to_dict())
    store.finish_run(run_id, "finished")
    return store.get_run(run_id)


def test_a_verdict_is_kept_with_its_cycle(store: RunStore, cycle_args) -> None:
    run = stored(store, cycle_args, None, WON, UNREAD)
    assert [c.verdict for c in run.cycles] == [None, WON.to_dict(), UNREAD.to_dict()]
    assert Verdict.from_dict(run.cycles[1].verdict) == WON


def test_a_verdict_for_no_cycle_is_refused(store: RunStore) -> None:
    with pytest.raises(CycleNotFoundError):
        store.set_verdict(999, WON.to_dict())


def test_a_history_made_before_verdicts_gets_the_column(db: Path, cycle_args) -> None:
    import sqlite3

    from samantha.store.migrations import MIGRATIONS, migrate

    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:8])  # up to m008, before verdicts
    conn.close()
    with RunStore(db) as store:
        assert stored(store, cycle_args, WON).cycles[0].verdict == WON.to_dict()


def test_exports_carry_the_verdict(store: RunStore, cycle_args) -> None:
    run = stored(store, cycle_args, None, WON, UNREAD)
    markdown = run_to_markdown(run)
    assert ("**Verdict: AI 1 wins. Scores: AI 1 8/10, AI 2 3/10. Reason: It <b>is</b> "
            "clearer.**") in markdown
    assert "**Verdict: none could be read (the answer is not JSON (Expecting value at " \
           "character 1)); nothing is guessed.**" in markdown
    page = run_to_html(run)
    assert "<strong>Verdict: AI 1 wins." in page and "<b>is</b>" not in page
    cycles = json.loads(run_to_json(run))["cycles"]
    assert [c["verdict"] for c in cycles] == [None, WON.to_dict(), UNREAD.to_dict()]
