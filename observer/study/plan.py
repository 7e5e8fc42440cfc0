"""A blind double-coding plan: which sessions a second observer codes next.

Sessions are stratified by observer and by the month of ``started_at``; in each
stratum at least ``fraction`` of the sessions (rounded up) end up double-coded,
counting those already double-coded and those already planned. Which sessions fill
a stratum is decided by a rank that depends only on the seed and the session's id
(a SHA-256 of both), so the same seed gives the same plan, and a session added later
never displaces one already planned.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

import attrs

from observer.sessionfile import relative_days, time_key
from observer.study.discover import Entry

COLUMNS = ("session", "dyad", "observer", "started_at", "stratum")


@attrs.frozen
class Planned:
    session: str
    dyad: str
    observer: str
    started_at: str
    stratum: str

    def row(self) -> tuple[str, ...]:
        return (self.session, self.dyad, self.observer, self.started_at, self.stratum)


def stratum(entry: Entry) -> str:
    """The observer and the month; the observer alone for a session whose times are days
    since its dyad's first session (de-identified with ``--dates none``: no month)."""
    if relative_days(entry.started_at) is not None:
        return entry.observer
    return f"{entry.observer}/{entry.started_at[:7]}"


def rank(seed: int, session_id: str) -> str:
    return hashlib.sha256(f"{seed}\0{session_id}".encode()).hexdigest()


def plan(
    entries: Sequence[Entry],
    double_coded: Iterable[str],
    fraction: float,
    seed: int,
    kept: Sequence[Planned] = (),
) -> list[Planned]:
    """The plan: ``kept`` (an earlier plan, in its order) followed by what each stratum
    still needs. ``double_coded`` holds the ids of sessions already coded twice; only
    the first coding of a pair (by ``started_at``) counts as the stratum's session."""
    if not 0 < fraction <= 1:
        raise ValueError("the fraction must be in (0, 1]")
    done = set(double_coded)
    planned = {p.session for p in kept}
    strata: dict[str, list[Entry]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for entry in sorted(entries, key=lambda e: (time_key(e.started_at), e.id)):
        key = (entry.codebook, entry.dyad, entry.label)
        if key in seen:
            continue  # the second coding of a dyad's session is not a session to plan
        seen.add(key)
        strata[stratum(entry)].append(entry)
    out = list(kept)
    for name in sorted(strata):
        members = strata[name]
        have = sum(1 for e in members if e.id in done or e.id in planned)
        need = math.ceil(fraction * len(members) - 1e-9) - have
        candidates = sorted(
            (e for e in members if e.id not in done and e.id not in planned),
            key=lambda e: rank(seed, e.id),
        )
        for entry in candidates[: max(need, 0)]:
            out.append(Planned(entry.id, entry.dyad, entry.observer, entry.started_at, name))
    return out


def to_csv(rows: Sequence[Planned]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(p.row() for p in rows)
    return buffer.getvalue()


def from_csv(text: str) -> list[Planned]:
    """An earlier plan; raises ValueError naming the line of a malformed one."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(c.strip() for c in rows[0]) != COLUMNS:
        raise ValueError(f"line 1: the header must be {','.join(COLUMNS)}")
    out: list[Planned] = []
    for number, row in enumerate(rows[1:], 2):
        if not row:
            continue
        if len(row) != len(COLUMNS):
            raise ValueError(f"line {number}: needs {len(COLUMNS)} columns")
        out.append(Planned(*row))
    return out
