"""One answer from a remote backend: which backend serves it (the least busy of those that
serve the model), the stream turned into our events, and, with ``retry``, another backend
when the first one fails (refused, 5xx, a timeout, a broken stream)."""

from __future__ import annotations

import dataclasses
from typing import Iterator, Sequence

from samantha.core.backend_specs import BackendError, RemoteRef
from samantha.core.chat import Message
from samantha.core.engine import Cancel
from samantha.core.events import AnswerRestarted, GenerationResult, TokenEvent
from samantha.core.generation import NeverCancel, Pacer, resolve_seed
from samantha.core.remote import generate_remote
from samantha.core.settings import Settings
from samantha.workbench.backends import Remotes


def remote_answer(remotes: Remotes, ref: RemoteRef, messages: Sequence[Message],
                  settings: Settings, cancel: Cancel | None, trace_top: int = 0,
                  pacer: Pacer | None = None, loop_guard: bool = True, retry: bool = False
                  ) -> Iterator[TokenEvent | AnswerRestarted | GenerationResult]:
    """Yield the answer's events; its :class:`GenerationResult` says which model on which
    backend answered (``answered_by``) with that backend's timings."""
    settings = resolve_seed(settings)
    places = remotes.places(ref, cancel)
    tried: list[str] = []
    while True:
        place = remotes.least_busy(places, tried)
        if place is None:
            raise BackendError(f"Every backend serving {ref.model or ref} failed: "
                               f"{', '.join(tried)}.")
        backend, model = place
        tried.append(backend)
        remotes.busy[backend] += 1
        try:
            result = None
            try:
                adapter = remotes.adapter(backend)
                stops, stream = adapter.stream(model, messages, settings, _cancel(cancel),
                                               trace_top)
            except BackendError as exc:
                if not retry or remotes.least_busy(places, tried) is None:
                    raise
                yield AnswerRestarted(str(exc), _next(remotes, places, tried))
                continue
            for event in generate_remote(stream, settings, cancel, stops, pacer, loop_guard):
                if isinstance(event, GenerationResult):
                    result = dataclasses.replace(event, answered_by=f"{model}@{backend}")
                else:
                    yield event
        finally:
            remotes.busy[backend] -= 1
        assert result is not None
        if result.error and retry and remotes.least_busy(places, tried) is not None:
            yield AnswerRestarted(result.error, _next(remotes, places, tried))
            continue
        yield result
        return


def _next(remotes: Remotes, places: list[tuple[str, str]], tried: list[str]) -> str:
    place = remotes.least_busy(places, tried)
    return place[0] if place else ""


def _cancel(cancel: Cancel | None) -> Cancel:
    return cancel or NeverCancel()
