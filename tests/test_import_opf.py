"""observer import --from opf: Datavyu's own sample spreadsheet (a file nobody here
wrote; its counts as pyvyu's tests state them), spreadsheets made here with every
feature of the format, --codebook with --map and --observer, and bad files refused."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from support import minibook
from support.clirun import run

from observer.sessionfile import load_session

SAMPLE = (
    Path(__file__).parent / "fixtures" / "interchange" / "datavyu" / "DatavyuSampleSpreadsheet.opf"
)


def opf(path: Path, db: str, extra: dict[str, bytes] | None = None) -> Path:
    """A Datavyu spreadsheet as Datavyu writes one: a zip with ``db`` (and more)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("db", db)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code, _, err = run(["import", *argv, "--from", "opf", "-o", str(tmp_path / "out")], capsys)
    return code, err


def test_datavyus_sample_spreadsheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = imported(tmp_path, capsys, str(SAMPLE))
    assert code == 0, err
    session = load_session(tmp_path / "out" / "DatavyuSampleSpreadsheet.json")
    codes = Counter(e.code for e in session.events)
    streams = {c.split(".")[0] for c in codes}
    assert len(streams) == 6  # pyvyu: 6 columns
    assert codes["momspeech"] == 20  # pyvyu: 20 cells in MomSpeech
    assert sum(codes.values()) == 81  # every cell of the db, each once
    assert codes["notes.point"] == 3 and codes["notes"] == 1  # onset = offset: a point
    assert session.status == "imported" and session.imported_from is not None
    assert session.imported_from.fps == 24.0  # the viewer's frame rate, kept
    first = next(e for e in session.events if e.code == "momobject")
    assert (first.start, first.end) == (10.71, 21.45)
    assert first.modifiers["object1"] == "cup"
    dot = session.book.modifier_by_id["object2"].values
    assert [v.label for v in dot if v.id == first.modifiers["object2"]] == ["."]
    speech = next(e for e in session.events if e.code == "momspeech")
    label = session.book.modifier_by_id["transcript"].values[0].label
    assert speech.start == 9.075 and label == "Thanks. What is this? [Russian]"
    assert "DatavyuSampleVideo.mp4" in err and "not linked" in err  # the video, named
    assert "derived" in err


DB = """#4
Caregiver (MATRIX,true,)-act|NOMINAL,note|TEXT
00:00:01:000,00:00:03:500,(praise,well done\\, really)
00:00:04:000,00:00:04:000,(question,<note>)
Child (MATRIX,true,)-act|NOMINAL
00:00:02:250,00:00:02:900,(bid)
"""


def test_escaped_values_points_and_placeholders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = imported(tmp_path, capsys, str(opf(tmp_path / "s1.opf", DB)))
    assert code == 0, err
    session = load_session(tmp_path / "out" / "s1.json")
    events = [(e.code, e.start, e.end, e.modifiers) for e in session.events]
    assert events == [
        ("caregiver", 1.0, 3.5, {"act": "praise", "note": "well-done-really"}),
        ("child", 2.25, 2.9, {"act": "bid"}),
        ("caregiver.point", 4.0, None, {"act": "question"}),  # <note>: empty, no modifier
    ]
    note = session.book.modifier_by_id["note"].values[0]
    assert note.label == "well done, really"  # the escaped comma is the value's


BOOK = minibook.document(
    id="mini-dyad", title="Mini",
    groups=[{"id": "talk", "label": "Talk"}, {"id": "play", "label": "Play"}],
    modifiers=[{"id": "act", "label": "act", "values": [
        {"id": "praise", "key": "1"}, {"id": "question", "key": "2"}, {"id": "bid", "key": "3"}]}],
    codes=[
        {"id": "cg-talk", "label": "Caregiver", "actor": "caregiver", "group": "talk",
         "kind": "state", "key": "t", "modifiers": ["act"]},
        {"id": "ch-bid", "label": "Child bid", "actor": "child", "group": "play", "kind": "point",
         "key": "b", "modifiers": ["act"]},
    ],
    ratings=None, segments=None,
)  # fmt: skip


def test_with_a_codebook_a_map_and_an_observer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = DB.replace(",note|TEXT", "").replace(",well done\\, really)", ")")
    db = db.replace("00:00:04:000,00:00:04:000,(question,<note>)\n", "")
    book = minibook.write(tmp_path / "mini.json", BOOK)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"codes": {"Child": "ch-bid"}}))
    source = opf(tmp_path / "s2.opf", db)
    code, err = imported(tmp_path, capsys, str(source), "--codebook", str(book), "--map",
                         str(mapping), "--observer", "coder7")  # fmt: skip
    assert code == 0, err
    session = load_session(tmp_path / "out" / "s2.json")
    assert session.observer == "coder7" and session.codebook.id == "mini-dyad"
    assert [(e.code, e.start, e.end) for e in session.events] == [
        ("cg-talk", 1.0, 3.5), ("ch-bid", 2.25, None)  # by label; through the map
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b"not a zip"), "not an OPF (a Datavyu spreadsheet is a zip)"),
        (lambda p: zipfile.ZipFile(opf(p, "", {})).close(), "not a Datavyu spreadsheet (no '#4' version)"),
        (lambda p: opf(p, "#4\nC (MATRIX,true,)-a|NOMINAL\ngarbage\n"),
         "db: line 3: neither a column header nor a cell"),
        (lambda p: opf(p, "#4\nC (MATRIX,true,)-a|NOMINAL\n00:00:05:000,00:00:04:000,(x)\n"),
         "db: line 3: the cell's offset is before its onset"),
        (lambda p: opf(p, "#4\nC (MATRIX,true,)-a|NOMINAL\n00:00:01:000,00:00:04:000,(x)\n"
                          "00:00:03:000,00:00:05:000,(y)\n"),
         "db: line 4: overlaps the column's previous cell"),
    ],
    ids=["not a zip", "no version", "garbage line", "offset first", "overlap"],
)  # fmt: skip
def test_bad_spreadsheets_are_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, expected: str
) -> None:
    source = tmp_path / "bad.opf"
    make(source)  # type: ignore[operator]
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(f"{source}: ") and line.endswith(expected)
    assert not (tmp_path / "out").exists()


def test_a_zip_without_a_spreadsheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "x.opf"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("project", "name: x\n")
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 2 and err.strip().endswith("not an OPF: the zip holds no 'db' spreadsheet")


def test_an_unknown_column_with_a_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = minibook.write(tmp_path / "mini.json", BOOK)
    source = opf(
        tmp_path / "s3.opf",
        "#4\nLocation (MATRIX,true,)-a|NOMINAL\n00:00:01:000,00:00:02:000,(m)\n",
    )
    code, err = imported(tmp_path, capsys, str(source), "--codebook", str(book))
    assert code == 2
    assert err.strip() == f"{source}: db: line 2: column 'Location' is not a code of mini-dyad"
