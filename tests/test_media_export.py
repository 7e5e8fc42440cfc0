"""EAF export of a session with media: ELAN's MEDIA_DESCRIPTOR, still a valid document."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from support.clirun import run
from support.interchange import check_eaf_structure
from support.replay import small_session

from observer.errors import InputError
from observer.sessionfile import Media, load_session, write_session

MEDIA = Media("visit 2.mp4", 123456, 60.0, 25.0, "ab" * 32, 12.345)


def test_session_media_round_trips_and_is_checked(tmp_path: Path) -> None:
    path = write_session(tmp_path, attrs.evolve(small_session(), media=MEDIA))
    assert load_session(path).media == MEDIA
    plain = write_session(tmp_path, small_session("S2-D001-obs1"))
    assert b'"media"' not in plain.read_bytes() and load_session(plain).media is None
    bad = path.read_text().replace('"ab', '"ZZ', 1)
    path.with_name("bad.json").write_text(bad)
    with pytest.raises(InputError, match=r"media\.sha256_head_tail"):
        load_session(path.with_name("bad.json"))


def test_eaf_links_the_media(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pympi = pytest.importorskip("pympi")
    path = write_session(tmp_path, attrs.evolve(small_session(), media=MEDIA))
    out = tmp_path / "eaf"
    code, _, err = run(["export", str(path), "--format", "eaf", "-o", str(out)], capsys)
    assert code == 0, err
    [eaf_path] = out.iterdir()
    check_eaf_structure(eaf_path)
    eaf = pympi.Elan.Eaf(str(eaf_path))
    [media] = eaf.media_descriptors
    assert media["MEDIA_URL"] == "visit%202.mp4"
    assert media["RELATIVE_MEDIA_URL"] == "./visit%202.mp4"
    assert media["MIME_TYPE"] == "video/mp4"
    assert media["TIME_ORIGIN"] == "12345"


def test_eaf_without_media_has_no_descriptor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_session(tmp_path, small_session())
    out = tmp_path / "eaf"
    assert run(["export", str(path), "--format", "eaf", "-o", str(out)], capsys)[0] == 0
    [eaf_path] = out.iterdir()
    check_eaf_structure(eaf_path)
    assert b"MEDIA_DESCRIPTOR" not in eaf_path.read_bytes()
