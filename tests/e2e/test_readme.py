"""The README's console examples are real: each `$ samantha …` line runs and prints what is shown
(timings and paths aside)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[tuple[str, list[str]]]:
    blocks = re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = []
    for block in blocks:
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            found.append((command, output))
    return found


@pytest.mark.parametrize("command, shown", examples(), ids=lambda v: str(v)[:40])
def test_readme_example(samantha, command: str, shown: list[str]) -> None:
    command, _, stdin = command.partition(" <<< ")
    args = shlex.split(command)
    assert args[0] == "samantha"
    expect_error = bool(shown) and shown[0].startswith("error:")
    result = samantha(*args[1:], code=2 if expect_error else 0,
                      input=shlex.split(stdin)[0] + "\n" if stdin else None)
    if expect_error:
        assert result.stderr.strip() == shown[0]
    elif "--json" in args:
        assert json.loads(result.stdout)["text"] == json.loads(shown[0])["text"]
    elif args[1] == "run":
        assert _untimed(result.stdout.rstrip("\n").split("\n")) == _untimed(shown)
    elif args[1] == "models":
        got = [line for line in result.stdout.splitlines() if not line.startswith("file")]
        assert got == [line for line in shown if not line.startswith("file")]
    elif args[1] == "code":
        assert result.stdout.rstrip("\n") == shown[0] and "exit status 0" in result.stderr
    elif args[1] == "generate":  # the answer on stdout, then the footer on stderr
        assert result.stdout.rstrip("\n").split("\n") == shown[:-1]
        assert result.stderr.startswith(shown[-1].split("(")[0])
    else:
        assert result.stdout.rstrip("\n").split("\n") == shown


def _untimed(lines: list[str]) -> list[str]:
    """Footers without their seconds: ``---------- (6 tokens, 0.1 s)`` -> ``(6 tokens)``."""
    return [re.sub(r", [\d.]+ s\)$", ")", line) for line in lines]
