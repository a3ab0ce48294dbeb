"""Remote backends as the user knows them: ``backends.json`` in the data home (names, URLs,
kinds, the names of the environment variables that hold keys, never keys), the adapter of
each kind, and which backend answers a model entry such as ``gemma@lab`` or ``gemma@*``.

A backend of kind ``auto`` is asked what it is the first time it is used: ``/props`` answers
on llama-server, ``/api/tags`` on Ollama, ``/v1/models`` on every OpenAI-compatible server.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from samantha.core.backend_specs import (
    ANY,
    BackendError,
    BackendInfo,
    BackendSpec,
    RemoteRef,
    spec_from_entry,
)
from samantha.core.engine import Cancel
from samantha.core.errors import InputError
from samantha.core.placement import Placement
from samantha.core.remote import RemoteBackend
from samantha.core.schema import Refused, shown

if TYPE_CHECKING:
    from samantha.engines.remote_http import Http

FILE = "backends.json"


def read_backends(home: Path) -> dict[str, BackendSpec]:
    """The backends the user added, checked (a hand-edited file with a bad entry is refused
    with one line naming it)."""
    path = home / FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"Cannot read {path}: {exc}. Fix it, or delete it and add the "
                         "backends again with `samantha backends add`.") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a JSON object of backends, not {shown(data)}.")
    return specs_from_table(data, str(path))


def specs_from_table(table: Mapping[str, object], where: str) -> dict[str, BackendSpec]:
    """Backends from a table ``{name: URL or {url, kind, api_key_env}}``."""
    specs = {}
    for name, entry in table.items():
        try:
            specs[name] = spec_from_entry(name, entry)
        except Refused as exc:
            raise InputError(exc.within("").sentence(where).replace("..", ".")) from None
    return specs


def write_backends(home: Path, specs: Mapping[str, BackendSpec]) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = home / FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({n: s.to_dict() for n, s in specs.items()}, indent=2) + "\n",
                         encoding="utf-8")
    temporary.replace(path)


def open_adapter(spec: BackendSpec) -> RemoteBackend:
    """The adapter of a backend's kind, finding the kind out when it is ``auto``."""
    from samantha.engines.remote_http import Http

    http = Http(spec)
    try:
        kind = spec.kind if spec.kind != "auto" else detect_kind(http)
    except BaseException:
        http.close()
        raise
    known = dataclasses.replace(spec, kind=kind)
    if kind == "llama-server":
        from samantha.engines.llama_server import LlamaServer

        return LlamaServer(known, http)
    if kind == "ollama":
        from samantha.engines.ollama import Ollama

        return Ollama(known, http)
    from samantha.engines.openai_http import OpenAICompatible

    return OpenAICompatible(known, http)


def detect_kind(http: Http) -> str:
    status = http.status
    if status("/props") == 200 and status("/health") in (200, 503):
        return "llama-server"
    if status("/api/tags") == 200:
        return "ollama"
    if status("/v1/models") in (200, 401, 403):
        return "openai"
    name, url = http.spec.name, http.spec.url
    raise BackendError(
        f"Backend {name} at {url} answers none of /props (llama-server), /api/tags (Ollama) "
        f"or /v1/models (OpenAI-compatible). Is the server running there? Give --kind if it "
        "is one of these behind another path.")


