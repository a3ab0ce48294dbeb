from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samantha.core.codeblocks import (
    asks_to_stop,
    extract_python,
    fenced_blocks,
    outside_code,
)


def test_every_python_block_in_order_joined() -> None:
    text = ("Here:\n```python\nx = 1\n```\nand\n```js\nconsole.log(1)\n```\n"
            "```PY\nprint(x + 1)\n```\n")
    result = extract_python(text)
    assert result.code == "x = 1\n\nprint(x + 1)\n" and result.blocks == 2


@pytest.mark.parametrize("line", ["pip install pandas", "!pip install -q numpy",
                                  "%pip install scipy", "  pip3 install x", "! pip install y"])
def test_install_lines_are_dropped_and_reported(line: str) -> None:
    result = extract_python(f"```python\n{line}\nimport os\n```")
    assert result.code == "import os\n" and result.dropped == (line.strip(),)


def test_pip_in_ordinary_code_stays() -> None:
    code = "pipeline = 1\nprint('pip install is a command')\n"
    assert extract_python(f"```python\n{code}```").code == code


def test_no_python_means_nothing_to_run() -> None:
    result = extract_python("Just prose.\n```bash\nls\n```")
    assert result.code == "" and result.blocks == 0


def test_an_unterminated_fence_runs_to_the_end() -> None:
    assert extract_python("Code:\n```python\nprint(1)\nprint(2)").code == "print(1)\nprint(2)\n"


def test_tilde_fences_and_info_strings() -> None:
    text = "~~~python title='x'\na = 2\n~~~\n````py\nb = 3\n````"
    assert extract_python(text).code == "a = 2\n\nb = 3\n"


def test_a_longer_fence_can_hold_backticks() -> None:
    text = "````python\ns = '```'\n````"
    assert extract_python(text).code == "s = '```'\n"


def test_stop_word_counts_only_outside_code() -> None:
    in_code = "```python\nif x < 4:\n    print('STOP_SAMANTHA')\n```"
    assert not asks_to_stop(in_code)
    assert asks_to_stop("Done. STOP_SAMANTHA")
    assert outside_code("a\n```py\nb\n```\nc") == "a\n\nc"


@given(st.text(alphabet=st.sampled_from(list("`~ap yhton\n!%i")), max_size=60))
def test_never_crashes(text: str) -> None:
    extract_python(text)
    fenced_blocks(text)
    outside_code(text)
