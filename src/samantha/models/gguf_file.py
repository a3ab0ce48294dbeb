"""Read a GGUF file's header (metadata and tensor table) without loading the weights.

Large arrays, such as the vocabulary, are not decoded up front: the reader remembers where they
are, so :meth:`GGUFHeader.tokens` can read any id range later. A file that is not GGUF, or that
stops before its last tensor ends, raises :class:`ModelError` with a message saying what to do.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samantha.core.errors import ModelError

MAGIC = b"GGUF"
_SCALARS = {  # GGUF value type -> struct format
    0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
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
        from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

        end = self.data_offset
        for t in self.tensors:
            block, size = GGML_QUANT_SIZES[GGMLQuantizationType(t.ggml_type)]
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
    def __init__(self, view: mmap.mmap, path: Path) -> None:
        self.view, self.path, self.pos = view, path, 0

    def take(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.view):
            raise ModelError(
                f"{self.path} is truncated: its header ends early. Download the model again."
            )
        (value,) = struct.unpack_from(fmt, self.view, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        length = self.take("<Q")
        raw = self.view[self.pos: self.pos + length]
        if len(raw) < length:
            raise ModelError(f"{self.path} is truncated: its header ends early. Download it again.")
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.take(_SCALARS[kind])
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item_type, count = self.take("<I"), self.take("<Q")
            if count <= _SMALL_ARRAY:
                return [self.value(item_type) for _ in range(count)]
            lazy = LazyArray(item_type, count, self.pos)
            self.skip_array(item_type, count)
            return lazy
        raise ModelError(f"{self.path} has an unknown GGUF value type {kind}; is it corrupt?")

    def skip_array(self, item_type: int, count: int) -> None:
        if item_type in _SCALARS:
            self.pos += struct.calcsize(_SCALARS[item_type]) * count
        elif item_type == _STRING:  # each one a length, then its bytes: a tight loop
            view, pos, last = self.view, self.pos, len(self.view) - 8
            length = _LENGTH.unpack_from
            for _ in range(count):
                if pos > last:  # truncated: no room for the next length
                    pos = len(view) + 1
                    break
                pos += 8 + length(view, pos)[0]
            self.pos = pos
        else:
            for _ in range(count):
                self.value(item_type)
        if self.pos > len(self.view):
            raise ModelError(f"{self.path} is truncated: its header ends early. Download it again.")


def _open_map(path: Path) -> mmap.mmap:
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def check_magic(path: str | Path) -> int:
    """The file's size, after checking that it exists and starts as a GGUF file (cheap: the
    first bytes only; :func:`read_header` checks the rest)."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(
            f"Model file not found: {path}. Check the path, or run `samantha models list` to see "
            "the models Samantha knows."
        )
    size = path.stat().st_size
    if size < 24:
        raise ModelError(f"{path} is not a GGUF model: it has only {size} bytes.")
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start != MAGIC:
        raise ModelError(
            f"{path} is not a GGUF model (it starts with {start!r}, not b'GGUF'). "
            "Samantha runs GGUF files; convert the model or download its .gguf version."
        )
    return size


def read_header(path: str | Path) -> GGUFHeader:
    """Parse the header of a GGUF file and check that the file holds all of its tensors."""
    path = Path(path)
    size = check_magic(path)
    with _open_map(path) as view:
        reader = _Reader(view, path)
        reader.pos = 4
        version = reader.take("<I")
        n_tensors, n_kv = reader.take("<Q"), reader.take("<Q")
        metadata = {}
        for _ in range(n_kv):
            key = reader.string()
            metadata[key] = reader.value(reader.take("<I"))
        tensors = []
        for _ in range(n_tensors):
            name = reader.string()
            dims = tuple(reader.take("<Q") for _ in range(reader.take("<I")))
            tensors.append(Tensor(name, dims, reader.take("<I"), reader.take("<Q")))
        alignment = int(metadata.get("general.alignment", 32))
        data_offset = -(-reader.pos // alignment) * alignment
    header = GGUFHeader(path, version, metadata, tensors, data_offset, size)
    expected = header.expected_size()
    if size < expected:
        raise ModelError(
            f"{path} is truncated: it has {size:,} bytes but its tensors need {expected:,}. "
            "The download was probably interrupted; download the model again."
        )
    return header
