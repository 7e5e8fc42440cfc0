"""Cohen's κ, weighted κ and Landis & Koch bands against independent implementations."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from observer.analysis.kappa import (
    Tally,
    code_kappa,
    cohen,
    collapse,
    landis_koch,
    square,
    weighted_kappa,
)


def test_classic_two_by_two_is_point_four() -> None:
    # field.md §2.8 oracle #1: [[20, 5], [10, 15]] → κ 0.40 (p_o .70, p_e .50)
    tally: Tally = Counter({("y", "y"): 20, ("y", "n"): 5, ("n", "y"): 10, ("n", "n"): 15})
    result = cohen(tally)
    assert result.kappa == pytest.approx(0.40)
    assert result.agreement == pytest.approx(0.70)
    assert result.n == 50
    assert cohens_kappa([[20, 5], [10, 15]]).kappa == pytest.approx(result.kappa)


@pytest.mark.parametrize("seed", range(5))
def test_cohen_equals_sklearn_on_random_sequences(seed: int) -> None:
    rng = random.Random(seed)
    labels = ["a", "b", "c", "d"][: rng.randint(2, 4)]
    a = [rng.choice(labels) for _ in range(300)]
    b = [x if rng.random() < 0.6 else rng.choice(labels) for x in a]
    result = cohen(Counter(zip(a, b, strict=True)))
    assert result.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_undefined_kappa_has_a_reason_never_nan() -> None:
    empty = cohen(Counter())
    assert empty.kappa is None and empty.agreement is None and empty.reason
    same = cohen(Counter({("x", "x"): 12}))
    assert same.kappa is None and same.agreement == 1.0
    assert "'x'" in (same.reason or "")
    nothing = cohen(Counter({("", ""): 12}))
    assert nothing.kappa is None and "neither observer" in (nothing.reason or "")


def test_one_sided_code_gives_zero_not_null() -> None:
    # A code only A used: chance-level agreement, κ = 0 (defined, so shown).
    tally: Tally = Counter({("x", ""): 3, ("", ""): 7})
    assert cohen(tally).kappa == pytest.approx(0.0)
    assert cohen_kappa_score(["x"] * 3 + ["-"] * 7, ["-"] * 10) == pytest.approx(0.0)


def test_collapse_to_present_absent_per_code() -> None:
    tally: Tally = Counter({("a+b", "a"): 2, ("b", "b"): 3, ("", "a"): 1, ("", ""): 4})
    two = collapse(tally, "a")
    assert two == Counter(
        {("present", "present"): 2, ("absent", "absent"): 7, ("absent", "present"): 1}
    )
    # same as sklearn on the per-unit presence sequences
    a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    assert code_kappa(two, "a").kappa == pytest.approx(cohen_kappa_score(a, b))
    unused = code_kappa(collapse(tally, "zzz"), "zzz")
    assert unused.kappa is None and unused.reason == "neither observer coded 'zzz'"


def test_square_table_lists_every_used_label_in_order() -> None:
    tally: Tally = Counter({("b", "a"): 1, ("", "b"): 2})
    assert square(tally, ["a", "b", ""]) == {
        "a": {"a": 0, "b": 0, "": 0},
        "b": {"a": 1, "b": 0, "": 0},
        "": {"a": 0, "b": 2, "": 0},
    }


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.1, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.21, "fair"),
        (0.4, "fair"),
        (0.55, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (None, "undefined"),
    ],
)
def test_landis_koch_bands(kappa: float | None, band: str) -> None:
    assert landis_koch(kappa) == band


@pytest.mark.parametrize("seed", range(4))
def test_quadratic_weighted_kappa_equals_sklearn(seed: int) -> None:
    rng = random.Random(seed)
    scale = list(range(1, 8))
    a = [rng.choice(scale) for _ in range(40)]
    b = [min(7, max(1, x + rng.choice([-1, 0, 0, 1, 2]))) for x in a]
    value, reason = weighted_kappa([(x - 1, y - 1) for x, y in zip(a, b, strict=True)], 7)
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=scale)
    assert reason is None
    assert value == pytest.approx(expected, abs=1e-12)


def test_weighted_kappa_undefined_cases() -> None:
    assert weighted_kappa([], 7) == (None, "no pair of ratings to compare")
    value, reason = weighted_kappa([(3, 3), (3, 3)], 7)
    assert value is None and reason


def test_labels_counted_zero_times_are_no_labels() -> None:
    """A pooled table may carry cells of count 0: they change nothing, and never crash."""
    from collections import Counter

    from observer.analysis.kappa import cohen

    one_label = cohen(Counter({("absent", "absent"): 5, ("present", "present"): 0}))
    assert one_label.kappa is None and one_label.reason and one_label.n == 5
    with_zero = cohen(Counter({("a", "a"): 3, ("b", "b"): 2, ("a", "b"): 1, ("c", "c"): 0}))
    assert with_zero == cohen(Counter({("a", "a"): 3, ("b", "b"): 2, ("a", "b"): 1}))
