from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e


class Cli:
    """Runs ``samantha`` in-process on the session's real Workbench (model loaded once)."""

    def __init__(self, bench: Workbench) -> None:
        self.bench = bench
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int = 0) -> Any:
        result = self.runner.invoke(cli, list(args), obj=self.bench, input=input)
        assert result.exit_code == code, (result.output, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> dict[str, Any]:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture(scope="session")
def samantha(real_workbench: Workbench) -> Cli:
    return Cli(real_workbench)


