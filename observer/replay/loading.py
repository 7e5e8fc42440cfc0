"""Opening what a replay shows: the session, and in compare mode the other coding.

:func:`open_replay` parses and validates (``observer.sessionfile``), checks that
two sessions can be compared and aligns them (``observer.analysis``). The replay
screen runs it in a thread after its first frame, so a large session shows the
screen at once and fills it when ready; any problem is an InputError (exit 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from observer import jsonio
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


def compare(session: Session, other: Session, tolerance: float) -> Comparison:
    from observer.analysis.align import align_sessions

    return Comparison(session, other, align_sessions(session, other, tolerance))


def agreement_report(session: Session, other: Session, tolerance: float) -> tuple[str, ...]:
    """The event method's κ, counts and tables (observer.analysis), as text lines."""
    from observer.analysis.agreement import event_method, method_dict
    from observer.analysis.report import BANDS_NOTE, render_method

    result = method_dict(event_method(session, other, tolerance=tolerance))
    return (*render_method("event", result), "", BANDS_NOTE)


def parse(path: Path, data: bytes | None) -> Session:
    from observer.sessionfile import session_from_data

    raw = jsonio.parse_json(data if data is not None else jsonio.read_bytes(path), str(path))
    return session_from_data(raw, str(path))


def open_replay(
    path: Path,
    data: bytes | None = None,
    *,
    other_path: Path | None = None,
    other_data: bytes | None = None,
    tolerance: float = 2.0,
) -> Opened:
    """Both sessions parsed and validated (``data``: the file's bytes, if already read)."""
    session = parse(path, data)
    if other_path is None:
        return Opened(session)
    from observer.analysis.agreement import check_pair

    other = parse(other_path, other_data)
    warnings = check_pair(session, other, str(path), str(other_path))
    return Opened(
        session,
        other,
        compare(session, other, tolerance),
        tuple(warnings),
        agreement_report(session, other, tolerance),
    )
