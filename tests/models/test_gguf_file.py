from __future__ import annotations

import re
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest
from support.tiny_model import (
    ARCH,
    HOSTILE_HEADERS,
    gguf_kv,
    gguf_string,
    write_hostile_gguf,
    write_raw_gguf,
)

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


# -- hostile headers: one ModelError naming the file and the field, never a traceback ----------
HOSTILE_MESSAGES = {
    "arrays 5,000 deep": "metadata key 'deep' nests arrays more than 8 deep",
    "alignment 0": "metadata key 'general.alignment' is 0, not a positive power of two",
    "alignment 'abc'": "metadata key 'general.alignment' is a string, not a 32-bit unsigned",
    "tensor type 999": "tensor 0 ('w') has tensor type 999, which ggml does not know",
}


@pytest.mark.parametrize("case", list(HOSTILE_HEADERS))
def test_hostile_headers_are_one_clear_error(tmp_path: Path, case: str) -> None:
    path = write_hostile_gguf(tmp_path / "bad.gguf", case)
    with pytest.raises(ModelError) as caught:
        read_header(path)
    assert str(path) in str(caught.value)
    assert HOSTILE_MESSAGES[case] in str(caught.value)


def test_the_hand_written_file_is_valid_without_the_hostile_field(tmp_path: Path) -> None:
    """The hostile files differ from a good one only by their hostile field."""
    header = read_header(write_raw_gguf(tmp_path / "good.gguf", [ARCH]))
    assert header.tensors[0].shape == (8,) and header.data_offset % 32 == 0
    pow2 = gguf_kv("general.alignment", 4, struct.pack("<I", 64))
    assert read_header(write_raw_gguf(tmp_path / "a64.gguf", [ARCH, pow2],
                                      align=64)).data_offset % 64 == 0


U32 = gguf_kv("general.alignment", 4, struct.pack("<I", 3))
MORE_CASES = {  # write_raw_gguf options -> what the message says
    "alignment 3": ({"kvs": [U32]}, "is 3, not a positive power of two"),
    "version 1": ({"kvs": [ARCH], "version": 1}, "its version is 1, not one llama.cpp reads"),
    "a billion keys": ({"kvs": [ARCH], "n_kv": 10**9},
                       "its header counts 1,000,000,000 keys, above the limit of 65,536"),
    "more keys than bytes": ({"kvs": [ARCH], "n_kv": 60_000}, "truncated or damaged: its header"),
    "a key twice": ({"kvs": [ARCH, ARCH]}, "metadata key 'general.architecture' appears twice"),
    "a string past the end": ({"kvs": [gguf_kv("x", 8, struct.pack("<Q", 10**6))]},
                              "truncated"),
    "a string over the limit": ({"kvs": [gguf_kv("x", 8, struct.pack("<Q", 2**40))]},
                                "holds a string of 1,099,511,627,776 bytes, above the limit"),
    "an unknown value type": ({"kvs": [gguf_kv("x", 77, b"")]}, "unknown GGUF value type 77"),
    "an array of unknown type": ({"kvs": [gguf_kv("x", 9, struct.pack("<IQ", 66, 0))]},
                                 "array of unknown GGUF value type 66"),
    "2**62 items": ({"kvs": [gguf_kv("x", 9, struct.pack("<IQ", 0, 2**62))]},
                    "truncated or damaged: metadata key 'x' (4,611,686,018,427,387,904 items)"),
    "architecture as a number": ({"kvs": [gguf_kv("general.architecture", 4, b"\0" * 4)]},
                                 "'general.architecture' is an integer, not a string"),
    "context length as a string": ({"kvs": [ARCH, gguf_kv("llama.context_length", 8,
                                                          gguf_string("big"))]},
                                   "'llama.context_length' is a string, not an integer"),
    "vocabulary of integers": ({"kvs": [gguf_kv("tokenizer.ggml.tokens", 9,
                                                struct.pack("<IQI", 4, 1, 7))]},
                               "'tokenizer.ggml.tokens' is not an array of strings"),
    "5 dimensions": ({"kvs": [ARCH], "dims": (8, 1, 1, 1, 1)}, "has 5 dimensions"),
    "rows not in blocks": ({"kvs": [ARCH], "tensor_type": 2, "dims": (8,)},
                           "rows of 8 values, not whole blocks of 32 (Q4_0)"),
    "misaligned data": ({"kvs": [ARCH], "offset": 4}, "not a multiple of the alignment 32"),
    "data past the end": ({"kvs": [ARCH], "offset": 2**40}, "truncated"),
    "2**64 elements": ({"kvs": [ARCH], "dims": (2**32, 2**32)}, "beyond 64-bit sizes"),
}


@pytest.mark.parametrize("case", list(MORE_CASES))
def test_each_header_field_is_checked(tmp_path: Path, case: str) -> None:
    options, message = MORE_CASES[case]
    path = write_raw_gguf(tmp_path / "bad.gguf", **options)
    with pytest.raises(ModelError, match=re.escape(message)):
        read_header(path)


def test_a_folder_named_like_a_model_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "dir.gguf").mkdir()
    with pytest.raises(ModelError, match="is not a file"):
        read_header(tmp_path / "dir.gguf")
