from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from samantha.core.errors import ModelError
from samantha.models.gguf_file import read_header


def test_default_model_metadata(default_model_path: Path) -> None:
    info = read_header(default_model_path).summary()
    assert info["architecture"] == "gemma3"
    assert info["context_length"] == 32768
    assert info["vocab_size"] == 262144
    assert info["chat_template"] is False
    assert info["quantization"] == "Q4_K_M"
    assert info["file_size"] == default_model_path.stat().st_size
    assert 260e6 < info["parameters"] < 280e6


def test_vocabulary_range_without_decoding_everything(default_model_path: Path) -> None:
    header = read_header(default_model_path)
    assert header.tokens(0, 3) == [(0, b"<pad>"), (1, b"<eos>"), (2, b"<bos>")]
    assert [i for i, _ in header.tokens(262142, 262200)] == [262142, 262143]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        read_header(tmp_path / "nope.gguf")


def test_not_a_gguf_file(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ModelError, match="not a GGUF model"):
        read_header(path)


@pytest.mark.parametrize("kept", [50_000_000, 3000], ids=["tensors cut", "header cut"])
def test_truncated_file(tmp_path: Path, default_model_path: Path, kept: int) -> None:
    path = tmp_path / "cut.gguf"
    with open(default_model_path, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read(kept))
    with pytest.raises(ModelError, match="truncated"):
        read_header(path)


def test_small_written_model(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(128)
    writer.add_token_list([f"t{i}" for i in range(100)])
    writer.add_chat_template("{{ messages }}")
    writer.add_tensor("w", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    header = read_header(path)
    assert header.context_length == 128 and header.vocab_size == 100
    assert header.chat_template == "{{ messages }}" and header.parameters == 32
    assert header.tokens(98, 100) == [(98, b"t98"), (99, b"t99")]
