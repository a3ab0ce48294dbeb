"""The catalogue of well-known GGUF chat models (``known_models.toml``), the memory each needs at
the default context, and whether that fits this computer.

The catalogue ships in the package; a ``known_models.toml`` of the same shape in the data home
adds entries (or replaces one of the same ``name``). Each entry pins a file of a Hugging Face
repository at a commit, with its size in bytes and sha256, so a download is verified against the
catalogue as well as against what the server says.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from samantha.core.engine import Cancel, ModelSpec
from samantha.core.errors import InputError, ModelError
from samantha.models.download_registry import load_registry
from samantha.models.download_url import hf_endpoint, resolve_url

CATALOGUE_FILE = "known_models.toml"  # in the package, and (the user's additions) in the home
#: the context a model is loaded with unless the user says otherwise (4000)
DEFAULT_CONTEXT: int = ModelSpec.n_ctx  # the dataclass field's default
#: llama.cpp rounds the context up to a multiple of 256: n_ctx 4000 gives a KV cache of 4096
#: cells (its log says so when it loads a model with n_ctx=4000 here).
CONTEXT_STEP = 256
F16 = 2  # bytes per cached key or value element: llama.cpp's KV cache is f16 by default
BATCH = 512  # tokens per llama.cpp batch (the engine's n_batch)
#: llama.cpp's compute buffer holds, at its peak, one batch of output logits (n_batch x vocabulary
#: x 4 bytes) or one layer's attention scores (n_batch x context x heads x 4 bytes): measured
#: here, Gemma 3 270M at n_ctx 4000 reports 514.5 MiB, of which 512 MiB is 512 x 262,144 x 4.
FLOAT = 4
#: What Samantha itself (Python, the web UI, llama.cpp's small buffers) takes besides the model.
OVERHEAD = 256 * 2**20
GB = 10**9

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class KnownModel:
    """One catalogue entry: a pinned GGUF file, its architecture numbers and what it is for."""

    name: str  # the short name: `samantha models get NAME`
    title: str
    repo: str
    revision: str
    file: str
    quantization: str
    size: int  # bytes
    sha256: str
    parameters: str
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocabulary: int
    license: str
    languages: tuple[str, ...]
    good_at: str
    good_at_pt: str
    source: str  # where size and sha256 were read, and what they were checked against

    def url(self) -> str:
        """The file's download link at its pinned commit, on ``$HF_ENDPOINT`` when set."""
        return resolve_url(hf_endpoint(), self.repo, self.revision, self.file)

    def purpose(self, lang: str = "en") -> str:
        return self.good_at_pt if lang == "pt" else self.good_at


def _kinds() -> dict[str, type]:
    """Each field's kind of value: int, str, or tuple (a list of texts in the file)."""
    return {f.name: {"int": int, "str": str}.get(str(f.type), tuple) for f in fields(KnownModel)}


def parse_catalogue(text: str, origin: str) -> tuple[KnownModel, ...]:
    """The entries of a catalogue file's text; a missing or wrong field is one clear error."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{origin} is not valid TOML ({exc}). Fix it or remove it.") from None
    entries = data.get("model", [])
    if not isinstance(entries, list):
        raise ModelError(f"{origin}: models are [[model]] tables; see the shipped catalogue.")
    return tuple(_entry(item, origin, i) for i, item in enumerate(entries, 1))


def _entry(item: Any, origin: str, index: int) -> KnownModel:
    where = f"{origin}, model {index}"
    if not isinstance(item, dict):
        raise ModelError(f"{where} is not a table of fields.")
    where = f"{origin}, model {item.get('name', index)!r}"
    kinds = _kinds()
    missing = [name for name in kinds if name not in item]
    unknown = [name for name in item if name not in kinds]
    if missing or unknown:
        said = "; ".join(part for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unknown {', '.join(unknown)}" if unknown else "") if part)
        raise ModelError(f"{where}: {said}. Fields: {', '.join(kinds)}.")
    values = {}
    for name, kind in kinds.items():
        value = item[name]
        if kind is tuple:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else value
        else:
            ok = isinstance(value, kind) and not isinstance(value, bool)
        if not ok or (kind is int and value <= 0) or (kind is str and not value.strip()):
            wanted = {int: "a whole number above 0", str: "some text",
                      tuple: "a list of texts"}[kind]
            raise ModelError(f"{where}: {name} must be {wanted}, not {value!r}.")
        values[name] = value
    sha = values["sha256"]
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ModelError(f"{where}: sha256 must be 64 lower-case hex digits.")
    if not values["file"].lower().endswith(".gguf") or "/" in values["file"]:
        raise ModelError(f"{where}: file must be a .gguf file name.")
    return KnownModel(**values)


def shipped() -> tuple[KnownModel, ...]:
    """The catalogue that comes with Samantha."""
    text = resources.files("samantha.models").joinpath(CATALOGUE_FILE).read_text("utf-8")
    return parse_catalogue(text, f"the shipped {CATALOGUE_FILE}")


def catalogue(home: Path | None = None) -> tuple[KnownModel, ...]:
    """The shipped entries, with the data home's ``known_models.toml`` added (same name:
    replaced), in the order of the shipped file, then the user's."""
    models = {m.name: m for m in shipped()}
    user = Path(home) / CATALOGUE_FILE if home is not None else None
    if user is not None and user.is_file():
        try:
            text = user.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelError(f"{user} cannot be read ({exc}).") from None
        models.update((m.name, m) for m in parse_catalogue(text, str(user)))
    return tuple(models.values())


