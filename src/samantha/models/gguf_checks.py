"""The bounds a GGUF header must keep, each with its reason, and the checks of its fields.

A model file comes from anywhere (a download, a folder such as ~/Downloads), so every count,
length, type and offset in its header is checked, as it is read, against these bounds and
against the bytes the file really has. A hostile header is then one clear :class:`ModelError`
naming the file, the field and what was wrong, never a hang, a huge allocation or a traceback
(5,000 nested arrays once raised RecursionError; an alignment of 0, ZeroDivisionError).
"""

from __future__ import annotations

import struct
from pathlib import Path

from samantha.core.errors import ModelError
from samantha.models.ggml_types import GGML_TYPES

# -- the bounds ------------------------------------------------------------------------------------
GGUF_VERSIONS = (2, 3)
"""Version 1 (2023) counted with 32 bits and llama.cpp no longer reads it; 3 is the newest."""

MAX_ARRAY_DEPTH = 8
"""Arrays inside arrays, levels. The format allows them, llama.cpp reads none and no published
model has them; a few levels keep such a file listable and the reader's stack small."""

MAX_METADATA_KEYS = 65_536
"""Metadata keys of one file. Published models have under a few hundred."""

MAX_KEY_BYTES = 65_535
"""Bytes of one metadata key's name: the GGUF specification's own limit."""

MAX_STRING_BYTES = 16 * 2**20
"""Bytes of one metadata string. The longest real ones (chat templates, licences) are tens of
KB; this keeps what a hostile header makes us hold in memory bounded."""

MAX_ARRAY_ITEMS = 16 * 2**20
"""Items of one array of strings or of arrays, which the reader steps over one by one. The
largest vocabularies and merge lists have under a few million; this keeps a hostile header's
reading within seconds."""

MAX_TENSORS = 65_536
"""Tensors of one file. The largest published models have a few thousand."""

MAX_TENSOR_NAME_BYTES = 63
"""Bytes of a tensor's name: ggml's GGML_MAX_NAME (64) with its terminating zero."""

MAX_DIMS = 4
"""Dimensions of a tensor: ggml's GGML_MAX_DIMS."""

DEFAULT_ALIGNMENT = 32
"""Where tensor data starts when ``general.alignment`` is absent (the GGUF specification)."""

# -- value types -----------------------------------------------------------------------------------
SCALARS = {  # GGUF value type -> struct format
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q",
    12: "<d",
}
STRING, ARRAY, UINT32 = 8, 9, 4
INTEGERS = frozenset({0, 1, 2, 3, 4, 5, 10, 11})
MIN_SIZE = {**{kind: struct.calcsize(fmt) for kind, fmt in SCALARS.items()},
            STRING: 8, ARRAY: 12}  # the fewest bytes one value of each type takes
MIN_KEY_VALUE = 8 + 4 + 1  # a key's length, the value's type, the smallest value
MIN_TENSOR_INFO = 8 + 4 + 4 + 8  # name length, dimension count, type, offset

_KEYS = {  # metadata keys Samantha reads -> the value types they must have, in words
    "general.alignment": ({UINT32}, "a 32-bit unsigned integer"),
    "general.architecture": ({STRING}, "a string"),
    "general.file_type": (INTEGERS, "an integer"),
    "tokenizer.ggml.model": ({STRING}, "a string"),
    "tokenizer.chat_template": ({STRING}, "a string"),
}
_ARCH_KEYS = (".context_length", ".vocab_size", ".block_count", ".embedding_length",
              ".attention.key_length", ".attention.value_length")  # integers
_PER_LAYER_KEYS = (".attention.head_count", ".attention.head_count_kv")  # or arrays of them


class Problem:
    """Makes the errors of one file: each names the file and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def bad(self, field: str, what: str) -> ModelError:
        return ModelError(
            f"{self.path} is not a usable GGUF model: {field} {what}. The file is damaged or "
            "was not made by a GGUF writer; download the model again from a source you trust, "
            "or move it out of the models folder.")

    def truncated(self, field: str = "", need: int = 0, left: int = 0) -> ModelError:
        if not field:
            return ModelError(f"{self.path} is truncated: its header ends early. Download the "
                              "model again.")
        return ModelError(
            f"{self.path} is truncated or damaged: {field} needs at least {need:,} bytes but "
            f"only {left:,} are left in the file. Download the model again.")

    def over(self, field: str, what: str, limit: int) -> ModelError:
        """``what`` says the value (``is 1,000,000``, ``holds a string of 9 bytes``)."""
        return self.bad(field, f"{what}, above the limit of {limit:,}")


def check_value_type(problem: Problem, key: str, kind: int, item_type: int | None) -> None:
    """Refuse a metadata value whose type is not the one Samantha (and llama.cpp) expects."""
    expected = _KEYS.get(key)
    if expected is None and key.endswith(_ARCH_KEYS):
        expected = (INTEGERS, "an integer")
    if key.endswith(_PER_LAYER_KEYS):
        if kind in INTEGERS or (kind == ARRAY and item_type in INTEGERS):
            return
        expected = (INTEGERS, "an integer or an array of integers")
    if key == "tokenizer.ggml.tokens" and not (kind == ARRAY and item_type == STRING):
        raise problem.bad(f"metadata key {key!r}", "is not an array of strings")
    if expected is not None and kind not in expected[0]:
        raise problem.bad(f"metadata key {key!r}", f"is {type_name(kind, item_type)}, not "
                          f"{expected[1]}")


def check_alignment(problem: Problem, alignment: int) -> None:
    if alignment <= 0 or alignment & (alignment - 1):
        raise problem.bad("metadata key 'general.alignment'",
                          f"is {alignment}, not a positive power of two")


def check_tensor(problem: Problem, field: str, dims: tuple[int, ...], ggml_type: int,
                 offset: int, alignment: int) -> None:
    """A tensor's type is one ggml knows, its shape fits ggml's 64-bit sizes and whole blocks
    of its type, and its data starts on the alignment."""
    if ggml_type not in GGML_TYPES:
        raise problem.bad(field, f"has tensor type {ggml_type}, which ggml does not know")
    elements = 1
    for d in dims:
        if d >= 2**63:
            raise problem.bad(field, f"has a dimension of {d:,}, beyond 64-bit sizes")
        elements *= d
    if elements >= 2**63:
        raise problem.bad(field, f"has {elements:,} elements, beyond 64-bit sizes")
    name, block, _ = GGML_TYPES[ggml_type]
    if dims and dims[0] % block:
        raise problem.bad(field, f"has rows of {dims[0]} values, not whole blocks of {block} "
                          f"({name})")
    if offset % alignment:
        raise problem.bad(field, f"starts at data offset {offset:,}, not a multiple of the "
                          f"alignment {alignment}")


def type_name(kind: int, item_type: int | None = None) -> str:
    names = {STRING: "a string", 7: "a boolean", 6: "a float", 12: "a float"}
    if kind == ARRAY:
        return ("an array" if item_type is None else
                f"an array of {type_name(item_type).split(' ', 1)[1]}s")
    return names.get(kind, "an integer" if kind in INTEGERS else f"of type {kind}")
