"""Datasette for real on the run history: the runs table as JSON through a tab's link, new runs
seen while it runs, writes refused twice over (SELECT only, and a read-only connection), nothing
of the history for a local process without the link or for a foreign Host, nothing left
after."""

from __future__ import annotations

import urllib.parse

import httpx
from support.processes import descendants, get, left_behind, stat

from samantha.tools import Toolbox
from samantha.workbench.facade import Workbench
from samantha.workbench.handoffs import start_datasette

from .conftest import browser, store_run


def sql(tab: httpx.Client, tool_url: str, query: str) -> tuple[int, dict]:
    answer = tab.get(f"{tool_url}.json?sql={urllib.parse.quote(query)}&_shape=objects")
    return answer.status_code, answer.json()


def test_datasette_shows_the_history_and_refuses_writes(bench: Workbench, toolbox: Toolbox,
                                                       code_run: int) -> None:
    tool = start_datasette(bench, toolbox)
    assert tool.url.endswith("/history")
    tab = browser(toolbox.link(tool.id).url)
    database = tab.get(tool.url + ".json")
    assert database.status_code == 200
    assert "runs" in [t["name"] for t in database.json()["tables"]]
    runs = tab.get(tool.url + "/runs.json?_shape=array")
    assert runs.status_code == 200 and [r["id"] for r in runs.json()] == [code_run]

    later = store_run(bench, "written while Datasette runs")
    assert [r["id"] for r in sql(tab, tool.url, "select id from runs order by id")[1]["rows"]] \
        == [code_run, later]

    status, refused = sql(tab, tool.url, f"delete from runs where id = {code_run}")
    assert status == 400 and refused["error"] == "Statement must be a SELECT"
    status, sneaked = sql(tab, tool.url,
                          f"with x as (select 1) delete from runs where id = {later}")
    assert sneaked["ok"] is False and sneaked["error"] == "attempt to write a readonly database"
    assert [r.id for r in bench.store.list_runs()] == [later, code_run]  # nothing was deleted

    family = {**descendants(tool.pid), tool.pid: stat(tool.pid)[4]}
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid,)) == []


PATHS = ("/", "/history", "/history.json", "/history/runs", "/history/runs.json?_shape=array",
         "/history/cycles.csv", "/history.db", "/history.json?sql=select+*+from+runs",
         "/-/databases.json", "/-/metadata.json", "/-/versions.json", "/-/actor.json",
         "/-/static/app.css", "/samantha-door/enter", "/samantha-door/enter?ticket=guess")


def test_nothing_of_the_history_without_the_tabs_link(bench: Workbench, toolbox: Toolbox,
                                                      code_run: int) -> None:
    tool = start_datasette(bench, toolbox)
    history = str(bench.store.path).encode()
    for path in PATHS:  # a local process, or sandboxed code, that found the port
        status, body = get(tool.base + path)
        assert status == 403, (path, status, body[:200])
        assert b"hi from the notebook" not in body and history not in body
    link = toolbox.link(tool.id)
    tab = browser(link.url)
    seen = tab.get(tool.url + "/cycles.json?_shape=array").json()
    assert "hi from the notebook" in seen[0]["response"]  # the tab sees it all
    for path in PATHS[:6]:  # DNS rebinding: a page that reached the port under its own name
        refused = tab.get(tool.base + path, headers={"Host": f"attacker.example:{tool.port}"})
        assert refused.status_code == 403 and "own address" in refused.text, path
    stranger = httpx.Client(trust_env=False)
    assert stranger.get(link.url).status_code == 403  # the tab's link, once used
    other_tab = browser(toolbox.link(tool.id).url)  # another tab's own link
    assert other_tab.get(tool.url + "/runs.json").status_code == 200
