"""Grammars, JSON schemas and settings that used to crash or hang Samantha (issue 25, cases 4
and 11), through the real ``samantha`` executable in a child process: one line naming the
limit, exit code 2, at once. Without the bounds the grammars kill the process (SIGSEGV in
llama.cpp's parser), the deep schema ends in a RecursionError traceback, the long string's
schema becomes a 500 MB grammar (1.5 GB to write it), the breakers give no token for minutes
and the loops run on and on (past the timeout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def samantha(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAMANTHA_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "samantha", *args], check=False,
                          capture_output=True, text=True, env=env, timeout=120, cwd=cwd)


def one_line(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def write(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def test_twenty_thousand_nested_parentheses(session_home: Path, tmp_path: Path) -> None:
    grammar = write(tmp_path, "deep.gbnf", "root ::= " + "(" * 20_000 + '"a"' + ")" * 20_000)
    line = one_line(samantha("generate", "Hi.", "--grammar", grammar, home=session_home,
                             cwd=tmp_path), "MAX_GROUP_DEPTH", "more than 2000 deep")
    assert line.startswith("error: grammar: nests ( ) groups")


def test_a_hundred_thousand_chained_rules(session_home: Path, tmp_path: Path) -> None:
    rules = "".join(f"r{i} ::= r{i + 1}\n" for i in range(100_000))
    grammar = write(tmp_path, "chain.gbnf", f'root ::= r0\n{rules}r100000 ::= "a"\n')
    one_line(samantha("generate", "Hi.", "--grammar", grammar, home=session_home, cwd=tmp_path),
             "MAX_GRAMMAR_BYTES")
    rules = "".join(f"r{i} ::= r{i + 1}\n" for i in range(5_000))  # within the size
    grammar = write(tmp_path, "chain5000.gbnf", f'root ::= r0\n{rules}r5000 ::= "a"\n')
    one_line(samantha("generate", "Hi.", "--grammar", grammar, home=session_home, cwd=tmp_path),
             "MAX_START_CHAIN")


def test_a_json_schema_three_thousand_deep(session_home: Path, tmp_path: Path) -> None:
    levels = 1500  # objects in objects' properties: 3,000 levels of JSON
    schema = write(tmp_path, "deep.json", '{"type": "object", "properties": {"a": ' * levels
                   + '{"type": "integer"}' + "}}" * levels)
    one_line(samantha("generate", "Hi.", "--json-schema", schema, home=session_home,
                      cwd=tmp_path), "json_schema: nests objects and lists", "MAX_SCHEMA_DEPTH")


def test_a_string_of_a_hundred_million_characters(session_home: Path, tmp_path: Path) -> None:
    schema = write(tmp_path, "long.json", '{"type": "string", "minLength": 100000000}')
    one_line(samantha("generate", "Hi.", "--json-schema", schema, home=session_home,
                      cwd=tmp_path), "minLength 100000000", "MAX_SCHEMA_COUNT")


def test_two_thousand_dry_breakers(session_home: Path, tmp_path: Path) -> None:
    breakers = json.dumps([f"w{i}" for i in range(2000)])
    one_line(samantha("generate", "Hi.", "--dry-multiplier", "0.8", "--dry-sequence-breakers",
                      breakers, home=session_home, cwd=tmp_path),
             "2000 breakers", "MAX_BREAKERS")


def test_loops_and_responses_of_a_hundred_thousand(session_home: Path, tmp_path: Path) -> None:
    for extra in ([], ["--plan"], ["--parallel", "2"]):
        one_line(samantha("run", "--prompts", "Say hi.", "--loops", "100000", "--responses",
                          "100000", "--max-tokens", "1", *extra, home=session_home,
                          cwd=tmp_path), "10000000000 cycles", "MAX_PLANNED_CYCLES")


def test_a_chain_file_with_a_hostile_grammar(session_home: Path, tmp_path: Path) -> None:
    grammar = "root ::= " + "(" * 20_000 + '"a"' + ")" * 20_000
    chain = write(tmp_path, "c.toml", f'prompts = "Hi."\n[settings]\ngrammar = """{grammar}"""\n')
    line = one_line(samantha("run", chain, home=session_home, cwd=tmp_path), "MAX_GROUP_DEPTH")
    assert "settings.grammar" in line


def test_the_deepest_allowed_grammar_still_answers(session_home: Path, tmp_path: Path) -> None:
    grammar = write(tmp_path, "ok.gbnf", "root ::= " + "(" * 2000 + '"yes"' + ")" * 2000)
    proc = samantha("generate", "Is the sea blue?", "--grammar", grammar, "--max-tokens", "4",
                    "--json", home=session_home, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == "yes"
