"""Chat templates rendered in a child process with a time and memory budget.

A chat template is Jinja code from the model file. Jinja's sandbox stops it reaching outside,
but not looping or allocating: nested ``range(100000)`` loops hung a run (Stop did nothing) and
``{{ m['content'] * 500000000 }}`` took 10 GB. So templates render in one persistent child
(:mod:`samantha.engines.template_child`, Python and Jinja only) whose address space is capped,
which is killed when a render outlives its time or the user presses Stop, and started again
for the next render. A render then costs a round trip through two pipes (well under a
millisecond more than rendering in-process); only a killed worker costs a new start.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any

from samantha.core.engine import Cancel
from samantha.core.errors import TemplateError
from samantha.engines.chat_template import ChatTemplate
from samantha.engines.template_child import FRAME, encode

TEMPLATE_SECONDS = 3.0
"""Time for one render. Real templates render in milliseconds (a first render, which compiles
the template, in tens of ms on a busy machine); a template still running after this loops."""

TEMPLATE_MEMORY_BYTES = 512 * 2**20
"""Address space of the worker. Python and Jinja take about 40 MB of it; a real render needs a
few copies of its messages, which must fit a model's context (a million tokens is about 4 MB)."""

TEMPLATE_OUTPUT_BYTES = 16 * 2**20
"""Bytes of a rendered prompt. More than this fits no model's context."""

START_SECONDS = 60.0
"""Time for a new worker to start (Python and Jinja load in about 0.1 s; far more on a machine
that is busy or swapping). Not a template's fault, so not counted in its time."""

POLL_SECONDS = 0.05  # how often a wait looks at Stop


@dataclass(frozen=True)
class TemplateLimits:
    seconds: float = TEMPLATE_SECONDS
    memory_bytes: int = TEMPLATE_MEMORY_BYTES
    output_bytes: int = TEMPLATE_OUTPUT_BYTES


class _Dead(Exception):
    """The child ended without answering (killed from outside, or it crashed)."""


class TemplateWorker:
    """Renders one model's chat template (``label`` names it in messages), one render at a
    time; safe to call from several threads."""

    def __init__(self, template: ChatTemplate, label: str,
                 limits: TemplateLimits = TemplateLimits()) -> None:
        self.template = template
        self.label = label
        self.limits = limits
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False

    def start(self) -> None:
        """Start the child now (it loads while the model does), if it is not running."""
        with self._lock:
            self._spawn()

    def render(self, messages: Sequence[dict[str, str]], cancel: Cancel | None = None) -> str:
        """The prompt; raises :class:`TemplateError` when the template refuses the messages,
        exceeds a limit, or ``cancel`` is set first."""
        while not self._lock.acquire(timeout=POLL_SECONDS):
            self._check(cancel)
        try:
            return self._render(list(messages), cancel)
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                _stop(proc)

    # -- the child ---------------------------------------------------------------------------------
    def _spawn(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            limits = self.limits
            self._proc = subprocess.Popen(
                [sys.executable, "-P",  # -P: no module from the working folder
                 "-m", "samantha.engines.template_child", str(limits.seconds),
                 str(limits.memory_bytes), str(limits.output_bytes)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True, close_fds=True)  # no terminal signals: ours to send
            self._ready = False
        return self._proc

    def _render(self, messages: list[dict[str, str]], cancel: Cancel | None) -> str:
        proc = self._spawn()  # a new one if the last was killed, or died between renders
        try:
            if not self._ready:
                self._read(proc, time.monotonic() + START_SECONDS, cancel, starting=True)
                self._ready = True
            stdin = _pipe(proc.stdin)
            stdin.write(encode({"template": asdict(self.template), "messages": messages}))
            stdin.flush()
            return self._reply(self._read(proc, time.monotonic() + self.limits.seconds, cancel))
        except (_Dead, BrokenPipeError):
            self._kill()
            raise self._error(f"ended its worker (exit status {proc.returncode})") from None

    def _read(self, proc: subprocess.Popen[bytes], deadline: float, cancel: Cancel | None,
              starting: bool = False) -> dict[str, Any]:
        fd = _pipe(proc.stdout).fileno()
        head = self._take(fd, FRAME.size, deadline, cancel, starting)
        size = FRAME.unpack(head)[0]
        if size > self.limits.output_bytes + 1024:
            self._kill()
            raise self._over_output(size)
        body = self._take(fd, size, deadline, cancel, starting)
        return json.loads(body.decode("utf-8", "surrogatepass"))

    def _take(self, fd: int, size: int, deadline: float, cancel: Cancel | None,
              starting: bool) -> bytes:
        chunks, got = [], 0
        while got < size:
            left = deadline - time.monotonic()
            if cancel is not None and cancel.is_set():
                self._kill()
                self._check(cancel)
            if left <= 0:
                self._kill()
                if starting:
                    raise self._error(f"could not start its worker in {START_SECONDS:g} s")
                raise self._error(
                    f"took more than {self.limits.seconds:g} s to render (the limit on a chat "
                    "template's time); it may loop without end")
            readable, _, _ = select.select([fd], [], [], min(left, POLL_SECONDS))
            if readable:
                chunk = os.read(fd, min(size - got, 1 << 20))
                if not chunk:
                    raise _Dead()
                chunks.append(chunk)
                got += len(chunk)
        return b"".join(chunks)

    def _reply(self, reply: dict[str, Any]) -> str:
        if "text" in reply:
            return str(reply["text"])
        error = reply.get("error")
        if error == "memory":
            self._kill()  # the child ends itself after this answer
            raise self._error(
                f"needed more than {self.limits.memory_bytes // 2**20} MiB to render (the limit "
                "on a chat template's memory)")
        if error == "output":
            raise self._over_output(int(reply.get("size", 0)))
        if error == "syntax":
            raise self._error(f"is not valid Jinja: {reply.get('message')}")
        raise TemplateError(
            f"The chat template of {self.label} rejected the messages: {reply.get('message')}. "
            "Some templates refuse a system prompt or an empty user turn; leave the SYSTEM "
            "prompt or the previous response empty, or use another model.")

    def _over_output(self, size: int) -> TemplateError:
        return self._error(
            f"made a prompt of {size:,} bytes, above the limit of "
            f"{self.limits.output_bytes:,} bytes for a rendered prompt")

    def _error(self, what: str) -> TemplateError:
        return TemplateError(
            f"The chat template of {self.label} {what}. This cycle is skipped; the run goes "
            "on. Use another model, or a copy of this one with a sound template.")

    def _check(self, cancel: Cancel | None) -> None:
        if cancel is not None and cancel.is_set():
            raise TemplateError(f"Stopped while the chat template of {self.label} rendered.")

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            _close(proc)


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    """A pipe of the child: :meth:`TemplateWorker._spawn` asks for stdin and stdout, so Popen
    always makes them."""
    assert stream is not None
    return stream


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End an idle child: closing its input ends its loop; kill it if it does not go."""
    try:
        _pipe(proc.stdin).close()
    except OSError:
        pass
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    _close(proc)


def _close(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass
