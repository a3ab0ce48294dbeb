"""Datasette for real on the run history: the runs table as JSON, new runs seen while it runs,
writes refused twice over (SELECT only, and a read-only connection), nothing left after."""

from __future__ import annotations

import urllib.parse

from support.processes import descendants, get_json, left_behind, stat

from samantha.app import Workbench
from samantha.handoffs import start_datasette
from samantha.tools import Toolbox

from .conftest import store_run


def sql(tool_url: str, query: str) -> tuple[int, dict]:
    return get_json(f"{tool_url}.json?sql={urllib.parse.quote(query)}&_shape=objects")


def test_datasette_shows_the_history_and_refuses_writes(bench: Workbench, toolbox: Toolbox,
                                                       code_run: int) -> None:
    tool = start_datasette(bench, toolbox)
    assert tool.url.endswith("/history")
    status, database = get_json(tool.url + ".json")
    assert status == 200 and "runs" in [t["name"] for t in database["tables"]]
    status, runs = get_json(tool.url + "/runs.json?_shape=array")
    assert status == 200 and [r["id"] for r in runs] == [code_run]

    later = store_run(bench, "written while Datasette runs")
    assert [r["id"] for r in sql(tool.url, "select id from runs order by id")[1]["rows"]] == \
        [code_run, later]

    status, refused = sql(tool.url, f"delete from runs where id = {code_run}")
    assert status == 400 and refused["error"] == "Statement must be a SELECT"
    status, sneaked = sql(tool.url, f"with x as (select 1) delete from runs where id = {later}")
    assert sneaked["ok"] is False and sneaked["error"] == "attempt to write a readonly database"
    assert [r.id for r in bench.store.list_runs()] == [later, code_run]  # nothing was deleted

    family = {**descendants(tool.pid), tool.pid: stat(tool.pid)[4]}
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid,)) == []
