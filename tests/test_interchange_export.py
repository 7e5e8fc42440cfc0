"""observer export: CSV/TSV read back exactly, SDIS by a grammar, EAF by pympi-ling and the
EAF 3.0 schema's structure; refusals leave the disk as it was."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import pytest
from support import minibook
from support.clirun import run
from support.interchange import check_eaf_structure, parse_sdis

from observer.cli import main
from observer.codebook import codebook_from_data, load_codebook
from observer.export import seconds
from observer.export.sdis import MAX_NAME, reduce_name, sdis_bytes
from observer.export.tabular import COLUMNS
from observer.sessionfile import (
    SCHEMA,
    Event,
    Note,
    SegmentSpan,
    Session,
    load_session,
    session_from_data,
    unstructure,
    write_session,
)
from observer.synthetic import codebook_ref, make_session

BOOK = load_codebook("cpp-attachment")


def crafted(session_id: str = "S1", dyad: str = 'D,01 "x"', observer: str = "obs\t1") -> Session:
    """A small session with every case an export has to get right."""
    events = (
        Event("ch-own-play", 0.0, 10.0),
        Event("cg-apart", 0.5, 2.25),
        Event("cg-warm-touch", 1.0, None, {"intensity": "high"}),
        Event("cg-encourages", 1.0004, None),  # same millisecond: overlaps in ELAN
        Event("cg-watches", 2.25, 2.25),  # a state of no length
        Event("ch-distress", 3.123456, None, {"intensity": "low"}),
        Event("ch-approach", 10.0, 12.5),
    )
    session = Session(
        schema=SCHEMA,
        id=session_id,
        status="complete",
        codebook=codebook_ref(BOOK),
        dyad=dyad,
        observer=observer,
        started_at="2026-11-22T10:00:00+00:00",
        ended_at="2026-11-22T10:00:20+00:00",
        duration=20.0,
        segments=(SegmentSpan("free-play", 0.0, 12.5), SegmentSpan("clean-up", 12.5, None)),
        events=events,
        notes=(Note(5.0, 'looks at the door & says "<bye>"'), Note(5.0, "same instant")),
    )
    return session_from_data(unstructure(session), "crafted")  # a valid session file


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "sessions"
    folder.mkdir()
    second = make_session(BOOK, 40, seed=5, session_id="S2", dyad="D002", observer="obs2")
    return [write_session(folder, crafted()), write_session(folder, second)]


# --- CSV / TSV -------------------------------------------------------------------


def expected_rows(session: Session) -> list[dict[str, str]]:
    rows = []
    for e in session.events:
        code = session.book.code_by_id[e.code]
        rows.append(
            {
                "session": session.id,
                "dyad": session.dyad,
                "observer": session.observer,
                "code": code.id,
                "label": code.label,
                "group": code.group,
                "actor": code.actor,
                "kind": code.kind,
                "start": f"{e.start:.6f}".rstrip("0").ljust(len(f"{int(e.start)}") + 4, "0"),
                "end": "" if e.end is None else f"{e.end:.3f}",
                "duration": "" if e.end is None else f"{e.end - e.start:.3f}",
                "modifiers": ";".join(f"{k}={v}" for k, v in e.modifiers.items()),
                "segment": next(
                    (
                        g.segment
                        for g in session.segments
                        if g.start <= e.start and (g.end is None or e.start < g.end)
                    ),
                    "",
                ),
                "status": session.status,
                "flags": ";".join(e.flags),
            }
        )
    return rows


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_tabular_reads_back_exactly(
    fmt: str, delimiter: str, files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"all.{fmt}"
    code, _, err = run(["export", *map(str, files), "--format", fmt, "-o", str(out)], capsys)
    assert code == 0, err
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert tuple(header) == COLUMNS
    first = load_session(files[0])
    assert rows[:7] == expected_rows(first)
    # Hand-checked values of the crafted session.
    assert rows[1]["label"] == "Apart, not engaged"
    assert (rows[1]["start"], rows[1]["end"], rows[1]["duration"]) == ("0.500", "2.250", "1.750")
    assert (rows[2]["end"], rows[2]["duration"], rows[2]["modifiers"]) == ("", "", "intensity=high")
    assert rows[5]["start"] == "3.123456"
    assert (rows[4]["start"], rows[4]["end"], rows[4]["duration"]) == ("2.250", "2.250", "0.000")
    assert rows[0]["dyad"] == 'D,01 "x"' and rows[0]["observer"] == "obs\t1"
    second = load_session(files[1])
    assert [r["session"] for r in rows] == ["S1"] * 7 + ["S2"] * len(second.events)
    assert [float(r["start"]) for r in rows[7:]] == [e.start for e in second.events]
    assert out.stat().st_mode & 0o777 == 0o600


def test_csv_to_standard_output(
    files: list[Path], capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    main(["export", str(files[0]), "--format", "csv"])
    data = capfdbinary.readouterr().out.decode("utf-8")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == list(COLUMNS) and len(rows) == 8


@pytest.mark.parametrize(
    ("t", "text"),
    [(0.0, "0.000"), (12.5, "12.500"), (1.234567, "1.234567"), (0.000001, "0.000001"),
     (1e-7, "0.000"), (123456.25, "123456.250"), (1e-05, "0.00001")],
)  # fmt: skip
def test_times_are_plain_decimals(t: float, text: str) -> None:
    assert seconds(t) == text


# --- SDIS --------------------------------------------------------------------------


def test_sdis_grammar_and_content(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all.sds"
    code, _, err = run(["export", *map(str, files), "--format", "sdis", "-o", str(out)], capsys)
    assert code == 0, err
    sets, mapping, sessions = parse_sdis(out.read_text("utf-8"))
    names = [n for codes in sets.values() for n in codes] + list(sets)
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= MAX_NAME for n in names)
    assert {mapping[n] for codes in sets.values() for n in codes} == {c.id for c in BOOK.codes}
    # One set per stream, holding exactly that stream's codes.
    assert sorted(sorted(mapping[c] for c in codes) for codes in sets.values()) == sorted(
        sorted(c.id for c in s.codes) for s in BOOK.streams
    )
    assert [label for label, _ in sessions] == ["S1", "S2"]
    for (_, tokens), path in zip(sessions, files, strict=True):
        session = load_session(path)
        assert tokens[0] == {"code": None, "on": "0.000", "off": None, "end": None}
        assert tokens[-1] == {
            "code": None,
            "on": f"{session.duration:.3f}",
            "off": None,
            "end": "/",
        }
        events = tokens[1:-1]
        assert [mapping[t["code"]] for t in events] == [e.code for e in session.events]
        for token, e in zip(events, session.events, strict=True):
            assert token["on"] == f"{e.start:.3f}"
            if e.end is None or f"{e.end:.3f}" == f"{e.start:.3f}":
                assert token["off"] is None  # momentary
            else:
                assert token["off"] == f"{e.end:.3f}"


def test_sdis_names_reduced_without_collisions() -> None:
    taken: set[str] = set()
    got = [
        reduce_name(n, taken)
        for n in ("a-b", "a.b", "a_b", "A-B", "1st", "", "timed", "x" * 40, "x" * 39)
    ]
    assert got == [
        "a_b",
        "a_b_2",
        "a_b_3",
        "A_B_4",
        "c_1st",
        "c",
        "timed_2",
        "x" * 16,
        "x" * 14 + "_2",
    ]
    document = minibook.document(
        id="clash",
        codes=[
            {
                "id": i,
                "label": i,
                "group": "affect",
                "actor": "caregiver",
                "kind": "point",
                "key": k,
            }
            for i, k in (
                ("a-b", "1"),
                ("a.b", "2"),
                ("a_b", "3"),
                ("9-lives", "4"),
                ("very-long-code-name-one", "5"),
                ("very-long-code-name-two", "6"),
            )
        ],
        ratings=[],
    )
    book = codebook_from_data(document, "clash")
    session = make_session(book, 30, seed=2, session_id="C1")
    _, mapping, sessions = parse_sdis(sdis_bytes([session]).decode("utf-8"))
    assert mapping == {
        "a_b": "a-b", "a_b_2": "a.b", "a_b_3": "a_b", "c_9_lives": "9-lives",
        "very_long_code_n": "very-long-code-name-one", "very_long_code_2": "very-long-code-name-two",
    }  # fmt: skip
    assert [mapping[t["code"]] for t in sessions[0][1][1:-1]] == [e.code for e in session.events]


# --- EAF ---------------------------------------------------------------------------


def test_eaf_parses_with_pympi(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pympi = pytest.importorskip("pympi")
    folder = tmp_path / "eaf"
    code, _, err = run(["export", *map(str, files), "--format", "eaf", "-o", str(folder)], capsys)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["S1.eaf", "S2.eaf"]
    eaf = pympi.Elan.Eaf(str(folder / "S1.eaf"))
    assert eaf.adocument["VERSION"] == "3.0" and eaf.adocument["FORMAT"] == "3.0"
    assert eaf.adocument["AUTHOR"] == "obs\t1"
    streams = [s.id for s in BOOK.streams]
    for stream in BOOK.streams:
        attrs = eaf.tiers[stream.id][2]
        assert attrs["PARTICIPANT"] == stream.actor.id and attrs["ANNOTATOR"] == "obs\t1"
        assert attrs["LINGUISTIC_TYPE_REF"] == "code"
    annotations = {t: sorted(eaf.get_annotation_data_for_tier(t)) for t in streams}
    assert annotations["cg-involvement/caregiver"] == [
        (500, 2250, "cg-apart"),
        (2250, 2251, "cg-watches"),
    ]
    assert annotations["ch-proximity/child"] == [
        (0, 10000, "ch-own-play"),
        (10000, 12500, "ch-approach"),
    ]
    assert annotations["cg-warmth/caregiver"] == [(1000, 1001, "cg-warm-touch")]
    # The point in the same millisecond goes to an overflow tier, not on top.
    assert eaf.get_annotation_data_for_tier("cg-warmth/caregiver (2)") == [
        (1000, 1001, "cg-encourages")
    ]
    assert annotations["ch-signals/child"] == [(3123, 3124, "ch-distress")]
    mods = eaf.get_ref_annotation_data_for_tier("cg-warmth/caregiver modifiers")
    assert [(a, b, v) for a, b, v, *_ in mods] == [(1000, 1001, "intensity=high")]
    assert eaf.tiers["cg-warmth/caregiver modifiers"][2]["PARENT_REF"] == "cg-warmth/caregiver"
    assert eaf.linguistic_types["modifiers"]["CONSTRAINTS"] == "Symbolic_Association"
    assert sorted(eaf.get_annotation_data_for_tier("notes")) == [
        (5000, 5001, 'looks at the door & says "<bye>"')
    ]
    assert eaf.get_annotation_data_for_tier("notes (2)") == [(5000, 5001, "same instant")]
    assert sorted(eaf.get_annotation_data_for_tier("segments")) == [
        (0, 12500, "free-play"),
        (12500, 20000, "clean-up"),
    ]
    cv = eaf.get_cv_entries("cpp-attachment")
    assert {entry: values[0][0][0] for entry, values in cv.items()} == {
        c.id: c.id for c in BOOK.codes
    }
    assert cv["cg-apart"][0][0][1:] == ("und", "Apart, not engaged")
    assert eaf.linguistic_types["code"]["CONTROLLED_VOCABULARY_REF"] == "cpp-attachment"
    second = load_session(files[1])
    other = pympi.Elan.Eaf(str(folder / "S2.eaf"))
    count = sum(
        len(other.get_annotation_data_for_tier(t))
        for t in other.get_tier_names()
        if "(" in t or t in streams
    )
    assert count == len(second.events)


def test_eaf_follows_the_schema_structure(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "eaf"
    assert run(["export", *map(str, files), "--format", "eaf", "-o", str(folder)], capsys)[0] == 0
    for path in folder.iterdir():
        check_eaf_structure(path)


def test_eaf_single_file_and_odd_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = crafted(observer="a\x01b & <c>")
    path = write_session(tmp_path, session)
    out = tmp_path / "one.eaf"
    assert run(["export", str(path), "--format", "eaf", "-o", str(out)], capsys)[0] == 0
    check_eaf_structure(out)
    assert ET.parse(out).getroot().get("AUTHOR") == "a\ufffdb & <c>"


# --- refusals ----------------------------------------------------------------------


def test_existing_output_is_never_overwritten(
    files: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    out.write_text("precious")
    code, _, err = run(["export", str(files[0]), "--format", "csv", "-o", str(out)], capsys)
    assert code == 2 and err.count("\n") == 1 and "already exists" in err
    assert out.read_text() == "precious"
    folder = tmp_path / "eaf"
    folder.mkdir()
    (folder / "S2.eaf").write_text("precious")
    code, _, err = run(["export", *map(str, files), "--format", "eaf", "-o", str(folder)], capsys)
    assert code == 2 and "S2.eaf" in err
    assert sorted(p.name for p in folder.iterdir()) == ["S2.eaf"]  # S1.eaf not written either


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "eaf"], "give -o FOLDER"),
        (["--format", "csv", "-o", "{tmp}/missing/x.csv"], "does not exist"),
        (["--format", "xml"], "xml"),
    ],
)
def test_bad_usage_exits_2(
    args: list[str],
    message: str,
    files: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run(["export", str(files[0]), *args], capsys)
    assert code == 2 and message in err and out == "" and "Traceback" not in err


def test_bad_session_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "observer.session/1"')
    out = tmp_path / "x.csv"
    code, _, err = run(
        ["export", str(bad), str(tmp_path / "none.json"), "--format", "csv", "-o", str(out)], capsys
    )
    assert code == 2 and len(err.splitlines()) == 2 and not out.exists()


def test_tabular_rows_carry_segment_status_and_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = attrs.evolve(
        crafted(),
        status="recovered",
        segments=(SegmentSpan("free-play", 1.0, 10.0), SegmentSpan("clean-up", 11.0, None)),
        events=(
            Event("ch-own-play", 0.0, 10.0),  # before the first segment
            Event("cg-warm-touch", 1.0, None, {"intensity": "high"}),  # at its start
            Event("ch-approach", 10.0, 12.5, flags=("closed-at-recovery", "corrected")),  # a gap
            Event("ch-distress", 11.0, None),  # the open last segment
        ),
    )
    folder = tmp_path / "s"
    folder.mkdir()
    path = write_session(folder, session_from_data(unstructure(session), "s"))
    code, out, _ = run(["export", str(path), "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["segment"], r["status"], r["flags"]) for r in rows] == [
        ("", "recovered", ""),
        ("free-play", "recovered", ""),
        ("", "recovered", "closed-at-recovery;corrected"),
        ("clean-up", "recovered", ""),
    ]
