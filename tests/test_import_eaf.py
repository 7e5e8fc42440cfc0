"""observer import --from eaf: observer's own EAF export back to the same events (1 ms),
checked against pympi-ling as the independent reader; bad documents refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pympi.Elan import Eaf
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import Session, load_session, write_session
from observer.synthetic import make_session

BOOK = Path("codebooks/cpp-attachment.json")


def _imported(eaf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = run(
        ["import", str(eaf), "--from", "eaf", "--codebook", str(BOOK), "-o", str(tmp_path / "i")],
        capsys,
    )
    return code, err


def _exported(
    book_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], n: int, sid: str
) -> tuple[Session, Path]:
    """A synthetic session of ``n`` events and the EAF ``observer export`` writes of it."""
    folder = tmp_path / "s"
    folder.mkdir()
    original = make_session(load_codebook(book_path), n, seed=3, session_id=sid)
    path = write_session(folder, original)
    code, _, err = run(["export", "--format", "eaf", str(path), "-o", str(tmp_path / "e")], capsys)
    assert code == 0, err
    return original, tmp_path / "e" / f"{sid}.eaf"


@pytest.mark.parametrize("book_path", sorted(Path("codebooks").glob("[a-z]*-*.json")))
def test_own_export_comes_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], book_path: Path
) -> None:
    original, eaf = _exported(book_path, tmp_path, capsys, 400, "S1")
    code, _, err = run(
        ["import", str(eaf), "--from", "eaf", "--codebook", str(book_path), "-o", str(tmp_path / "i")],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    back = load_session(tmp_path / "i" / "S1.json")
    assert back.status == "imported"
    assert back.imported_from is not None and back.imported_from.format == "eaf"

    def key(e: object) -> tuple[str, float, dict[str, str]]:
        return (e.code, e.start, e.modifiers)  # type: ignore[attr-defined]

    mine = sorted(original.events, key=lambda e: (e.start, e.code))
    theirs = sorted(back.events, key=lambda e: (e.start, e.code))
    assert len(mine) == len(theirs)
    for a, b in zip(mine, theirs, strict=True):
        assert a.code == b.code and a.modifiers == b.modifiers
        assert abs(a.start - b.start) <= 0.001
        assert (a.end is None) == (b.end is None)
        if a.end is not None and b.end is not None:
            assert abs(a.end - b.end) <= 0.001
    # pympi, the independent reader, counts the same annotations on the code tiers.
    doc = Eaf(str(eaf))
    code_tiers = [
        t for t, (_, _, attrs, _) in doc.tiers.items() if attrs.get("LINGUISTIC_TYPE_REF") == "code"
    ]
    assert sum(len(doc.get_annotation_data_for_tier(t)) for t in code_tiers) == len(back.events)


HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _doc(slots: str, annotations: str) -> str:
    return (
        f'{HEAD}<ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0"><HEADER/>'
        f"<TIME_ORDER>{slots}</TIME_ORDER>"
        f'<TIER TIER_ID="play/child" PARTICIPANT="child" LINGUISTIC_TYPE_REF="code">{annotations}</TIER>'
        "</ANNOTATION_DOCUMENT>"
    )


def _ann(aid: str, a: str, b: str, value: str) -> str:
    return (
        f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="{aid}" TIME_SLOT_REF1="{a}"'
        f' TIME_SLOT_REF2="{b}"><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>'
        "</ALIGNABLE_ANNOTATION></ANNOTATION>"
    )


def _code() -> str:
    book = load_codebook(BOOK)
    return next(c.id for c in book.codes if c.kind == "state")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _doc('<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="500"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="100"/>', _ann("a1", "t1", "t2", "x")),
            "TIME_ORDER.TIME_SLOT[1]: time 100 ms is before the previous slot's 500 ms",
        ),
        (
            _doc('<TIME_SLOT TIME_SLOT_ID="t1"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="100"/>', _ann("a1", "t1", "t2", "x")),
            "TIER['play/child'].ANNOTATION['a1']: a time slot without a time value",
        ),
        (
            _doc(
                '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="100"/>'
                '<TIME_SLOT TIME_SLOT_ID="t3" TIME_VALUE="500"/>',
                _ann("a1", "t1", "t3", "CODE") + _ann("a2", "t2", "t3", "CODE"),
            ),
            "TIER['play/child'].ANNOTATION['a2']: overlaps the tier's previous annotation",
        ),
        (
            _doc('<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="9"/>', _ann("a1", "t1", "t2", "nope")),
            "TIER['play/child'].ANNOTATION['a1']: 'nope' is not a code of",
        ),
        (
            HEAD + '<!DOCTYPE x [<!ENTITY a "aaaa">]><ANNOTATION_DOCUMENT>&a;</ANNOTATION_DOCUMENT>',
            "has a DTD or entity declaration: refused",
        ),
        ("<ANNOTATION_DOCUMENT>", "line 1, column 21: not well-formed XML"),
    ],
)  # fmt: skip
def test_bad_documents_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    eaf = tmp_path / "bad.eaf"
    eaf.write_text(text.replace("CODE", _code()))
    code, err = _imported(eaf, tmp_path, capsys)
    assert code == 2
    assert f"{eaf}: {expected}" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "i").exists()


def test_dependent_tiers_are_reported_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slots = '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="900"/>'
    words = (
        '<TIER TIER_ID="words" PARENT_REF="play/child"><ANNOTATION><REF_ANNOTATION ANNOTATION_ID="r1"'
        ' ANNOTATION_REF="a1"><ANNOTATION_VALUE>hi</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION></TIER>'
    )
    text = _doc(slots, _ann("a1", "t1", "t2", _code())).replace(
        "</ANNOTATION_DOCUMENT>", words + "</ANNOTATION_DOCUMENT>"
    )
    eaf = tmp_path / "D1.eaf"
    eaf.write_text(text)
    code, err = _imported(eaf, tmp_path, capsys)
    assert code == 0, err
    assert f"{eaf}: TIER['words']: left out (not a time-aligned code tier)" in err
    session = load_session(tmp_path / "i" / "D1.json")
    assert [(e.start, e.end) for e in session.events] == [(0.0, 0.9)]


DERIVED = (
    f'{HEAD}<ANNOTATION_DOCUMENT FORMAT="2.8" VERSION="2.8"><HEADER/><TIME_ORDER>'
    '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="1000"/>'
    '<TIME_SLOT TIME_SLOT_ID="t3" TIME_VALUE="2000"/><TIME_SLOT TIME_SLOT_ID="t4"/>'
    '<TIME_SLOT TIME_SLOT_ID="t5" TIME_VALUE="3000"/></TIME_ORDER>'
    '<TIER TIER_ID="Mother gaze" PARTICIPANT="mother" LINGUISTIC_TYPE_REF="gaze">'
    + _ann("a1", "t1", "t2", "look") + _ann("a2", "t2", "t2", "glance") + _ann("a3", "t3", "t5", "look")
    + '</TIER><TIER TIER_ID="tone" PARENT_REF="Mother gaze" LINGUISTIC_TYPE_REF="assoc"><ANNOTATION>'
    '<REF_ANNOTATION ANNOTATION_ID="r1" ANNOTATION_REF="a1"><ANNOTATION_VALUE>warm</ANNOTATION_VALUE>'
    '</REF_ANNOTATION></ANNOTATION></TIER>'
    '<TIER TIER_ID="parts" PARENT_REF="Mother gaze" LINGUISTIC_TYPE_REF="sub">'
    + _ann("s1", "t1", "t4", "x") + _ann("s2", "t4", "t2", "y")
    + '</TIER><TIER TIER_ID="child">' + _ann("c1", "t1", "t3", "cry") + "</TIER>"
    '<TIER TIER_ID="ratings">' + _ann("g1", "t1", "t3", "scale=3") + "</TIER>"
    '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="gaze" CONTROLLED_VOCABULARY_REF="cv" TIME_ALIGNABLE="true"/>'
    '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="assoc" CONSTRAINTS="Symbolic_Association"/>'
    '<LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="sub" CONSTRAINTS="Time_Subdivision"/>'
    '<CONTROLLED_VOCABULARY CV_ID="cv"><CV_ENTRY_ML CVE_ID="e1">'
    '<CVE_VALUE LANG_REF="eng" DESCRIPTION="eyes on the child">look</CVE_VALUE></CV_ENTRY_ML>'
    "</CONTROLLED_VOCABULARY></ANNOTATION_DOCUMENT>"
)  # fmt: skip


def test_codebook_derived_without_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eaf = tmp_path / "D2.eaf"
    eaf.write_text(DERIVED)
    code, _, err = run(["import", str(eaf), "--from", "eaf", "-o", str(tmp_path / "i")], capsys)
    assert code == 0, err
    assert f"{eaf}: TIER['parts']: left out (not a time-aligned code tier);" in err
    assert "2 of its annotations have no time value" in err
    assert "TIER['tone']" not in err
    assert f"{eaf}: TIER['ratings']: left out (not a time-aligned code tier)" in err
    book = load_codebook(tmp_path / "i" / "codebook" / "imported-d2.json")
    codes = {c.id: (c.label, c.actor, c.group, c.kind, c.definition) for c in book.codes}
    assert codes == {
        "mother-gaze.look": ("look", "mother", "mother-gaze", "state", "eyes on the child"),
        "mother-gaze.glance": ("glance", "mother", "mother-gaze", "point", ""),
        "child.cry": ("cry", "child", "child", "state", ""),
    }
    assert book.code_by_id["mother-gaze.look"].modifiers == ("tone",)
    session = load_session(tmp_path / "i" / "D2.json")
    assert [(e.code, e.start, e.end, e.modifiers) for e in session.events] == [
        ("child.cry", 0.0, 2.0, {}),
        ("mother-gaze.look", 0.0, 1.0, {"tone": "warm"}),
        ("mother-gaze.glance", 1.0, None, {}),
        ("mother-gaze.look", 2.0, 3.0, {}),
    ]


def test_untimed_slot_on_a_top_level_tier_is_refused_without_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eaf = tmp_path / "D3.eaf"
    eaf.write_text(DERIVED.replace('"c1" TIME_SLOT_REF1="t1"', '"c1" TIME_SLOT_REF1="t4"'))
    code, _, err = run(["import", str(eaf), "--from", "eaf", "-o", str(tmp_path / "i")], capsys)
    assert code == 2
    assert f"{eaf}: TIER['child'].ANNOTATION['c1']: a time slot without a time value" in err
    assert not (tmp_path / "i").exists()


def test_own_export_comes_back_without_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original, eaf = _exported(BOOK, tmp_path, capsys, 200, "S2")
    code, _, err = run(["import", str(eaf), "--from", "eaf", "-o", str(tmp_path / "i")], capsys)
    assert code == 0, err
    back = load_session(tmp_path / "i" / "S2.json")
    derived = load_codebook(tmp_path / "i" / "codebook" / "imported-s2.json")
    # observer's export writes each code's id as the annotation value: the derived label.
    mine = sorted((e.code, round(e.start * 1000)) for e in original.events)
    theirs = sorted((derived.code_by_id[e.code].label, round(e.start * 1000)) for e in back.events)
    assert mine == theirs
    assert sum(1 for e in back.events if e.modifiers) == sum(
        1 for e in original.events if e.modifiers
    )


def test_a_dtd_the_byte_check_cannot_see_is_refused_while_parsing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """UTF-16 without a byte order mark starts with ``<`` but spells ``<!DOCTYPE`` in
    two bytes a character: the parser refuses the declaration when it meets it."""
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ANNOTATION_DOCUMENT>&a;</ANNOTATION_DOCUMENT>'
    eaf = tmp_path / "bad.eaf"
    eaf.write_bytes(text.encode("utf-16-le"))
    code, err = _imported(eaf, tmp_path, capsys)
    assert code == 2
    assert f"{eaf}: has a DTD or entity declaration: refused" in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "i").exists()


def test_time_slots_after_the_tiers_are_looked_up_all_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ELAN writes TIME_ORDER before the tiers; a document with its slots after them
    imports to the same events (and of a slot given twice, the last counts)."""
    code_id = _code()
    slots = '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="900"/>'
    usual = _doc(slots, _ann("a1", "t1", "t2", code_id))
    late = usual.replace(f"<TIME_ORDER>{slots}</TIME_ORDER>", "")
    twice = slots + '<TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="950"/>'
    found = []
    for n, tail in enumerate((None, slots, twice)):
        text = usual if tail is None else late.replace(
            "</ANNOTATION_DOCUMENT>", f"<TIME_ORDER>{tail}</TIME_ORDER></ANNOTATION_DOCUMENT>"
        )  # fmt: skip
        eaf = tmp_path / f"D{n}.eaf"
        eaf.write_text(text)
        out = tmp_path / f"i{n}"
        code, _, err = run(
            ["import", str(eaf), "--from", "eaf", "--codebook", str(BOOK), "-o", str(out)], capsys
        )
        assert code == 0, err
        session = load_session(out / f"D{n}.json")
        found.append([(e.code, e.start, e.end) for e in session.events])
    assert found == [[(code_id, 0.0, 0.9)], [(code_id, 0.0, 0.9)], [(code_id, 0.0, 0.95)]]