class Remotes:
    """The backends of a Workbench: their adapters (made once), their models, their load and
    health (:attr:`placement`, which also says which one answers next). ``extra`` are backends
    of a chain file, beside the user's own."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._adapters: dict[str, RemoteBackend] = {}
        self._models: dict[str, list[str]] = {}
        self._extra: dict[str, BackendSpec] = {}
        self._placed: set[str] = set()  # backends whose slots and models placement knows
        self._read: dict[str, BackendSpec] = {}  # backends.json as last read, and its
        self._read_key: tuple[int, int] | None = None  # modification time and size
        self._places: dict[RemoteRef, list[tuple[str, str]]] = {}  # found, while all holds
        self.placement = Placement()

    def specs(self) -> dict[str, BackendSpec]:
        """The user's backends (backends.json, read again when it changes) and the extra."""
        path = self.home / FILE
        try:
            stat = path.stat()
            key: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            key = None
        if key is None or key != self._read_key:  # a missing file is looked at each time
            self._read, self._read_key = read_backends(self.home), key
        return {**self._read, **self._extra}

    def check(self, spec: BackendSpec) -> BackendInfo:
        """Try a backend now (its kind found out when ``auto``)."""
        adapter = open_adapter(spec)
        try:
            return adapter.check()
        finally:
            adapter.close()

    def save(self, spec: BackendSpec) -> None:
        """Add or replace a backend in ``backends.json``."""
        specs = read_backends(self.home)
        specs[spec.name] = spec
        write_backends(self.home, specs)
        self._read_key = None
        self.forget(spec.name)

    def remove(self, name: str) -> None:
        specs = read_backends(self.home)
        if name not in specs:
            raise InputError(f"No backend named {name!r} to remove (known: "
                             f"{', '.join(sorted(specs)) or 'none'}).")
        del specs[name]
        write_backends(self.home, specs)
        self._read_key = None
        self.forget(name)

    def add_extra(self, specs: Mapping[str, BackendSpec]) -> None:
        with self._lock:
            for name, spec in specs.items():
                if self._extra.get(name) != spec:
                    self._extra[name] = spec
                    self._forget(name)

    def forget(self, name: str) -> None:
        with self._lock:
            self._forget(name)

    def _forget(self, name: str) -> None:
        adapter = self._adapters.pop(name, None)
        self._models.pop(name, None)
        self._placed.discard(name)
        self._places.clear()
        self.placement.renew(name)
        if adapter is not None:
            adapter.close()

    def adapter(self, name: str) -> RemoteBackend:
        specs = self.specs()
        if name not in specs:
            known = ", ".join(sorted(specs)) or "none yet"
            raise InputError(f"No backend named {name!r} (known: {known}). Add it with "
                             f"`samantha backends add {name} URL`.")
        with self._lock:
            if name not in self._adapters:
                self._adapters[name] = open_adapter(specs[name])
            return self._adapters[name]

    def models(self, name: str, cancel: Cancel | None = None) -> list[str]:
        if name not in self._models:
            self._models[name] = self.adapter(name).models(cancel)
        return self._models[name]

    def places(self, ref: RemoteRef, cancel: Cancel | None = None) -> list[tuple[str, str]]:
        """Every (backend, model id) that can answer ``ref``, checked now: an unknown backend
        or a model it does not serve is refused with what it does serve. ``cancel`` (Stop)
        gives up the wait for a backend's list, raising a :class:`BackendError`. Placement
        learns each one's slots and models on the way."""
        known = self._places.get(ref)
        if known is not None and self._read_key is not None and self._fresh():
            return known
        unreached = False
        if ref.backend != ANY:
            places = [(ref.backend, self._model_on(ref.backend, ref.model, cancel))]
        else:
            places = []
            for name in sorted(self.specs()):
                try:
                    if ref.model in self.models(name, cancel):
                        places.append((name, ref.model))
                except BackendError:
                    if cancel is not None and cancel.is_set():
                        raise
                    unreached = True  # it serves nothing now: asked again next time
                    continue
            if not places:
                raise InputError(f"No backend serves {ref.model!r} now (`samantha backends "
                                 "list` shows them and their models).")
        for name, _ in places:
            self._declare(name)
        if not unreached:
            self._places[ref] = places
        return places

    def _fresh(self) -> bool:
        """backends.json is as last read (the places found from it still hold)."""
        before = self._read_key
        self.specs()
        return self._read_key == before

    def _declare(self, name: str) -> None:
        """Tell placement a backend's slots (as declared, else as the server says, else 1),
        weight and models, once."""
        if name in self._placed:
            return
        spec = self.specs()[name]
        slots = spec.slots
        if slots is None:
            try:
                slots = self.adapter(name).capacity()
            except BackendError:
                slots = None
        self.placement.declare(name, slots, spec.weight, self._models.get(name))
        self._placed.add(name)

    def _model_on(self, name: str, model: str, cancel: Cancel | None = None) -> str:
        served = self.models(name, cancel)
        if not model:
            if len(served) == 1:
                return served[0]
            raise InputError(f"Backend {name} serves {len(served)} models "
                             f"({', '.join(served) or 'none'}): name one, as MODEL@{name}.")
        if model not in served:
            raise InputError(f"Backend {name} does not serve {model!r}; it serves "
                             f"{', '.join(served) or 'no model'}. Write one of these, as "
                             f"MODEL@{name}.")
        return model

    def close(self) -> None:
        with self._lock:
            for name in list(self._adapters):
                self._forget(name)
