"""Remote backends by name, the pure part: a backend's address, kind and limits
(:class:`BackendSpec`), a chain file's ``[backends]`` table, model references such as
``gemma@lab`` and what a reachable backend reports. The token loop over a backend's stream is
:mod:`samantha.core.remote`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from samantha.core.errors import InputError, SamanthaError
from samantha.core.remote_limits import CEILINGS, StreamLimits, limits_from
from samantha.core.schema import Number, Refused, Text, Whole, check_table, shown

KINDS = ("llama-server", "openai", "ollama")
ANY = "*"  # MODEL@* : any backend that serves MODEL
MAX_SLOTS = 4096  # answers one backend computes at once, declared or as it says
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class BackendError(SamanthaError):
    """A backend that cannot be reached, refuses, or answers in a way we cannot use: a failure
    on the way (exit code 1), not a request that cannot be done as asked (a bad backend name,
    address or kind is an :class:`InputError`)."""


class BackendInputError(InputError, BackendError):
    """A backend cannot do what was asked, as asked: a model it does not serve, a key it wants
    that is not set or is refused, an address that redirects or has no such path, more
    candidates than it gives, a prompt too long for its context. Exit code 2; a chain still
    treats it as its backend failing (another backend may serve the cycle)."""


@dataclass(frozen=True)
class BackendSpec:
    """A server Samantha can send cycles to. The key, when one is needed, is read from the
    environment variable ``api_key_env`` at each request: it is never written to a file."""

    name: str
    url: str
    kind: str = "auto"
    api_key_env: str | None = None
    limits: StreamLimits = field(default_factory=StreamLimits)
    slots: int | None = None  # answers it computes at once, when it does not say (placement)
    weight: float = 1.0  # its share of the cycles beside others of as many slots

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise InputError(f"Backend name {self.name!r}: use letters, digits, '.', '_' or "
                             "'-' (up to 64), starting with a letter or digit, e.g. 'lab'.")
        if not re.match(r"https?://[^/\s]+", self.url):
            raise InputError(f"Backend URL {self.url!r}: give the server's address with its "
                             "scheme, e.g. http://127.0.0.1:8080")
        if self.kind not in ("auto", *KINDS):
            raise InputError(f"Backend kind {self.kind!r}: use one of auto, "
                             f"{', '.join(KINDS)}.")
        object.__setattr__(self, "url", self.url.rstrip("/"))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"url": self.url, "kind": self.kind}
        if self.api_key_env:
            data["api_key_env"] = self.api_key_env
        if self.slots is not None:
            data["slots"] = self.slots
        if self.weight != 1.0:
            data["weight"] = self.weight
        return {**data, **self.limits.to_dict()}


BACKEND_KEYS = {"url": Text("an http:// or https:// address"),
                "kind": Text("auto, llama-server, openai or ollama", optional=True),
                "api_key_env": Text("the name of an environment variable", optional=True),
                "slots": Whole(1, MAX_SLOTS), "weight": Number(0.01, 100.0),
                **CEILINGS}


def spec_from_entry(name: str, entry: Any) -> BackendSpec:
    """A backend from ``"URL"`` or ``{url, kind, api_key_env, slots, weight, <limits>}`` (raises
    :class:`Refused`)."""
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, dict):
        raise Refused(f"must be a URL in quotes or a table with url, kind and api_key_env, "
                      f"got {shown(entry)}", name)
    try:
        values = check_table(entry, BACKEND_KEYS, "backend key")
    except Refused as exc:
        raise exc.within(name) from None
    try:
        return BackendSpec(name, values["url"] if "url" in values else "",
                           values.get("kind") or "auto", values.get("api_key_env"),
                           limits_from(values), values.get("slots"),
                           float(values.get("weight", 1.0)))
    except InputError as exc:
        raise Refused(str(exc).rstrip("."), name) from None


class BackendsRule:
    """A chain file's ``[backends]``: ``name = "http://host:port"`` or ``name = {url = …,
    kind = …, api_key_env = …}``. Checked, kept as plain tables (stored with the run)."""

    def check(self, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise Refused("must be a table of backends such as [backends] with lines like "
                          f'lab = "http://192.168.1.20:8080", got {shown(value)}')
        return {str(name): spec_from_entry(str(name), entry).to_dict()
                for name, entry in value.items()}


@dataclass(frozen=True)
class RemoteRef:
    """``MODEL@BACKEND``: ``model`` empty for the backend's only model, ``backend`` ``*`` for
    any backend that serves the model."""

    model: str
    backend: str

    def __str__(self) -> str:
        return f"{self.model}@{self.backend}"


def parse_ref(text: str) -> RemoteRef | None:
    """The remote reference in a model entry, or None for a local model (a name, a file, a
    URL). The backend is what follows the last ``@``."""
    if "://" in text or "@" not in text:
        return None
    model, _, backend = text.rpartition("@")
    if backend != ANY and not NAME.fullmatch(backend):
        return None
    if not model and backend == ANY:
        raise InputError("'@*' names no model: write MODEL@* for any backend that serves MODEL, "
                         "or @NAME for the only model of backend NAME.")
    return RemoteRef(model, backend)


@dataclass(frozen=True)
class BackendInfo:
    """What ``samantha backends check`` reports about a reachable backend."""

    kind: str
    models: tuple[str, ...]
    n_ctx: int | None = None  # per request (llama-server: per slot)
    slots: int | None = None
    supports: tuple[str, ...] = ()  # our settings it can honour
    learning: str = ""  # what learning mode can show from it
    notes: tuple[str, ...] = ()
