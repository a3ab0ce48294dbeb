"""``samantha models catalogue`` and ``samantha models get`` through the CLI runner, with a real
Hugging Face-like server on 127.0.0.1 and a data home's own catalogue entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner, Result
from support.hf_server import HFServer, sha256_of

from samantha.cli import cli
from samantha.workbench.facade import Workbench
from tests.models.test_download import write_gguf

MB = 1 << 20
ENTRY = """
[[model]]
name = "tiny-chat"
title = "Tiny chat"
repo = "test/tiny-chat-GGUF"
revision = "0123456789abcdef0123456789abcdef01234567"
file = "tiny-chat-Q4_K_M.gguf"
quantization = "Q4_K_M"
size = {size}
sha256 = "{sha256}"
parameters = "0.01B"
layers = 2
heads = 4
kv_heads = 2
head_dim = 16
vocabulary = 64
license = "MIT"
languages = ["en"]
good_at = "Testing downloads."
good_at_pt = "Testar downloads."
source = "written by the test"
"""


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HFServer]:
    server = HFServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


@pytest.fixture
def bench(home: Path, tmp_path: Path) -> Iterator[Workbench]:
    """A data home whose known_models.toml adds `tiny-chat`, a 4 MB GGUF served by the hub."""
    source = write_gguf(tmp_path / "served.gguf", "tiny chat", MB, seed=5)
    (home / "known_models.toml").write_text(
        ENTRY.format(size=source.stat().st_size, sha256=sha256_of(source)), encoding="utf-8")
    workbench = Workbench(home)
    workbench.served = source  # type: ignore[attr-defined]
    yield workbench
    workbench.close()


def run(bench: Workbench, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["models", *args], obj=bench)
    assert result.exit_code == code, (result.output, result.stderr, result.exception)
    assert "Traceback" not in result.output + result.stderr
    return result


def test_the_catalogue_says_what_fits_a_given_memory(bench: Workbench) -> None:
    lines = run(bench, "catalogue", "--memory", "4").stdout.splitlines()
    assert lines[0].startswith("Memory: 4.0 GB as given with --memory")
    by_name = {line.split()[0]: line for line in lines[1:] if not line.startswith(" ")}
    assert by_name["qwen2.5-0.5b"].endswith("fits")
    assert "file 4.9 GB  needs 6.0 GB  needs 2.0 GB more" in by_name["llama3.1-8b"]
    assert "tiny-chat" in by_name  # the data home's own entry, last
    assert list(by_name)[-1] == "tiny-chat"


def test_the_catalogue_on_this_computer_names_its_memory(bench: Workbench) -> None:
    first = run(bench, "catalogue").stdout.splitlines()[0]
    assert "available now (MemAvailable)" in first and "n_ctx 4000" in first


def test_the_catalogue_as_json(bench: Workbench) -> None:
    data = json.loads(run(bench, "catalogue", "--json", "--memory", "4").stdout)
    assert data["memory"] == {"bytes": 4_000_000_000, "kind": "given"} and data["n_ctx"] == 4000
    models = {m["name"]: m for m in data["models"]}
    big = models["llama3.1-8b"]
    assert big["size"] == 4_920_739_232 and big["fits"] is False
    assert big["memory_needed"] == big["short_bytes"] + 4_000_000_000
    assert sum(big["memory_parts"].values()) == big["memory_needed"]
    assert big["url"].endswith("/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF/resolve/"
                               "bf5b95e96dac0462e2a09145ec66cae9a3f12067/"
                               "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    assert models["qwen2.5-0.5b"]["fits"] is True and big["downloaded"] is None


def test_get_downloads_with_progress_then_the_model_is_listed(bench: Workbench,
                                                              hub: HFServer) -> None:
    hub.add_hub("test/tiny-chat-GGUF", "tiny-chat-Q4_K_M.gguf", bench.served)
    result = run(bench, "get", "tiny-chat")
    saved = bench.models_dir / "tiny-chat-Q4_K_M.gguf"
    assert f"Saved {saved}" in result.stdout and "--model tiny-chat-Q4_K_M.gguf" in result.stdout
    assert "downloading tiny-chat-Q4_K_M.gguf: 100%" in result.stderr
    assert sha256_of(saved) == sha256_of(bench.served)
    listed = json.loads(run(bench, "list", "--json").stdout)
    assert "tiny-chat-Q4_K_M.gguf" in [m["name"] for m in listed]
    again = run(bench, "catalogue", "--json")
    found = {m["name"]: m for m in json.loads(again.stdout)["models"]}
    assert found["tiny-chat"]["downloaded"] == str(saved)


def test_get_refuses_a_file_that_is_not_the_catalogues(bench: Workbench, hub: HFServer,
                                                       tmp_path: Path) -> None:
    other = write_gguf(tmp_path / "other.gguf", "another", MB, seed=6)
    hub.add_hub("test/tiny-chat-GGUF", "tiny-chat-Q4_K_M.gguf", other)
    result = run(bench, "get", "tiny-chat", code=1)  # the server sent another file: a failure
    assert result.stderr.startswith("error: ") and "not the file the catalogue names" in \
        result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (bench.models_dir / "tiny-chat-Q4_K_M.gguf").exists()


def test_get_an_unknown_name_is_one_line(bench: Workbench) -> None:
    result = run(bench, "get", "gpt-5", code=2)
    assert result.stderr.startswith("error: No model named 'gpt-5' in the catalogue.")
    assert "qwen2.5-0.5b" in result.stderr and "tiny-chat" in result.stderr


def test_a_broken_catalogue_of_the_user_is_one_line(bench: Workbench) -> None:
    (bench.home / "known_models.toml").write_text("[[model]]\nname = 'x'\n", encoding="utf-8")
    result = run(bench, "catalogue", code=2)
    assert "known_models.toml, model 'x': missing title" in result.stderr
