"""Read a GGUF file's header (metadata and tensor table) without loading the weights.

Large arrays, such as the vocabulary, are not decoded up front: the reader remembers where they
are, so :meth:`GGUFHeader.tokens` can read any id range later. A file that is not GGUF, that
stops before its last tensor ends, or whose header breaks a bound of
:mod:`samantha.models.gguf_checks`, raises :class:`ModelError` with a message saying what to do.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samantha.core.errors import ModelError
from samantha.models.ggml_types import GGML_TYPES
from samantha.models.gguf_checks import (
    ARRAY,
    DEFAULT_ALIGNMENT,
    GGUF_VERSIONS,
    MAX_ARRAY_DEPTH,
    MAX_ARRAY_ITEMS,
    MAX_DIMS,
    MAX_KEY_BYTES,
    MAX_METADATA_KEYS,
    MAX_STRING_BYTES,
    MAX_TENSOR_NAME_BYTES,
    MAX_TENSORS,
    MIN_KEY_VALUE,
    MIN_SIZE,
    MIN_TENSOR_INFO,
    SCALARS,
    STRING,
    Problem,
    check_alignment,
    check_tensor,
    check_value_type,
)

MAGIC = b"GGUF"
_SMALL_ARRAY = 64  # arrays up to this length are decoded; longer ones are read on demand


@dataclass(frozen=True)
class LazyArray:
    """A long metadata array left on disk: element type, length, and where it starts."""

    item_type: int
    count: int
    offset: int


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int

    @property
    def elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass
class GGUFHeader:
    path: Path
    version: int
    metadata: dict[str, Any]
    tensors: list[Tensor] = field(default_factory=list)
    data_offset: int = 0
    file_size: int = 0

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def context_length(self) -> int | None:
        return self.arch_value("context_length")

    @property
    def vocab_size(self) -> int | None:
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        if isinstance(tokens, LazyArray):
            return tokens.count
        if isinstance(tokens, list):
            return len(tokens)
        return self.arch_value("vocab_size")

    @property
    def chat_template(self) -> str | None:
        template = self.metadata.get("tokenizer.chat_template")
        return template if isinstance(template, str) and template.strip() else None

    @property
    def parameters(self) -> int:
        return sum(t.elements for t in self.tensors)

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if file_type is None:
            return "unknown"
        try:
            from gguf import LlamaFileType

            return LlamaFileType(file_type).name.removeprefix("MOSTLY_")
        except ValueError:
            return f"type {file_type}"

    def expected_size(self) -> int:
        """Bytes the file needs to hold every tensor."""
        end = self.data_offset
        for t in self.tensors:
            _, block, size = GGML_TYPES[t.ggml_type]
            end = max(end, self.data_offset + t.offset + t.elements // block * size)
        return end

    def tokens(self, start: int, stop: int) -> list[tuple[int, bytes]]:
        """Vocabulary entries ``start <= id < stop`` as (id, raw bytes of the piece's text)."""
        array = self.metadata.get("tokenizer.ggml.tokens")
        if array is None:
            raise ModelError(f"{self.path.name} has no vocabulary in its metadata.")
        if isinstance(array, list):
            return [(i, s.encode("utf-8")) for i, s in enumerate(array) if start <= i < stop]
        out: list[tuple[int, bytes]] = []
        with _open_map(self.path) as view:
            pos = array.offset
            for i in range(min(stop, array.count)):
                (length,) = struct.unpack_from("<Q", view, pos)
                if i >= start:
                    out.append((i, bytes(view[pos + 8: pos + 8 + length])))
                pos += 8 + length
        return out

    def longest_token(self) -> int | None:
        """Bytes of the longest piece of the vocabulary: no token stands for more text (a piece
        is stored as it is written, or longer: ``▁`` for a space, ``<0x41>`` for a byte).
        None without a vocabulary, or for a tokenizer that normalises text first (T5's
        unigram model may read more text than a piece's own bytes)."""
        array = self.metadata.get("tokenizer.ggml.tokens")
        if array is None or self.metadata.get("tokenizer.ggml.model") == "t5":
            return None
        if isinstance(array, list):
            return max((len(s.encode("utf-8")) for s in array), default=None)
        longest = 0
        with _open_map(self.path) as view:
            pos = array.offset
            for _ in range(array.count):
                (length,) = struct.unpack_from("<Q", view, pos)
                longest = max(longest, length)
                pos += 8 + length
        return longest or None

    def summary(self) -> dict[str, Any]:
        """What ``samantha models info`` shows."""
        return {
            "file": str(self.path),
            "name": self.metadata.get("general.name"),
            "architecture": self.architecture,
            "context_length": self.context_length,
            "vocab_size": self.vocab_size,
            "chat_template": self.chat_template is not None,
            "quantization": self.quantization,
            "parameters": self.parameters,
            "file_size": self.file_size,
            "gguf_version": self.version,
        }


_LENGTH = struct.Struct("<Q")


class _Reader:
    """Reads the header from a memory map, checking each field (see :mod:`gguf_checks`)."""

    def __init__(self, view: mmap.mmap, problem: Problem) -> None:
        self.view, self.problem, self.pos = view, problem, 0

    @property
    def left(self) -> int:
        return len(self.view) - self.pos

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.view):
            raise self.problem.truncated()
        (value,) = struct.unpack_from(fmt, self.view, self.pos)
        self.pos += size
        return value

    def count(self, field: str, limit: int, each: int, unit: str) -> int:
        """A count read from the file, within ``limit`` and the bytes left (``each`` at least
        per item)."""
        n = self.take("<Q")
        if n > limit:
            raise self.problem.over(field, f"counts {n:,} {unit}", limit)
        if n * each > self.left:
            raise self.problem.truncated(f"{field} ({n:,} {unit})", n * each, self.left)
        return n

    def string(self, field: str, limit: int = MAX_STRING_BYTES) -> str:
        length = self.take("<Q")
        if length > limit:
            raise self.problem.over(field, f"holds a string of {length:,} bytes", limit)
        if length > self.left:
            raise self.problem.truncated()
        raw = self.view[self.pos: self.pos + length]
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def value(self, kind: int, field: str, depth: int = 0) -> Any:
        if kind in SCALARS:
            return self.take(SCALARS[kind])
        if kind == STRING:
            return self.string(field)
        if kind == ARRAY:
            return self.array(field, depth + 1)[1]
        raise self.problem.bad(field, f"has an unknown GGUF value type {kind}")

    def array(self, field: str, depth: int) -> tuple[int, list[Any] | LazyArray]:
        """(item type, items): the items decoded when few, else left on disk."""
        if depth > MAX_ARRAY_DEPTH:
            raise self.problem.bad(field, f"nests arrays more than {MAX_ARRAY_DEPTH} deep (the "
                                   "limit)")
        item_type = self.take("<I")
        if item_type not in MIN_SIZE:
            raise self.problem.bad(field, f"is an array of unknown GGUF value type {item_type}")
        stepped = item_type in (STRING, ARRAY)  # items read one by one
        count = self.count(field, MAX_ARRAY_ITEMS if stepped else 2**64, MIN_SIZE[item_type],
                           "items")
        if count <= _SMALL_ARRAY:
            return item_type, [self.value(item_type, field, depth) for _ in range(count)]
        lazy = LazyArray(item_type, count, self.pos)
        if item_type == STRING:
            self.skip_strings(count)
        elif item_type == ARRAY:
            for _ in range(count):
                self.array(field, depth + 1)
        else:
            self.pos += MIN_SIZE[item_type] * count  # within the file: count() checked it
        return item_type, lazy

    def skip_strings(self, count: int) -> None:
        """Step over ``count`` strings (each a length, then its bytes): a tight loop, for
        vocabularies of hundreds of thousands of pieces. A length past the end of the file
        ends it (the pieces are only decoded later, one id range at a time)."""
        view, pos, last = self.view, self.pos, len(self.view) - 8
        length = _LENGTH.unpack_from
        for _ in range(count):
            if pos > last:  # no room for the next length
                raise self.problem.truncated()
            pos += 8 + length(view, pos)[0]
        if pos > len(view):
            raise self.problem.truncated()
        self.pos = pos

    def metadata(self, n_kv: int) -> dict[str, Any]:
        metadata: dict[str, Any] = {}
        for i in range(n_kv):
            key = self.string(f"metadata key {i}", MAX_KEY_BYTES)
            field = f"metadata key {key!r}"
            if key in metadata:
                raise self.problem.bad(field, "appears twice")
            kind = self.take("<I")
            if kind == ARRAY:
                item_type, metadata[key] = self.array(field, 1)
            else:
                item_type, metadata[key] = None, self.value(kind, field)
            check_value_type(self.problem, key, kind, item_type)
        return metadata

    def tensors(self, n_tensors: int) -> list[Tensor]:
        tensors: list[Tensor] = []
        names: set[str] = set()
        for i in range(n_tensors):
            name = self.string(f"the name of tensor {i}", MAX_TENSOR_NAME_BYTES)
            field = f"tensor {i} ({name!r})"
            if name in names:
                raise self.problem.bad(field, "appears twice")
            names.add(name)
            n_dims = self.take("<I")
            if n_dims > MAX_DIMS:
                raise self.problem.over(field, f"has {n_dims} dimensions", MAX_DIMS)
            dims = tuple(self.take("<Q") for _ in range(n_dims))
            tensors.append(Tensor(name, dims, self.take("<I"), self.take("<Q")))
        return tensors


