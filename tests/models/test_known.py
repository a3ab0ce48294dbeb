"""The catalogue of well-known models: the shipped file checked field by field, the memory each
model needs, and whether it fits a given amount of memory."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from samantha.core.errors import InputError, ModelError
from samantha.models import known
from samantha.models.download_url import parse_model_url
from samantha.models.known import (
    Memory,
    catalogue,
    find,
    fit,
    kv_cache_bytes,
    memory_needed,
    parse_catalogue,
    parse_meminfo,
    shipped,
)

GIB = 2**30


def test_every_shipped_entry_has_all_its_fields_checked() -> None:
    models = shipped()
    assert 6 <= len(models) <= 10
    names = [m.name for m in models]
    assert len(set(names)) == len(names) and len({m.file for m in models}) == len(models)
    for m in models:
        assert isinstance(m.size, int) and m.size > 100_000_000, m.name
        assert re.fullmatch(r"[0-9a-f]{64}", m.sha256), m.name
        assert re.fullmatch(r"[0-9a-f]{40}", m.revision), m.name  # pinned: bytes cannot change
        assert m.quantization == "Q4_K_M" and m.file.endswith(".gguf"), m.name
        assert "Hugging Face" in m.source and m.revision[:8] in m.source, m.name
        assert m.repo.split("/")[0] in ("Qwen", "bartowski"), m.name
        assert all(isinstance(v, int) and v > 0 for v in
                   (m.layers, m.heads, m.kv_heads, m.head_dim, m.vocabulary)), m.name
        assert m.heads % m.kv_heads == 0, m.name  # grouped-query attention: whole groups
        assert m.languages and m.good_at and m.good_at_pt and m.license, m.name
        link = parse_model_url(m.url())
        assert (link.repo_id, link.revision, link.filename) == (m.repo, m.revision, m.file)
    sizes = sorted(float(m.parameters.rstrip("B")) for m in models)
    assert sizes[0] <= 0.5 and 7.5 <= sizes[-1] <= 8.0  # from 0.5 B to 8 B


def test_the_sizes_are_the_files_on_the_hub() -> None:
    # read in public manifests that pin these files (see each entry's source): not rounded
    sizes = {m.name: m.size for m in shipped()}
    assert sizes["qwen2.5-0.5b"] == 491_400_032
    assert sizes["qwen2.5-1.5b"] == 1_117_320_736
    assert sizes["llama3.1-8b"] == 4_920_739_232
    assert not any(size % 1_000_000 == 0 for size in sizes.values())


GOOD = """
[[model]]
name = "tiny"
title = "Tiny"
repo = "test/tiny-GGUF"
revision = "main"
file = "tiny.gguf"
quantization = "F32"
size = 1000
sha256 = "%s"
parameters = "1M"
layers = 2
heads = 4
kv_heads = 2
head_dim = 8
vocabulary = 32
license = "MIT"
languages = ["en"]
good_at = "Tests."
good_at_pt = "Testes."
source = "written by the test"
""" % ("ab" * 32)


@pytest.mark.parametrize("change, said", [
    (lambda t: t.replace('size = 1000', 'size = "1000"'), "size must be a whole number"),
    (lambda t: t.replace('size = 1000', 'size = 0'), "size must be a whole number"),
    (lambda t: t.replace('layers = 2', 'layers = true'), "layers must be a whole number"),
    (lambda t: t.replace('source = "written by the test"\n', ''), "missing source"),
    (lambda t: t.replace('license = "MIT"', 'license = "MIT"\nlicence = "MIT"'),
     "unknown licence"),
    (lambda t: t.replace("ab" * 32, "AB" * 32), "sha256 must be 64 lower-case hex"),
    (lambda t: t.replace('"tiny.gguf"', '"tiny.bin"'), "must be a .gguf file name"),
    (lambda t: t.replace('languages = ["en"]', 'languages = "en"'), "languages must be a list"),
    (lambda t: t.replace('title = "Tiny"', 'title = " "'), "title must be some text"),
    (lambda t: t.replace("[[model]]", "[[model"), "is not valid TOML"),
])
def test_a_bad_entry_is_one_clear_error(change, said: str) -> None:
    with pytest.raises(ModelError, match=said) as caught:
        parse_catalogue(change(GOOD), "my.toml")
    assert "my.toml" in str(caught.value)


def test_the_data_home_adds_and_replaces_entries(tmp_path: Path) -> None:
    assert catalogue(tmp_path) == shipped()  # no file of the user's: the shipped list
    (tmp_path / "known_models.toml").write_text(
        GOOD + GOOD.replace('"tiny"', '"qwen2.5-0.5b"'), encoding="utf-8")
    models = catalogue(tmp_path)
    assert [m.name for m in models][-1] == "tiny" and len(models) == len(shipped()) + 1
    assert find(models, "QWEN2.5-0.5B").repo == "test/tiny-GGUF"
    with pytest.raises(InputError, match="No model named 'nope'.*tiny"):
        find(models, "nope")


def test_the_kv_cache_is_what_llama_cpp_allocates() -> None:
    model = find(shipped(), "llama3.1-8b")
    # 32 layers x 8 KV heads x 128, keys and values in f16, 4096 cells (4000 rounded up)
    assert kv_cache_bytes(model) == 2 * 32 * 8 * 128 * 2 * 4096 == 512 * 2**20
    # the bundled Gemma 3 270M (18 layers, 1 KV head of 256): llama.cpp's log at n_ctx 4000
    # says "KV buffer size = 12.00 MiB" and "60.00 MiB" (non-SWA and SWA layers, all full size)
    gemma = replace(model, layers=18, kv_heads=1, head_dim=256, heads=4, vocabulary=262144)
    assert kv_cache_bytes(gemma) == (12 + 60) * 2**20
    # its compute buffer: "CPU compute buffer size = 514.50 MiB"; ours is the logits' 512 MiB
    assert memory_needed(gemma).compute == 512 * 2**20
    assert kv_cache_bytes(model, n_ctx=256) == kv_cache_bytes(model, n_ctx=1) == 32 * 2**20


def test_the_memory_needed_adds_file_cache_compute_and_samantha() -> None:
    model = find(shipped(), "qwen2.5-7b")
    needs = memory_needed(model)
    assert needs.weights == model.size
    assert needs.total == (model.size + needs.kv_cache + needs.compute + known.OVERHEAD)
    assert needs.compute == 512 * 4 * max(152064, 4096 * 28)
    totals = [memory_needed(m).total for m in shipped()]
    assert all(1 * GIB < total < 8 * GIB for total in totals)


@pytest.mark.parametrize("needed, memory, fits, short, said", [
    (4_000_000_000, 8_000_000_000, True, 0, "0.1"),
    (8_000_000_000, 8_000_000_000, True, 0, "0.1"),  # exactly enough fits
    (8_000_000_001, 8_000_000_000, False, 1, "0.1"),  # never "0.0 GB more"
    (6_010_000_000, 4_000_000_000, False, 2_010_000_000, "2.1"),  # rounded up
    (6_000_000_000, 4_000_000_000, False, 2_000_000_000, "2.0"),
    (5_000_000_000, 0, False, 5_000_000_000, "5.0"),
])
def test_fits_this_computer_or_needs_more(needed: int, memory: int, fits: bool, short: int,
                                          said: str) -> None:
    verdict = fit(needed, memory)
    assert (verdict.fits, verdict.short) == (fits, short)
    if not fits:
        assert verdict.short_gb == said


@pytest.mark.parametrize("text, memory", [
    ("MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   20000000 kB\n",
     Memory(20_000_000 * 1024, "available")),
    ("MemTotal:       24000000 kB\nMemFree:         1000 kB\n", Memory(24_000_000 * 1024, "total")),
    ("nothing useful here\n", None),
    ("MemAvailable: lots\n", None),
])
def test_memory_is_what_is_available_else_the_total(text: str, memory: Memory | None) -> None:
    assert parse_meminfo(text) == memory


def test_this_computer_reads_proc_meminfo(tmp_path: Path) -> None:
    fake = tmp_path / "meminfo"
    fake.write_text("MemTotal: 2048 kB\nMemAvailable: 1024 kB\n")
    assert known.this_computer(fake) == Memory(1024 * 1024, "available")
    real = known.this_computer()
    assert real is not None and real.bytes > 0
