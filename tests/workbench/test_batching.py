"""Does the cache of P batch slots fit in memory (workbench/batching.py)? The size llama.cpp's
cache takes, worked out from a model's GGUF header, and the refusal of a ``--parallel`` that
does not fit, with its numbers, before anything loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gguf
import pytest

from samantha.core.chain import ChainConfig
from samantha.core.errors import InputError
from samantha.core.settings import Settings
from samantha.engines.fake import FakeEngine
from samantha.models.known import Memory
from samantha.workbench import batching
from samantha.workbench.batching import cache_bytes, check_fits, slot_context
from samantha.workbench.facade import Workbench

GIB, MIB = 2**30, 2**20
LLAMA_8B = dict(block_count=32, attention__head_count=32, attention__head_count_kv=8,
                embedding_length=4096)


def header(path: Path, **keys: Any) -> Path:
    """A GGUF file holding only metadata: ``llama.<key>`` for each key given (``__`` for
    ``.``: ``attention__head_count`` is ``llama.attention.head_count``)."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(path.stem)
    for key, value in keys.items():
        name = f"llama.{key.replace('__', '.')}"
        if isinstance(value, list):
            writer.add_array(name, value)
        else:
            writer.add_uint32(name, value)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the memory this computer has available (None: it cannot say)."""
    def have(nbytes: int | None) -> None:
        monkeypatch.setattr(batching, "this_memory",
                            lambda: None if nbytes is None else Memory(nbytes, "available"))
    return have


@pytest.mark.parametrize("keys, per_token", [
    # 32 layers x 8 KV heads x (128 + 128) x 2 bytes: 128 KiB a token, 512 MiB at 4096
    (LLAMA_8B, 32 * 8 * 256 * 2),
    # Gemma 3 270M: 18 layers, 1 KV head, keys and values of 256 (not 640 / 4)
    (dict(block_count=18, attention__head_count=4, attention__head_count_kv=1,
          embedding_length=640, attention__key_length=256, attention__value_length=256),
     18 * 1 * 512 * 2),
    # keys of 192 and values of 128 (DeepSeek's shape)
    (dict(LLAMA_8B, attention__key_length=192, attention__value_length=128),
     32 * 8 * 320 * 2),
    # no KV head count: as many as the query heads (multi-head attention)
    (dict(block_count=2, attention__head_count=4, embedding_length=64), 2 * 4 * 32 * 2),
    # KV heads per layer (some with none): the largest counts for every layer
    (dict(block_count=3, attention__head_count=4, attention__head_count_kv=[0, 2, 1],
          embedding_length=64), 3 * 2 * 32 * 2),
    # a header that does not say: nothing to compare
    ({}, 0),
    (dict(block_count=4, embedding_length=64), 0),
], ids=["llama 8B", "gemma 3", "keys wider than values", "MHA", "per layer", "empty",
        "no heads"])
def test_the_cache_of_a_model_comes_from_its_header(tmp_path: Path, keys, per_token) -> None:
    path = header(tmp_path / "m.gguf", **keys)
    assert cache_bytes(path, 1) == per_token
    assert cache_bytes(path, 4096) == per_token * 4096


def test_the_llama_8b_cache_is_what_llama_cpp_allocates(tmp_path: Path) -> None:
    assert cache_bytes(header(tmp_path / "m.gguf", **LLAMA_8B), 4096) == 512 * MIB


def test_a_parallel_that_fits_in_80_percent_of_the_memory_passes(tmp_path: Path,
                                                                  memory) -> None:
    path = header(tmp_path / "m.gguf", **LLAMA_8B)  # 512 MiB a slot at 4096
    memory(2 * GIB)  # 80 %: 1.6 GiB, room for three slots
    check_fits(path, 3, 4096)
    check_fits(path, 12, 1024)  # 12 slots of 128 MiB: 1.5 GiB
    memory(None)  # no /proc/meminfo: nothing to check against
    check_fits(path, 64, 4096)


def test_a_parallel_that_does_not_fit_is_refused_with_the_numbers(tmp_path: Path,
                                                                  memory) -> None:
    path = header(tmp_path / "m.gguf", **LLAMA_8B)
    memory(2 * GIB)
    with pytest.raises(InputError) as refused:
        check_fits(path, 4, 4096)
    assert str(refused.value) == (
        "--parallel 4 needs a cache of 4 × 4096 tokens for m.gguf: 2.0 GiB, and this computer "
        "has 2.0 GiB available (80% of it may go to the cache). Use --parallel 3 or less, or a "
        "smaller n_ctx.")


def test_when_even_one_slot_does_not_fit_the_advice_is_a_smaller_context(tmp_path: Path,
                                                                          memory) -> None:
    path = header(tmp_path / "m.gguf", **LLAMA_8B)  # 128 KiB a token
    memory(256 * MIB)  # 80 %: 204.8 MiB, 1638 tokens
    with pytest.raises(InputError) as refused:
        check_fits(path, 2, 4096)
    assert str(refused.value) == (
        "--parallel 2 needs a cache of 2 × 4096 tokens for m.gguf: 1.0 GiB, and this computer "
        "has 0.2 GiB available (80% of it may go to the cache). Not even one slot fits: use a "
        "smaller n_ctx (1638 tokens or fewer), or a smaller model.")
    check_fits(path, 1, 1638)  # what it says fits


def test_n_ctx_0_is_the_trained_context_of_the_model(tmp_path: Path, memory) -> None:
    path = header(tmp_path / "m.gguf", **LLAMA_8B, context_length=8192)
    assert (slot_context(path, 0), slot_context(path, 2048)) == (8192, 2048)
    memory(2 * GIB)  # room for 1.6 GiB: one slot of 8192 tokens (1 GiB), not two
    check_fits(path, 1, 0)
    with pytest.raises(InputError) as refused:
        check_fits(path, 2, 0)  # it used to count 0 tokens, and pass
    assert str(refused.value) == (
        "--parallel 2 needs a cache of 2 × 8192 tokens (n_ctx 0: the model's trained context) "
        "for m.gguf: 2.0 GiB, and this computer has 2.0 GiB available (80% of it may go to "
        "the cache). Use --parallel 1 or less, or a smaller n_ctx.")


def test_n_ctx_0_on_a_model_that_does_not_say_its_context_is_refused(tmp_path: Path,
                                                                      memory) -> None:
    memory(None)
    with pytest.raises(InputError, match=r"^n_ctx 0 uses the model's trained context, which "
                                         r"the header of m\.gguf does not give: set n_ctx"):
        check_fits(header(tmp_path / "m.gguf", **LLAMA_8B), 2, 0)


def test_without_memavailable_the_total_memory_is_compared(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """Kernels before 3.14 have no MemAvailable: the check used to be skipped there."""
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        2097152 kB\nMemFree:          524288 kB\n")
    monkeypatch.setattr(batching, "MEMINFO", meminfo)
    path = header(tmp_path / "m.gguf", **LLAMA_8B)
    check_fits(path, 3, 4096)
    with pytest.raises(InputError) as refused:
        check_fits(path, 4, 4096)
    assert ("this computer has 2.0 GiB in all (80% of it may go to the cache; how much is free "
            "now is not known). Use --parallel 3 or less") in str(refused.value)


def test_a_header_that_does_not_say_is_never_refused(tmp_path: Path, memory) -> None:
    memory(1)
    check_fits(header(tmp_path / "m.gguf"), 64, 32768)


def test_a_chain_run_refuses_the_parallel_before_any_model_loads(home: Path, memory) -> None:
    engine = FakeEngine()
    bench = Workbench(home, engine=engine)
    bench.models_dir.mkdir(parents=True)
    header(bench.models_dir / "big.gguf", **LLAMA_8B)
    memory(2 * GIB)
    run = bench.start_run(ChainConfig("one\ntwo\nthree\nfour", models=("big.gguf",), parallel=4,
                                      settings=Settings(n_ctx=4096)))
    with pytest.raises(InputError, match="--parallel 4 needs a cache of 4 × 4096 tokens"):
        list(run)
    assert engine.loads == []
    record = bench.store.get_run(run.id)
    assert record.status == "failed" and "Use --parallel 3 or less" in record.stop_reason
