"""What identifies a media file in a session: name, size, and a quick hash.

The hash is SHA-256 over the file's size (8 bytes, big-endian) followed by its first
and its last MiB (the whole file if it is smaller than 2 MiB): quick on a
multi-gigabyte recording, and enough to recognise the same file again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from observer.sessionfile import Media

MIB = 1 << 20

MIME_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".mpg": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".ogv": "video/ogg",
    ".wav": "audio/x-wav",
    ".mp3": "audio/mpeg",
}


def head_tail_sha256(path: Path) -> tuple[int, str]:
    """(size in bytes, hex SHA-256 of size + first MiB + last MiB)."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        h = hashlib.sha256(size.to_bytes(8, "big"))
        if size <= 2 * MIB:
            h.update(f.read())
        else:
            h.update(f.read(MIB))
            f.seek(size - MIB)
            h.update(f.read(MIB))
    return size, h.hexdigest()


def mime_type(name: str) -> str:
    """The MIME type ELAN expects for a media file name (by its extension)."""
    return MIME_TYPES.get(Path(name).suffix.lower(), "video/*")


def describe(path: Path, duration: float, fps: float | None, offset: float = 0.0) -> Media:
    """The session's ``media`` field for ``path`` (as mpv reported its duration and fps)."""
    size, digest = head_tail_sha256(path)
    return Media(path.name, size, round(duration, 3), fps, digest, offset)
