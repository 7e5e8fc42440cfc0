"""Ratings of every kind through the whole path: coded and rated live, saved,
reloaded, reported by ``observer stats``, exported (ratings CSV, EAF); composites
against a hand computation; agreement on categories and checks against sklearn's
Cohen's κ, at value and class level; composites like scales."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import cohen_kappa_score
from support.clirun import run
from support.instruments import book

from observer.analysis.kappa import quadratic_kappa, weighted_kappa
from observer.analysis.ratings import rating_agreement, targets_from_pairs
from observer.live.recorder import Recorder, SessionMeta
from observer.scores import combine, score_rows, scores
from observer.sessionfile import Session, load_session, write_session

BOOK = book()


def rated(values: dict[str, Any], observer: str = "obs1", dyad: str = "D1") -> Session:
    """A session coded and rated through the recorder (the live path)."""
    rec = Recorder(BOOK, SessionMeta(f"S-{dyad}-{observer}", dyad, observer, ""), None)
    rec.toggle_clock(100.0)
    rec.segment("play", 100.0)
    rec.key("p", 101.0)
    rec.segment("reunion", 104.0)
    rec.key("c", 105.0)
    rec.end(110.0)
    for name, value in values.items():
        if isinstance(value, dict):
            for segment, v in value.items():
                assert rec.rate(name, v, segment).ok, (name, segment, v)
        else:
            assert rec.rate(name, value).ok, (name, value)
    return rec.session()


FULL = {
    "warmth": 4,
    "class": "B2",
    "i1": True,
    "i2": False,
    "i3": None,
    "seek": {"reunion": 6},
    "avoid": {"play": 2, "reunion": None},
}


def test_composites_by_hand_including_min_items() -> None:
    got = scores(BOOK, {"warmth": 4, "i1": True, "i2": False, "i3": None})
    assert got["checks"] == 1  # 1 + 0, two of three rated: min_items 2 met
    assert got["mixed"] == pytest.approx((4 + 1) / 2)
    assert scores(BOOK, {"i1": True})["checks"] is None  # one rated, two needed
    assert scores(BOOK, {"warmth": 4})["mixed"] is None  # no min_items: every item
    segs = scores(BOOK, {"seek": {"reunion": 6}, "avoid": {"play": 2, "reunion": 3}})
    assert segs["seg-total"] == {"play": 2, "apart": None, "reunion": 9}
    composite = BOOK.composite_by_id["checks"]
    assert combine(composite, [1.0, 1.0, 1.0]) == 3
    assert combine(composite, [None, None, 1.0]) is None


def test_the_recorder_refuses_values_of_the_wrong_kind() -> None:
    rec = Recorder(BOOK, SessionMeta("S-x", "D1", "obs1", ""), None)
    assert not rec.rate("class", "b2").ok  # the id as the codebook spells it
    assert not rec.rate("i1", 1).ok
    assert "asked in" in rec.rate("seek", 3, "play").message
    assert rec.rate("class", "A1").ok and rec.rate("i1", False).ok


def test_round_trip_code_rate_save_reload_stats_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = rated(FULL)
    path = write_session(tmp_path, session)
    again = load_session(path)
    assert again.ratings == {
        "warmth": 4, "class": "B2", "i1": True, "i2": False, "i3": None,
        "seek": {"reunion": 6}, "avoid": {"play": 2, "apart": None, "reunion": None},
    }  # fmt: skip
    code, out, err = run(["stats", str(path), "--format", "json"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["sessions"][0]["ratings"] == {
        "warmth": 4, "class": "B2", "i1": True, "i2": False, "i3": None,
        "seek": {"reunion": 6}, "avoid": {"play": 2, "apart": None, "reunion": None},
        "checks": 1, "mixed": 2.5, "seg-total": {"play": 2, "apart": None, "reunion": 6},
    }  # fmt: skip
    code, out, _ = run(["stats", str(path)], capsys)
    assert "    Classification: B2 (class B)" in out and "    Items present (computed): 1" in out
    code, out, err = run(["export", str(path), "--format", "ratings-csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by = {(r["rating"], r["segment"]): r for r in rows}
    assert (by["class", ""]["value"], by["class", ""]["class"], by["class", ""]["kind"]) == (
        "B2", "B", "category"
    )  # fmt: skip
    assert by["i1", ""]["value"] == "yes" and by["i2", ""]["value"] == "no"
    assert by["i3", ""]["value"] == ""
    assert by["seek", "reunion"]["value"] == "6" and ("seek", "play") not in by
    assert by["checks", ""]["kind"] == "composite" and by["checks", ""]["value"] == "1"
    assert by["seg-total", "reunion"]["value"] == "6"
    assert list(rows[0]) == [
        "session", "dyad", "observer", "rating", "label", "kind", "segment", "value", "class"
    ]  # fmt: skip
    code, out, _ = run(
        ["export", str(path), "--format", "ratings-tsv", "-o", str(tmp_path / "r.tsv")], capsys
    )
    assert code == 0 and "\tB2\tB" in (tmp_path / "r.tsv").read_text()
    assert out.strip().endswith(f"(1 session(s), {len(rows)} rating rows)")  # not "events"


def test_eaf_carries_ratings_on_tiers_spanning_session_and_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pympi = pytest.importorskip("pympi")
    path = write_session(tmp_path, rated(FULL))
    code, _, err = run(
        ["export", str(path), "--format", "eaf", "-o", str(tmp_path / "eaf")], capsys
    )
    assert code == 0, err
    [eaf_path] = (tmp_path / "eaf").glob("*.eaf")
    eaf = pympi.Elan.Eaf(str(eaf_path))
    [(start, end, whole)] = eaf.get_annotation_data_for_tier("ratings")
    assert (start, end) == (0, 10000)
    assert whole == "warmth=4; class=B2; i1=yes; i2=no; i3=; checks=1; mixed=2.5"
    spans = sorted(eaf.get_annotation_data_for_tier("segment ratings"))
    assert spans == [
        (0, 4000, "avoid=2; seg-total=2"),
        (4000, 10000, "seek=6; avoid=; seg-total=6"),
    ]


def test_replay_rows_name_segments_and_mark_composites() -> None:
    session = rated(FULL)
    rows = dict(score_rows(session.book, session.ratings))
    assert rows["Classification"] == "B2 (class B)"
    assert rows["Item one"] == "yes" and rows["Item three"] == "–"
    assert rows["Seeking · Reunion"] == "6"
    assert rows["Items present (computed)"] == "1"


def _pairs(a: list[Any], b: list[Any], name: str) -> dict[str, Any]:
    sessions = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        sessions += [rated({name: x}, "obs1", f"D{i}"), rated({name: y}, "obs2", f"D{i}")]
    result = rating_agreement(BOOK, *targets_from_pairs(sessions))
    return next(i for i in result["items"] if i["rating"] == name and i["segment"] is None)


@pytest.mark.parametrize(("name", "a", "b"), [("class", "B2", "B2"), ("i1", True, False)])
def test_one_target_is_undefined_for_every_kind_never_zero(name: str, a: Any, b: Any) -> None:
    item = _pairs([a], [b], name)
    assert item["kappa"] is None and item["agreement"] is None
    assert item["kappa_reason"] == "needs at least two targets rated by both (have 1)"
    for part in [item, *item["pairs"], *([item["classes"]] if "classes" in item else [])]:
        assert part["kappa"] is None and "at least two targets" in part["kappa_reason"]


def test_category_kappa_matches_sklearn_at_value_and_class_level() -> None:
    a = ["A1", "B2", "B1", "B2", "D", "A2", "B1", "B2", None]
    b = ["A2", "B2", "B2", "B1", "D", "A2", "B1", "A1", "B1"]
    item = _pairs(a, b, "class")
    both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None]
    xs, ys = [x for x, _ in both], [y for _, y in both]
    assert item["kind"] == "category" and item["n"] == 8 and item["missing"] == 1
    assert item["kappa"] == pytest.approx(cohen_kappa_score(xs, ys), abs=1e-12)
    assert item["agreement"] == pytest.approx(sum(x == y for x, y in both) / 8)
    cls = BOOK.rating_by_id["class"].class_of
    cx, cy = [cls(x) for x in xs], [cls(y) for y in ys]
    assert item["classes"]["kappa"] == pytest.approx(cohen_kappa_score(cx, cy), abs=1e-12)
    assert item["classes"]["agreement"] == pytest.approx(
        sum(x == y for x, y in zip(cx, cy, strict=True)) / 8
    )
    assert item["pairs"][0]["table"]["B2"]["B1"] == 1


def test_check_kappa_matches_sklearn_and_is_null_with_a_reason_when_undefined() -> None:
    a = [True, True, False, True, False, False, True]
    b = [True, False, False, True, True, False, True]
    item = _pairs(a, b, "i1")
    assert item["kind"] == "check"
    assert item["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    same = _pairs([True] * 4, [True] * 4, "i2")
    assert same["kappa"] is None and "p_e = 1" in same["kappa_reason"]
    assert same["agreement"] == 1.0
    assert "classes" not in same


def test_composites_get_icc_and_quadratic_kappa_like_scales() -> None:
    a = [(True, True, True), (False, False, None), (True, False, True), (False, False, False)]
    b = [(True, True, False), (False, True, None), (True, False, True), (False, False, False)]
    sessions = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        sessions.append(rated(dict(zip(("i1", "i2", "i3"), x, strict=True)), "obs1", f"D{i}"))
        sessions.append(rated(dict(zip(("i1", "i2", "i3"), y, strict=True)), "obs2", f"D{i}"))
    result = rating_agreement(BOOK, *targets_from_pairs(sessions))
    item = next(i for i in result["items"] if i["rating"] == "checks")
    sums_a, sums_b = [3, 0, 2, 0], [2, 1, 2, 0]
    assert item["kind"] == "composite" and item["complete"] == 4
    expected = cohen_kappa_score(sums_a, sums_b, weights="quadratic", labels=[0, 1, 2, 3])
    assert item["weighted_kappa"] == pytest.approx(expected, abs=1e-12)
    assert item["icc_a1"] is not None
    mixed = next(i for i in result["items"] if i["rating"] == "mixed")
    assert mixed["icc_a1"] is None and mixed["icc_a1_reason"]  # warmth never rated


def test_quadratic_kappa_on_values_equals_it_on_scale_positions() -> None:
    pairs = [(1, 2), (3, 3), (4, 2), (5, 5), (2, 1), (1, 1)]
    by_value, _ = quadratic_kappa([(float(a), float(b)) for a, b in pairs])
    by_position, _ = weighted_kappa([(a - 1, b - 1) for a, b in pairs], 5)
    assert by_value == pytest.approx(by_position, abs=1e-12)
    assert quadratic_kappa([]) == (None, "no pair of ratings to compare")


def test_agree_ratings_text_report_shows_every_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for i, (x, y) in enumerate([("A1", "A2"), ("B1", "B1"), ("D", "D")]):
        for observer, value in (("obs1", x), ("obs2", y)):
            values = {"class": value, "i1": value != "D", "i2": True, "warmth": 3 + i}
            files.append(str(write_session(tmp_path, rated(values, observer, f"D{i}"))))
    code, out, err = run(["agree", "--ratings", *files], capsys)
    assert (code, err) == (0, "")
    assert "class  (category; 3 of 3 targets complete" in out
    assert "class level: first vs second: kappa  1.000" in out
    assert "checks  (composite, computed;" in out
