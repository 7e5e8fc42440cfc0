"""Every number is bounded when it is read: a huge one is refused with its path (exit 2),
never left to crash a later computation; one bad journal never blocks the others."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from support.clirun import run
from support.codebook import problems_of, tiny
from support.live import META
from support.minibook import book
from support.replay import small_file

from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import load_session


def journal(folder: Path, meta: SessionMeta) -> Path:
    writer = JournalWriter.create(folder, make_header(meta.id, book(), "D012", "obs1"))
    rec = Recorder(book(), meta, writer.append)
    rec.toggle_clock(700.0)
    rec.key("p", 701.0)
    rec.key("c", 702.0)
    assert writer.close()
    return writer.path


@pytest.mark.parametrize("huge", [1e308, 10**30], ids=["1e308", "30-digit"])
def test_a_journal_with_a_huge_time_is_refused_and_the_next_one_still_recovered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], huge: Any
) -> None:
    bad = journal(tmp_path, attrs_meta("20260101T000000Z-A-o"))
    good = journal(tmp_path, attrs_meta("20260102T000000Z-B-o"))
    lines = bad.read_bytes().splitlines()
    action = orjson.loads(lines[2])
    action["mono"] = huge
    lines[2] = json.dumps(action).encode()  # orjson cannot write a 30-digit integer
    bad.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 2, (out, err)
    assert f"{bad}: line 3: 'mono' is out of range" in err
    assert "Traceback" not in err
    assert bad.exists()  # the bad journal stays put
    assert len(load_session(tmp_path / "20260102T000000Z-B-o.json").events) == 2
    assert not good.exists()


def attrs_meta(session_id: str) -> SessionMeta:
    return SessionMeta(session_id, META.dyad, META.observer, "")


def test_a_planned_segment_beyond_a_week_is_refused_by_codebook_check() -> None:
    raw = tiny()
    raw["segments"] = [{"id": "s", "label": "S", "planned_s": 1e308}]
    assert problems_of(raw) == ["segments[0].planned_s: must be at most 604800 s (one week)"]


@pytest.mark.parametrize(
    "argv",
    [["stats"], ["export", "--format", "csv"], ["sessions"]],
    ids=["stats", "export", "sessions"],
)
def test_a_session_lasting_1e308_seconds_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = small_file(tmp_path)
    raw = orjson.loads(path.read_bytes())
    raw["duration"] = 1e308
    path.write_bytes(orjson.dumps(raw))
    if argv == ["sessions"]:
        code, out, err = run(["sessions", "--session-dir", str(tmp_path)], capsys)
        assert code == 0 and "duration: must be at most 604800 s" in out + err
        return
    code, out, err = run([*argv, str(path)], capsys)
    assert code == 2, (out, err)
    assert f"{path}: duration: must be at most 604800 s (one week)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["agree", "replay"])
def test_a_tolerance_of_1e308_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    a = small_file(tmp_path)
    b = small_file(tmp_path, "S1-D001-obs2")
    argv = (
        [command, str(a), str(b)] if command == "agree" else [command, str(a), "--compare", str(b)]
    )
    code, _, err = run([*argv, "--tolerance", "1e308"], capsys)
    assert code == 2 and "from 0 to 604800" in err and "Traceback" not in err
