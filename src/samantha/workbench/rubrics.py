"""Rubrics kept in the data home, and where a rubric named on a command line comes from.

``seed`` (or ``seed-en``) and ``seed-pt`` are the predecessor's criteria in English and
Portuguese; a path ending in ``.toml`` is a rubric file; any other name is
``<data home>/rubrics/NAME.toml``. A rubric file holds what a chain file's ``[judge.rubric]``
holds::

    scale = [1, 5]
    [criteria]
    clarity = "Is the answer clear?"
    truth = "Is everything it says true?"

(``criteria = { … }`` on one line works too), bounded and checked by
:func:`~samantha.core.rubric.rubric_from_table`.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from samantha.core.rubric import Rubric, RubricError, rubric_from_table, seed_rubric

SEEDS = {"seed": "en", "seed-en": "en", "seed-pt": "pt"}
#: A rubric file is a few KB (32 questions of 500 characters); a bigger one is not a rubric.
MAX_RUBRIC_BYTES = 64 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def rubrics_dir(home: Path) -> Path:
    return Path(home) / "rubrics"


def load_rubric(home: Path, name: str) -> Rubric:
    """The rubric called ``name`` (see the module's docstring); one clear line when it cannot
    be read."""
    if name in SEEDS:
        return seed_rubric(SEEDS[name])
    path = Path(name) if name.endswith(".toml") else rubrics_dir(home) / f"{_checked(name)}.toml"
    if not path.is_file():
        kept = ", ".join(sorted(p.stem for p in rubrics_dir(home).glob("*.toml"))) or "none"
        raise RubricError(f"No rubric {name!r}: give seed, seed-pt, a .toml file, or the name "
                          f"of a rubric kept in {rubrics_dir(home)} (kept: {kept}).")
    try:
        if path.stat().st_size > MAX_RUBRIC_BYTES:
            raise RubricError(f"Rubric {path}: over {MAX_RUBRIC_BYTES // 1024} KB; a rubric is "
                              "a few questions.")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"Cannot read the rubric {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"Rubric {path} is not valid TOML: {exc}.") from None
    return rubric_from_table(data, f"Rubric {path}")


def judge_rubric(home: Path, value: str | Mapping[str, Any]) -> Rubric:
    """The rubric of a chain's ``[judge]``: a name (as :func:`load_rubric`) or its table."""
    if isinstance(value, str):
        return load_rubric(home, value)
    return rubric_from_table(dict(value), "[judge.rubric]")


def save_rubric(home: Path, name: str, rubric: Rubric) -> Path:
    """Keep ``rubric`` as ``<data home>/rubrics/NAME.toml`` (replacing one of that name)."""
    path = rubrics_dir(home) / f"{_checked(name)}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rubric_toml(rubric), encoding="utf-8")
    return path


def rubric_toml(rubric: Rubric) -> str:
    """A rubric as the file :func:`load_rubric` reads (JSON strings are TOML basic strings)."""
    lines = [f"scale = [{rubric.low}, {rubric.high}]", "", "[criteria]"]
    lines += [f"{c.key} = {json.dumps(c.question, ensure_ascii=False)}" for c in rubric.criteria]
    return "\n".join(lines) + "\n"


def kept_rubrics(home: Path) -> list[str]:
    """The names of the rubrics kept in the data home."""
    return sorted(p.stem for p in rubrics_dir(home).glob("*.toml"))


def _checked(name: str) -> str:
    if not _NAME.match(name):
        raise RubricError(f"A rubric's name is letters, digits, - and _ (up to 64), not "
                          f"{name!r}.")
    return name
