"""Time-sampling scans as a record of their own, beside the continuous record, and
interval agreement on them.

A session coded with a sampling codebook holds, for every sampling instant and
sampled stream, the code the observer answered (or null: missed). As a record,
instant k (at (k + 1)·S, S = ``every_s``) scores a sampled code 1 when the scan
answered it, 0 when it answered another code of its stream, and nothing (null)
when that stream's scan was missed. Interval k of the continuous record,
[k·S, (k + 1)·S), ends at the same instant, so its ``momentary`` score (a state
running at the interval's end) is what the continuous record says the scan should
have found: :func:`scan_summary` sets the two side by side.

Agreement on scans (:func:`scan_agreement`) is the interval-agreement family over
the (code, instant) cells both observers answered (a scan missed by either is left
out): interval-by-interval, scored- and unscored-interval agreement; each cell's
count is its score (a scan counts one occurrence), so total and count-per-interval
agreement read as agreement on how often each code was found.
"""

from __future__ import annotations

from typing import Any

import attrs

from observer.analysis.intervals import (
    Agreement,
    CodeAgreement,
    IntervalAgreement,
    _ioa_cells,
    _r,
    code_intervals,
)
from observer.codebook import Codebook
from observer.errors import InputError
from observer.sessionfile import Session

SCANS = "scans"


def sampling_of(session: Session, name: str) -> Any:
    """The session's sampling block; InputError when its codebook does not sample."""
    sampling = session.book.sampling
    if sampling is None:
        raise InputError.one(
            name, "codebook.document.sampling", "the codebook does not sample: there are no scans"
        )
    return sampling


@attrs.frozen
class ScanRecord:
    """A session's scans as a record: the instants, and per sampled code its score
    at each (1, 0, or None for a missed scan)."""

    every_s: float
    instants: tuple[float, ...]
    scored: dict[str, tuple[int | None, ...]]


def scan_record(session: Session, book: Codebook | None = None) -> ScanRecord:
    """The scans of ``session`` over every instant asked (``book``: restricted codes)."""
    book = session.book if book is None else book
    sampling = session.book.sampling
    assert sampling is not None, "the codebook does not sample"
    codes = [c for c in sampling.codes if c in book.code_by_id]
    instants = tuple(sorted({s.t for s in session.scans}))
    answers = {(s.t, s.stream): s.code for s in session.scans}
    scored: dict[str, tuple[int | None, ...]] = {}
    for code_id in codes:
        stream = session.book.code_by_id[code_id].stream
        row: list[int | None] = []
        for t in instants:
            answer = answers.get((t, stream))
            row.append(None if answer is None else int(answer == code_id))
        scored[code_id] = tuple(row)
    return ScanRecord(float(sampling.every_s), instants, scored)


@attrs.frozen
class ScanEstimate:
    """One sampled code: its scans beside the continuous record at the same instants."""

    code: str
    scans: int
    missed: int
    scored: int
    estimate: float | None
    momentary_continuous: float | None
    proportion: float | None
    agreement_with_continuous: float | None

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def scan_summary(session: Session) -> list[ScanEstimate]:
    """Per sampled code: the scans answered and missed, the share of answered scans
    that found it (the estimate of the proportion of time), the continuous record's
    momentary score at the same instants, its proportion of time, and the share of
    answered instants where scan and continuous record agree."""
    record = scan_record(session)
    duration = session.duration
    continuous = {c.code: c for c in code_intervals(session, record.every_s)}
    out = []
    for code_id, row in record.scored.items():
        steps = [round(t / record.every_s) - 1 for t in record.instants]
        answered = [(k, v) for k, v in zip(steps, row, strict=True) if v is not None]
        c = continuous.get(code_id)
        moments = c.scored["momentary"] if c is not None else ()
        at = [moments[k] if 0 <= k < len(moments) else 0 for k, _ in answered]
        scored = sum(v for _, v in answered)
        n = len(answered)
        truth = None
        if c is not None and c.kind == "state" and duration > 0:
            truth = _r(c.total_us / 1e6 / duration)
        same = sum(1 for (_, v), m in zip(answered, at, strict=True) if v == m)
        out.append(
            ScanEstimate(
                code_id,
                n,
                len(row) - n,
                scored,
                _r(scored / n) if n else None,
                _r(sum(at) / n) if n else None,
                truth,
                _r(same / n) if n else None,
            )
        )
    return out


def scan_agreement(a: Session, b: Session, book: Codebook | None = None) -> IntervalAgreement:
    """The interval-agreement family over the scans both observers answered, per
    sampled code (of ``book``, when restricted) and overall."""
    ra, rb = scan_record(a, book), scan_record(b, book)
    both = sorted(set(ra.instants) & set(rb.instants))
    index_a = {t: i for i, t in enumerate(ra.instants)}
    index_b = {t: i for i, t in enumerate(rb.instants)}
    codes: list[CodeAgreement] = []
    cells_a: list[list[int]] = []
    cells_b: list[list[int]] = []
    for code_id, row_a in ra.scored.items():
        row_b = rb.scored.get(code_id, ())
        xa: list[int] = []
        xb: list[int] = []
        for t in both:
            va, vb = row_a[index_a[t]], row_b[index_b[t]] if row_b else None
            if va is None or vb is None:
                continue  # missed by either: not compared
            xa.append(va)
            xb.append(vb)
        cells_a.append(xa)
        cells_b.append(xb)
        codes.append(CodeAgreement(code_id, "state", _ioa_cells([xa], [xb], [xa], [xb], None)))
    overall: Agreement = _ioa_cells(cells_a, cells_b, cells_a, cells_b, None)
    return IntervalAgreement(ra.every_s, overall, tuple(codes), source=SCANS)
