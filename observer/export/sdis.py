"""SDIS timed-event files for GSEQ (Bakeman & Quera's Sequential Data Interchange Standard).

Layout::

    % comment lines: what this file is, and each reduced name -> its code id
    Timed ($stream = code code ...) ($stream2 = ...);
    <session-id> ,0.000 code,1.250-4.000 code,5.100 ... ,1834.512/

One declaration with the codes grouped per stream (one set per group and
actor), then one session per input session: the label in angle brackets, the
start time, state events as ``code,onset-offset``, point events as
``code,onset``, and the session's end as ``,duration/``. Times are seconds with
3 decimals (milliseconds). A state event that rounds to no length is written
as a momentary event (onset only), since an offset must follow its onset.

GSEQ accepts fewer characters in names than our ids hold, so every code and
set name is *reduced*: letters, digits and underscores only, starting with a
letter, at most :data:`MAX_NAME` characters; names that would collide (compared
without regard to case) get ``_2``, ``_3``... in declaration order. The
comment header maps every reduced name back to the code id.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator

from observer.errors import InputError
from observer.sessionfile import Session

MAX_NAME = 16
"""A conservative cap on name length (GSEQ's own limit is not documented where we looked)."""

_KEYWORDS = frozenset({"event", "state", "timed", "interval", "multievent", "multi"})
_BAD = re.compile(r"[^A-Za-z0-9_]+")


def reduce_name(name: str, taken: set[str]) -> str:
    """``name`` reduced to GSEQ's characters, unique (case-insensitively) among ``taken``.

    The result is added to ``taken`` (lower-cased).
    """
    base = _BAD.sub("_", name).strip("_")
    base = re.sub("_+", "_", base)
    if not base[:1].isalpha():
        base = f"c_{base}" if base else "c"
    base = base[:MAX_NAME].rstrip("_")
    candidate, n = base, 1
    while candidate.lower() in taken or candidate.lower() in _KEYWORDS:
        n += 1
        suffix = f"_{n}"
        candidate = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
    taken.add(candidate.lower())
    return candidate


def _add_streams(session: Session, streams: dict[str, list[str]], home: dict[str, str]) -> None:
    """Add the streams of ``session``'s codebook to ``streams`` (first-seen order, each
    with its codes). A code id must belong to one stream throughout: a file's
    declaration cannot put one code in two sets."""
    for stream in session.book.streams:
        codes = streams.setdefault(stream.id, [])
        for code in stream.codes:
            where = home.setdefault(code.id, stream.id)
            if where != stream.id:
                raise InputError.one(
                    session.id,
                    "codebook",
                    f"code {code.id!r} is in stream {stream.id!r} here but in {where!r}"
                    " in an earlier session: one SDIS file needs one stream per code",
                )
            if code.id not in codes:
                codes.append(code.id)


def _ms(t: float) -> str:
    return f"{t:.3f}"


def sdis_bytes(sessions: Iterable[Session]) -> bytes:
    """One SDIS timed-event file holding every session."""
    return b"".join(sdis_chunks(sessions))


SPOOL_BYTES = 1 << 20


def sdis_chunks(sessions: Iterable[Session]) -> Iterator[bytes]:
    """``sdis_bytes`` piece by piece, each session let go once read. The declaration
    at the top names every stream of every session (and the reduced names depend on
    all of them), so the sessions' lines wait in a temporary file (past 1 MB; mode
    0600, never named, gone when closed) with their code ids, which the reduced names
    replace as the lines are written out after the declaration."""
    streams: dict[str, list[str]] = {}
    home: dict[str, str] = {}
    comments: list[str] = []
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        for session in sessions:
            _add_streams(session, streams, home)
            comments.append(
                f"% <{session.id}>: dyad {session.dyad}, observer {session.observer},"
                f" codebook {session.codebook.id} {session.codebook.version}"
            )
            tokens = [f"<{session.id}>", f",{_ms(0.0)}"]
            for event in session.events:
                onset = _ms(event.start)
                offset = None if event.end is None else _ms(event.end)
                if offset is None or offset == onset:
                    tokens.append(f"{event.code},{onset}")
                else:
                    tokens.append(f"{event.code},{onset}-{offset}")
            tokens.append(f",{_ms(session.duration)}/")
            spool.write((" ".join(tokens) + "\n").encode("utf-8"))
        taken: set[str] = set()
        names: dict[str, str] = {}
        sets: list[tuple[str, list[str]]] = []
        for stream_id, codes in streams.items():
            set_name = reduce_name(stream_id, taken)
            sets.append((set_name, [names.setdefault(c, reduce_name(c, taken)) for c in codes]))
        lines = [
            "% SDIS timed-event data written by observer; times in seconds (3 decimals).",
            "% One set per stream (code group / actor); names reduced for GSEQ:",
        ]
        for (stream_id, codes), (set_name, _) in zip(streams.items(), sets, strict=True):
            lines.append(f"%   ${set_name} = stream {stream_id}")
            lines.extend(f"%     {names[c]} = {c}" for c in codes)
        lines.extend(comments)
        declaration = " ".join(f"(${name} = {' '.join(codes)})" for name, codes in sets)
        lines.append(f"Timed {declaration};")
        yield ("\n".join(lines) + "\n").encode("utf-8")
        spool.seek(0)
        for line in spool:  # ids and times hold no space or comma: a token splits cleanly
            first, start, *events, end = line.decode("utf-8").split()
            named = [f"{names[code]},{time}" for code, time in (e.split(",", 1) for e in events)]
            yield (_wrap([first, start, *named, end]) + "\n").encode("utf-8")


def _wrap(tokens: list[str], width: int = 100) -> str:
    """Tokens joined by spaces, broken into lines of about ``width`` characters."""
    out: list[str] = []
    line: list[str] = []
    length = 0
    for token in tokens:
        if line and length + 1 + len(token) > width:
            out.append(" ".join(line))
            line, length = [], 0
        line.append(token)
        length += len(token) + (1 if length else 0)
    out.append(" ".join(line))
    return "\n".join(out)
