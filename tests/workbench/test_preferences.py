"""The preferences file (settings.json in the data home): checked when read, one line per fault."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.core.errors import InputError
from samantha.workbench.facade import Workbench
from samantha.workbench.preferences import RULES, Preferences


def write(home: Path, text: str) -> Path:
    path = home / "settings.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_preference_has_a_rule() -> None:
    assert set(RULES) == {f.name for f in dataclasses.fields(Preferences)}


def test_a_good_file_round_trips(home: Path) -> None:
    Preferences(python="/usr/bin/python3", model_folders=["/m"]).save(home)
    assert Preferences.load(home) == Preferences("/usr/bin/python3", ["/m"])
    write(home, "\ufeff" + json.dumps({"model_folders": ["/a"]}))  # saved by Notepad: a BOM
    assert Preferences.load(home) == Preferences(None, ["/a"])
    write(home, '{"python": null}')
    assert Preferences.load(home) == Preferences()


@pytest.mark.parametrize("text, words", [
    ('{"python": 3}', "python must be text (the path of a Python interpreter) in quotes or "
                      "null, got 3."),
    ('{"model_folders": "/m"}', "model_folders must be a list of folder paths in quotes, such"),
    ('{"model_folders": [1]}', "model_folders must be a list of folder paths"),
    ('{"model_folder": ["/m"]}', "model_folder is not a known preference. Did you mean "
                                 "model_folders?"),
    ('{"python": "/bin/py\\u0000thon"}', ", python, line 1, column 8: a NUL character"),
    ('{"python": ', "is not valid JSON (Expecting value: line 1 column 12 (char 11))"),
    ('["/m"]', 'must hold a JSON object such as {"model_folders": []}, not [\'/m\'] (a list)'),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_key(home: Path, text, words) -> None:
    path = write(home, text)
    with pytest.raises(InputError) as err:
        Preferences.load(home)
    message = str(err.value)
    assert str(path) in message and words in message and "\n" not in message


def test_the_cli_exits_2_with_one_line(home: Path) -> None:
    path = write(home, '{"model_folders": "/data/models"}')
    result = CliRunner().invoke(cli, ["models", "list"], obj=Workbench(home))
    assert result.exit_code == 2 and result.exception is not None
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and "model_folders" in lines[0]
    assert "delete the file to start from the defaults" in lines[0]
