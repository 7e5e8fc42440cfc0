"""observer import --from eaf: observer's own EAF export back to the same events (1 ms),
checked against pympi-ling as the independent reader; bad documents refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pympi.Elan import Eaf
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import load_session, write_session
from observer.synthetic import make_session

BOOK = Path("codebooks/cpp-attachment.json")


def _imported(eaf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = run(
        ["import", str(eaf), "--from", "eaf", "--codebook", str(BOOK), "-o", str(tmp_path / "i")],
        capsys,
    )
    return code, err


@pytest.mark.parametrize("book_path", sorted(Path("codebooks").glob("[a-z]*-*.json")))
def test_own_export_comes_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], book_path: Path
) -> None:
    book = load_codebook(book_path)
    folder = tmp_path / "s"
    folder.mkdir()
    original = make_session(book, 400, seed=3, session_id="S1")
    path = write_session(folder, original)
    code, _, err = run(["export", "--format", "eaf", str(path), "-o", str(tmp_path / "e")], capsys)
    assert code == 0, err
    eaf = tmp_path / "e" / "S1.eaf"
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