def _open_map(path: Path) -> mmap.mmap:
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def check_magic(path: str | Path) -> int:
    """The file's size, after checking that it exists and starts as a GGUF file (cheap: the
    first bytes only; :func:`read_header` checks the rest)."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise ModelError(f"{path} is not a file; give the path of a .gguf model file.")
        raise ModelError(
            f"Model file not found: {path}. Check the path, or run `samantha models list` to see "
            "the models Samantha knows."
        )
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        raise ModelError(f"{path} cannot be read ({exc.strerror or exc}). Check its "
                         "permissions.") from None
    if size < 24:
        raise ModelError(f"{path} is not a GGUF model: it has only {size} bytes.")
    if start != MAGIC:
        raise ModelError(
            f"{path} is not a GGUF model (it starts with {start!r}, not b'GGUF'). "
            "Samantha runs GGUF files; convert the model or download its .gguf version."
        )
    return size


def read_header(path: str | Path) -> GGUFHeader:
    """Parse the header of a GGUF file, checking every field as it is read (see
    :mod:`samantha.models.gguf_checks`), and check that the file holds all of its tensors.
    A bad file raises one :class:`ModelError` naming the file and the field."""
    path = Path(path)
    size = check_magic(path)
    problem = Problem(path)
    try:
        view = _open_map(path)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path} cannot be read ({exc}). Check its permissions.") from None
    with view:
        reader = _Reader(view, problem)
        reader.pos = 4
        version = reader.take("<I")
        if version not in GGUF_VERSIONS:
            raise problem.bad("its version", f"is {version}, not one llama.cpp reads "
                              f"({' or '.join(map(str, GGUF_VERSIONS))})")
        n_tensors = reader.count("its header", MAX_TENSORS, MIN_TENSOR_INFO,
                                 "tensors")
        n_kv = reader.count("its header", MAX_METADATA_KEYS, MIN_KEY_VALUE,
                            "keys")
        metadata = reader.metadata(n_kv)
        tensors = reader.tensors(n_tensors)
        alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        check_alignment(problem, alignment)
        for i, t in enumerate(tensors):
            check_tensor(problem, f"tensor {i} ({t.name!r})", t.shape, t.ggml_type, t.offset,
                         alignment)
        data_offset = -(-reader.pos // alignment) * alignment
    header = GGUFHeader(path, version, metadata, tensors, data_offset, size)
    expected = header.expected_size()
    if size < expected:
        raise ModelError(
            f"{path} is truncated: it has {size:,} bytes but its tensors need {expected:,}. "
            "The download was probably interrupted; download the model again."
        )
    return header
