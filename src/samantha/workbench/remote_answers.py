"""One answer from a remote backend: which backend serves it (chosen by
:mod:`samantha.core.placement` among those that serve the model), the stream turned into our
events, and, with ``retry``, another backend when the first one fails (refused, 5xx, a timeout,
a broken stream)."""

from __future__ import annotations

import dataclasses
from typing import Iterator, Sequence

from samantha.core.answer_events import AnswerRestarted, GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendInputError, RemoteRef
from samantha.core.engine import Cancel
from samantha.core.errors import InputError
from samantha.core.generation import Ask, NeverCancel, Pacer, resolve_seed
from samantha.core.remote import generate_remote
from samantha.workbench.backends import Remotes


def remote_answer(remotes: Remotes, ref: RemoteRef, ask: Ask, cancel: Cancel | None,
                  pacer: Pacer | None = None, retry: bool = False
                  ) -> Iterator[TokenEvent | AnswerRestarted | GenerationResult]:
    """Yield the answer's events; its :class:`GenerationResult` says which model on which
    backend answered (``answered_by``) with that backend's timings. When every backend tried
    failed, the last failure (raised, or the result's error) names each of them and why."""
    if ask.layers:
        raise InputError(f"The layer view needs the embedded llama.cpp engine: {ref} answers "
                         "from a remote backend, which sends tokens, not its layers. Choose a "
                         "local GGUF model for it.")
    messages, settings = ask.messages, resolve_seed(ask.settings)
    places = remotes.places(ref, cancel)
    failures: list[tuple[str, BackendError | str]] = []  # each backend tried, and why it failed
    placement = remotes.placement
    place = placement.take(places)
    while place is not None:
        backend, model = place
        health: bool | None = None  # the backend's doing: True it answered, False it failed
        try:
            result = None
            try:
                adapter = remotes.adapter(backend)
                stops, stream = adapter.stream(model, messages, settings, _cancel(cancel),
                                               ask.trace_top)
            except BackendError as exc:
                health = None if isinstance(exc, BackendInputError) else False
                failures.append((backend, exc))
                place = _next(remotes, places, failures) if retry else None
                if place is None:
                    raise every_failed(ref, failures) from None
                yield AnswerRestarted(str(exc), place[0])
                continue
            for event in generate_remote(stream, settings, cancel, stops, pacer, ask.loop_guard):
                if isinstance(event, GenerationResult):
                    result = dataclasses.replace(event, answered_by=f"{model}@{backend}")
                else:
                    yield event
            assert result is not None
            health = False if result.error else (None if result.finish_reason == "cancelled"
                                                 else True)
        finally:
            placement.done(backend, model, health)
        if result.error:
            failures.append((backend, result.error))
            place = _next(remotes, places, failures) if retry else None
            if place is not None:
                yield AnswerRestarted(result.error, place[0])
                continue
            result = dataclasses.replace(result, error=str(every_failed(ref, failures)))
        yield result
        return


def every_failed(ref: RemoteRef, failures: Sequence[tuple[str, BackendError | str]]
                 ) -> BackendError:
    """The error of an answer no backend gave: the one failure as it was, or, when several
    backends were tried, one line naming each and why (an input error when each was one)."""
    if len(failures) == 1:
        said = failures[0][1]
        return said if isinstance(said, BackendError) else BackendError(said)
    reasons = " ".join(f"{name}: {_sentence(str(said))}" for name, said in failures)
    message = (f"Every backend serving {ref.model or ref} failed "
               f"({', '.join(name for name, _ in failures)}). {reasons}")
    if all(isinstance(said, BackendInputError) for _, said in failures):
        return BackendInputError(message)
    return BackendError(message)


def _sentence(text: str) -> str:
    """A reason on one line, ending with a full stop."""
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!")) else text + "."


def _next(remotes: Remotes, places: list[tuple[str, str]],
          failures: Sequence[tuple[str, object]]) -> tuple[str, str] | None:
    """The place to try next among the backends not tried yet (None: none is left)."""
    return remotes.placement.take(places, [name for name, _ in failures])


def _cancel(cancel: Cancel | None) -> Cancel:
    return cancel or NeverCancel()
