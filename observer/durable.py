"""What durability asks of the operating system, once for every platform.

Every journal line, key log frame and session file reaches the disk through
:func:`fsync`; every lock that keeps recovery away from a running session is
:func:`try_lock`; every file made private is :func:`fchmod`. The platform is looked up
at each call (``sys.platform``), so tests can switch it.

- **Linux** and other POSIX systems: ``os.fsync``; ``flock`` locks (advisory, released
  when the process ends, even by SIGKILL).
- **macOS**: ``fsync`` leaves the data in the drive's cache; ``fcntl(F_FULLFSYNC)``
  asks the drive to write it out (as SQLite's ``fullfsync`` does). A file system that
  refuses it (some network shares) gets ``os.fsync``. ``flock`` as on Linux.
- **Windows**: ``os.fsync`` (``_commit``, which flushes the file's buffers to the
  drive); ``msvcrt.locking`` on one byte far past any data (Windows locks are
  mandatory, so the byte locked is one nobody reads); no ``fchmod`` (the file's ACL is
  the user's profile's) and no directory fsync (Windows cannot open a folder as a file).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

LOCK_OFFSET = 1 << 40
"""Windows: the byte locked to mark a file in use (far beyond any journal's end)."""


def fsync(fd: int) -> None:
    """Make everything written to ``fd`` durable (macOS: F_FULLFSYNC, see above)."""
    if sys.platform == "darwin":
        import fcntl

        full = getattr(fcntl, "F_FULLFSYNC", None)
        if full is not None:
            try:
                fcntl.fcntl(fd, full)
                return
            except OSError:
                pass  # the file system refuses it: fsync is what it offers
    os.fsync(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename or link in ``folder`` durable (a no-op where unsupported)."""
    if sys.platform == "win32":
        return  # NTFS journals its metadata; a folder cannot be opened to fsync it
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            fsync(fd)
        finally:
            os.close(fd)


def fchmod(fd: int, mode: int) -> None:
    """Set the mode of an open file (the umask must not change it); none on Windows."""
    if sys.platform != "win32":
        os.fchmod(fd, mode)


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting: True if taken, False if another
    process holds it. Released when ``fd`` is closed or the process ends. Where the
    file system has no locks the answer is True (nothing can be marked)."""
    try:
        if sys.platform == "win32":
            import msvcrt

            _at_lock_byte(fd, lambda: msvcrt.locking(fd, msvcrt.LK_NBLCK, 1))
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    except OSError:
        return True
    return True


def held(path: Path) -> bool:
    """Whether another process holds the lock of the file at ``path`` (a running
    ``observer code`` its journal's, say); a file that cannot be opened is not held."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not try_lock(fd)
    finally:
        os.close(fd)  # closing also releases a lock we got


def lock(fd: int) -> None:
    """Take an exclusive lock on ``fd``, waiting for it (a no-op where there are none)."""
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            _at_lock_byte(fd, lambda: msvcrt.locking(fd, msvcrt.LK_LOCK, 1))  # 10 s, then OSError
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)


def _at_lock_byte(fd: int, take: Callable[[], None]) -> None:
    """Windows locks the bytes from the file's position: lock :data:`LOCK_OFFSET`, then put
    the position back where it was (the next write goes where it would have)."""
    at = os.lseek(fd, 0, os.SEEK_CUR)
    os.lseek(fd, LOCK_OFFSET, os.SEEK_SET)
    try:
        take()
    finally:
        os.lseek(fd, at, os.SEEK_SET)


def tmpfile_flag() -> int:
    """``os.O_TMPFILE`` where a file can be made without a name and linked in later
    through ``/proc/self/fd`` (Linux), else 0: a named temporary file is used."""
    flag: int = getattr(os, "O_TMPFILE", 0)
    return flag if flag and os.path.isdir("/proc/self/fd") else 0
