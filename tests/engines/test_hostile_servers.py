"""Remote backends against hostile servers on 127.0.0.1 (real sockets, see
``tests/support/hostile_http.py``): every stream is bounded (max_tokens counted here, bytes
per line and per answer, time to the first token, between tokens and in total), Stop acts
within a second at every wait, and the JSON we read is bounded and never followed through a
redirect."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from support.hostile_http import (
    Handler,
    HostileServer,
    chunk,
    comments,
    every,
    forever,
    headers_only,
    huge_json,
    long_line,
    redirect,
    silent,
    tokens_then,
)

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendSpec
from samantha.core.chat import Message
from samantha.core.remote import generate_remote
from samantha.core.remote_limits import StreamLimits
from samantha.core.settings import Settings
from samantha.engines.openai_http import OpenAICompatible

pytestmark = pytest.mark.timeout(60)  # each of these hung for minutes before its fix
MESSAGES = [Message("user", "Hi.")]
CHAT = "POST /v1/chat/completions"
MiB = 1024 * 1024


def adapter(server: HostileServer | str, **limits: float) -> OpenAICompatible:
    url = server if isinstance(server, str) else server.url
    return OpenAICompatible(BackendSpec("evil", url, "openai", None, StreamLimits(**limits)))


def answer(backend: OpenAICompatible, settings: Settings = Settings(max_tokens=0, seed=1),
           cancel: threading.Event | None = None) -> tuple[list[TokenEvent], GenerationResult]:
    cancel = cancel or threading.Event()
    stops, stream = backend.stream("hostile", MESSAGES, settings, cancel)
    events: list[TokenEvent] = []
    for event in generate_remote(stream, settings, cancel, stops, loop_guard=False):
        if isinstance(event, GenerationResult):
            return events, event
        events.append(event)
    raise AssertionError("no GenerationResult")


@pytest.fixture
def serve() -> Iterator[Callable[[dict[str, Handler]], HostileServer]]:
    """Starts hostile servers on their routes; stopped after the test."""
    started: list[HostileServer] = []

    def start(routes: dict[str, Handler]) -> HostileServer:
        started.append(HostileServer(routes))
        return started[-1]
    yield start
    for server in started:
        server.stop()


# -- max_tokens and bytes ----------------------------------------------------------------------
def test_a_server_that_streams_forever_is_cut_at_max_tokens(serve) -> None:
    server = serve({CHAT: forever})
    events, result = answer(adapter(server), Settings(max_tokens=20, seed=1))
    assert (result.tokens, len(events), result.finish_reason) == (20, 20, "length")
    assert result.text == "tok " * 20 and result.error is None
    assert server.closed.wait(5)  # the connection was closed: the server stopped writing


def test_an_answer_without_max_tokens_is_cut_at_answer_bytes(serve) -> None:
    server = serve({CHAT: forever})
    _, result = answer(adapter(server, answer_bytes=4096))
    assert result.finish_reason == "error"
    assert result.text == "tok " * 1024  # every whole token that fits is kept
    assert "answer_bytes = 4096 bytes (the limit of one answer's text)" in result.error
    assert "\n" not in result.error and server.closed.wait(5)


def test_a_64_mib_line_is_cut_at_line_bytes_and_the_tokens_before_it_are_kept(serve) -> None:
    size = 64 * MiB
    server = serve({CHAT: tokens_then(3, long_line(size))})
    _, result = answer(adapter(server))
    assert (result.text, result.tokens, result.finish_reason) == ("a0 a1 a2 ", 3, "error")
    assert "line_bytes = 8 MiB (the limit of one streamed line)" in result.error
    assert server.closed.wait(5) and server.sent < size / 2  # the rest was never read


# -- time --------------------------------------------------------------------------------------
def test_comment_lines_do_not_keep_an_answer_alive(serve) -> None:
    server = serve({CHAT: tokens_then(2, comments(0.2))})
    started = time.monotonic()
    _, result = answer(adapter(server, token_gap_seconds=1.0))
    assert (result.text, result.finish_reason) == ("a0 a1 ", "error")
    assert ("token_gap_seconds = 1 s (the wait between two tokens; comment lines do not "
            "count)") in result.error
    assert 1.0 <= time.monotonic() - started < 5 and server.closed.wait(5)


def test_a_server_that_only_sends_comments_meets_the_first_token_limit(serve) -> None:
    server = serve({CHAT: tokens_then(0, comments(0.2))})
    _, result = answer(adapter(server, first_token_seconds=1.0))
    assert (result.text, result.finish_reason) == ("", "error")
    assert "first_token_seconds = 1 s (the wait for the first token)" in result.error


def test_a_slow_endless_answer_meets_the_total_time_limit(serve) -> None:
    server = serve({CHAT: tokens_then(0, every(0.1, chunk("b ")))})
    started = time.monotonic()
    events, result = answer(adapter(server, answer_seconds=1.5))
    assert result.finish_reason == "error" and "answer_seconds = 1.5 s" in result.error
    assert len(events) >= 5 and result.text.startswith("b b b ")
    assert time.monotonic() - started < 5


# -- Stop at every wait ------------------------------------------------------------------------
def stop_after(seconds: float) -> tuple[threading.Event, list[float]]:
    """A cancel set from another thread after ``seconds``; the list gets when."""
    cancel, when = threading.Event(), []

    def press() -> None:
        when.append(time.monotonic())
        cancel.set()
    threading.Timer(seconds, press).start()
    return cancel, when


@pytest.mark.parametrize("behaviour", [silent, headers_only, tokens_then(2, silent)],
                         ids=["before the headers", "before the first byte",
                              "between two tokens"])
def test_stop_ends_any_wait_for_a_silent_server_within_a_second(serve, behaviour) -> None:
    server = serve({CHAT: behaviour})
    cancel, pressed = stop_after(0.5)
    _, result = answer(adapter(server), Settings(max_tokens=20, seed=1), cancel)
    assert time.monotonic() - pressed[0] < 1.0
    assert (result.finish_reason, result.error) == ("cancelled", None)
    assert result.text == ("a0 a1 " if server.sent else "")


def test_stop_ends_the_wait_to_connect() -> None:
    """A server whose queue of connections is full: the connection is never accepted."""
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    filler = socket.create_connection(full.getsockname())  # takes the only place in the queue
    try:
        backend = adapter(f"http://127.0.0.1:{full.getsockname()[1]}")
        backend._dialect = "generic"  # or /v1/models would wait to connect first
        cancel, pressed = stop_after(0.5)
        _, result = answer(backend, Settings(max_tokens=20, seed=1), cancel)
        assert time.monotonic() - pressed[0] < 1.0
        assert result.finish_reason == "cancelled"
    finally:
        filler.close()
        full.close()


# -- JSON bodies and redirects -----------------------------------------------------------------
@pytest.mark.parametrize("declared", [True, False], ids=["with its length", "without"])
def test_a_huge_model_list_is_refused_at_body_bytes(serve, declared: bool) -> None:
    size = 1024 * MiB if declared else 64 * MiB
    server = serve({"GET /v1/models": huge_json(size, declared)})
    with pytest.raises(BackendError) as caught:
        adapter(server).check()
    said = str(caught.value)
    assert ("/v1/models was refused at body_bytes = 16 MiB (the limit of a server's JSON "
            "answer)") in said and "\n" not in said
    assert server.sent < 32 * MiB


def test_a_redirect_is_named_with_where_it_goes(serve) -> None:
    server = serve({"GET /v1/models": redirect("http://127.0.0.1:9/v1/models")})
    with pytest.raises(BackendError) as caught:
        adapter(server).check()
    assert str(caught.value) == (
        f"Backend evil at {server.url} redirected /v1/models to http://127.0.0.1:9/v1/models "
        "(307); Samantha does not follow redirects: give that address instead (`samantha "
        "backends add evil http://127.0.0.1:9`).")


def test_a_redirected_stream_is_named_too(serve) -> None:
    server = serve({CHAT: redirect("/elsewhere/v1/chat/completions", "308 Moved")})
    with pytest.raises(BackendError, match=r"redirected /v1/chat/completions to "
                                           rf"{server.url}/elsewhere/v1/chat/completions"):
        answer(adapter(server))


def test_stop_ends_the_wait_for_a_model_list_that_never_comes(serve, home) -> None:
    from samantha.core.backend_specs import RemoteRef
    from samantha.workbench.backends import Remotes, write_backends

    server = serve({"GET /v1/models": silent})
    write_backends(home, {"mute": BackendSpec("mute", server.url, "openai")})
    cancel, pressed = stop_after(0.5)
    with pytest.raises(BackendError, match="Stopped while waiting for backend mute"):
        Remotes(home).places(RemoteRef("hostile", "mute"), cancel)
    assert time.monotonic() - pressed[0] < 1.0
