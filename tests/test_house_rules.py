"""The design's rules, checked: one direction of imports, small files, clean code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "samantha"


def imports(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*(?:from|import)\s+([\w.]+)", text, re.M))


def modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_imports_nothing_above_it(path: Path) -> None:
    outer = ("llama_cpp", "gradio", "sqlite3", "subprocess", "httpx", "samantha.workbench",
             "samantha.cli", "samantha.ui", "samantha.engines", "samantha.store",
             "samantha.execution", "samantha.models", "samantha.documents", "samantha.voice",
             "pyttsx3", "pypdf")
    bad = [name for name in imports(path) if name.startswith(outer)]
    assert bad == [], f"{path.name} imports {bad}"


ADAPTERS = ("engines", "store", "models", "execution", "documents", "voice", "tools")


def test_the_package_root_holds_only_its_entry_points() -> None:
    loose = sorted(p.name for p in SRC.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"], f"loose modules: {loose}"
    folders = sorted(p.name for p in SRC.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(["core", *ADAPTERS, "workbench", "cli", "ui"]), folders


@pytest.mark.parametrize("path", [p for a in ADAPTERS for p in modules(a)],
                         ids=lambda p: p.relative_to(SRC).as_posix())
def test_each_adapter_imports_only_core_and_itself(path: Path) -> None:
    own = f"samantha.{path.relative_to(SRC).parts[0]}"
    bad = [name for name in imports(path) if name.startswith("samantha")
           and not name.startswith(("samantha.core", own))]
    assert bad == [], f"{path.relative_to(SRC)} imports {bad}"


@pytest.mark.parametrize("path", modules("workbench"), ids=lambda p: p.name)
def test_the_workbench_imports_no_front_end(path: Path) -> None:
    bad = [name for name in imports(path)
           if name.startswith(("samantha.cli", "samantha.ui", "gradio", "click"))]
    assert bad == [], f"{path.name} imports {bad}"


def module_of(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each source module -> the source modules it imports, wherever the import is (in a
    function, under ``TYPE_CHECKING``): ``from a.b import c`` is ``a.b.c`` when that is a
    module, else ``a.b``."""
    known = {module_of(p) for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found: set[str] = set()
        for source, names in re.findall(r"^\s*from\s+(samantha[\w.]*)\s+import\s+\(?([\w\s,]*)",
                                        text, re.M):
            subs = {f"{source}.{n.split()[0]}" for n in names.split(",") if n.strip()}
            found |= (subs & known) or ({source} & known)
        found |= set(re.findall(r"^\s*import\s+(samantha[\w.]*)", text, re.M)) & known
        graph[module_of(path)] = found - {module_of(path)}
    return graph


def test_no_import_circle_at_any_level() -> None:
    graph = import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_only_the_engine_imports_llama_cpp() -> None:
    users = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")
             if any(name.startswith("llama_cpp") for name in imports(p))}
    assert users == {"engines/llama_cpp.py", "engines/llama_grammar.py",
                     "engines/llama_batch.py", "engines/llama_tap.py"}
    # the llama.cpp engine: model, grammar, batch, and the tap on its graph


def test_only_the_store_speaks_sql() -> None:
    users = {p.relative_to(SRC).parts[0] for p in SRC.rglob("*.py")
             if "sqlite3" in imports(p)}
    assert users == {"store"}


#: Where each outside library may be imported: a front end's toolkit in that front end only, the
#: HTTP client only where Samantha talks to servers (remote backends and downloads).
ROOMS = {"gradio": ("ui/",), "click": ("cli/",),
         "httpx": ("engines/http_slices.py", "engines/remote_http.py", "models/download.py",
                   "models/download_http.py")}


def uses(path: Path, lib: str) -> bool:
    return any(n == lib or n.startswith(f"{lib}.") for n in imports(path))


def in_room(path: Path, lib: str) -> bool:
    return path.relative_to(SRC).as_posix().startswith(ROOMS[lib])


@pytest.mark.parametrize("lib", sorted(ROOMS))
def test_outside_libraries_stay_in_their_rooms(lib: str) -> None:
    assert [p.name for p in SRC.rglob("*.py") if uses(p, lib) and not in_room(p, lib)] == []
    assert any(uses(p, lib) for p in SRC.rglob("*.py") if in_room(p, lib))  # not a dead rule


def test_front_ends_do_not_import_each_other() -> None:
    for path in modules("cli"):
        if path.name == "ui.py":  # `samantha ui` starts the web front end, and only that
            continue
        assert not any(n.startswith("samantha.ui") for n in imports(path)), path
    for path in modules("ui"):
        assert not any(n.startswith("samantha.cli") for n in imports(path)), path


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_files_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 500


def test_code_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9,I,E501",
                             "--line-length", "100", "src", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_architecture_page_names_modules_that_exist() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    floors = "|".join(("core", *ADAPTERS, "workbench", "cli", "ui"))
    named = set(re.findall(rf"`((?:{floors})/[\w/]+\.py)", page))
    assert len(named) > 30
    assert sorted(n for n in named if not (SRC / n).is_file()) == []
