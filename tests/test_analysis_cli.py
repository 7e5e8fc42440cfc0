"""``observer stats`` and ``observer agree`` through the real entry point: exit
codes, the documented JSON shapes, warnings and refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.analysis import BOOK, book_document, session, with_book
from support.clirun import run

from observer.codebook import codebook_from_data
from observer.sessionfile import Correction, Review, Session, write_session
from observer.synthetic import make_session, perturb

KAPPA_KEYS = {"kappa", "kappa_reason", "agreement", "n"}


def save(folder: Path, *sessions: Session) -> list[str]:
    return [str(write_session(folder, s)) for s in sessions]


@pytest.fixture
def pair(tmp_path: Path) -> list[str]:
    a = make_session(BOOK, 80, seed=3, session_id="A-D001-obs1")
    b = attrs.evolve(perturb(a, seed=4, miss=0.1, extra=0.1), id="B-D001-obs2")
    return save(tmp_path, a, b)


def test_stats_json_shape(pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["stats", *pair, "--format", "json"], capsys)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert list(document) == ["sessions"]
    first = document["sessions"][0]
    assert list(first) == ["id", "duration", "codes", "ratings"]
    assert [c["code"] for c in first["codes"]] == [c.id for c in BOOK.codes]
    assert list(first["codes"][0]) == [
        "code", "count", "rate_per_min", "first_s", "total_s", "mean_s", "sd_s", "proportion"
    ]  # fmt: skip


def test_stats_csv_and_table(pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["stats", *pair, "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2 * len(BOOK.codes)
    assert list(rows[0]) == ["session", "duration", "code", "count", "rate_per_min", "first_s",
                             "total_s", "mean_s", "sd_s", "proportion"]  # fmt: skip
    point = next(r for r in rows if r["code"] == "praise")
    assert point["total_s"] == "" and point["sd_s"] == ""
    code, out, _ = run(["stats", pair[0]], capsys)
    assert code == 0 and "A-D001-obs1" in out and "calm" in out


def test_stats_bad_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text('{"schema": "observer.session/1"}')
    code, out, err = run(
        ["stats", str(tmp_path / "bad.json"), str(tmp_path / "missing.json")], capsys
    )
    assert code == 2 and out == ""
    assert "bad.json" in err and "missing.json" in err and "Traceback" not in err


def test_corrected_applies_review_corrections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    coded = session([("calm", 0.0, 4.0), ("praise", 5.0, None)], observer="obs1")
    fix = Review(
        id="r1",
        kind="correction",
        reviewer="sup",
        created_at="2026-01-06T09:00:00+00:00",
        t=0.0,
        event=0,
        correction=Correction(action="recode", code="upset"),
    )
    (path,) = save(tmp_path, attrs.evolve(coded, reviews=(fix,)))

    def counts(*flags: str) -> dict[str, int]:
        code, out, _ = run(["stats", path, "--format", "json", *flags], capsys)
        assert code == 0
        return {c["code"]: c["count"] for c in json.loads(out)["sessions"][0]["codes"]}

    assert counts()["calm"] == 1 and counts()["upset"] == 0  # as coded
    assert counts("--corrected")["calm"] == 0 and counts("--corrected")["upset"] == 1
    reference = session([("upset", 0.0, 4.0), ("praise", 5.0, None)], observer="ref")
    (ref,) = save(tmp_path, reference)
    code, out, _ = run(
        ["agree", ref, path, "--method", "time", "--corrected", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["methods"]["time"]["kappa"] == 1.0


def _check_method(result: dict[str, Any], method: str) -> None:
    assert set(result) >= KAPPA_KEYS
    assert 0 <= result["agreement"] <= 1
    for stream in result["streams"]:
        assert KAPPA_KEYS | {"stream", "table"} <= set(stream)
        for row in stream["table"].values():
            assert all(isinstance(v, int) for v in row.values())
    assert [c["code"] for c in result["codes"]] == [c.id for c in BOOK.codes]
    for c in result["codes"]:
        assert KAPPA_KEYS | {"code", "table"} <= set(c)
        assert (c["kappa"] is None) == (c["kappa_reason"] is not None)
    if method == "event":
        assert {"agreements", "disagreements", "omissions", "commissions"} <= set(result)
        assert "nil" in result["streams"][0]["table"]


def test_agree_json_shape_all_methods(pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["agree", *pair, "--format", "json"], capsys)
    assert code == 0 and err == ""
    assert "NaN" not in out
    document = json.loads(out)
    assert document["a"] == "A-D001-obs1" and document["b"] == "B-D001-obs2"
    assert list(document["methods"]) == ["time", "event", "timeslice"]
    for method, result in document["methods"].items():
        _check_method(result, method)
    assert document["methods"]["time"]["parameters"] == {"unit": 1.0, "tolerance": 0.0}
    assert document["methods"]["event"]["parameters"] == {"tolerance": 2.0}


def test_agree_only_the_method_asked(pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["agree", *pair, "--method", "time", "--tolerance", "2", "--unit", "0.5",
                        "--format", "json"], capsys)  # fmt: skip
    assert code == 0
    methods = json.loads(out)["methods"]
    assert list(methods) == ["time"]
    assert methods["time"]["parameters"] == {"unit": 0.5, "tolerance": 2.0}


def test_agree_table_names_methods_parameters_and_bands(
    pair: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["agree", *pair], capsys)
    assert code == 0
    assert "time: time-unit Cohen's kappa (unit 1 s, tolerance 0 s, A is the reference)" in out
    assert "event: event-based Cohen's kappa" in out and "(tolerance 2 s)" in out
    assert "time-slice Cohen's kappa (BORIS-compatible) (unit 1 s)" in out
    assert "Landis & Koch (1977)" in out
    document = json.loads(run(["agree", *pair, "--format", "json"], capsys)[1])
    overall = document["methods"]["event"]["kappa"]
    assert f"kappa {overall:6.3f}" in out


def coded_with_two_books(folder: Path, **other: str) -> list[str]:
    """Two sessions of the same events, B's codebook the analysis one with ``other``
    fields (``id=...``, ``version=...``), saved in ``folder``."""
    a = session([("calm", 0.0, 2.0)], observer="obs1")
    book = codebook_from_data(book_document() | other, "other")
    b = with_book(session([("calm", 0.0, 2.0)], observer="obs2"), book)
    return save(folder, a, b)


def test_agree_refuses_another_codebook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = coded_with_two_books(tmp_path, id="another-book")
    code, out, err = run(["agree", *files], capsys)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"{files[1]}: codebook.id: codebook 'another-book' differs from 'analysis-test' of "
        f"{files[0]}: agreement needs both sessions coded with the same codebook"
    )


def test_agree_warns_on_another_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = coded_with_two_books(tmp_path, version="1.1.0")
    code, out, err = run(["agree", *files, "--format", "json"], capsys)
    assert code == 0
    assert "warning" in err and "1.1.0" in err
    assert json.loads(out)["methods"]["time"]["kappa"] == 1.0


def test_agree_empty_sessions_null_with_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = save(tmp_path, session([], observer="obs1"), session([], observer="obs2"))
    code, out, _ = run(["agree", *files, "--format", "json"], capsys)
    assert code == 0 and "NaN" not in out
    for result in json.loads(out)["methods"].values():
        assert result["kappa"] is None and result["kappa_reason"]
    code, out, _ = run(["agree", *files], capsys)
    assert code == 0 and "kappa —" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--unit", "0"],
        ["--unit", "-1"],
        ["--unit", "0.0001"],
        ["--unit", "nan"],
        ["--tolerance", "-2"],
        ["--method", "bogus"],
    ],
)
def test_agree_bad_usage_exit_2(
    pair: list[str], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["agree", *pair, *argv], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_agree_refuses_units_beyond_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = save(tmp_path, session([], duration=6000.0), session([], duration=6000.0, observer="b"))
    code, out, err = run(["agree", *files, "--unit", "0.001"], capsys)
    assert code == 2 and out == "" and "6,000,000 time units" in err


def test_agree_needs_two_sessions(pair: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["agree", pair[0]], capsys)
    assert code == 2 and "two sessions" in err


def test_three_observers_pairwise_and_alpha(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = make_session(BOOK, 60, seed=8, session_id="A-D001-obs1")
    others = [attrs.evolve(perturb(a, seed=s, observer=f"obs{s}"), id=f"X{s}-D001") for s in (2, 3)]
    files = save(tmp_path, a, *others)
    code, out, _ = run(["agree", *files, "--method", "event", "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    assert [(p["a"], p["b"]) for p in document["pairs"]] == [
        ("A-D001-obs1", "X2-D001"), ("A-D001-obs1", "X3-D001"), ("X2-D001", "X3-D001")
    ]  # fmt: skip
    alpha = document["alpha"]
    assert alpha["metric"] == "nominal" and 0 < alpha["alpha"] <= 1
    assert {s["stream"] for s in alpha["streams"]} == {s.id for s in BOOK.streams}
    # restricted, alpha compares the chosen codes only, and says so
    code, out, _ = run(["agree", *files, "--codes", "calm,upset", "--format", "json"], capsys)
    restricted = json.loads(out)
    assert restricted["alpha"]["restricted_to"] == {"codes": ["calm", "upset"], "actors": None}
    assert [s["stream"] for s in restricted["alpha"]["streams"]] == ["mood/child"]
    mood = next(s["alpha"] for s in alpha["streams"] if s["stream"] == "mood/child")
    assert restricted["alpha"]["alpha"] == pytest.approx(mood, abs=1e-12)


def test_ratings_pairs_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sessions = []
    for i, (x, y) in enumerate([(5, 4), (3, 3), (6, 7), (2, 2)]):
        for observer, value in (("ann", x), ("bob", y)):
            s = session([], dyad=f"D{i}", observer=observer, ratings={"sens": value})
            sessions.append(s)
    files = save(tmp_path, *sessions)
    code, out, _ = run(["agree", "--ratings", *files, "--format", "json"], capsys)
    assert code == 0
    by_pairs = json.loads(out)["ratings"]
    assert by_pairs["raters"] == ["first", "second"]
    code, out, _ = run(["agree", "--ratings", str(tmp_path), "--format", "json"], capsys)
    assert code == 0
    by_folder = json.loads(out)["ratings"]
    assert by_folder["raters"] == ["ann", "bob"]
    sens = [next(i for i in r["items"] if i["rating"] == "sens") for r in (by_pairs, by_folder)]
    assert sens[0]["icc_a1"] == pytest.approx(sens[1]["icc_a1"])
    code, out, _ = run(["agree", "--ratings", str(tmp_path)], capsys)
    assert code == 0 and "ICC(A,1)" in out
    code, _, err = run(["agree", "--ratings", *files[:3]], capsys)
    assert code == 2 and "pairs" in err
    code, _, err = run(["agree", str(tmp_path), files[0]], capsys)
    assert code == 2 and "--ratings" in err


@pytest.mark.parametrize("method", ["time", "event", "timeslice"])
def test_agree_codes_and_actors_restrict_every_method(
    pair: list[str], method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["agree", *pair, "--method", method, "--format", "json"]
    whole = json.loads(run(base, capsys)[1])["methods"][method]
    assert whole["restricted_to"] == {"codes": None, "actors": None}
    code, out, _ = run([*base, "--codes", "calm,upset"], capsys)
    assert code == 0
    mood = json.loads(out)["methods"][method]
    assert mood["restricted_to"] == {"codes": ["calm", "upset"], "actors": None}
    assert [s["stream"] for s in mood["streams"]] == ["mood/child"]
    assert [c["code"] for c in mood["codes"]] == ["calm", "upset"]
    # the mood stream alone gives the mood stream's own figures
    stream = next(s for s in whole["streams"] if s["stream"] == "mood/child")
    assert mood["streams"][0]["kappa"] == stream["kappa"]
    if method == "time":
        assert mood["kappa"] == stream["kappa"]
    code, out, _ = run([*base, "--actors", "caregiver"], capsys)
    cg = json.loads(out)["methods"][method]
    assert [c["code"] for c in cg["codes"]] == ["praise", "touch"]
    if method == "timeslice":
        assert cg["actors"] == ["caregiver"]
        assert mood["actors"] == ["child"]


@pytest.mark.parametrize(
    ("codes", "actors", "status", "said"),
    [
        # the table says what it is restricted to
        ("calm", "child", 0,
         ["restricted to codes: calm", "restricted to actors: child", "actors: child; "]),
        # an unknown code or actor is refused, each named, on stderr
        ("calm,nope", "ghost", 2,
         ["unknown code 'nope' in --codes", "unknown actor 'ghost' in --actors"]),
    ],
    ids=["restriction-in-the-table", "unknown-code-or-actor-refused"],
)  # fmt: skip
def test_agree_restricted_to_codes_and_actors(
    pair: list[str],
    capsys: pytest.CaptureFixture[str],
    codes: str,
    actors: str,
    status: int,
    said: list[str],
) -> None:
    code, out, err = run(["agree", *pair, "--codes", codes, "--actors", actors], capsys)
    assert code == status
    shown = out if status == 0 else err
    assert [line for line in said if line not in shown] == []
    assert "Traceback" not in err


def test_agree_warns_of_a_session_with_nothing_to_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = session([("calm", 0.0, 4.0), ("praise", 2.0, None)])
    b = attrs.evolve(session([("praise", 2.0, None)], observer="obs2"), id="S-D001-obs2b")
    files = save(tmp_path, a, b)
    code, out, err = run(["agree", *files, "--codes", "calm", "--format", "json"], capsys)
    assert code == 0
    assert "has no events of the compared codes and actors" in err
    assert json.loads(out)["methods"]["timeslice"]["kappa"] == 0.0


def test_stats_by_segment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from observer.sessionfile import SegmentSpan

    s = attrs.evolve(
        session(
            [("calm", 1.0, 5.0), ("calm", 7.0, 9.0), ("praise", 2.0, None), ("praise", 6.5, None)],
            duration=10.0,
        ),
        segments=(SegmentSpan("s1", 0.0, 6.0), SegmentSpan("s2", 6.0, None)),
    )
    (path,) = save(tmp_path, s)
    code, out, _ = run(["stats", path, "--by", "segment", "--format", "json"], capsys)
    assert code == 0
    (doc,) = json.loads(out)["sessions"]
    assert [c["count"] for c in doc["codes"] if c["code"] == "calm"] == [2]  # the whole session
    seg = {p["segment"]: p for p in doc["segments"]}
    assert (seg["s1"]["start"], seg["s1"]["end"], seg["s1"]["duration"]) == (0.0, 6.0, 6.0)
    assert seg["s2"]["duration"] == 4.0  # the open last segment runs to the session's end
    calm = {k: next(c for c in p["codes"] if c["code"] == "calm") for k, p in seg.items()}
    praise = {k: next(c for c in p["codes"] if c["code"] == "praise") for k, p in seg.items()}
    assert (calm["s1"]["count"], calm["s1"]["first_s"], calm["s1"]["total_s"]) == (1, 1.0, 4.0)
    assert calm["s1"]["proportion"] == pytest.approx(4 / 6)
    assert (calm["s2"]["count"], calm["s2"]["first_s"], calm["s2"]["total_s"]) == (1, 1.0, 2.0)
    assert (praise["s1"]["count"], praise["s2"]["count"]) == (1, 1)
    assert praise["s2"]["first_s"] == 0.5 and praise["s2"]["rate_per_min"] == 15.0
    code, out, _ = run(["stats", path, "--by", "segment", "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:6] == ["session", "segment", "start", "end", "duration", "code"]
    assert {r["segment"] for r in rows} == {"", "s1", "s2"}
    code, out, _ = run(["stats", path, "--by", "segment"], capsys)
    assert code == 0 and "segment s2" in out


def test_stats_by_segment_splits_a_bout_across_segments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer.sessionfile import SegmentSpan

    s = attrs.evolve(
        session([("calm", 4.0, 8.0)], duration=10.0),
        segments=(SegmentSpan("s1", 0.0, 6.0), SegmentSpan("s2", 6.0, 10.0)),
    )
    (path,) = save(tmp_path, s)
    doc = json.loads(run(["stats", path, "--by", "segment", "--format", "json"], capsys)[1])
    seg = {p["segment"]: p for p in doc["sessions"][0]["segments"]}
    calm = {k: next(c for c in p["codes"] if c["code"] == "calm") for k, p in seg.items()}
    assert (calm["s1"]["count"], calm["s1"]["mean_s"], calm["s1"]["total_s"]) == (1, 4.0, 2.0)
    assert (calm["s2"]["count"], calm["s2"]["mean_s"], calm["s2"]["total_s"]) == (0, None, 2.0)


@pytest.mark.parametrize(
    ("command", "wanted", "unwanted"),
    [
        ("stats", "json: one object with every session", "'s object"),
        ("import-boris", "-o, --output DIR", "PATH"),
    ],
)
def test_help_says_what_the_command_takes(
    command: str, wanted: str, unwanted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert wanted in flat and unwanted not in flat
