"""Tools end with the process that started them, even when it dies (``kill -9``, a crash).

On Linux each tool is started through a few lines of Python (:data:`LEASH`) that ask the kernel
for a parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGTERM)``), check that the parent has not
already died, and then ``exec`` the tool: the request outlives ``exec``, so the tool itself gets
SIGTERM when its parent goes. (A ``preexec_fn`` would do the same without the extra program, but
Python says it is not safe in a process with threads, and Samantha's UI has many.)

The kernel sends that signal when the *thread* that forked the tool ends, not the process. A
handler of the UI runs in a worker thread that ends after some idle seconds, which would take
its tools along. So every tool is forked by one long-lived thread of its own, the
:class:`Spawner`, which lives as long as Samantha's process.

A tool that ignores SIGTERM outlives Samantha; the ledger (:mod:`samantha.tools.ledger`) lets the
next UI, or ``samantha tools stop``, find it and stop it.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# Run as `python -I -S -c LEASH <parent pid> <command…>`: isolated (no site, no user paths), so it
# starts in tens of milliseconds.
LEASH = """\
import ctypes, os, signal, sys
parent, command = int(sys.argv[1]), sys.argv[2:]
if ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0) != 0:
    sys.exit("samantha: cannot ask for a parent-death signal: error %d" % ctypes.get_errno())
if os.getppid() != parent:
    sys.exit("samantha: the process that started this tool has already ended")
try:
    os.execvp(command[0], command)
except OSError as error:
    sys.exit("samantha: cannot start %s: %s" % (command[0], error.strerror))
"""


def leashed(command: Sequence[str]) -> list[str]:
    """``command`` run so that it ends when this process does (Linux; elsewhere unchanged)."""
    if not sys.platform.startswith("linux"):
        return list(command)
    return [sys.executable, "-I", "-S", "-c", LEASH, str(os.getpid()), *command]


class Spawner:
    """One thread that starts every tool (see the module's notes). It is made when the first
    tool starts and lives until the process ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = \
            queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def popen(self, command: Sequence[str], **options: Any) -> subprocess.Popen[bytes]:
        """``subprocess.Popen(leashed(command), **options)``, forked by the spawner thread."""
        return self.call(lambda: subprocess.Popen(leashed(command), **options))

    def call(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` in the spawner thread; its result, or its exception raised here."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="samantha-tool-spawner",
                                                daemon=True)
                self._thread.start()
        done: Future[Any] = Future()
        self._jobs.put((work, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            work, done = self._jobs.get()
            try:
                done.set_result(work())
            except BaseException as exc:  # noqa: BLE001  (raised again in the caller)
                done.set_exception(exc)
