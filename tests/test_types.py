"""The type check: mypy over src/samantha with the configuration in pyproject.toml ([tool.mypy]:
the core held to the flags of ``mypy --strict``, the rest checked with its untyped bodies too).

Run it alone with ``pytest tests/test_types.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "samantha"
CONFIG = ROOT / "pyproject.toml"
#: a ``type: ignore`` names its error code and, in a comment after it, why the code is right
IGNORE = re.compile(r"#\s*type:\s*ignore")
EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[\w, -]+\]\s*#\s*\S")


def mypy(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(CONFIG), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def test_types_mypy_finds_no_error() -> None:
    result = mypy(cwd=ROOT)  # the files are the configuration's: src/samantha
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_the_check_bites(tmp_path: Path) -> None:
    """The same configuration on a tiny package: an untyped function fails in the core (strict)
    and passes elsewhere, where a wrong assignment inside it still fails."""
    for package in ("samantha", "samantha/core", "samantha/engines"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "samantha/core/sample.py").write_text(
        "def double(x):\n    return x * 2\n", encoding="utf-8")
    (tmp_path / "samantha/engines/sample.py").write_text(
        "def double(x):\n    return x * 2\n\n\ndef count():\n    n: int = 'one'\n    return n\n",
        encoding="utf-8")
    result = mypy("--cache-dir", str(tmp_path / "cache"), "samantha/core/sample.py",
                  "samantha/engines/sample.py", cwd=tmp_path)
    out = result.stdout.replace("\\", "/")
    assert result.returncode == 1, out + result.stderr
    assert "samantha/core/sample.py:1: error: Function is missing a type annotation" in out, out
    assert "samantha/engines/sample.py:6: error: Incompatible types in assignment" in out, out
    assert "engines/sample.py:1:" not in out, out
    assert "Found 2 errors in 2 files" in out, out


def test_types_every_ignore_says_why() -> None:
    unexplained = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                   for path in sorted(SRC.rglob("*.py"))
                   for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                   if IGNORE.search(line) and not EXPLAINED.search(line)]
    assert unexplained == [], ("a `# type: ignore[code]` needs a reason after it "
                               "(`# type: ignore[code]  # why`):\n" + "\n".join(unexplained))
