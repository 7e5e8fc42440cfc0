"""``observer stats`` on a hand-made session with known answers."""

from __future__ import annotations

import statistics

import pytest
from support.analysis import session

from observer.analysis.stats import session_stats

S = session(
    [
        ("calm", 0.0, 10.0),
        ("upset", 10.0, 20.0),
        ("calm", 20.0, 50.0),
        ("praise", 5.0, None),
        ("praise", 65.0, None),
    ],
    duration=120.0,
)


def rows() -> dict[str, dict[str, object]]:
    return {c.code: c.as_dict() for c in session_stats(S).codes}


def test_state_code() -> None:
    calm = rows()["calm"]
    assert calm == {
        "code": "calm",
        "count": 2,
        "rate_per_min": 1.0,
        "first_s": 0.0,
        "total_s": 40.0,
        "mean_s": 20.0,
        "sd_s": pytest.approx(statistics.stdev([10.0, 30.0]), abs=1e-6),  # n − 1
        "proportion": pytest.approx(40 / 120, abs=1e-6),
    }


def test_single_bout_has_no_sd() -> None:
    upset = rows()["upset"]
    assert upset["count"] == 1 and upset["mean_s"] == 10.0 and upset["sd_s"] is None
    assert upset["first_s"] == 10.0 and upset["rate_per_min"] == 0.5


def test_point_code_has_null_state_fields() -> None:
    praise = rows()["praise"]
    assert praise["count"] == 2 and praise["rate_per_min"] == 1.0 and praise["first_s"] == 5.0
    assert praise["total_s"] is None and praise["mean_s"] is None
    assert praise["sd_s"] is None and praise["proportion"] is None


def test_every_code_listed_unused_with_count_zero() -> None:
    table = rows()
    assert list(table) == ["calm", "upset", "praise", "touch", "toy", "look"]
    assert table["touch"] == {
        "code": "touch",
        "count": 0,
        "rate_per_min": 0.0,
        "first_s": None,
        "total_s": None,
        "mean_s": None,
        "sd_s": None,
        "proportion": None,
    }
    assert table["toy"]["total_s"] == 0.0 and table["toy"]["proportion"] == 0.0
    assert table["toy"]["mean_s"] is None


def test_zero_duration_gives_null_rates() -> None:
    empty = session_stats(session([], duration=0.0))
    assert all(c.rate_per_min is None and c.proportion is None for c in empty.codes)
