"""Properties of the agreement methods on synthetic sessions (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.analysis import BOOK, book_document, with_book

from observer.analysis.agreement import compare
from observer.analysis.scope import Scope
from observer.codebook import codebook_from_data
from observer.sessionfile import Session
from observer.synthetic import make_session, perturb

BIGGER = codebook_from_data(book_document(extra_actor=True), "analysis-test+sibling")
PROFILE = settings(max_examples=30, deadline=None)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Session, Session]:
    seed = draw(st.integers(0, 10_000))
    a = make_session(
        BOOK, draw(st.integers(0, 120)), seed=seed, mean_gap=draw(st.sampled_from([0.5, 2.0]))
    )
    b = perturb(
        a,
        seed=seed + 1,
        jitter=draw(st.sampled_from([0.0, 0.3, 1.5])),
        swap=draw(st.sampled_from([0.0, 0.2])),
        miss=draw(st.sampled_from([0.0, 0.15])),
        extra=draw(st.sampled_from([0.0, 0.15])),
    )
    return a, b


units = st.sampled_from([0.5, 1.0, 2.0])


@PROFILE
@given(pairs(), units, st.sampled_from([None, 0.0, 1.0, 3.0]))
def test_a_session_agrees_perfectly_with_itself(
    pair: tuple[Session, Session], unit: float, tolerance: float | None
) -> None:
    a, _ = pair
    for result in compare(a, a, tolerance=tolerance, unit=unit).values():
        for k in [
            result.overall,
            *(s.kappa for s in result.streams),
            *(c.kappa for c in result.codes),
        ]:
            if k.kappa is None:
                assert k.reason  # one label only (or nothing coded): null with the reason
                assert k.agreement in (None, 1.0)
            else:
                assert k.kappa == pytest.approx(1.0)


@PROFILE
@given(pairs(), units, st.sampled_from([0.5, 2.0]))
def test_swapping_observers_keeps_event_and_timeslice_kappa(
    pair: tuple[Session, Session], unit: float, tolerance: float
) -> None:
    a, b = pair
    forward = compare(a, b, ["event", "timeslice"], tolerance=tolerance, unit=unit)
    backward = compare(b, a, ["event", "timeslice"], tolerance=tolerance, unit=unit)
    for method in ("event", "timeslice"):
        f, r = forward[method].overall, backward[method].overall
        assert (f.kappa is None) == (r.kappa is None)
        if f.kappa is not None:
            assert f.kappa == pytest.approx(r.kappa, abs=1e-12)
    counts, swapped = forward["event"].counts, backward["event"].counts
    assert counts["omissions"] == swapped["commissions"]
    assert counts["agreements"] == swapped["agreements"]


@PROFILE
@given(pairs(), units, st.sampled_from([None, 2.0]))
def test_an_empty_actor_leaves_every_method_unchanged(
    pair: tuple[Session, Session], unit: float, tolerance: float | None
) -> None:
    a, b = pair
    before = compare(a, b, ["time", "event", "timeslice"], tolerance=tolerance, unit=unit)
    after = compare(with_book(a, BIGGER), with_book(b, BIGGER), tolerance=tolerance, unit=unit)
    for method in ("time", "event", "timeslice"):
        assert after[method].overall == before[method].overall
        old = {s.stream: s.kappa for s in before[method].streams}
        assert {s.stream: s.kappa for s in after[method].streams if s.stream in old} == old
    # Named explicitly (BORIS's subject selection), the time slices count its empty cells.
    if a.events or b.events:
        actors = [x.id for x in BIGGER.actors]
        named = compare(
            with_book(a, BIGGER),
            with_book(b, BIGGER),
            ["timeslice"],
            unit=unit,
            scope=Scope(actors=tuple(actors)),
        )["timeslice"]
        slices = before["timeslice"].counts["slices"]
        coded = len(before["timeslice"].used["actors"])
        extra = (len(actors) - coded) * slices
        assert named.overall.n == before["timeslice"].overall.n + extra
        assert named.counts["empty_both"] == before["timeslice"].counts["empty_both"] + extra
