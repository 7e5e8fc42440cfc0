"""The recorder's sync marks (live coding) and media-timed actions (``vt``): both come
back identically from the journal."""

from __future__ import annotations

from typing import Any

from support.live import META, recorder
from support.minibook import book

from observer.live.recorder import Recorder


def test_sync_mark_is_a_note_of_kind_sync_and_replays() -> None:
    lines: list[dict[str, Any]] = []
    rec = recorder(lines.append)
    assert not rec.sync_mark(99.0).ok  # before the clock starts
    rec.toggle_clock(100.0)
    out = rec.sync_mark(102.5)
    assert out.ok and out.t == 2.5
    rec.end(110.0)
    [note] = rec.session().notes
    assert (note.t, note.kind) == (2.5, "sync")
    again = Recorder.replay(book(), META, lines)
    assert again.session().notes == rec.session().notes


def test_media_times_are_journaled_and_replayed() -> None:
    lines: list[dict[str, Any]] = []
    rec = recorder(lines.append)
    positions = {100.0: 5.0, 101.0: 7.0, 102.0: 3.0, 103.0: 9.5}
    rec.position = positions.__getitem__
    key = next(c.key for c in book().codes if c.kind == "point")
    rec.toggle_clock(100.0)
    assert rec.key(key, 101.0).t == 7.0
    assert rec.key(key, 102.0).t == 3.0  # the playhead went back: nothing deleted
    rec.end(103.0)
    session = rec.session()
    assert [e.start for e in session.events] == [3.0, 7.0]  # sorted
    assert session.duration == 9.5 and session.pauses == ()
    assert all("vt" in line for line in lines if "mono" in line)
    assert Recorder.replay(book(), META, lines).session().events == session.events
