"""Rating agreement: ICC(A,1) against Shrout & Fleiss and an independent ANOVA,
Krippendorff's α against the ``krippendorff`` package and published values, and
the pairing and missing-value rules."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from support.analysis import BOOK, session

from observer.analysis.alpha import interval_alpha, nominal_alpha
from observer.analysis.ratings import (
    icc_a1,
    rating_agreement,
    targets_by_dyad,
    targets_from_pairs,
)
from observer.errors import InputError
from observer.sessionfile import Session

# Shrout & Fleiss (1979) table 2: 6 targets × 4 judges (field.md §2.8 oracle #5)
JUDGES = [[9, 6, 8, 7, 10, 6], [2, 1, 4, 1, 5, 2], [5, 3, 6, 2, 6, 4], [8, 2, 8, 6, 9, 7]]
N = None


def test_icc_a1_matches_shrout_and_fleiss() -> None:
    rows = [list(r) for r in zip(*JUDGES, strict=True)]
    value, reason = icc_a1(rows)
    assert reason is None
    assert round(value or 0, 2) == 0.29  # published ICC(2,1)
    assert value == pytest.approx(0.290, abs=5e-4)  # pingouin 0.7.0: .290


def _anova_icc(rows: list[list[float]]) -> float:
    n, k = len(rows), len(rows[0])
    frame = pd.DataFrame(
        [(t, r, v) for t, row in enumerate(rows) for r, v in enumerate(row)],
        columns=["target", "rater", "value"],
    )
    table = anova_lm(ols("value ~ C(target) + C(rater)", data=frame).fit())
    msr = table.loc["C(target)", "mean_sq"]
    msc = table.loc["C(rater)", "mean_sq"]
    mse = table.loc["Residual", "mean_sq"]
    return float((msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n))


@pytest.mark.parametrize("seed", range(3))
def test_icc_a1_matches_statsmodels_anova(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.randint(2, 4)
    rows = [
        [float(min(7, max(1, t + rng.randint(-1, 1)))) for _ in range(k)]
        for t in (rng.randint(1, 7) for _ in range(12))
    ]
    value, _ = icc_a1(rows)
    assert value == pytest.approx(_anova_icc(rows), abs=1e-9)


def test_icc_undefined_cases_have_reasons() -> None:
    assert icc_a1([[3.0, 4.0]])[0] is None
    value, reason = icc_a1([[4.0, 4.0], [4.0, 4.0]])
    assert value is None and reason


KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
FAST_KRIPPENDORFF = [
    [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
    [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
    [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
]


@pytest.mark.parametrize(
    ("coders", "nominal", "interval"),
    [(KRIPPENDORFF_2011, 0.743, 0.849), (FAST_KRIPPENDORFF, 0.691358, 0.810845)],
)
def test_alpha_matches_published_values_and_the_package(
    coders: list[list[int | None]], nominal: float, interval: float
) -> None:
    units = list(zip(*coders, strict=True))
    data = np.array([[np.nan if v is None else v for v in c] for c in coders], dtype=float)
    got_nominal = nominal_alpha(units).alpha
    got_interval = interval_alpha(
        [[None if v is None else float(v) for v in u] for u in units]
    ).alpha
    assert got_nominal == pytest.approx(nominal, abs=5e-4 if nominal == 0.743 else 1e-6)
    assert got_interval == pytest.approx(interval, abs=5e-4 if interval == 0.849 else 1e-6)
    package_nominal = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    package_interval = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert got_nominal == pytest.approx(package_nominal, abs=1e-9)
    assert got_interval == pytest.approx(package_interval, abs=1e-9)


def test_alpha_undefined_without_pairable_units() -> None:
    result = nominal_alpha([["a", None], [None, "b"]])
    assert result.alpha is None and result.reason


def _rated(dyad: str, observer: str, sens: int | None, prox: dict[str, int | None]) -> Session:
    return session([], dyad=dyad, observer=observer, ratings={"sens": sens, "prox": prox})


def test_pairs_give_icc_and_weighted_kappa_per_item_and_segment() -> None:
    a_values = [5, 3, 6, 2, 7, 4]
    b_values = [4, 3, 7, 2, 6, 5]
    sessions = []
    for i, (x, y) in enumerate(zip(a_values, b_values, strict=True)):
        sessions.append(_rated(f"D{i}", "obs1", x, {"s1": x, "s2": None}))
        sessions.append(_rated(f"D{i}", "obs2", y, {"s1": 8 - y, "s2": None}))
    raters, targets = targets_from_pairs(sessions)
    result = rating_agreement(BOOK, raters, targets)
    items = {(i["rating"], i["segment"]): i for i in result["items"]}
    assert set(items) == {("sens", None), ("prox", "s1"), ("prox", "s2")}
    sens = items["sens", None]
    assert sens["icc_a1"] == pytest.approx(
        _anova_icc([[x, y] for x, y in zip(a_values, b_values, strict=True)])
    )
    expected = cohen_kappa_score(a_values, b_values, weights="quadratic", labels=list(range(1, 8)))
    assert sens["weighted_kappa"] == pytest.approx(expected, abs=1e-12)
    assert sens["complete"] == 6 and sens["missing"] == 0
    s2 = items["prox", "s2"]  # every segment-2 rating left blank
    assert s2["icc_a1"] is None and s2["icc_a1_reason"]
    assert s2["weighted_kappa"] is None and s2["missing"] == 6


def test_missing_ratings_are_dropped_from_icc_but_counted() -> None:
    values = [(5, 5), (3, None), (6, 7), (2, 2), (None, None)]
    sessions = []
    for i, (x, y) in enumerate(values):
        sessions += [_rated(f"D{i}", "obs1", x, {}), _rated(f"D{i}", "obs2", y, {})]
    result = rating_agreement(BOOK, *targets_from_pairs(sessions))
    sens = next(i for i in result["items"] if i["rating"] == "sens")
    assert sens["complete"] == 3 and sens["missing"] == 2
    assert sens["icc_a1"] == pytest.approx(_anova_icc([[5, 5], [6, 7], [2, 2]]))
    assert sens["pairs"][0]["n"] == 3


def test_folder_rule_groups_by_dyad_with_observers_as_raters() -> None:
    sessions = [
        (f"{d}-{o}.json", _rated(d, o, v, {}))
        for d, o, v in [
            ("D1", "ann", 4), ("D1", "bob", 5), ("D1", "cat", 4),
            ("D2", "ann", 2), ("D2", "bob", 2), ("D2", "cat", 3),
            ("D3", "ann", 6), ("D3", "bob", 7),
        ]
    ]  # fmt: skip
    raters, targets = targets_by_dyad(sessions)
    assert raters == ["ann", "bob", "cat"]
    assert [t.name for t in targets] == ["D1", "D2", "D3"]
    result = rating_agreement(BOOK, raters, targets)
    sens = next(i for i in result["items"] if i["rating"] == "sens")
    assert sens["complete"] == 2  # D3 lacks cat
    assert [(p["a"], p["b"], p["n"]) for p in sens["pairs"]] == [
        ("ann", "bob", 3),
        ("ann", "cat", 2),
        ("bob", "cat", 2),
    ]
    assert sens["weighted_kappa"] is None  # three raters: pairwise values instead
    grid = np.array([[4, 2, 6], [5, 2, 7], [4, 3, np.nan]], dtype=float)
    package = krippendorff.alpha(reliability_data=grid, level_of_measurement="interval")
    assert sens["alpha_interval"] == pytest.approx(package, abs=1e-9)


def test_two_sessions_of_one_dyad_by_one_observer_are_refused() -> None:
    sessions = [("a.json", _rated("D1", "ann", 4, {})), ("b.json", _rated("D1", "ann", 5, {}))]
    with pytest.raises(InputError) as caught:
        targets_by_dyad(sessions)
    assert "b.json: observer:" in str(caught.value)


def test_one_target_gives_null_with_a_reason_not_zero() -> None:
    # one session pair: weighted kappa and alpha are undefined, as ICC is
    sessions = [_rated("D0", "obs1", 5, {"s1": 3}), _rated("D0", "obs2", 4, {"s1": 3})]
    result = rating_agreement(BOOK, *targets_from_pairs(sessions))
    for item in result["items"]:
        if item["segment"] == "s2":
            continue
        assert item["icc_a1"] is None and "at least two targets" in item["icc_a1_reason"]
        assert item["weighted_kappa"] is None
        assert "at least two targets" in item["weighted_kappa_reason"]
        assert item["pairs"][0]["weighted_kappa"] is None and item["pairs"][0]["n"] == 1
        assert item["alpha_interval"] is None
        assert "at least two targets" in item["alpha_interval_reason"]
