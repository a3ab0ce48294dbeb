"""The History tab's list of runs, in the interface's language."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from samantha.store import RunStore
from samantha.ui.history_tab import HistoryTab
from samantha.ui.texts import texts


def test_each_runs_status_is_said_in_the_interfaces_language(tmp_path: Path) -> None:
    with RunStore(tmp_path / "history.sqlite3") as store:
        ended = store.start_run({"models": ["default"], "prompts": "Olá"})
        store.finish_run(ended, "finished")
        stopped = store.start_run({"models": ["default"], "prompts": "Oi"})
        store.finish_run(stopped, "stopped")
        bench = SimpleNamespace(store=store)
        said = {row[0]: row[2] for row in HistoryTab(bench, texts("pt"), lang="pt").rows("")}
        assert said == {ended: "concluída", stopped: "parada"}
        said = {row[0]: row[2] for row in HistoryTab(bench, texts("en")).rows("")}
        assert said == {ended: "finished", stopped: "stopped"}
