"""Event alignment: a hand-worked example, the tolerance rule, and optimality against
an independent full-table Needleman–Wunsch."""

from __future__ import annotations

import random

import pytest
from support.analysis import BOOK, session

from observer.analysis.agreement import event_method
from observer.analysis.align import Pair, align_events, align_sessions, align_stream
from observer.synthetic import make_session, perturb

GAP, MISMATCH = 1.5, 1.0


def test_hand_worked_alignment() -> None:
    a = session(
        [("praise", 1.0, None), ("touch", 5.0, None), ("praise", 9.0, None), ("touch", 20.0, None)],
        duration=40.0,
    )
    b = session(
        [
            ("praise", 1.5, None),
            ("praise", 5.5, None),
            ("touch", 15.0, None),
            ("touch", 21.0, None),
            ("praise", 30.0, None),
        ],
        duration=40.0,
        observer="obs2",
    )
    pairs = align_stream(a, b, "acts/caregiver", tolerance=2.0)
    assert pairs == [
        Pair("acts/caregiver", 0, 0, "agreement"),
        Pair(
            "acts/caregiver", 1, 1, "disagreement"
        ),  # one disagreement beats a miss + a false alarm
        Pair("acts/caregiver", 2, None, "omission"),  # 6 s from B's next event: beyond tolerance
        Pair("acts/caregiver", None, 2, "commission"),
        Pair("acts/caregiver", 3, 3, "agreement"),
        Pair("acts/caregiver", None, 4, "commission"),
    ]
    result = event_method(a, b, tolerance=2.0)
    assert result.counts == {"agreements": 2, "disagreements": 1, "omissions": 1, "commissions": 2}
    acts = next(s for s in result.streams if s.stream == "acts/caregiver")
    assert acts.table == {
        "praise": {"praise": 1, "touch": 0, "": 1},
        "touch": {"praise": 1, "touch": 1, "": 0},
        "": {"praise": 1, "touch": 1, "": 0},
    }
    # N 6, diagonal 2, rows (2, 2, 2) × columns (3, 2, 1): chance 12 → κ = (12 − 12)/(36 − 12)
    assert acts.kappa.kappa == pytest.approx(0.0)


def test_tolerance_decides_what_may_pair() -> None:
    a = session([("praise", 10.0, None)], duration=20.0)
    b = session([("praise", 12.5, None)], duration=20.0, observer="obs2")
    assert [p.kind for p in align_stream(a, b, "acts/caregiver", 2.0)] == ["omission", "commission"]
    assert [p.kind for p in align_stream(a, b, "acts/caregiver", 2.5)] == ["agreement"]


def test_a_tolerance_wider_than_the_band_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import observer.analysis.align as align

    monkeypatch.setattr(align, "MAX_BAND_CELLS", 3)
    events = [(t * 1_000_000, "x") for t in range(3)]
    assert len(align_events(events, events, 0)) == 3  # 3 candidate pairs: allowed
    with pytest.raises(ValueError, match="candidate pairs"):
        align_events(events, events, 1_000_000)  # 7 candidate pairs


def test_ties_prefer_the_nearer_onset_then_the_later_pair() -> None:
    a = session([("praise", 10.0, None)], duration=20.0)
    near = session([("praise", 8.5, None), ("praise", 11.0, None)], duration=20.0, observer="b")
    assert align_stream(a, near, "acts/caregiver")[1] == Pair("acts/caregiver", 0, 1, "agreement")
    even = session([("praise", 9.0, None), ("praise", 11.0, None)], duration=20.0, observer="b")
    assert align_stream(a, even, "acts/caregiver") == [
        Pair("acts/caregiver", None, 0, "commission"),
        Pair("acts/caregiver", 0, 1, "agreement"),
    ]


def full_cost(a: list[tuple[int, str]], b: list[tuple[int, str]], tol: int) -> float:
    """Independent O(m·n) Needleman–Wunsch on costs 0 / 1 / 1.5 (minimum only)."""
    m, n = len(a), len(b)
    d = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m + 1):
        for j in range(n + 1):
            if i == 0 or j == 0:
                d[i][j] = GAP * (i + j)
                continue
            best = min(d[i - 1][j] + GAP, d[i][j - 1] + GAP)
            if abs(a[i - 1][0] - b[j - 1][0]) <= tol:
                step = 0.0 if a[i - 1][1] == b[j - 1][1] else MISMATCH
                best = min(best, d[i - 1][j - 1] + step)
            d[i][j] = best
    return d[m][n]


@pytest.mark.parametrize("seed", range(40))
def test_banded_alignment_is_optimal(seed: int) -> None:
    rng = random.Random(seed)

    def events(k: int) -> list[tuple[int, str]]:
        times = sorted(rng.randint(0, 30) * 500_000 for _ in range(k))
        return [(t, rng.choice("xyz")) for t in times]

    a, b = events(rng.randint(0, 25)), events(rng.randint(0, 25))
    tol = rng.choice([0, 500_000, 2_000_000, 5_000_000])
    pairs = align_events(a, b, tol)
    assert sorted(i for i, _ in pairs if i is not None) == list(range(len(a)))
    assert sorted(j for _, j in pairs if j is not None) == list(range(len(b)))
    matched = [(i, j) for i, j in pairs if i is not None and j is not None]
    assert [j for _, j in matched] == sorted(j for _, j in matched)  # no crossing
    cost = 0.0
    for i, j in pairs:
        if i is None or j is None:
            cost += GAP
        else:
            assert abs(a[i][0] - b[j][0]) <= tol
            cost += 0.0 if a[i][1] == b[j][1] else MISMATCH
    assert cost == pytest.approx(full_cost(a, b, tol))


def test_align_sessions_covers_every_event_once_in_time_order() -> None:
    a = make_session(BOOK, 300, seed=5)
    b = perturb(a, seed=6, miss=0.1, extra=0.1, swap=0.2)
    pairs = align_sessions(a, b)
    assert sorted(p.a for p in pairs if p.a is not None) == list(range(len(a.events)))
    assert sorted(p.b for p in pairs if p.b is not None) == list(range(len(b.events)))

    def time_of(p: Pair) -> float:
        times = [a.events[p.a].start] if p.a is not None else []
        return min(times + ([b.events[p.b].start] if p.b is not None else []))

    times = [time_of(p) for p in pairs]
    assert times == sorted(times)
    for p in pairs:
        if p.a is not None and p.b is not None:
            same = a.events[p.a].code == b.events[p.b].code
            assert p.kind == ("agreement" if same else "disagreement")
            assert BOOK.code_by_id[a.events[p.a].code].stream == p.stream
    counts = event_method(a, b).counts
    assert counts["agreements"] == sum(p.kind == "agreement" for p in pairs)
