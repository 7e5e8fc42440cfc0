"""Opening what a replay shows: the session, and in compare mode the other coding.

:func:`open_replay` parses and validates (``observer.sessionfile``), checks that
two sessions can be compared and aligns them (``observer.analysis``). The replay
screen runs it in a thread after its first frame, so a large session shows the
screen at once and fills it when ready; any problem is an InputError (exit 2).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from observer.replay.compare import Comparison

if TYPE_CHECKING:
    from observer.sessionfile import Session


@attrs.frozen
class Opened:
    session: Session
    other: Session | None = None
    comparison: Comparison | None = None
    warnings: tuple[str, ...] = ()
    agreement: tuple[str, ...] = ()
    """Compare mode: the event-based agreement report, as ``observer agree`` prints it."""
    sha256: str | None = None
    """Digest of ``session``'s file as read (saving reviews skips re-reading it if
    the file still has these bytes: ``sessionfile.save_reviews``)."""


def compare(
    session: Session, other: Session, tolerance: float
) -> tuple[Comparison, tuple[str, ...]]:
    """Compare mode from one alignment (``observer.analysis``): the pairs laid out for
    the timeline, and the event method's κ, counts and tables as text lines (as
    ``observer agree`` prints them)."""
    from observer.analysis.agreement import event_method, method_dict
    from observer.analysis.align import align_by_stream, align_sessions
    from observer.analysis.report import BANDS_NOTE, render_method

    by_stream = align_by_stream(session, other, tolerance)
    pairs = align_sessions(session, other, tolerance, by_stream=by_stream)
    result = method_dict(event_method(session, other, tolerance=tolerance, by_stream=by_stream))
    return Comparison(session, other, pairs), (*render_method("event", result), "", BANDS_NOTE)


def parse(path: Path, data: bytes | None) -> Session:
    from observer.sessionfile import read_session_bytes, session_from_bytes

    return session_from_bytes(data if data is not None else read_session_bytes(path), str(path))


def open_replay(
    path: Path,
    data: bytes | None = None,
    *,
    other_path: Path | None = None,
    other_data: bytes | None = None,
    tolerance: float = 2.0,
) -> Opened:
    """Both sessions parsed and validated (``data``: the file's bytes, if already read)."""
    if data is None:
        from observer.sessionfile import read_session_bytes

        data = read_session_bytes(path)
    session = parse(path, data)
    digest = hashlib.sha256(data).hexdigest()
    if other_path is None:
        return Opened(session, sha256=digest)
    from observer.analysis.agreement import check_pair

    other = parse(other_path, other_data)
    warnings = check_pair(session, other, str(path), str(other_path))
    comparison, report = compare(session, other, tolerance)
    return Opened(session, other, comparison, tuple(warnings), report, digest)
