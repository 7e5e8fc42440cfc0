"""The BORIS-compatible ``timeslice`` method: BORIS's own K on the shared fixture,
and a naive slice-by-slice check."""

from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score
from support.analysis import BOOK, BORIS_FIXTURE, boris_sessions, session

from observer.analysis.agreement import timeslice_method
from observer.sessionfile import Session
from observer.synthetic import make_session, perturb


@pytest.mark.skipif(not BORIS_FIXTURE.exists(), reason="shared BORIS fixture not present")
@pytest.mark.parametrize(("unit", "boris_k"), [(1.0, 0.807), (0.5, 0.816)])
def test_reproduces_boris_k_on_the_shared_fixture(unit: float, boris_k: float) -> None:
    # BORIS 9.15.0 irr.cohen_kappa on raterA vs raterB (fixtures/boris/README.md)
    observations = boris_sessions()
    result = timeslice_method(observations["raterA"], observations["raterB"], unit=unit)
    assert result.overall.kappa is not None
    assert round(result.overall.kappa, 3) == boris_k


def naive_cells(a: Session, b: Session, unit: float) -> tuple[list[str], list[str]]:
    """BORIS's definition, slice by slice and actor by actor, repeats kept."""
    events = [*a.events, *b.events]
    first = min(e.start for e in events)
    last = max(e.start if e.end is None else e.end for e in events)
    ra: list[str] = []
    rb: list[str] = []
    k = 0
    while first + k * unit <= last + 1e-9:
        t = first + k * unit
        for actor in BOOK.actors:
            for s, out in ((a, ra), (b, rb)):
                active = [
                    e.code
                    for e in s.events
                    if BOOK.code_by_id[e.code].actor == actor.id
                    and (
                        abs(e.start - t) <= unit / 2 + 1e-9
                        if e.end is None
                        else e.start - 1e-9 <= t <= e.end + 1e-9
                    )
                ]
                out.append("+".join(sorted(active)))
        k += 1
    return ra, rb


@pytest.mark.parametrize(("seed", "unit"), [(1, 1.0), (2, 0.5)])
def test_equals_sklearn_on_naive_slices(seed: int, unit: float) -> None:
    a = make_session(BOOK, 120, seed=seed)
    b = perturb(a, seed=seed + 7, swap=0.2, miss=0.1, extra=0.1)
    ra, rb = naive_cells(a, b, unit)
    result = timeslice_method(a, b, unit=unit)
    assert result.overall.n == len(ra)
    assert result.overall.kappa == pytest.approx(cohen_kappa_score(ra, rb), abs=1e-12)
    assert result.counts["empty_both"] == sum(x == y == "" for x, y in zip(ra, rb, strict=True))


def test_slices_run_from_first_start_to_last_end_inclusive() -> None:
    a = session([("calm", 2.0, 5.0)], duration=10.0)
    b = session([("calm", 2.0, 4.0), ("praise", 6.0, None)], duration=10.0, observer="obs2")
    result = timeslice_method(a, b, unit=1.0)
    assert result.counts["slices"] == 5  # t = 2, 3, 4, 5, 6
    assert result.overall.n == 5 * len(BOOK.actors)


def test_no_events_gives_null_with_reason() -> None:
    result = timeslice_method(session([]), session([], observer="obs2"))
    assert result.overall.kappa is None
    assert result.overall.reason == "neither session has any events"
