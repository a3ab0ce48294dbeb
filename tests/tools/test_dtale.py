"""D-Tale for real on a CSV file, through a tab's link only (nothing for a local process without
it, nor for a foreign Host), and the checks a CSV file passes before D-Tale is started."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import httpx
import pytest
from support.processes import descendants, get, left_behind, stat

from samantha.tools import Toolbox, ToolError, ToolInputError, check_csv
from samantha.workbench.facade import Workbench
from samantha.workbench.handoffs import start_dtale

from .conftest import browser


def test_dtale_shows_the_rows_of_a_csv_file(bench: Workbench, toolbox: Toolbox,
                                            tmp_path: Path) -> None:
    table = tmp_path / "plants.csv"
    table.write_text("name,height\nfern,0.4\noak,21.5\nmoss,0.02\n")
    tool = start_dtale(bench, toolbox, table)
    assert tool.url.endswith("/dtale/main/1")
    base = tool.url.rsplit("/dtale/", 1)[0]
    ids = urllib.parse.quote(json.dumps(["0-10"]))
    tab = browser(toolbox.link(tool.id).url)
    answer = tab.get(f"{base}/dtale/data/1?ids={ids}")
    data = answer.json()
    assert answer.status_code == 200 and data["total"] == 3
    rows = [data["results"][str(i)] for i in range(3)]
    assert [(r["name"], r["height"]) for r in rows] == [("fern", 0.4), ("oak", 21.5),
                                                        ("moss", 0.02)]
    family = {**descendants(tool.pid), tool.pid: stat(tool.pid)[4]}
    toolbox.stop_all()
    assert left_behind(family, groups=(tool.pid,)) == []


@pytest.mark.parametrize("content, message", [
    (None, "does not exist. Give the path of a CSV file."),
    ("", "is empty. Give a CSV file"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "is not UTF-8 text (byte 0)"),
    (b"a,b\n1,\0\n", "holds binary data, not CSV text"),
    ("a,b\n1,2\n3,4,5\n", "line 3: 3 fields, but the header has 2"),
])
def test_a_bad_csv_file_is_refused_before_dtale_starts(tmp_path: Path, content: str | bytes | None,
                                                       message: str) -> None:
    path = tmp_path / "table.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ToolInputError) as info:
        check_csv(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_a_csv_file_pandas_cannot_read_stops_dtale_with_its_reason(bench: Workbench,
                                                                   toolbox: Toolbox,
                                                                   tmp_path: Path) -> None:
    table = tmp_path / "quote.csv"
    table.write_text('a,b\n"1,2\n')  # passes the quick check; pandas finds the open quote
    with pytest.raises(ToolError) as info:
        start_dtale(bench, toolbox, table)
    message = str(info.value)
    assert message.startswith("D-Tale ended while starting (exit status 1).")
    assert "ParserError: Error tokenizing data. C error: EOF inside string" in message
    assert toolbox.running() == []


def test_nothing_of_the_table_without_the_tabs_link(bench: Workbench, toolbox: Toolbox,
                                                    tmp_path: Path) -> None:
    table = tmp_path / "salaries.csv"
    table.write_text("name,salary\nana,91234\nbo,87654\n")
    tool = start_dtale(bench, toolbox, table)
    ids = urllib.parse.quote(json.dumps(["0-10"]))
    paths = ("/", "/dtale/main/1", f"/dtale/data/1?ids={ids}", "/dtale/processes",
             "/dtale/describe/1?col=salary", "/dtale/data-export/1?type=csv",
             "/dtale/code-export/1", "/dtale/static/dist/base_styles.js", "/health",
             "/dtale/popup/describe/1", "/dtale/charts/1", "/shutdown", "/login")
    for path in paths:  # a local process, or sandboxed code, that found the port
        status, body = get(tool.base + path)
        assert status == 403 and b"91234" not in body and b"salaries" not in body, path
    assert get(tool.url)[0] == 403  # /shutdown did not end it either
    tab = browser(toolbox.link(tool.id).url)
    assert "91234" in tab.get(f"{tool.base}/dtale/data/1?ids={ids}").text
    for path in paths[:4]:  # DNS rebinding
        refused = tab.get(tool.base + path, headers={"Host": f"attacker.example:{tool.port}"})
        assert refused.status_code == 403 and "91234" not in refused.text, path
    assert httpx.get(toolbox.link(tool.id).url.replace("ticket=", "ticket=x"),
                     trust_env=False).status_code == 403  # a made-up ticket


def test_a_folder_is_not_a_csv_file(tmp_path: Path) -> None:
    with pytest.raises(ToolInputError, match="is not a file. Give the path of a CSV file."):
        check_csv(tmp_path)


def test_a_good_csv_file_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text('\ufeffname,note\nfern,"green, small"\noak\n')  # short rows are fine
    assert check_csv(path) == path
