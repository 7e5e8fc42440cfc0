"""The ``time`` method: sklearn on independently built unit labels, and the tolerance rule."""

from __future__ import annotations

import math

import pytest
from sklearn.metrics import cohen_kappa_score
from support.analysis import BOOK, session

from observer.analysis.agreement import time_method
from observer.sessionfile import Session
from observer.synthetic import make_session, perturb


def naive_labels(s: Session, stream: str, n: int, unit: float) -> list[str]:
    """The documented definition, unit by unit: states at the midpoint, points starting inside."""
    out = []
    for i in range(n):
        mid = (i + 0.5) * unit
        codes = set()
        for e in s.events:
            code = BOOK.code_by_id[e.code]
            if code.stream != stream:
                continue
            if e.end is None:
                if min(math.floor(e.start / unit), n - 1) == i:
                    codes.add(e.code)
            elif e.start <= mid < e.end:
                codes.add(e.code)
        out.append("+".join(sorted(codes)) or "none")
    return out


@pytest.mark.parametrize(("seed", "unit"), [(1, 1.0), (2, 0.5), (3, 2.0)])
def test_tolerance_zero_equals_sklearn_on_the_unit_labels(seed: int, unit: float) -> None:
    a = make_session(BOOK, 150, seed=seed)
    b = perturb(a, seed=seed + 10, jitter=0.6, swap=0.2, miss=0.1, extra=0.1)
    result = time_method(a, b, unit=unit, tolerance=0.0)
    n = math.ceil(max(a.duration, b.duration) / unit)
    pooled_a: list[str] = []
    pooled_b: list[str] = []
    for stream in result.streams:
        la = naive_labels(a, stream.stream, n, unit)
        lb = naive_labels(b, stream.stream, n, unit)
        assert stream.kappa.n == n
        assert stream.kappa.kappa == pytest.approx(cohen_kappa_score(la, lb), abs=1e-12)
        pooled_a += [f"{stream.stream}:{x}" for x in la]
        pooled_b += [f"{stream.stream}:{x}" for x in lb]
        for code in (c for c in BOOK.codes if c.stream == stream.stream):
            pa = [code.id in x.split("+") for x in la]
            pb = [code.id in x.split("+") for x in lb]
            got = next(c for c in result.codes if c.code == code.id)
            assert got.kappa.kappa == pytest.approx(cohen_kappa_score(pa, pb), abs=1e-12)
    assert result.overall.kappa == pytest.approx(cohen_kappa_score(pooled_a, pooled_b), abs=1e-12)


def _gseq_example() -> tuple[Session, Session]:
    # After Bakeman's GSEQ example (field.md §2.3): A codes calm in unit 23 where B
    # has upset, but B has calm two units earlier; A's upset in unit 35 has no
    # upset by B anywhere near.
    a = session([("calm", 23.0, 24.0), ("upset", 35.0, 36.0)], duration=40.0)
    b = session([("calm", 21.0, 22.0), ("upset", 23.0, 24.0)], duration=40.0, observer="obs2")
    return a, b


def test_tolerance_rule_hand_worked() -> None:
    a, b = _gseq_example()
    mood = next(s for s in time_method(a, b, tolerance=2.0).streams if s.stream == "mood/child")
    assert mood.table == {
        "calm": {"calm": 1, "upset": 0, "": 0},
        "upset": {"calm": 0, "upset": 0, "": 1},
        "": {"calm": 0, "upset": 0, "": 38},
    }
    # N 40, 39 on the diagonal, chance Σ r·c = 1·1 + 1·0 + 38·39 = 1483
    assert mood.kappa.kappa == pytest.approx((40 * 39 - 1483) / (40 * 40 - 1483))
    # One unit less of tolerance and A's calm no longer finds B's (two units away).
    narrow = next(s for s in time_method(a, b, tolerance=1.0).streams if s.stream == "mood/child")
    assert narrow.table["calm"] == {"calm": 0, "upset": 1, "": 0}


def test_tolerance_rule_takes_a_as_the_reference() -> None:
    a, b = _gseq_example()
    forward = time_method(a, b, tolerance=2.0).overall.kappa
    backward = time_method(b, a, tolerance=2.0).overall.kappa
    assert forward != backward


def test_units_span_the_longer_session_and_unused_streams_stay_out() -> None:
    a = session([("calm", 0.0, 4.0)], duration=4.0)
    b = session([("calm", 0.0, 4.0)], duration=6.5, observer="obs2")
    result = time_method(a, b)
    mood = next(s for s in result.streams if s.stream == "mood/child")
    assert mood.kappa.n == 7  # ceil(6.5 / 1)
    assert mood.table == {"calm": {"calm": 4, "": 0}, "": {"calm": 0, "": 3}}
    unused = [s for s in result.streams if s.stream != "mood/child"]
    assert all(s.kappa.kappa is None and s.note for s in unused)
    # the overall κ is the mood stream's alone: none–none units of unused streams stay out
    assert result.overall.kappa == pytest.approx(mood.kappa.kappa)
    assert result.overall.n == 7


def test_empty_sessions_give_null_with_reason() -> None:
    a = session([], duration=5.0)
    b = session([], duration=5.0, observer="obs2")
    result = time_method(a, b)
    assert result.overall.kappa is None
    assert result.overall.reason == "neither session has any events"
    assert all(c.kappa.kappa is None and c.kappa.reason for c in result.codes)
