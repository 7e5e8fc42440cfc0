"""What the commands write: files written whole and never overwritten, new folders
(mode 0700 whatever the umask), every failure an input problem naming the path;
standard output written only once all of it is made, and JSON documents made piece
by piece (so a study of thousands of sessions is never held at once)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import orjson

from observer import jsonio
from observer.errors import InputError
from observer.textsafe import for_terminal


def exists_error(path: Path) -> InputError:
    """The refusal of a target that already exists (observer never overwrites)."""
    return InputError.one(
        str(path), "$", "already exists; observer never overwrites: choose another name"
    )


def _os_problem(path: Path, exc: OSError, doing: str) -> InputError:
    if isinstance(exc, PermissionError):
        return InputError.one(str(path), "$", "permission denied")
    return InputError.one(str(path), "$", f"cannot {doing} ({exc.strerror or exc})")


def write_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Create ``path`` atomically (mode 0600); never overwrite; errors as InputError."""
    try:
        jsonio.write_new(path, data)
    except FileExistsError:
        raise exists_error(path) from None
    except FileNotFoundError:
        raise InputError.one(str(path), "$", "the folder to write into does not exist") from None
    except OSError as exc:
        raise _os_problem(path, exc, "be written") from None


def make_folder(path: Path) -> list[Path]:
    """``path`` and its missing parents made (each 0700, whatever the umask) if they
    are not there; the folders created, outermost first."""
    try:
        return jsonio.make_folders(path)
    except FileExistsError:
        raise InputError.one(str(path), "$", "exists and is not a folder") from None
    except OSError as exc:
        raise _os_problem(path, exc, "create the folder") from None


def check_new_folder(target: Path) -> None:
    """``target`` may be made (or is an empty folder): else an InputError."""
    if target.exists() and not target.is_dir():
        raise InputError.one(str(target), "$", "exists and is not a folder")
    if target.is_dir():
        try:
            empty = not any(target.iterdir())
        except OSError as exc:
            raise InputError.one(str(target), "$", f"cannot be read ({exc.strerror})") from None
        if not empty:
            raise InputError.one(
                str(target), "$", "exists and is not empty; import into a new folder (-o DIR)"
            )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError.one(str(target), "$", "its parent folder does not exist")


def write_new_folder(target: Path, fill: Callable[[Path], None]) -> None:
    """Fill a staging folder (0700) beside ``target``, then rename it into place: the
    folder appears complete or not at all (the staging folder is removed on any failure)."""
    parent = target.parent if str(target.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".importing", dir=parent))
    except OSError as exc:
        raise InputError.one(
            str(target), "$", f"cannot create a folder here ({exc.strerror})"
        ) from None
    try:
        fill(staging)
        os.rename(staging, target)  # replaces an empty folder; fails on a non-empty one
        jsonio.fsync_dir(parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise InputError.one(
            str(target), "$", f"cannot be written ({exc.strerror or exc})"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise


SPOOL_BYTES = 1 << 20
"""Output held in memory before it goes to a temporary file (0600, never named)."""


def to_stdout(chunks: Iterable[bytes], *, escape: bool = True) -> None:
    """Write ``chunks`` to standard output once the last is made: an input problem found
    in the last of a thousand sessions leaves standard output untouched, as it leaves
    a file. ``escape``: control characters made visible when it is a terminal."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        try:
            for chunk in chunks:
                spool.write(chunk)
        except OSError as error:  # the temporary folder is full or gone: not an input problem
            raise click.ClickException(
                f"cannot hold the output until the last input is read"
                f" ({error.strerror or error}, in {tempfile.gettempdir()}): free some space"
                " there, or set TMPDIR to a folder with room"
            ) from None
        spool.seek(0)
        sys.stdout.flush()
        out = sys.stdout.buffer
        while lines := spool.readlines(SPOOL_BYTES):  # whole lines: UTF-8 is never cut
            block = b"".join(lines)
            out.write(for_terminal(block, sys.stdout) if escape else block)
        sys.stdout.flush()


def _indented(value: Any, depth: int) -> bytes:
    """``value`` as orjson's two-space indentation writes it ``depth`` levels in."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + b"  " * depth)


def json_chunks(fields: Sequence[tuple[str, Any]]) -> Iterator[bytes]:
    """A JSON object, byte for byte as ``orjson.dumps(..., option=OPT_INDENT_2)`` writes
    it, made piece by piece: a value that is an iterator is written as a list one
    item at a time; a callable is called when its turn comes (after the lists before it)."""
    yield b"{\n"
    for n, (key, value) in enumerate(fields):
        yield b"  " + orjson.dumps(key) + b": "
        if callable(value):
            value = value()
        if isinstance(value, Iterator):
            empty = True
            for item in value:
                yield (b"[\n    " if empty else b",\n    ") + _indented(item, 2)
                empty = False
            yield b"[]" if empty else b"\n  ]"
        else:
            yield _indented(value, 1)
        yield b",\n" if n < len(fields) - 1 else b"\n"
    yield b"}\n"
