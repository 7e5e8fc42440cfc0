"""observer import --from eaf without --codebook on documents nobody here wrote:
pympi-ling's sample EAFs (2.7, 2.8, 3.0), pympi as the independent reader."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pympi.Elan import Eaf
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import load_session

SAMPLES = Path("tests/fixtures/interchange/elan")
VERSIONS = ("2.7", "2.8", "3.0")


def _timed_top_tiers(doc: Eaf) -> dict[str, int]:
    """Each top-level tier whose annotations all have times -> pympi's count of them."""
    out = {}
    for tier, (aligned, _, attributes, _) in doc.tiers.items():
        if "PARENT_REF" in attributes or not aligned:
            continue
        slots = [doc.timeslots[s] for a in aligned.values() for s in a[:2]]
        if all(t is not None for t in slots):
            out[tier] = len(doc.get_annotation_data_for_tier(tier))
    return out


def _import(version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Counter[str]:
    """Imported events per tier (the derived codebook's group is the tier)."""
    eaf = SAMPLES / f"sample_{version}.eaf"
    out = tmp_path / version
    code, _, err = run(["import", str(eaf), "--from", "eaf", "-o", str(out)], capsys)
    assert code == 0, err
    assert "Traceback" not in err
    assert f"{eaf}: TIER['words-timesub']: left out" in err
    book = load_codebook(out / "codebook" / f"imported-sample_{version}.json")
    session = load_session(out / f"sample_{version}.json")
    assert session.status == "imported"
    return Counter(book.code_by_id[e.code].group for e in session.events)


@pytest.mark.parametrize("version", VERSIONS)
def test_sample_imports_with_pympi_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    expected = _timed_top_tiers(Eaf(str(SAMPLES / f"sample_{version}.eaf")))
    assert set(expected) == {"text", "gestures"}
    assert _import(version, tmp_path, capsys) == expected
    # Each event is pympi's annotation: the same times (ms) and value (the code's label).
    doc = Eaf(str(SAMPLES / f"sample_{version}.eaf"))
    book = load_codebook(tmp_path / version / "codebook" / f"imported-sample_{version}.json")
    session = load_session(tmp_path / version / f"sample_{version}.json")
    for tier in expected:
        theirs = sorted((b, e, " ".join(v.split())) for b, e, v in
                        doc.get_annotation_data_for_tier(tier))  # fmt: skip
        mine = sorted(
            (round(ev.start * 1000), round((ev.start if ev.end is None else ev.end) * 1000),
             book.code_by_id[ev.code].label)
            for ev in session.events if book.code_by_id[ev.code].group == tier
        )  # fmt: skip
        assert mine == theirs


def test_versions_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts = [_import(v, tmp_path, capsys) for v in VERSIONS]
    assert counts[0] == counts[1] == counts[2]
    assert sum(counts[0].values()) == 399 + 1197


def test_vocabulary_gives_definitions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for version in VERSIONS:
        _import(version, tmp_path, capsys)
        book = load_codebook(tmp_path / version / "codebook" / f"imported-sample_{version}.json")
        gestures = {c.label: c.definition for c in book.codes if c.group == "gestures"}
        assert gestures == {
            "prep": "preparation", "hold": "hold", "stroke": "stroke", "retr": "retraction",
        }  # fmt: skip
