"""observer import --from eaf and the session's media: observer's own EAF export of a session
with a video imports back to the same media record and the same events (1 ms); ELAN's own
documents (pympi-ling's samples) link the video found beside them (measured from the file
and by mpv), and a video not found or not playable is reported, not linked."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest
from pympi.Elan import Eaf
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import Media, load_session, write_session
from observer.synthetic import make_session

BOOK_PATH = Path("codebooks/cpp-attachment.json")
SAMPLES = Path(__file__).parent / "fixtures" / "interchange" / "elan"
MEDIA = Media("visit 2 (cam A).mp4", 987654321, 1834.56, 29.97, "0f" * 32, 12.3456)


def _export(tmp_path: Path, capsys: pytest.CaptureFixture[str], media: Media | None) -> Path:
    folder = tmp_path / "s"
    folder.mkdir()
    session = make_session(load_codebook(BOOK_PATH), 500, seed=11, session_id="S1")
    path = write_session(folder, attrs.evolve(session, media=media))
    code, _, err = run(["export", "--format", "eaf", str(path), "-o", str(tmp_path / "e")], capsys)
    assert code == 0, err
    return tmp_path / "e" / "S1.eaf"


def _import(
    eaf: Path, out: Path, capsys: pytest.CaptureFixture[str], *, codebook: bool = True
) -> tuple[int, str]:
    extra = ["--codebook", str(BOOK_PATH)] if codebook else []
    code, _, err = run(["import", str(eaf), "--from", "eaf", *extra, "-o", str(out)], capsys)
    return code, err


@pytest.mark.parametrize("codebook", [True, False], ids=["codebook", "derived"])
async def test_own_export_brings_back_the_media_and_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codebook: bool
) -> None:
    eaf = _export(tmp_path, capsys, MEDIA)
    # ELAN's own reader sees the link: the file's name relative to the .eaf
    (descriptor,) = Eaf(str(eaf)).media_descriptors
    assert descriptor["RELATIVE_MEDIA_URL"] == "./visit%202%20%28cam%20A%29.mp4"
    assert descriptor["TIME_ORIGIN"] == "12346"
    code, err = _import(eaf, tmp_path / "i", capsys, codebook=codebook)
    assert code == 0, err
    assert "MEDIA_DESCRIPTOR" not in err
    back = load_session(tmp_path / "i" / "S1.json")
    assert back.media == MEDIA
    original = load_session(tmp_path / "s" / "S1.json")
    assert len(back.events) == len(original.events)
    mine = sorted((e.start, e.end) for e in original.events)
    theirs = sorted((e.start, e.end) for e in back.events)
    for (a, b), (c, d) in zip(mine, theirs, strict=True):
        assert abs(a - c) <= 0.001
        assert (b is None) == (d is None) or codebook is False
        if b is not None and d is not None:
            assert abs(b - d) <= 0.001


async def test_a_session_without_media_imports_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eaf = _export(tmp_path, capsys, None)
    assert "MEDIA_DESCRIPTOR" not in eaf.read_text(encoding="utf-8")
    code, err = _import(eaf, tmp_path / "i", capsys)
    assert code == 0, err
    assert load_session(tmp_path / "i" / "S1.json").media is None


async def test_an_offset_moved_in_elan_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eaf = _export(tmp_path, capsys, MEDIA)
    text = eaf.read_text(encoding="utf-8").replace('TIME_ORIGIN="12346"', 'TIME_ORIGIN="15000"')
    eaf.write_text(text, encoding="utf-8")
    code, err = _import(eaf, tmp_path / "i", capsys)
    assert code == 0, err
    assert load_session(tmp_path / "i" / "S1.json").media == attrs.evolve(MEDIA, offset=15.0)


async def test_a_link_changed_in_elan_is_reported_not_linked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eaf = _export(tmp_path, capsys, MEDIA)
    text = re.sub(r'MEDIA_URL="[^"]*"', 'MEDIA_URL="other.mp4"', eaf.read_text(encoding="utf-8"))
    eaf.write_text(text, encoding="utf-8")
    code, err = _import(eaf, tmp_path / "i", capsys)
    assert code == 0, err
    assert load_session(tmp_path / "i" / "S1.json").media is None
    assert f"{eaf}: HEADER.MEDIA_DESCRIPTOR: media 'other.mp4' not linked" in err


@pytest.mark.parametrize("version", ["2.7", "2.8", "3.0"])
async def test_sample_documents_report_their_media(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str
) -> None:
    sample = SAMPLES / f"sample_{version}.eaf"
    (descriptor,) = Eaf(str(sample)).media_descriptors  # pympi, the independent reader
    url = descriptor.get("RELATIVE_MEDIA_URL") or descriptor["MEDIA_URL"]
    code, err = _import(sample, tmp_path / "i", capsys, codebook=False)
    assert code == 0, err
    (line,) = [line for line in err.splitlines() if "MEDIA_DESCRIPTOR" in line]
    assert line.startswith(f"{sample}: HEADER.MEDIA_DESCRIPTOR: media {url!r} not linked")
    (session,) = (tmp_path / "i").glob("*.json")
    assert load_session(session).media is None


@pytest.mark.video
async def test_an_elan_document_links_the_video_found_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ELAN's own document (pympi's 3.0 sample) pointed at a clip beside it: the clip
    becomes the session's media, measured from the file (size, quick hash) and by mpv
    (duration, frame rate), TIME_ORIGIN the offset; a file mpv cannot play is reported."""
    from support.media import FPS, SECONDS, make_clip

    from observer.media.identity import head_tail_sha256

    folder = tmp_path / "coded"
    folder.mkdir()
    clip = make_clip(folder, name="r03 clip.mp4")
    text = (SAMPLES / "sample_3.0.eaf").read_text(encoding="utf-8")
    old = (
        'MEDIA_URL="file:///Users/Shared/MPI/DemoMaterial/yele/r03_v20_s5.wav"'
        ' MIME_TYPE="audio/x-wav" RELATIVE_MEDIA_URL="../../DemoMaterial/yele/r03_v20_s5.wav"'
    )
    new = ('MEDIA_URL="file:///elsewhere/r03%20clip.mp4" MIME_TYPE="video/mp4"'
           ' RELATIVE_MEDIA_URL="./r03%20clip.mp4" TIME_ORIGIN="2500"')  # fmt: skip
    assert old in text
    eaf = folder / "visit.eaf"
    eaf.write_text(text.replace(old, new), encoding="utf-8")
    code, err = _import(eaf, tmp_path / "i", capsys, codebook=False)
    assert code == 0, err
    assert f"{eaf}: HEADER.MEDIA_DESCRIPTOR: media './r03%20clip.mp4' linked: {clip}" in err
    media = load_session(tmp_path / "i" / "visit.json").media
    size, digest = head_tail_sha256(clip)
    assert media is not None
    assert (media.file, media.bytes, media.sha256_head_tail) == ("r03 clip.mp4", size, digest)
    assert media.fps == FPS and abs(media.duration - SECONDS) < 0.1 and media.offset == 2.5

    clip.unlink()
    clip.write_text("not a video\n")
    code, err = _import(eaf, tmp_path / "j", capsys, codebook=False)
    assert code == 0, err
    assert "media './r03%20clip.mp4' not linked: " in err and "mpv cannot play" in err
    assert load_session(tmp_path / "j" / "visit.json").media is None


@pytest.mark.parametrize(
    "url",
    ["./%00x.mp4", "./" + "x" * 5000 + ".mp4", "file:///dev/zero", "./", "..", "./sub/../../"],
)
async def test_a_hostile_media_url_is_reported_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    eaf = _export(tmp_path, capsys, MEDIA)
    text = re.sub(r'RELATIVE_MEDIA_URL="[^"]*"', f'RELATIVE_MEDIA_URL="{url}"', eaf.read_text())
    text = re.sub(r' MEDIA_URL="[^"]*"', f' MEDIA_URL="{url}"', text)
    eaf.write_text(text, encoding="utf-8")
    code, err = _import(eaf, tmp_path / "i", capsys)
    assert code == 0, err
    assert "not linked: not found beside the document" in err and "Traceback" not in err
    assert load_session(tmp_path / "i" / "S1.json").media is None
