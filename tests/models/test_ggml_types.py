"""Samantha's table of ggml tensor types agrees with the ``gguf`` package's, type by type."""

from __future__ import annotations

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

from samantha.models.ggml_types import GGML_TYPES


def test_every_type_has_the_name_and_block_sizes_gguf_gives_it() -> None:
    for type_id, (name, block, size) in GGML_TYPES.items():
        kind = GGMLQuantizationType(type_id)
        assert kind.name == name
        assert GGML_QUANT_SIZES[kind] == (block, size), name


def test_every_type_gguf_knew_when_the_table_was_written_is_there() -> None:
    known_then = {0, 1, 2, 3, *range(6, 31), 34, 35, 39, 40, 41}
    assert known_then <= set(GGML_TYPES)
    assert {int(t) for t in GGML_QUANT_SIZES} >= set(GGML_TYPES)
