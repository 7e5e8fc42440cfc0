"""Interval records (partial, whole, momentary) and the interval agreement family.

The agreement figures reproduce Reed & Azulay (2011), "A Microsoft Excel 2010
based tool for calculating interobserver agreement", Behavior Analysis in
Practice 4(2):45-52 (PMC3357100): their Figure 1 (frequency data in 15 one-
minute intervals: total count 100 %, partial agreement within intervals, i.e.
mean count-per-interval, 70 %, exact agreement 66.7 %) and Figure 2 (seven
intervals: interval-by-interval 71.4 %, scored-interval 50 %, unscored-interval
60 %), as stated in the article's text. Their duration example (Figure 3) gives
its durations only in the figure, which was not reachable: total duration is
checked on a hand-worked example instead.
"""

from __future__ import annotations

import pytest
from support.analysis import session

from observer.analysis.intervals import (
    CodeIntervals,
    code_intervals,
    interval_count,
    ioa,
    summary,
)
from observer.sessionfile import Session


def _by_code(s: Session, interval: float) -> dict[str, CodeIntervals]:
    return {c.code: c for c in code_intervals(s, interval)}


def test_the_three_rules_hand_worked() -> None:
    # Duration 25 s, intervals of 10: [0,10), [10,20), [20,25].
    s = session(
        [("calm", 5.0, 15.0), ("upset", 0.0, 25.0), ("praise", 19.5, None), ("touch", 4.0, None)],
        duration=25.0,
    )
    assert interval_count(25.0, 10.0) == 3
    c = _by_code(s, 10.0)
    assert c["calm"].scored == {
        "partial": (1, 1, 0),  # overlaps the first two
        "whole": (0, 0, 0),  # runs through neither
        "momentary": (1, 0, 0),  # running at 10, not at 20 or 25
    }
    assert c["upset"].scored == {"partial": (1, 1, 1), "whole": (1, 1, 1), "momentary": (1, 1, 1)}
    # A point event: momentary when within +-5 s of the interval's end.
    assert c["praise"].scored == {"partial": (0, 1, 0), "whole": (0, 0, 0), "momentary": (0, 1, 0)}
    assert c["touch"].scored["momentary"] == (0, 0, 0)  # 6 s from 10
    assert c["calm"].counts == (1, 0, 0)
    assert c["praise"].counts == (0, 1, 0)


def test_boundaries_are_exact() -> None:
    # A bout ending exactly at 10 does not touch [10, 20); one starting at 10 does.
    s = session([("calm", 0.0, 10.0), ("upset", 10.0, 20.0), ("praise", 5.0, None)], duration=20.0)
    c = _by_code(s, 10.0)
    assert c["calm"].scored["partial"] == (1, 0)
    assert c["upset"].scored["partial"] == (0, 1)
    assert c["upset"].scored["whole"] == (0, 1)
    assert c["praise"].scored["momentary"] == (1, 0)  # exactly half an interval: inside


def test_summary_shows_each_rules_bias() -> None:
    s = session([("calm", 5.0, 15.0)], duration=25.0)
    rows = {r["code"]: r for r in summary(s, code_intervals(s, 10.0))}
    calm = rows["calm"]
    assert calm["proportion"] == 0.4 and calm["count"] == 1
    assert calm["estimates"] == {"partial": 0.666667, "whole": 0.0, "momentary": 0.333333}
    assert calm["bias"] == {"partial": 0.266667, "whole": -0.4, "momentary": -0.066667}
    assert rows["praise"]["proportion"] is None and rows["praise"]["bias"]["partial"] is None


def _points(minutes: dict[int, int], length: float) -> list[tuple[str, float, None]]:
    out = []
    for k, n in minutes.items():
        out += [("praise", (k - 1) * length + 1.0 + i, None) for i in range(n)]
    return out


def test_reed_azulay_2011_figure_1_count_family() -> None:
    # Figure 1: 15 one-minute intervals. Observer 1: one response in each of minutes
    # 1-3 and two in minute 4; observer 2: one in minute 4 and four in minute 15.
    a = session(_points({1: 1, 2: 1, 3: 1, 4: 2}, 60.0), duration=900.0)
    b = session(_points({4: 1, 15: 4}, 60.0), duration=900.0, observer="obs2")
    praise = {c["code"]: c for c in ioa(a, b, 60.0)["codes"]}["praise"]
    assert praise["intervals"] == 15
    assert praise["total_count"] == 1.0  # "100%"
    assert praise["mean_count_per_interval"] == pytest.approx(0.70, abs=5e-4)  # "70%" (10.5/15)
    assert praise["exact_count_per_interval"] == pytest.approx(0.667, abs=5e-4)  # "66.7%"


def test_reed_azulay_2011_figure_2_interval_family() -> None:
    # Figure 2: seven intervals; the observers disagree on the first and seventh, both
    # record no response in the second to fourth, both record one in the fifth and sixth.
    a = session(_points({1: 1, 5: 1, 6: 1}, 10.0), duration=70.0)
    b = session(_points({5: 1, 6: 1, 7: 1}, 10.0), duration=70.0, observer="obs2")
    praise = {c["code"]: c for c in ioa(a, b, 10.0)["codes"]}["praise"]
    assert praise["interval_by_interval"] == pytest.approx(0.714, abs=5e-4)  # "71.4% (5/7)"
    assert praise["scored_interval"] == pytest.approx(0.50, abs=5e-4)  # "50% (2/4)"
    assert praise["unscored_interval"] == pytest.approx(0.60, abs=5e-4)  # "60%" (3/5)


def test_total_duration_hand_worked() -> None:
    # Shorter total over longer: 20 s / 30 s.
    a = session([("calm", 0.0, 30.0)], duration=40.0)
    b = session([("calm", 0.0, 20.0)], duration=40.0, observer="obs2")
    result = ioa(a, b, 10.0)
    calm = {c["code"]: c for c in result["codes"]}["calm"]
    assert calm["total_duration"] == pytest.approx(2 / 3, abs=1e-6)
    assert result["total_duration"] == pytest.approx(2 / 3, abs=1e-6)
    assert {c["code"]: c for c in result["codes"]}["praise"]["total_duration"] is None


def test_degenerate_ioa_is_null_with_a_reason_and_fractions_in_range() -> None:
    a = session([], duration=30.0)
    b = session([], duration=30.0, observer="obs2")
    result = ioa(a, b, 10.0)
    assert result["total_count"] is None
    assert result["scored_interval"] is None
    assert "neither" in result["reasons"]["total_count"]
    assert result["interval_by_interval"] == 1.0
    for code in result["codes"]:
        for key in ("mean_count_per_interval", "exact_count_per_interval", "unscored_interval"):
            assert 0.0 <= code[key] <= 1.0
