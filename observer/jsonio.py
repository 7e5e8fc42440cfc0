"""Reading JSON files with clean errors, and writing files atomically and privately.

Every failure to read becomes an :class:`InputError` naming the file: missing,
unreadable, a folder, empty, too large, not UTF-8, not JSON (with line and column).
Writes go to a temporary file in the same folder, are fsynced, then linked into
place, so a reader sees the whole old state or the whole new one, never half.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from observer.durable import fchmod, fsync
from observer.durable import fsync_dir as fsync_dir
from observer.errors import InputError, Problem, join_path

MAX_JSON_BYTES = 256 * 1024 * 1024
"""Refuse documents larger than this: no codebook or session comes near it."""

PRIVATE_MODE = 0o600
"""Sessions describe children: only their owner may read them."""


def read_bytes(path: Path, *, max_bytes: int = MAX_JSON_BYTES) -> bytes:
    """The file's bytes, or an InputError with one clear line."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise InputError.one(
                    name, "$", f"file is too large ({size:,} bytes; the limit is {max_bytes:,})"
                )
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError.one(name, "$", "no such file") from None
    except IsADirectoryError:
        raise InputError.one(name, "$", "is a folder, not a file") from None
    except PermissionError:
        raise InputError.one(name, "$", "permission denied") from None
    except OSError as exc:
        raise InputError.one(name, "$", f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError.one(name, "$", f"file is too large (the limit is {max_bytes:,} bytes)")
    return data


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def parse_json(data: bytes, name: str, *, unique_keys: bool = False) -> Any:
    """Parse JSON bytes (a UTF-8 byte-order mark is tolerated) with clean errors.
    ``unique_keys``: refuse an object that gives a field twice (:func:`repeated_keys`),
    as observer's own formats do; JSON parsers keep one of them without a word."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError.one(name, "$", "file is empty")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise InputError.one(
            name, f"line {line}, column {col}", "not UTF-8 text (save the file as UTF-8)"
        ) from None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = exc.msg or "invalid JSON"  # orjson gives the position separately
        line, col = _line_col(data, exc.pos) if exc.pos is not None else (exc.lineno, exc.colno)
        raise InputError.one(
            name, f"line {line}, column {col}", f"invalid JSON: {reason}"
        ) from None
    if unique_keys and (repeats := repeated_keys(data, value, name)):
        raise InputError(repeats)
    return value


_COLON_ESCAPE = re.compile(rb"\\u003[aA]")


def repeated_keys(data: bytes, value: Any, name: str) -> list[Problem]:
    """Every field an object in the JSON text ``data`` gives more than once, located by
    its path (``codes[2].key``); ``value`` is what orjson parsed from ``data``.

    orjson keeps the last of a repeated field and cannot say so, so a cheap count
    decides first (a few milliseconds on a 50,000-event session): in JSON text a colon
    is either the separator after a member's name or inside a string, written there as
    itself or as the escape ``\\u003a``. orjson keeps one member per field and writes
    every colon in a string as itself. So where no such escape appears, the colons of
    ``data`` outnumber those of ``value`` written again exactly when a member was
    dropped as a repeat. Only then (or with such an escape) is the text parsed again,
    by the standard library keeping every member, to find where."""
    if b"\\" not in data or not _COLON_ESCAPE.search(data):
        try:
            again = orjson.dumps(value)
        except orjson.JSONEncodeError:  # nested deeper than orjson writes
            again = None
        if again is not None and data.count(b":") == again.count(b":"):
            return []
    return _find_repeats(data, name)


class _Members(list[tuple[str, Any]]):
    """A JSON object as the list of its members, repeats kept."""


def _find_repeats(data: bytes, name: str) -> list[Problem]:
    try:
        tree = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_Members)
    except (RecursionError, ValueError):
        # Deeper than the standard library reads: no field of a codebook or session
        # nests like that, so the document is refused for its shape anyway.
        return []
    found: dict[Problem, None] = {}
    stack: list[tuple[str, Any]] = [("$", tree)]
    while stack:  # depth first in document order, without recursion
        path, node = stack.pop()
        if isinstance(node, _Members):
            for key, count in Counter(key for key, _ in node).items():
                if count > 1:
                    message = f"duplicate field (given {count} times)"
                    found[Problem(name, join_path(path, key), message)] = None
            stack.extend(reversed([(join_path(path, key), item) for key, item in node]))
        elif isinstance(node, list):
            stack.extend(reversed([(join_path(path, i), item) for i, item in enumerate(node)]))
    return list(found)


def read_json(path: Path, *, max_bytes: int = MAX_JSON_BYTES, unique_keys: bool = False) -> Any:
    """Read and parse a JSON file, or raise InputError (``unique_keys``: as parse_json)."""
    return parse_json(read_bytes(path, max_bytes=max_bytes), str(path), unique_keys=unique_keys)


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and any missing parents, each mode 0700 whatever the umask
    (sessions describe children); FileExistsError if a file is in the way. Returns the
    folders created, outermost first (to remove them again if the caller refuses)."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(str(folder))
    missing = []
    at = folder
    while not at.exists() and at.parent != at:
        missing.append(at)
        at = at.parent
    created = []
    for path in reversed(missing):
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is narrowed by the umask, never widened
        created.append(path)
    return created


def write_all(fd: int, data: bytes | Iterable[bytes]) -> None:
    """Write every byte of ``data`` (bytes, or chunks of them made as they are written)
    to ``fd`` (os.write may write less), then fsync."""
    for chunk in (data,) if isinstance(data, bytes) else data:
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]
    fsync(fd)


def link_new(tmp: Path, path: Path) -> None:
    """Give the file ``tmp`` the name ``path`` as well, never replacing an existing
    file (FileExistsError). Where hard links are not supported (FAT, some network
    shares) ``tmp`` is renamed instead, after checking ``path`` is free."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.rename(tmp, path)


def _write_temp(folder: Path, stem: str, data: bytes | Iterable[bytes], mode: int) -> Path:
    """Write ``data`` to a new temporary file in ``folder``, fsynced, and return its path."""
    for attempt in range(100):
        tmp = folder / f".{stem}.{os.getpid()}.{attempt}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        try:
            fchmod(fd, mode)  # the umask must not widen or narrow what we asked for
            write_all(fd, data)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)
        return tmp
    raise FileExistsError(f"could not create a temporary file in {folder}")


def write_new(path: Path, data: bytes | Iterable[bytes], *, mode: int = PRIVATE_MODE) -> None:
    """Create ``path`` atomically with ``data``; never overwrite an existing file.

    Raises FileExistsError when ``path`` exists. The file appears whole or not at all.
    """
    folder = path.parent
    tmp = _write_temp(folder, path.name, data, mode)
    try:
        link_new(tmp, path)
        fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def replace(path: Path, data: bytes) -> None:
    """Atomically replace the existing file ``path`` with ``data``, keeping its mode."""
    mode = os.stat(path).st_mode & 0o777
    tmp = _write_temp(path.parent, path.name, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)
