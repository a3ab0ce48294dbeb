"""Which model and prompt the page opens with, and `samantha ui --model`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from samantha.cli import cli
from samantha.ui.chat.first_answer import first_answer

from .conftest import free_port


def test_a_chosen_model_opens_with_the_prompt_made_for_it() -> None:
    assert first_answer("en", "default") == ("default", "The three primary colours are")
    assert first_answer("pt", "default") == ("default", "A Torre Eiffel fica na cidade de")
    assert first_answer("en", "smollm2")[1].startswith("Write a Python function")


def test_a_model_of_the_users_opens_on_an_empty_prompt() -> None:
    assert first_answer("en", "mistral-7b.gguf") == ("mistral-7b.gguf", "")
    assert first_answer("pt", "qwen@lab") == ("qwen@lab", "")


def test_a_model_that_is_not_there_is_one_line_before_the_server_starts(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ui", "--model", "nowhere.gguf", "--no-browser",
                                      "--port", str(free_port())],
                                env={"SAMANTHA_HOME": str(tmp_path)})
    assert result.exit_code == 2
    assert "Model not found: 'nowhere.gguf'" in result.stderr
    assert "Traceback" not in result.output
