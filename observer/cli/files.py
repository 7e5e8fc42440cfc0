"""What the commands create: files written whole and never overwritten, new folders
(mode 0700 whatever the umask), every failure an input problem naming the path."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from observer import jsonio
from observer.errors import InputError


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
