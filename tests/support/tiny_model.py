"""A tiny random-weight llama-architecture GGUF, written with the ``gguf`` package.

A genuine second model for tests: its own vocabulary (bytes plus a few words), an optional chat
template, loads in milliseconds in llama.cpp, costs no download.
"""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np

WORDS = ["▁the", "▁a", "▁cat", "▁dog", "▁is", "▁and", "▁hello", "▁world", "▁yes", "▁no"]
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def write_tiny_llama(path: Path, chat_template: str | None = CHATML, seed: int = 0,
                     n_embd: int = 64, n_layer: int = 2, n_ff: int = 128,
                     n_ctx: int = 512) -> Path:
    rng = np.random.default_rng(seed)
    tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    types = [2, 3, 3, 3, 3]  # unknown, control...
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [6] * 256  # byte tokens
    tokens += WORDS + list("abcdefghijklmnopqrstuvwxyz") + ["▁"]
    types += [1] * (len(WORDS) + 27)
    scores = [0.0] * 5 + [-1000.0] * 256 + [-float(i) for i in range(len(WORDS) + 27)]
    n_vocab = len(tokens)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-llama")
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(4)
    writer.add_head_count_kv(4)
    writer.add_rope_dimension_count(n_embd // 4)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    if chat_template:
        writer.add_chat_template(chat_template)

    def tensor(name: str, *shape: int) -> None:
        writer.add_tensor(name, (rng.standard_normal(shape) * 0.5).astype(np.float32))

    tensor("token_embd.weight", n_vocab, n_embd)
    writer.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    tensor("output.weight", n_vocab, n_embd)
    for i in range(n_layer):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            tensor(f"blk.{i}.{part}.weight", n_embd, n_embd)
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        tensor(f"blk.{i}.ffn_gate.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_up.weight", n_ff, n_embd)
        tensor(f"blk.{i}.ffn_down.weight", n_embd, n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# -- hostile headers, written by hand ------------------------------------------------------------
def gguf_string(text: str | bytes) -> bytes:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def gguf_kv(key: str, kind: int, value: bytes) -> bytes:
    """One metadata key-value: ``kind`` is the GGUF value type (4 uint32, 8 string, 9 array)."""
    return gguf_string(key) + struct.pack("<I", kind) + value


def nested_arrays(depth: int) -> bytes:
    """An array holding an array holding ... ``depth`` levels, the innermost empty."""
    return struct.pack("<IQ", 9, 1) * (depth - 1) + struct.pack("<IQ", 0, 0)


ARCH = gguf_kv("general.architecture", 8, gguf_string("llama"))
HOSTILE_HEADERS = {  # case -> (metadata key-values, options of write_raw_gguf)
    "arrays 5,000 deep": ([ARCH, gguf_kv("deep", 9, nested_arrays(5000))], {}),
    "alignment 0": ([gguf_kv("general.alignment", 4, struct.pack("<I", 0))], {}),
    "alignment 'abc'": ([gguf_kv("general.alignment", 8, gguf_string("abc"))], {}),
    "tensor type 999": ([ARCH], {"tensor_type": 999}),
}


def write_raw_gguf(path: Path, kvs: list[bytes], tensor_type: int = 0, n_kv: int | None = None,
                   version: int = 3, dims: tuple[int, ...] = (8,), offset: int = 0,
                   align: int = 32) -> Path:
    """A small GGUF file written byte by byte: the key-values given, then one tensor ``w`` of
    8 f32 values (its type, shape and offset as given), the header padded to ``align``."""
    n_kv = len(kvs) if n_kv is None else n_kv
    tensor = gguf_string("w") + struct.pack("<I", len(dims)) + b"".join(
        struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", tensor_type, offset)
    header = b"GGUF" + struct.pack("<IQQ", version, 1, n_kv) + b"".join(kvs) + tensor
    header += b"\0" * (-len(header) % align)
    path.write_bytes(header + np.arange(8, dtype=np.float32).tobytes())
    return path


def write_hostile_gguf(path: Path, case: str) -> Path:
    """A small GGUF file whose header is hostile as ``case`` (a key of
    :data:`HOSTILE_HEADERS`) says."""
    kvs, options = HOSTILE_HEADERS[case]
    return write_raw_gguf(path, kvs, **options)
