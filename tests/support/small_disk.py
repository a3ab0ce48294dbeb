"""A real disk that can be filled: a tmpfs of its own, mounted for one test (root only).

These tests need a genuine full disk (ENOSPC from the kernel, SQLite's own answers to it), so
when the machine does not let the test mount one they fail, saying why: they never skip.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = ".filler"


class SmallDisk:
    """A mounted tmpfs at ``path``; :meth:`fill` leaves it without a free byte, :meth:`free`
    gives its room back."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fill(self) -> None:
        """Write a file until the disk answers ENOSPC, in smaller and smaller pieces."""
        fd = os.open(self.path / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 4096, 1):
                block = bytes(size)
                try:
                    while True:
                        os.write(fd, block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(fd)

    def free(self) -> None:
        (self.path / FILLER).unlink(missing_ok=True)

    def is_full(self) -> bool:
        return os.statvfs(self.path).f_bfree == 0


@contextmanager
def small_disk(path: Path, size: str = "16m") -> Iterator[SmallDisk]:
    """Mount a tmpfs of ``size`` at ``path`` (created) for the ``with`` block."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755",
                                  "tmpfs", str(path)], capture_output=True, text=True)
        why = mounted.stderr.strip() or f"exit status {mounted.returncode}"
    except OSError as exc:
        mounted, why = None, str(exc)
    if mounted is None or mounted.returncode != 0:
        pytest.fail(f"This test needs a real full disk: mounting a tmpfs at {path} failed "
                    f"({why}). Run it as root (as CI does), where `mount -t tmpfs` works.",
                    pytrace=False)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)
