"""The History tab's list of runs, in the interface's language."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr

from samantha.store import RunStore
from samantha.ui.history.tab import HistoryTab
from samantha.ui.words.table import texts


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


def test_a_row_shows_the_prompt_before_the_models_file_names(tmp_path: Path) -> None:
    long = "/home/someone/.local/share/samantha/models/some/folder/tiny-chat.Q4_K_M.gguf"
    with RunStore(tmp_path / "history.sqlite3") as store:
        run = store.start_run({"models": [long, "default"], "prompts": "Name a river.\nWhy?"})
        bench = SimpleNamespace(store=store)
        for lang in ("en", "pt"):
            t = texts(lang)
            row = HistoryTab(bench, t, lang=lang).rows("")[0]
            headers = t["history_headers"].label.split("|")
            assert len(row) == len(headers) == 5
            assert dict(zip(headers, row))[headers[3]] == "Name a river."  # prompts, 4th
            assert row[4] == "tiny-chat.Q4_K_M.gguf, default"
            assert headers[3] == "prompts" and headers[4] in ("models", "modelos")
        assert row[0] == run


def test_the_run_id_follows_the_newest_run_until_the_user_picks_one(tmp_path: Path) -> None:
    with RunStore(tmp_path / "history.sqlite3") as store:
        tab = HistoryTab(SimpleNamespace(store=store), texts("en"))
        assert tab.newest() is None
        assert tab.follow_newest(0, None) == (None, None)  # no run yet (Gradio shows 0)
        first = store.start_run({"models": ["default"], "prompts": "a"})
        assert tab.follow_newest(0, None) == (first, first)
        second = store.start_run({"models": ["default"], "prompts": "b"})
        assert tab.follow_newest(first, first) == (second, second)  # untouched: follows
        assert tab.follow_newest(first, second) == (gr.skip(), second)  # the user's: it stays
