"""Allocation items, reverse-keyed composite items and forced alternative
classifications: the codebook's rules with their exact lines, composites against a
hand computation, a session whose allocation misses its total refused with its
path, agreement per part against sklearn's weighted κ and the share of points in
agreement by hand, and the exports (one row per part)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from sklearn.metrics import cohen_kappa_score
from support.clirun import run
from support.codebook import problems_of
from support.instruments3 import book, doc

from observer.analysis.ratings import (
    points_in_agreement,
    rating_agreement,
    targets_from_pairs,
)
from observer.errors import InputError
from observer.live.recorder import Recorder, SessionMeta
from observer.scores import scores
from observer.sessionfile import Session, load_session, write_session

BOOK = book()
CARE = {"sensitive": 8, "controlling": 4, "unresponsive": 2}


def rated(values: dict[str, Any], observer: str = "obs1", dyad: str = "D1") -> Session:
    rec = Recorder(BOOK, SessionMeta(f"S-{dyad}-{observer}", dyad, observer, ""), None)
    rec.toggle_clock(100.0)
    rec.key("p", 101.0)
    rec.end(110.0)
    for name, value in values.items():
        assert rec.rate(name, value).ok, (name, value)
    return rec.session()


def test_reverse_keyed_composites_equal_a_hand_computation() -> None:
    got = scores(BOOK, {"warm": 4, "harsh": 2, "calm": False})
    # warm 4, harsh reversed 1 + 5 - 2 = 4, calm (a check, 0 or 1) reversed 1 - 0 = 1
    assert got["positive"] == 4 + 4 + 1
    assert got["positive-mean"] == (4 + 4) / 2
    assert scores(BOOK, {"warm": 5, "harsh": 5, "calm": True})["positive"] == 5 + 1 + 0
    assert scores(BOOK, {"harsh": 1})["positive-mean"] == 5  # min_items 1: harsh alone
    assert scores(BOOK, {"harsh": 1})["positive"] is None  # every item needed


def test_the_normalised_document_round_trips() -> None:
    document = BOOK.document
    care = document["ratings"][0]
    assert care["kind"] == "allocation" and care["total"] == 14
    assert "max" not in care["parts"][0] and care["parts"][2]["max"] == 10
    assert "min" not in care and "values" not in care and "alternative_to" not in care
    assert document["ratings"][5]["alternative_to"] == "class"
    assert document["composites"][0]["of"][1] == {"rating": "harsh", "reverse": True}
    assert document["sampling"]["rule"] == "momentary"
    again = type(BOOK)  # the same class: parse the document again
    from observer.codebook import codebook_from_data

    twice = codebook_from_data(document, "again")
    assert isinstance(twice, again) and twice.sha256 == BOOK.sha256


def _with(change: Any) -> list[str]:
    raw = doc()
    change(raw)
    return problems_of(raw)


def test_bad_input_one_line_each_with_its_path() -> None:
    def unreachable(raw: dict[str, Any]) -> None:
        raw["ratings"][0]["parts"] = [
            {"id": "a", "label": "A", "max": 5},
            {"id": "b", "label": "B", "max": 6},
        ]

    def reverse_category(raw: dict[str, Any]) -> None:
        raw["composites"][0]["of"].append({"rating": "class", "reverse": True})

    def every(value: float) -> Any:
        return lambda raw: raw["sampling"].update(every_s=value)

    def point(raw: dict[str, Any]) -> None:
        raw["sampling"]["codes"].append("praise")

    assert _with(unreachable) == [
        "ratings[0].parts: the parts can take at most 11 points together, fewer than the total 14"
    ]
    assert _with(reverse_category) == [
        "composites[0].of[3].reverse: 'class' is a category rating:"
        " only a scale or a check item is reversed"
    ]
    for value in (0, -1, 86400.5):
        assert _with(every(value)) == [
            "sampling.every_s: must be more than 0 and at most 86400 s (a day)"
        ], value
    assert _with(every(86400)) == []
    assert _with(point) == [
        "sampling.codes[2]: 'praise' is a point code (a scan asks what is going on at an"
        " instant: sample state codes)"
    ]


def test_more_rules_of_allocations_and_alternatives() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["ratings"][0]["total"] = 0
        raw["ratings"][1]["parts"] = []
        raw["ratings"][2]["alternative_to"] = "class"
        raw["ratings"][5]["alternative_to"] = "warm"

    assert _with(change) == [
        "ratings[0].total: must be a whole number from 1 to 1000",
        'ratings[1].parts: only an allocation has parts (add "kind": "allocation")',
        "ratings[2].alternative_to: only a category rating is a forced alternative",
        "ratings[5].alternative_to: 'warm' is not a category rating"
        " (an alternative is to a category)",
    ]

    def in_composite(raw: dict[str, Any]) -> None:
        raw["composites"][0]["of"].append("care")
        raw["ratings"][0]["scope"] = "segment"

    lines = _with(in_composite)
    assert "ratings[0].scope: an allocation is rated once per session" in lines
    assert (
        "composites[0].of[3]: 'care' is an allocation rating (a composite takes scale and"
        " check items)" in lines
    )


def test_codebook_check_exits_2_with_the_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = doc()
    raw["sampling"]["every_s"] = 0
    raw["sampling"]["codes"] = ["praise"]
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(raw))
    code, out, err = run(["codebook", "check", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"{path}: sampling.every_s: must be more than 0 and at most 86400 s (a day)",
        f"{path}: sampling.codes[0]: 'praise' is a point code (a scan asks what is going on"
        " at an instant: sample state codes)",
    ]


def test_a_session_whose_allocation_misses_its_total_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = Recorder(BOOK, SessionMeta("S-x", "D1", "obs1", ""), None)
    short = {"sensitive": 8, "controlling": 4, "unresponsive": 1}
    refused = rec.rate("care", short)
    assert not refused.ok and "the parts sum to 13, not to the total 14" in refused.message
    path = write_session(tmp_path, rated({"care": CARE}))
    raw = json.loads(path.read_text())
    raw["ratings"]["care"] = short
    path.write_text(json.dumps(raw))
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert [(p.location, p.message) for p in caught.value.problems] == [
        ("ratings.care", "the parts sum to 13, not to the total 14")
    ]
    code, out, err = run(["stats", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.strip() == f"{path}: ratings.care: the parts sum to 13, not to the total 14"


def test_stats_and_exports_report_parts_and_the_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_session(
        tmp_path, rated({"care": CARE, "class": "D", "forced": "B", "warm": 3, "harsh": 2})
    )
    code, out, err = run(["stats", str(path), "--format", "json"], capsys)
    assert (code, err) == (0, "")
    ratings = json.loads(out)["sessions"][0]["ratings"]
    assert ratings["care"] == CARE
    assert (ratings["class"], ratings["forced"], ratings["class/forced"]) == ("D", "B", "D/B")
    code, out, _ = run(["stats", str(path)], capsys)
    assert "Adult pattern: sensitive 8, controlling 4, unresponsive 2" in out
    assert "Classification / Best-fitting organized (computed): D/B" in out
    for fmt, sep in (("ratings-csv", ","), ("ratings-tsv", "\t")):
        code, out, _ = run(["export", str(path), "--format", fmt], capsys)
        assert code == 0
        rows = {r["rating"]: r for r in csv.DictReader(io.StringIO(out), delimiter=sep)}
        for part, points in CARE.items():
            row = rows[f"care.{part}"]
            assert (row["kind"], row["value"]) == ("allocation", str(points))
        assert rows["care.sensitive"]["label"] == "Adult pattern: Sensitive"
        assert "care" not in rows
        assert (rows["class/forced"]["kind"], rows["class/forced"]["value"]) == ("pair", "D/B")


def _alloc(s: int, c: int) -> dict[str, int]:
    return {"sensitive": s, "controlling": c, "unresponsive": 14 - s - c}


FIRST = [_alloc(8, 4), _alloc(10, 2), _alloc(2, 2), _alloc(6, 6), _alloc(14, 0), _alloc(4, 9)]
SECOND = [_alloc(7, 5), _alloc(10, 1), _alloc(3, 1), _alloc(6, 4), _alloc(12, 2), _alloc(5, 9)]
CLASSES = [("D", "B", "D", "B"), ("B", None, "B", None), ("D", "C", "D", "A"),
           ("A", None, "A", None), ("D", "A", "C", None), ("B", None, "B", None)]  # fmt: skip


def test_agreement_per_part_and_per_item() -> None:
    sessions = []
    for i, (a, b) in enumerate(zip(FIRST, SECOND, strict=True)):
        ca, fa, cb, fb = CLASSES[i]
        sessions.append(rated({"care": a, "class": ca, "forced": fa}, "obs1", f"D{i}"))
        sessions.append(rated({"care": b, "class": cb, "forced": fb}, "obs2", f"D{i}"))
    raters, targets = targets_from_pairs(sessions)
    items = {item["rating"]: item for item in rating_agreement(BOOK, raters, targets)["items"]}
    for part in ("sensitive", "controlling", "unresponsive"):
        item = items[f"care.{part}"]
        assert item["kind"] == "allocation-part"
        expected = cohen_kappa_score(
            [a[part] for a in FIRST],
            [b[part] for b in SECOND],
            weights="quadratic",
            labels=list(range(15 if part != "unresponsive" else 11)),
        )
        assert item["weighted_kappa"] == pytest.approx(expected, abs=1e-12), part
        assert item["icc_a1"] is not None
    whole = items["care"]
    by_hand = [
        sum(min(a[p], b[p]) for p in a) / 14 for a, b in zip(FIRST, SECOND, strict=True)
    ]  # e.g. the first: min(8,7) + min(4,5) + min(2,2) = 13 of 14
    assert by_hand[0] == 13 / 14
    assert whole["points_agreement"] == pytest.approx(sum(by_hand) / 6)
    assert whole["pairs"][0]["n"] == 6 and whole["total"] == 14
    assert points_in_agreement(_alloc(14, 0), _alloc(0, 14), 14) == 0
    pair = items["class/forced"]
    labels = [("D/B", "D/B"), ("B", "B"), ("D/C", "D/A"), ("A", "A"), ("D/A", "C"), ("B", "B")]
    assert pair["kind"] == "pair" and pair["n"] == 6
    assert pair["agreement"] == pytest.approx(4 / 6)
    expected = cohen_kappa_score([a for a, _ in labels], [b for _, b in labels])
    assert pair["kappa"] == pytest.approx(expected, abs=1e-12)
    assert items["class"]["n"] == 6 and items["forced"]["n"] == 2  # both, and the pair


def test_agree_ratings_text_report_names_the_new_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for i, (a, b) in enumerate(zip(FIRST[:3], SECOND[:3], strict=True)):
        paths.append(write_session(tmp_path, rated({"care": a, "class": "D", "forced": "B"},
                                                     "obs1", f"D{i}")))  # fmt: skip
        paths.append(write_session(tmp_path, rated({"care": b, "class": "D", "forced": "A"},
                                                     "obs2", f"D{i}")))  # fmt: skip
    code, out, err = run(["agree", "--ratings", *map(str, paths)], capsys)
    assert code == 0, err
    assert "care  (allocation of 14 points;" in out
    assert "points in agreement" in out
    assert "care.sensitive  (points 0-14;" in out
    assert "class/forced  (classification with its forced alternative;" in out


def test_a_consensus_blanks_a_disputed_allocation_and_keeps_scans_both_answered(
    tmp_path: Path,
) -> None:
    from observer.sessionfile import session_from_data, unstructure
    from observer.study.consensus import align_items, build

    def coded(observer: str, care: dict[str, int], answers: str) -> Session:
        rec = Recorder(BOOK, SessionMeta(f"S-D1-{observer}", "D1", observer))
        rec.toggle_clock(0.0)
        for k, key in enumerate(answers, 1):
            assert rec.prompt(10.0 * k, 10.0 * k).ok
            assert rec.key(key, 10.0 * k + 0.2).kind == "scan"
        rec.end(35.0)
        assert rec.rate("care", care).ok and rec.rate("warm", 3).ok
        return rec.session()

    a = coded("obs1", CARE, "jjk")
    b = coded("obs2", {"sensitive": 7, "controlling": 5, "unresponsive": 2}, "jkk")
    items = align_items(a, b, 2.0)
    out = build(
        a, b, items, [], decided_by="sup", now="NOW", session_id="C1", tolerance=2.0,
        sha256=("0" * 64, "0" * 64),
    )  # fmt: skip
    assert out.ratings["care"] is None and out.ratings["warm"] == 3
    assert [(s.t, s.code) for s in out.scans] == [(10.0, "play"), (20.0, None), (30.0, "idle")]
    session_from_data(orjson.loads(orjson.dumps(unstructure(out))), "c.json")  # it validates


def test_agreement_on_two_synthetic_piccolo_codings_equals_sklearns_weighted_kappa() -> None:
    """Two observers' PICCOLO-style checklists of twelve dyads (synthetic: the second
    observer differs from the first by one point on some items), item by item."""
    import random

    from observer.codebook import load_codebook

    piccolo = load_codebook("piccolo-style")
    rng = random.Random(31)
    first: list[dict[str, int]] = []
    second: list[dict[str, int]] = []
    for _ in range(12):
        a = {r.id: rng.choice((0, 1, 2)) for r in piccolo.ratings}
        b = {k: min(2, max(0, v + rng.choice((-1, 0, 0, 0, 1)))) for k, v in a.items()}
        first.append(a)
        second.append(b)

    def coding(values: dict[str, int], observer: str, dyad: str) -> Session:
        rec = Recorder(piccolo, SessionMeta(f"S-{dyad}-{observer}", dyad, observer))
        rec.toggle_clock(0.0)
        rec.end(60.0)
        for name, value in values.items():
            assert rec.rate(name, value).ok
        return rec.session()

    sessions = []
    for n, (a, b) in enumerate(zip(first, second, strict=True)):
        sessions += [coding(a, "obs1", f"D{n}"), coding(b, "obs2", f"D{n}")]
    raters, targets = targets_from_pairs(sessions)
    items = {i["rating"]: i for i in rating_agreement(piccolo, raters, targets)["items"]}
    compared = 0
    for rating in piccolo.ratings:
        x = [a[rating.id] for a in first]
        y = [b[rating.id] for b in second]
        if len(set(x)) == 1 and x == y:
            continue  # one label throughout: κ undefined on both sides
        expected = cohen_kappa_score(x, y, weights="quadratic", labels=[0, 1, 2])
        assert items[rating.id]["weighted_kappa"] == pytest.approx(expected, abs=1e-12)
        compared += 1
    assert compared == 29
    for composite in piccolo.composites:  # the domain sums, by hand, and their κ
        sums_a = [sum(a[i] for i in composite.ids) for a in first]
        sums_b = [sum(b[i] for i in composite.ids) for b in second]
        item = items[composite.id]
        assert item["kind"] == "composite" and item["complete"] == 12
        labels = list(range(2 * len(composite.ids) + 1))
        expected = cohen_kappa_score(sums_a, sums_b, weights="quadratic", labels=labels)
        assert item["weighted_kappa"] == pytest.approx(expected, abs=1e-12)
