"""The bounds of a remote answer, the pure part: limits in a backend's entry (within their
ceilings), the watch's clock, and the token loop's own count of max_tokens and of bytes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from samantha.core.answer_events import GenerationResult
from samantha.core.backend_specs import BackendSpec
from samantha.core.chain import ChainConfig, ChainConfigError
from samantha.core.remote import RemoteEnd, RemoteToken, generate_remote
from samantha.core.remote_limits import (
    ANSWER_BYTES,
    StreamLimits,
    StreamWatch,
    WatchedStream,
)
from samantha.core.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_backends_entry_sets_its_limits_within_their_ceilings() -> None:
    config = ChainConfig.from_dict({"prompts": "Hi.", "backends": {"slow": {
        "url": "http://10.0.0.2:8080", "token_gap_seconds": 300, "line_bytes": 1048576}}})
    assert config.backends == {"slow": {"url": "http://10.0.0.2:8080", "kind": "auto",
                                        "token_gap_seconds": 300.0, "line_bytes": 1048576}}
    with pytest.raises(ChainConfigError, match=r"backends.slow.answer_bytes 1099511627776 is "
                                                r"out of range: use a whole number from 1024 "
                                                r"to 268435456"):
        ChainConfig.from_dict({"prompts": "Hi.", "backends": {"slow": {
            "url": "http://x", "answer_bytes": 2 ** 40}}})
    assert BackendSpec("lab", "http://x").to_dict() == {"url": "http://x", "kind": "auto"}


def test_the_watch_names_each_time_limit_as_it_is_met() -> None:
    clock = Clock()
    limits = StreamLimits(first_token_seconds=10, token_gap_seconds=2, answer_seconds=30)
    watch = StreamWatch(threading.Event(), limits, "lab", clock)
    clock.now += 9.9
    assert watch.expired() is None and watch.left() == pytest.approx(0.1)
    clock.now += 0.2
    assert "first_token_seconds = 10 s (the wait for the first token)" in watch.expired()
    watch.heard()
    clock.now += 1.9
    assert watch.expired() is None
    clock.now += 0.2
    assert "token_gap_seconds = 2 s" in watch.expired()
    watch.paused(10)  # Learning mode's pace is not the server's time
    for _ in range(12):
        watch.heard()
        clock.now += 1.5
    assert watch.expired() is None  # 30.2 s since the start, 20.2 s of them the server's
    for _ in range(8):
        watch.heard()
        clock.now += 1.5
    assert watch.expired().startswith("The answer from backend lab was cut at answer_seconds "
                                      "= 30 s (the time limit of one answer); what it wrote "
                                      "so far is kept. If the server needs more, raise "
                                      "answer_seconds in its entry")


def endless() -> Iterator[RemoteToken]:
    while True:
        yield RemoteToken("x ")


def run(stream, settings: Settings) -> GenerationResult:
    *_, result = generate_remote(stream, settings, loop_guard=False)
    return result


@pytest.mark.timeout(30)
def test_max_tokens_is_counted_here_whatever_the_stream_does() -> None:
    result = run(endless(), Settings(max_tokens=7, seed=1))
    assert (result.tokens, result.text, result.finish_reason) == (7, "x " * 7, "length")
    watched = WatchedStream(endless(), StreamWatch(threading.Event(), StreamLimits(), "lab"))
    result = run(watched, Settings(max_tokens=7, seed=1))
    assert (result.tokens, result.finish_reason, result.error) == (7, "length", None)


def test_the_servers_end_right_after_max_tokens_is_kept_with_its_counts() -> None:
    items = [RemoteToken("a"), RemoteToken("b"), RemoteEnd("length", 5, {"predicted_n": 2})]
    watched = WatchedStream(iter(items), StreamWatch(threading.Event(), StreamLimits(), "lab"))
    result = run(watched, Settings(max_tokens=2, seed=1))
    assert (result.text, result.prompt_tokens, result.timings) == ("ab", 5,
                                                                   {"predicted_n": 2})


@pytest.mark.timeout(30)
def test_an_answer_is_cut_at_answer_bytes_even_in_one_huge_token() -> None:
    items = iter([RemoteToken("fine "), RemoteToken("y" * (ANSWER_BYTES + 1)),
                  RemoteEnd("stop")])
    result = run(items, Settings(max_tokens=0, seed=1))
    assert (result.text, result.tokens, result.finish_reason) == ("fine ", 1, "error")
    assert result.error.startswith("The answer was cut at answer_bytes = 16 MiB (the limit of "
                                   "one answer's text); what came before is kept.")
