"""A full disk told apart from a damaged history: SQLite's answers, and the errno of a file write.

SQLite answers "database or disk is full" (SQLITE_FULL) when a write finds no room. A full disk
can also come back as a "disk I/O error": SQLITE_IOERR_SHMSIZE when the shared-memory index of a
WAL file cannot grow (opening a history whose ``-shm`` file is gone), IOERR_WRITE, IOERR_FSYNC…
Python does not give SQLite's errno, so for those the folder itself is asked whether it has room.
Only SQLITE_CORRUPT and SQLITE_NOTADB mean a damaged file.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from contextlib import suppress
from pathlib import Path

from samantha.store.errors import DiskFullError

SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26
#: The errnos of a write that found no room: the disk (or its inodes) is full, or the quota.
NO_ROOM_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
#: The room a write to the history needs at least: SQLite grows the WAL's shared-memory index
#: 32 KiB at a time and appends whole pages (4 KiB each, plus a header) to the WAL, so a folder
#: that cannot take 64 KiB more cannot take the next write.
ROOM_NEEDED_BYTES = 64 * 1024


def no_room(exc: BaseException) -> bool:
    """Did this file operation fail because the disk (or the user's quota) is full?"""
    return isinstance(exc, OSError) and exc.errno in NO_ROOM_ERRNOS


def full_disk_cause(exc: BaseException) -> OSError | None:
    """The OSError of a full disk behind ``exc``: ``exc`` itself, or what it was raised from or
    while handling (e.g. a code run's work folder that could not be written)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and no_room(current):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def is_full(exc: sqlite3.Error, folder: Path) -> bool:
    """Did SQLite fail because the disk holding ``folder`` is full?"""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return False
    primary = code & 0xFF
    if primary == SQLITE_FULL:
        return True
    return primary in (SQLITE_IOERR, SQLITE_CANTOPEN) and not has_room(folder)


def is_damaged(exc: sqlite3.Error) -> bool:
    """Is the file damaged, or not an SQLite database at all?"""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def has_room(folder: Path, need: int = ROOM_NEEDED_BYTES) -> bool:
    """Can ``folder`` take ``need`` more bytes? Asked by writing them to a file that is removed
    at once; a failure for any other reason than no room (no folder, no permission) says
    nothing about the disk, so it counts as room."""
    try:
        fd, name = tempfile.mkstemp(prefix=".samantha-room-", dir=folder)
    except OSError as exc:
        return not no_room(exc)
    try:
        _allocate(fd, need)
        return True
    except OSError as exc:
        return not no_room(exc)
    finally:
        os.close(fd)
        with suppress(OSError):
            os.unlink(name)


def _allocate(fd: int, size: int) -> None:
    if hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, 0, size)
            return
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
    block = bytes(min(size, 8192))
    written = 0
    while written < size:
        written += os.write(fd, block[:size - written])


def full_disk(exc: OSError, folder: Path | None = None) -> DiskFullError:
    """The one line for a file write that found no room (``exc``: its OSError), naming the file
    if the error does, else ``folder`` (where it was being written, if known)."""
    why = exc.strerror or str(exc)
    if not exc.filename:
        return DiskFullError(folder, f"({why})")
    where = Path(os.fsdecode(exc.filename))
    return DiskFullError(where.parent, f"for {where.name} ({why})")
