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
from collections.abc import Iterable, Sequence

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


def _streams(sessions: Sequence[Session]) -> list[tuple[str, list[str]]]:
    """Every stream of every session's codebook, in first-seen order, with its codes.

    A code id must belong to one stream throughout: a file's declaration cannot
    put one code in two sets.
    """
    streams: dict[str, list[str]] = {}
    home: dict[str, str] = {}
    for session in sessions:
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
    return list(streams.items())


def _ms(t: float) -> str:
    return f"{t:.3f}"


def sdis_bytes(sessions: Iterable[Session]) -> bytes:
    """One SDIS timed-event file holding every session."""
    sessions = list(sessions)
    streams = _streams(sessions)
    taken: set[str] = set()
    names: dict[str, str] = {}
    sets: list[tuple[str, list[str]]] = []
    for stream_id, codes in streams:
        set_name = reduce_name(stream_id, taken)
        sets.append((set_name, [names.setdefault(c, reduce_name(c, taken)) for c in codes]))

    lines = [
        "% SDIS timed-event data written by observer; times in seconds (3 decimals).",
        "% One set per stream (code group / actor); names reduced for GSEQ:",
    ]
    for (stream_id, codes), (set_name, _) in zip(streams, sets, strict=True):
        lines.append(f"%   ${set_name} = stream {stream_id}")
        lines.extend(f"%     {names[c]} = {c}" for c in codes)
    for session in sessions:
        lines.append(
            f"% <{session.id}>: dyad {session.dyad}, observer {session.observer},"
            f" codebook {session.codebook.id} {session.codebook.version}"
        )
    declaration = " ".join(f"(${name} = {' '.join(codes)})" for name, codes in sets)
    lines.append(f"Timed {declaration};")
    for session in sessions:
        tokens = [f"<{session.id}>", f",{_ms(0.0)}"]
        for event in session.events:
            name = names[event.code]
            onset = _ms(event.start)
            offset = None if event.end is None else _ms(event.end)
            if offset is None or offset == onset:
                tokens.append(f"{name},{onset}")
            else:
                tokens.append(f"{name},{onset}-{offset}")
        tokens.append(f",{_ms(session.duration)}/")
        lines.append(_wrap(tokens))
    return ("\n".join(lines) + "\n").encode("utf-8")


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
