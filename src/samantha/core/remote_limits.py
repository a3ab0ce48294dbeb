"""The bounds of a remote backend's answer, and the watch that holds one answer to them.

Each limit is one named constant with its reason. A backend's entry may change them (``{url =
…, token_gap_seconds = 300}`` in backends.json or a chain file's ``[backends]``), within
ceilings that keep even a shared chain file from lifting them. The message that meets a limit
names it, says what was kept and what to do.

A :class:`StreamWatch` is shared by the network reads of one answer (they ask it, between two
short slices of waiting, whether to go on) and the token loop (which tells it when a token came
and when it is ready for the next), so a server that sends nothing, or only keep-alive
comments, is cut when a time limit is met, and Stop acts during any wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

from samantha.core.engine import Cancel
from samantha.core.schema import Number, Whole

MiB = 1024 * 1024

#: One SSE or NDJSON line carries one chunk: a token or a few, with up to 20 candidates each
#: (a few KB); llama-server's last line may repeat the prompt and its settings. 8 MiB is far
#: above that, and keeps one line's memory bounded (a line is cut as soon as it passes it).
LINE_BYTES = 8 * MiB
#: 100,000 tokens of text are about half a MB. 16 MiB of text keeps an answer storable in the
#: history (SQLite refuses a value above 1 GB) and showable in the page.
ANSWER_BYTES = 16 * MiB
#: The JSON we read from a server (/v1/models, /props with its chat template, /tokenize of a
#: long prompt, Ollama's /api/tags, an error) is at most a few MB.
BODY_BYTES = 16 * MiB
#: A long prompt on a slow machine may take minutes before its first token.
FIRST_TOKEN_SECONDS = 600.0
#: A slow or busy server still writes a token every few seconds; two minutes without one
#: (keep-alive comments do not count) is a server that is stuck, or stalling on purpose.
TOKEN_GAP_SECONDS = 120.0
#: 10,000 tokens at 3 tokens a second take under an hour (Learning mode's pauses not counted).
ANSWER_SECONDS = 3600.0
#: After max_tokens, what the server has to send its last line (its counts and timings) before
#: the connection is closed; it sends it at once when it counts as we do.
END_GRACE_SECONDS = 2.0

#: What a backend's entry may set each limit to: enough for any real server, never unbounded.
CEILINGS: dict[str, Any] = {
    "line_bytes": Whole(1024, 256 * MiB), "answer_bytes": Whole(1024, 256 * MiB),
    "body_bytes": Whole(1024, 256 * MiB), "first_token_seconds": Number(0.1, 86400.0),
    "token_gap_seconds": Number(0.1, 86400.0), "answer_seconds": Number(0.1, 7 * 86400.0)}

WHAT = {"line_bytes": "the limit of one streamed line",
        "answer_bytes": "the limit of one answer's text",
        "body_bytes": "the limit of a server's JSON answer",
        "first_token_seconds": "the wait for the first token",
        "token_gap_seconds": "the wait between two tokens; comment lines do not count",
        "answer_seconds": "the time limit of one answer"}


@dataclass(frozen=True)
class StreamLimits:
    line_bytes: int = LINE_BYTES
    answer_bytes: int = ANSWER_BYTES
    body_bytes: int = BODY_BYTES
    first_token_seconds: float = FIRST_TOKEN_SECONDS
    token_gap_seconds: float = TOKEN_GAP_SECONDS
    answer_seconds: float = ANSWER_SECONDS

    def to_dict(self) -> dict[str, Any]:
        """The limits that differ from the defaults (what a backend's entry holds)."""
        default = StreamLimits()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}

    def met(self, key: str, subject: str, then: str = "what it wrote so far is kept") -> str:
        """The one line that says this limit was met: which, its value, what to do."""
        value = getattr(self, key)
        amount = size(value) if key.endswith("bytes") else f"{value:g} s"
        return (f"{subject} at {key} = {amount} ({WHAT[key]}); {then}. If the server needs "
                f"more, raise {key} in its entry (backends.json, or the chain file's "
                f"[backends]), up to {ceiling(key)}.")


def size(n: int) -> str:
    return f"{n // MiB} MiB" if n % MiB == 0 else f"{n} bytes"


def ceiling(key: str) -> str:
    high = CEILINGS[key].high
    return size(high) if key.endswith("bytes") else f"{high:g} s"


LIMIT_KEYS = tuple(f.name for f in fields(StreamLimits))


def limits_from(values: dict[str, Any]) -> StreamLimits:
    """The limits of a backend's entry (already checked against :data:`CEILINGS`)."""
    return StreamLimits(**{k: values[k] for k in LIMIT_KEYS if values.get(k) is not None})


class StreamWatch:
    """One answer's Stop and clock. ``is_set()`` is the cancel's (Stop / Next, Stop all);
    :meth:`expired` names the time limit met, if any. The total time leaves out the pauses of
    Learning mode (:meth:`paused`)."""

    def __init__(self, cancel: Cancel, limits: StreamLimits, backend: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cancel, self.limits, self.backend = cancel, limits, backend
        self._clock = clock
        self._started = clock()
        self._last: float | None = None  # when the token loop was last ready for a token
        self._end_by: float | None = None

    def is_set(self) -> bool:
        return self.cancel.is_set()

    def heard(self) -> None:
        """A token came and was handled: the wait for the next one starts now."""
        self._last = self._clock()

    def paused(self, seconds: float) -> None:
        """The token loop waited this long for its turn (Learning mode's pace)."""
        self._started += seconds

    def finish_within(self, seconds: float) -> None:
        """max_tokens is reached: the server has this long to end the answer."""
        self._end_by = self._clock() + seconds

    def _nearest(self) -> tuple[float, str]:
        """The nearest time limit: when, and its key ("" for the end after max_tokens)."""
        limits = self.limits
        nearest = (self._started + limits.answer_seconds, "answer_seconds")
        if self._last is None:
            wait = (self._started + limits.first_token_seconds, "first_token_seconds")
        else:
            wait = (self._last + limits.token_gap_seconds, "token_gap_seconds")
        nearest = min(nearest, wait)
        if self._end_by is not None:
            nearest = min(nearest, (self._end_by, ""))
        return nearest

    def expired(self) -> str | None:
        """The message of the time limit met (None: none is)."""
        return self.check()[1]

    def left(self) -> float:
        """Seconds until the nearest time limit (0 when one is met)."""
        return self.check()[0]

    def check(self) -> tuple[float, str | None]:
        """Seconds until the nearest time limit (0 when one is met) and, when one is met, its
        message: one look at the clock for each wait of the network reads."""
        deadline, key = self._nearest()
        left = deadline - self._clock()
        if left > 0:
            return left, None
        if not key:
            return 0.0, (f"Backend {self.backend} did not end the answer within "
                         f"{END_GRACE_SECONDS:g} s of max_tokens")
        return 0.0, self.limits.met(key, f"The answer from backend {self.backend} was cut")


class WatchedStream:
    """An adapter's stream of one answer, with the watch over it (for the token loop)."""

    def __init__(self, items: Iterator[Any], watch: StreamWatch) -> None:
        self.items, self.watch = items, watch

    def __iter__(self) -> WatchedStream:
        return self

    def __next__(self) -> Any:
        return next(self.items)

    def close(self) -> None:
        close = getattr(self.items, "close", None)
        if close is not None:
            close()
