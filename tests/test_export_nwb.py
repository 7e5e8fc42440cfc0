"""observer export --format nwb: read back with pynwb (the independent reader), equal to
the CSV export; the codebook as the ethogram, the observer as annotator, the video linked;
without the nwb extra the command says what to install."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.clirun import run
from test_interchange_export import BOOK, crafted

from observer.sessionfile import Media, Session, write_session
from observer.synthetic import make_session

pynwb = pytest.importorskip("pynwb")
pytest.importorskip("ndx_ethogram")

MEDIA = Media("visit 2.mp4", 123456, 30.0, 25.0, "ab" * 32, 1.5)


def _sessions(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "sessions"
    folder.mkdir()
    first = attrs.evolve(crafted(), media=MEDIA)
    second = make_session(BOOK, 300, seed=7, session_id="S2", dyad="D002", observer="obs2")
    return [write_session(folder, first), write_session(folder, second)]


def _csv_rows(paths: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    target = tmp_path / "events.csv"
    code, _, err = run(["export", *map(str, paths), "--format", "csv", "-o", str(target)], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    return sorted(tuple(r[c] for c in COMPARED) for r in rows)


COMPARED = ("session", "dyad", "observer", "code", "label", "group", "actor", "kind",
            "start", "end", "duration", "modifiers", "segment", "status", "flags")  # fmt: skip


def _nwb_rows(path: Path) -> tuple[list[Any], dict[str, Any]]:
    """The file's events as CSV rows (formatted as the CSV formats them), and what else
    the test looks at."""
    from observer.export import seconds

    with pynwb.NWBHDF5IO(str(path), "r") as io_:
        nwb = io_.read()
        behavior = nwb.processing["behavior"]
        ethogram = behavior["ethogram"].to_dataframe()
        labels = dict(zip(ethogram["behavior"], ethogram["label"], strict=True))
        kinds = dict(zip(ethogram["behavior"], ethogram["behavior_type"], strict=True))
        head = (nwb.session_id, nwb.subject.subject_id, (nwb.experimenter or ("",))[0])
        status = nwb.notes.removeprefix("status: ")
        rows = []
        info: dict[str, Any] = {"ethogram": ethogram, "video": None, "annotator": None}
        if "bouts" in behavior.data_interfaces:
            bouts = behavior["bouts"]
            info["annotator"] = bouts.annotator
            info["labeling_method"] = bouts.labeling_method
            info["bouts_ethogram"] = bouts.ethogram.name
            if bouts.source_video is not None:
                info["video"] = bouts.source_video
                info["video_file"] = list(bouts.source_video.external_file[:])
                info["video_start"] = bouts.source_video.starting_time
                info["video_rate"] = bouts.source_video.rate
            for r in bouts.to_dataframe().itertuples():
                duration = seconds(max(0.0, round(r.stop_time - r.start_time, 6)))
                rows.append((*head, r.label, labels[r.label], r.group, r.actor, kinds[r.label],
                             seconds(r.start_time), seconds(r.stop_time), duration, r.modifiers,
                             r.segment, status, r.flags))  # fmt: skip
        if "point_events" in nwb.events:
            for r in nwb.events["point_events"].to_dataframe().itertuples():
                rows.append((*head, r.label, labels[r.label], r.group, r.actor, kinds[r.label],
                             seconds(r.timestamp), "", "", r.modifiers, r.segment, status,
                             r.flags))  # fmt: skip
        if "notes" in nwb.events:
            info["notes"] = list(nwb.events["notes"].to_dataframe()["text"])
    return rows, info


async def test_nwb_reads_back_equal_to_the_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _sessions(tmp_path)
    out = tmp_path / "nwb"
    code, stdout, err = run(["export", *map(str, paths), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 0, err
    assert "wrote 2 NWB files" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["S1.nwb", "S2.nwb"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    rows: list[Any] = []
    infos = {}
    for p in sorted(out.iterdir()):
        these, infos[p.stem] = _nwb_rows(p)
        rows += these
    assert sorted(rows) == _csv_rows(paths, tmp_path, capsys)

    first, second = infos["S1"], infos["S2"]
    # The codebook as the ethogram: every code, also those not used.
    assert list(first["ethogram"]["behavior"]) == [c.id for c in BOOK.codes]
    assert list(first["ethogram"]["category"]) == [c.group for c in BOOK.codes]
    assert first["annotator"] == "obs\t1" and second["annotator"] == "obs2"
    assert first["labeling_method"] == "manual" and first["bouts_ethogram"] == "ethogram"
    assert first["video_file"] == ["visit 2.mp4"]
    assert first["video_start"] == -1.5 and first["video_rate"] == 25.0
    assert second["video"] is None
    assert first["notes"] == ['looks at the door & says "<bye>"', "same instant"]
    # NWB's own validator (the schema, with the extension's namespace cached in the file)
    for p in out.iterdir():
        assert pynwb.validate(path=str(p)) == [], p


async def test_one_session_to_a_named_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _sessions(tmp_path)
    target = tmp_path / "visit.nwb"
    code, _, err = run(["export", str(paths[1]), "--format", "nwb", "-o", str(target)], capsys)
    assert code == 0, err
    rows, _ = _nwb_rows(target)
    assert sorted(rows) == _csv_rows(paths[1:], tmp_path, capsys)
    # never overwritten; two sessions do not go into one file; -o is required
    code, _, err = run(["export", str(paths[1]), "--format", "nwb", "-o", str(target)], capsys)
    assert code == 2 and "already exists" in err
    code, _, err = run(["export", *map(str, paths), "--format", "nwb", "-o", str(tmp_path / "b.nwb")], capsys)  # fmt: skip
    assert code == 2 and "one .nwb file holds one session" in err
    code, _, err = run(["export", str(paths[1]), "--format", "nwb"], capsys)
    assert code == 2 and "give -o FOLDER" in err


async def test_without_the_extra_it_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _sessions(tmp_path)
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "pynwb" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    out = tmp_path / "nwb"
    code, _, err = run(["export", *map(str, paths), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 2
    assert err.strip() == (
        "observer: --format nwb needs the optional nwb extra (pynwb): pip install 'observer[nwb]'"
    )
    assert "Traceback" not in err and not out.exists()


async def test_a_session_without_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No tables but the ethogram; an audio file (no frame rate) still linked."""
    folder = tmp_path / "s"
    folder.mkdir()
    audio = Media("room.wav", 2048, 60.0, None, "cd" * 32, 0.25)
    empty: Session = attrs.evolve(crafted(), events=(), notes=(), media=audio)
    path = write_session(folder, empty)
    out = tmp_path / "nwb"
    code, _, err = run(["export", str(path), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 0, err
    rows, info = _nwb_rows(out / "S1.nwb")
    assert rows == [] and len(info["ethogram"]) == len(BOOK.codes)
    assert pynwb.validate(path=str(out / "S1.nwb")) == []
    with pynwb.NWBHDF5IO(str(out / "S1.nwb"), "r") as io_:
        video = io_.read().acquisition["video"]
        assert list(video.external_file[:]) == ["room.wav"]
        assert list(video.timestamps[:]) == [-0.25]


async def test_hostile_text_is_kept_as_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hostile set's text (markup, control characters, line breaks) is written and read
    back as it is; a started_at that is not a date is refused (NWB needs one), nothing written."""
    from support.hostile import hostile

    from observer.sessionfile import load_session

    a, _, c = hostile().files(tmp_path / "s")
    out = tmp_path / "nwb"
    code, _, err = run(["export", str(a), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 2 and "started_at: is not a date and time" in err
    assert "Traceback" not in err and not any(out.glob("*.nwb"))
    folder = tmp_path / "fixed"
    folder.mkdir()
    paths = []
    for path in (a, c):
        session = attrs.evolve(load_session(path), started_at="2026-01-01T10:00:00+00:00")
        paths.append(write_session(folder, session))
    code, _, err = run(["export", *map(str, paths), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 0, err
    for path in paths:
        session = load_session(path)
        rows, info = _nwb_rows(out / f"{session.id}.nwb")
        assert len(rows) == len(session.events)
        assert {r[2] for r in rows} <= {session.observer}
        assert list(info["ethogram"]["label"]) == [c.label for c in session.book.codes]
        assert info.get("notes", []) == [n.text for n in session.notes]


async def test_a_later_refusal_takes_back_the_files_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _sessions(tmp_path)
    late = attrs.evolve(make_session(BOOK, 5, seed=1, session_id="S3"), started_at="soon")
    paths.append(write_session(tmp_path / "sessions", late))
    out = tmp_path / "new" / "nwb"
    code, _, err = run(["export", *map(str, paths), "--format", "nwb", "-o", str(out)], capsys)
    assert code == 2
    assert (
        err.strip()
        == "S3: started_at: is not a date and time; NWB needs one for session_start_time"
    )
    assert not (tmp_path / "new").exists()
