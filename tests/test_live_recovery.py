"""Recovery from a journal, the normal finish, and session ids."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.live import META
from support.minibook import book

from observer.errors import InputError
from observer.live.ids import base_session_id, new_session_id, sanitize
from observer.live.journal import JournalWriter, journal_in_use, make_header
from observer.live.recorder import CLOSED_AT_RECOVERY, Recorder
from observer.live.recovery import find_journals, finish, recover
from observer.sessionfile import SESSION_ID_PATTERN, load_session

T0 = 700.0


def live(folder: Path) -> tuple[Recorder, JournalWriter]:
    writer = JournalWriter.create(folder, make_header(META.id, book(), "D012", "obs1", "test"))
    return Recorder(book(), META, writer.append), writer


def code_a_session(rec: Recorder) -> None:
    rec.toggle_clock(T0)
    rec.segment("free-play", T0 + 0.5)
    for i, k in enumerate("a2cpt3hvnpc"):
        rec.key(k, T0 + 1 + 0.731 * i)
    rec.undo(T0 + 9)
    rec.undo(T0 + 9)
    rec.redo(T0 + 9.5)
    rec.toggle_clock(T0 + 10)
    rec.toggle_clock(T0 + 20)
    rec.key("p", T0 + 21)
    rec.note("the child hides", 11.2)
    rec.key("c", T0 + 22.25)  # the last timed action: session time 12.25


def test_recovery_reproduces_exactly_the_live_events(tmp_path: Path) -> None:
    rec, writer = live(tmp_path)
    code_a_session(rec)
    assert writer.close()  # the app dies here: no end, no session file
    running = set(rec.running)
    assert running  # states were still running at the crash
    result = recover(writer.path)
    assert result.outcome == "recovered" and result.torn is None
    assert result.session_path == tmp_path / f"{META.id}.json"
    assert result.set_aside == tmp_path / f"{META.id}.journal.jsonl.recovered"
    assert not writer.path.exists() and result.set_aside.exists()
    session = load_session(result.session_path)  # validates against the session format's rules
    assert session.status == "recovered"
    assert stat.S_IMODE(os.stat(result.session_path).st_mode) == 0o600
    assert session.duration == pytest.approx(12.25)
    live_rows = sorted(
        (e.code, round(e.start, 6), None if e.end is None else round(e.end, 6), e.modifiers)
        for e in rec.events
    )
    got = sorted(
        (e.code, e.start, e.end if CLOSED_AT_RECOVERY not in e.flags else None, e.modifiers)
        for e in session.events
    )
    assert got == live_rows
    closed = [e for e in session.events if CLOSED_AT_RECOVERY in e.flags]
    assert {e.code for e in closed} == running and result.closed == len(closed)
    assert all(e.end == pytest.approx(12.25) for e in closed)
    assert [n.text for n in session.notes] == ["the child hides"]
    assert [(p.at, p.wall_s) for p in session.pauses] == [(10.0, 10.0)]
    assert session.segments[0].end == pytest.approx(12.25)


def test_recovery_ignores_and_reports_a_torn_last_line(tmp_path: Path) -> None:
    rec, writer = live(tmp_path)
    rec.toggle_clock(T0)
    rec.key("p", T0 + 1)
    writer.close()
    with open(writer.path, "ab") as out:
        out.write(b'{"seq": 3, "a": "key", "key": "p", "mo')
    result = recover(writer.path)
    assert result.torn == 4 and result.events == 1


def test_a_corrupt_journal_is_reported_and_left_in_place(tmp_path: Path) -> None:
    rec, writer = live(tmp_path)
    rec.toggle_clock(T0)
    rec.key("p", T0 + 1)
    rec.key("p", T0 + 2)
    writer.close()
    lines = writer.path.read_bytes().split(b"\n")
    lines[2] = b'{"seq": 7, "a": "key", "key": "p", "mono": 701.0}'  # a gap in seq
    writer.path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as caught:
        recover(writer.path)
    assert str(caught.value.problems[0]).endswith("line 3: seq 7 where 2 was expected")
    assert writer.path.exists() and not (tmp_path / f"{META.id}.json").exists()


def test_an_existing_session_file_is_never_overwritten(tmp_path: Path) -> None:
    rec, writer = live(tmp_path)
    rec.toggle_clock(T0)
    rec.key("p", T0 + 1)
    rec.end(T0 + 2)
    writer.close()
    saved = tmp_path / f"{META.id}.json"
    from observer.sessionfile import write_session

    write_session(tmp_path, rec.session())
    before = saved.read_bytes()
    result = recover(writer.path)  # the crash came after the file, before the cleanup
    assert result.outcome == "already-saved" and saved.read_bytes() == before
    assert find_journals(tmp_path) == []


def test_a_journal_whose_clock_never_started_is_set_aside_as_empty(tmp_path: Path) -> None:
    _, writer = live(tmp_path)
    writer.close()
    result = recover(writer.path)
    assert result.outcome == "empty" and result.session_path is None
    assert result.set_aside.name.endswith(".journal.jsonl.empty")
    assert list(tmp_path.glob("*.json")) == []


def test_finish_writes_the_session_then_removes_the_journal(tmp_path: Path) -> None:
    rec, writer = live(tmp_path)
    code_a_session(rec)
    rec.end(T0 + 30)
    rec.rate("cg-sensitivity", 3)
    assert find_journals(tmp_path, in_use=True) == [writer.path]
    path = finish(tmp_path, rec, writer)
    session = load_session(path)
    assert session.status == "complete" and session.ratings["cg-sensitivity"] == 3
    assert not any(CLOSED_AT_RECOVERY in e.flags for e in session.events)
    assert all(e.end is not None for e in session.events if e.code in ("ch-cry", "ch-avoid"))
    assert find_journals(tmp_path) == [] and list(tmp_path.iterdir()) == [path]


def test_sanitize_never_lets_a_path_through() -> None:
    assert sanitize("../../etc/passwd", "x") == "etc-passwd"
    assert sanitize("a..b", "x") == "a.b"
    assert sanitize("Ünïcode dyad #3", "x") == "n-code-dyad-3"
    assert sanitize("///", "fallback") == "fallback"
    assert sanitize("", "dyad") == "dyad"
    assert len(sanitize("d" * 500, "x")) == 40
    when = datetime(2026, 11, 22, 10, 15, 3, tzinfo=UTC)
    session_id = base_session_id("../D012", "obs 1/..", when)
    assert session_id == "20261122T101503Z-D012-obs-1"
    assert SESSION_ID_PATTERN.fullmatch(session_id) and "/" not in session_id


def test_new_session_ids_are_unique_in_the_folder(tmp_path: Path) -> None:
    when = datetime(2026, 11, 22, 10, 15, 3, tzinfo=UTC)
    first = new_session_id("D1", "o", tmp_path, when)
    (tmp_path / f"{first}.journal.jsonl").write_text("")
    second = new_session_id("D1", "o", tmp_path, when)
    (tmp_path / f"{second}.json").write_text("")
    third = new_session_id("D1", "o", tmp_path, when)
    assert (first, second, third) == (
        "20261122T101503Z-D1-o",
        "20261122T101503Z-D1-o-2",
        "20261122T101503Z-D1-o-3",
    )


def test_a_running_sessions_journal_is_never_recovered(tmp_path: Path) -> None:
    """The journal of a session still being coded (here, by this process) is locked:
    recovery leaves it alone; once the writer is gone it is fair game."""
    rec, writer = live(tmp_path)
    rec.toggle_clock(T0)
    rec.key("p", T0 + 1)
    assert journal_in_use(writer.path)
    assert find_journals(tmp_path) == [] and find_journals(tmp_path, in_use=True) == [writer.path]
    with pytest.raises(InputError, match="in use by a running"):
        recover(writer.path)
    assert writer.path.exists()
    writer.close()
    assert not journal_in_use(writer.path)
    assert find_journals(tmp_path) == [writer.path]
