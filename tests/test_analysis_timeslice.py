"""The BORIS-compatible ``timeslice`` method: BORIS's own K on the shared fixture,
and a naive slice-by-slice check."""

from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score
from support.analysis import (
    BOOK,
    BORIS_FIXTURE,
    book_document,
    boris_sessions,
    imported_boris,
    session,
    with_book,
)

from observer.analysis.agreement import compare, timeslice_method
from observer.analysis.scope import Scope
from observer.codebook import Codebook, codebook_from_data
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


def naive_cells(
    a: Session, b: Session, unit: float, book: Codebook = BOOK, actors: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """BORIS's definition, slice by slice and actor by actor, repeats kept; by default
    over the actors with at least one event in either session."""
    events = [*a.events, *b.events]
    first = min(e.start for e in events)
    last = max(e.start if e.end is None else e.end for e in events)
    coded = {book.code_by_id[e.code].actor for e in events}
    chosen = actors if actors is not None else [x.id for x in book.actors if x.id in coded]
    ra: list[str] = []
    rb: list[str] = []
    k = 0
    while first + k * unit <= last + 1e-9:
        t = first + k * unit
        for actor in chosen:
            for s, out in ((a, ra), (b, rb)):
                active = [
                    e.code
                    for e in s.events
                    if book.code_by_id[e.code].actor == actor
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
    assert result.overall.n == 5 * len(BOOK.actors)  # both actors coded


SIBLING_BOOK = codebook_from_data(book_document(extra_actor=True), "analysis-test")


def test_an_actor_nobody_coded_adds_no_cells() -> None:
    # only the child is coded; the caregiver and the sibling have no events at all
    a = with_book(
        session([("calm", 0.0, 4.0), ("upset", 4.0, 9.0), ("toy", 2.0, 6.0)]), SIBLING_BOOK
    )
    b = with_book(
        session([("calm", 0.0, 3.0), ("upset", 3.0, 9.0), ("toy", 5.0, 6.5)], observer="obs2"),
        SIBLING_BOOK,
    )
    result = timeslice_method(a, b, unit=1.0)
    ra, rb = naive_cells(a, b, 1.0, SIBLING_BOOK)
    assert result.used["actors"] == ["child"]
    assert result.overall.n == len(ra) == 10
    assert result.overall.kappa == pytest.approx(cohen_kappa_score(ra, rb), abs=1e-12)
    # every codebook actor (the old rule): two actors' worth of empty-vs-empty cells more
    every = ["caregiver", "child", "sibling"]
    xa, xb = naive_cells(a, b, 1.0, SIBLING_BOOK, every)
    named = timeslice_method(a, b, unit=1.0, actors=every)
    assert named.overall.kappa == pytest.approx(cohen_kappa_score(xa, xb), abs=1e-12)
    assert named.counts["empty_both"] == result.counts["empty_both"] + 20
    assert named.overall.kappa is not None and result.overall.kappa is not None
    assert named.overall.kappa > result.overall.kappa  # the inflation the rule avoids


TEST_BORIS = BORIS_FIXTURE.parent / "test.boris"


def _codes(*behaviours: str) -> tuple[str, ...]:
    return tuple(f"{s}.{b}" for s in ("no-subject", "subject1", "subject2") for b in behaviours)


# BORIS's tests/test_irr.py: irr.cohen_kappa on tests/files/test.boris, with its
# selected observations, subjects ("No focal subject" is our actor no-subject) and
# behaviours, no modifiers; K rounded to 3 decimals as BORIS does.
BORIS_IRR = [
    ("observation-1", "observation-1", ("subject1", "subject2"), _codes("s", "p"), 1.0, 1.0),
    ("observation-1", "observation-2", ("subject1", "subject2"), _codes("s"), 1.0, -0.036),
    ("observation-2", "observation-2-copy", None, _codes("s"), 1.0, 0.988),
    ("observation-2", "observation-2-copy", None, _codes("s"), 3.0, 1.0),
    ("observation-2", "observation-2-copy", None, _codes("p"), 1.0, 0.866),
    ("observation-2", "observation-2-copy", None, _codes("p"), 3.0, 0.798),
]


@pytest.mark.skipif(not TEST_BORIS.exists(), reason="shared BORIS fixture not present")
@pytest.mark.parametrize(("a", "b", "subjects", "codes", "unit", "boris_k"), BORIS_IRR)
def test_reproduces_boris_test_irr(
    a: str,
    b: str,
    subjects: tuple[str, ...] | None,
    codes: tuple[str, ...],
    unit: float,
    boris_k: float,
) -> None:
    sessions = imported_boris(TEST_BORIS)
    actors = subjects or ("no-subject", "subject1", "subject2")
    scope = Scope(codes=codes, actors=actors)
    result = compare(sessions[a], sessions[b], ["timeslice"], unit=unit, scope=scope)["timeslice"]
    assert result.overall.kappa is not None
    assert round(result.overall.kappa, 3) == boris_k
    assert result.used["actors"] == list(actors)


@pytest.mark.skipif(not TEST_BORIS.exists(), reason="shared BORIS fixture not present")
def test_boris_test_irr_observation_without_events() -> None:
    # BORIS declines the pair (K = -100, "has no recorded events"); the statistic is
    # defined: B's record is constant, so kappa is 0, and the CLI warns (test_analysis_cli)
    sessions = imported_boris(TEST_BORIS)
    scope = Scope(codes=_codes("s"), actors=("no-subject", "subject1", "subject2"))
    a, b = sessions["observation-2"], sessions["observation-without-events"]
    result = compare(a, b, ["timeslice"], scope=scope)["timeslice"]
    assert result.overall.kappa == 0.0


def test_no_events_gives_null_with_reason() -> None:
    result = timeslice_method(session([]), session([], observer="obs2"))
    assert result.overall.kappa is None
    assert result.overall.reason == "neither session has any events"
