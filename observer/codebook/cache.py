"""The cache of validated codebooks: structuring and validating a codebook runs once
per codebook file and observer version, not at every start of ``observer code``.

An entry is named by the SHA-256 of the file's bytes, observer's version and the
source of the code that validates and structures codebooks (so a changed rule, in a
release or a working copy, never finds an entry made before it). It holds the
:class:`Codebook` exactly as validation made it, behind a SHA-256 of itself. A hit
imports neither cattrs nor the rules: only the model. Entries live in
``$XDG_CACHE_HOME/observer/codebooks`` (default ``~/.cache/observer/codebooks`` on
Linux; the platform's cache folder elsewhere), a 0700 folder, each file 0600 and
written atomically (a temporary file renamed). An entry that cannot be read, is
corrupt (its digest does not match), belongs to someone else or can be read by others
is ignored and written again; a cache that cannot be written is no error. Only
codebooks that passed validation are ever stored; a codebook with a problem is
validated (and reported) every time.

``OBSERVER_CODEBOOK_CACHE=0`` turns the cache off (every load validates).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import threading
from pathlib import Path

from observer import __version__
from observer.codebook.model import Codebook

MAGIC = b"observer codebook cache 1\n"
_DIGEST = 32
_SOURCES = ("codebook", "structure.py", "limits.py", "errors.py", "filenames.py", "jsonio.py")
"""What decides whether a codebook is valid and what it structures to, under observer/."""
_fingerprint: bytes | None = None


def enabled() -> bool:
    return os.environ.get("OBSERVER_CODEBOOK_CACHE", "1") != "0"


def cache_dir() -> Path:
    given = os.environ.get("XDG_CACHE_HOME")
    if given:
        return Path(given) / "observer" / "codebooks"
    import platformdirs  # textual imports it too

    return Path(platformdirs.user_cache_dir("observer", appauthor=False)) / "codebooks"


def _code_fingerprint() -> bytes:
    """SHA-256 of observer's version, Python's, and the validating code's source."""
    global _fingerprint
    if _fingerprint is None:
        root = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
        for name in _SOURCES:
            path = root / name
            files = sorted(path.glob("*.py")) if path.is_dir() else [path]
            for file in files:
                digest.update(file.name.encode() + b"\0")
                with contextlib.suppress(OSError):
                    digest.update(file.read_bytes())
        _fingerprint = digest.digest()
    return _fingerprint


def entry_path(data: bytes) -> Path:
    """Where the validated codebook of the file whose bytes are ``data`` is kept."""
    name = hashlib.sha256(_code_fingerprint() + data).hexdigest()
    return cache_dir() / f"{name}.pickle"


def get(data: bytes) -> Codebook | None:
    """The validated codebook of a file holding ``data``, if a sound entry has it."""
    if not enabled():
        return None
    path = entry_path(data)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not _private(os.fstat(handle.fileno())):
                return None
            blob = handle.read()
    except OSError:
        return None
    head, digest = blob[: len(MAGIC)], blob[len(MAGIC) : len(MAGIC) + _DIGEST]
    payload = blob[len(MAGIC) + _DIGEST :]
    if head != MAGIC or hashlib.sha256(payload).digest() != digest:
        return None  # torn or altered: validated again, and written again
    try:
        book = pickle.loads(payload)  # our own 0600 file, its digest checked
    except Exception:  # an entry a changed model cannot read: a miss
        return None
    return book if isinstance(book, Codebook) else None


def put(data: bytes, book: Codebook) -> None:
    """Keep ``book``, validated from a file holding ``data`` (silently not, when the
    cache folder cannot be written)."""
    if not enabled():
        return
    from observer.jsonio import make_folders

    path = entry_path(data)
    payload = pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
    blob = MAGIC + hashlib.sha256(payload).digest() + payload
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with contextlib.suppress(OSError):
        make_folders(path.parent)
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), 0o600)  # whatever the umask
                handle.write(blob)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _private(stat: os.stat_result) -> bool:
    """An entry only its owner, this user, can read or change (POSIX; elsewhere the
    per-user cache folder is the user's own)."""
    if not hasattr(os, "getuid"):
        return True
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o077