def find(models: tuple[KnownModel, ...], name: str) -> KnownModel:
    wanted = name.strip().lower()
    for model in models:
        if model.name.lower() == wanted:
            return model
    raise InputError(f"No model named {name!r} in the catalogue. Known names: "
                     f"{', '.join(m.name for m in models)} (see `samantha models catalogue`).")


# -- memory -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """The memory a model takes once loaded, in bytes, part by part."""

    weights: int
    kv_cache: int
    compute: int
    overhead: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead


def cells(n_ctx: int) -> int:
    return math.ceil(n_ctx / CONTEXT_STEP) * CONTEXT_STEP


def kv_cache_bytes(model: KnownModel, n_ctx: int = DEFAULT_CONTEXT) -> int:
    """Keys and values (f16) of every layer for the whole context."""
    return 2 * model.layers * model.kv_heads * model.head_dim * F16 * cells(n_ctx)


def memory_needed(model: KnownModel, n_ctx: int = DEFAULT_CONTEXT) -> Needs:
    compute = BATCH * FLOAT * max(model.vocabulary, cells(n_ctx) * model.heads)
    return Needs(model.size, kv_cache_bytes(model, n_ctx), compute, OVERHEAD)


@dataclass(frozen=True)
class Memory:
    """How much memory the comparison uses, and which figure it is: ``available`` (the
    kernel's MemAvailable: free now, counting caches it can drop) or ``total``."""

    bytes: int
    kind: str


def parse_meminfo(text: str) -> Memory | None:
    """MemAvailable from ``/proc/meminfo``'s text, else MemTotal (old kernels), else None."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key.strip()] = int(parts[0]) * (1024 if parts[1:2] == ["kB"] else 1)
    if "MemAvailable" in values:
        return Memory(values["MemAvailable"], "available")
    if "MemTotal" in values:
        return Memory(values["MemTotal"], "total")
    return None


def this_computer(meminfo: Path = Path("/proc/meminfo")) -> Memory | None:
    """This computer's memory: available where the system says (Linux), else the total
    (``os.sysconf``), else None."""
    try:
        found = parse_meminfo(meminfo.read_text(encoding="ascii", errors="replace"))
    except OSError:
        found = None
    if found is not None:
        return found
    import os

    try:
        return Memory(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"), "total")
    except (AttributeError, ValueError, OSError):
        return None


@dataclass(frozen=True)
class Fit:
    fits: bool
    short: int  # bytes missing (0 when it fits)

    @property
    def short_gb(self) -> str:
        """The bytes missing in GB, rounded up to a tenth (never "0.0 GB more")."""
        return f"{max(math.ceil(self.short / GB * 10), 1) / 10:.1f}"


def fit(needed: int, memory: int) -> Fit:
    return Fit(needed <= memory, max(needed - memory, 0))


def gigabytes(n: int) -> str:
    return f"{n / GB:.1f} GB"


# -- files ------------------------------------------------------------------------------------


def downloaded_path(model: KnownModel, models_dir: Path) -> Path | None:
    """Where this entry's file already is (downloaded by its link), without the network."""
    record = load_registry(models_dir).kept(model.url())
    if record is not None and record.sha256 == model.sha256 and record.present(models_dir):
        return record.path(models_dir)
    return None


def download_known(model: KnownModel, models_dir: Path, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> Path:
    """Download (or resume, or reuse) the entry's file into ``models_dir``, refusing any file
    whose size or sha256 is not the catalogue's."""
    from samantha.models.download import Expected, download_model  # the HTTP client: on demand

    return download_model(model.url(), models_dir, mode="keep", progress=progress, cancel=cancel,
                          expect=Expected(model.size, model.sha256))
