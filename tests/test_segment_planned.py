"""Segments that end themselves (``"ends": "planned"``): the open one stops on the
session clock at exactly its planned length (pauses excluded), whatever the screen's
timer did; the stop is a journaled action that replay and recovery rebuild; a segment
started or a session ended past that instant closes it at the instant. The screen
counts the time left down and says when it stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support import minibook
from support.codebook import problems_of
from support.pilot import Coding, ended

from observer.live.keylog import LoggedKey, replay_keys
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp

M0 = 100.0  # monotonic time of the first space


def planned_book(planned_s: float = 10.0) -> Any:
    doc = minibook.document(
        segments=[
            {"id": "free-play", "label": "Free play", "planned_s": planned_s, "ends": "planned"},
            {"id": "clean-up", "label": "Clean-up"},
        ]
    )
    return minibook.book(doc)


def recorder(lines: list[dict[str, Any]] | None = None) -> Recorder:
    sink = None if lines is None else lines.append
    return Recorder(planned_book(), SessionMeta("D001-s1", "D001", "obs1"), sink=sink)


def spans(rec: Recorder) -> list[tuple[str, float, float | None]]:
    return [(s.segment, s.start, s.end) for s in rec.segments]


def test_the_segment_stops_at_its_length_on_the_session_clock_pauses_excluded() -> None:
    lines: list[dict[str, Any]] = []
    rec = recorder(lines)
    rec.toggle_clock(M0)
    rec.segment("free-play", M0 + 1.0)  # t = 1: due at 11 s of session time
    rec.toggle_clock(M0 + 5.0)  # paused at t = 5 for 3 s
    rec.toggle_clock(M0 + 8.0)
    assert rec.segment_due() == 11.0
    early = rec.end_segment(M0 + 13.9)  # t = 10.9
    assert not early.ok and "not yet" in early.message
    rec.key("p", M0 + 13.95)  # inside the segment, before the stop
    late = rec.end_segment(M0 + 14.25)  # the timer fired 250 ms late: stamped 11.0 all the same
    assert late.ok and late.t == 11.0 and "planned length" in late.message
    assert spans(rec) == [("free-play", 1.0, 11.0)]
    assert rec.segment_due() is None
    assert not rec.end_segment(M0 + 15.0).ok  # nothing left to stop
    assert lines[-1]["a"] == "segment-end" and lines[-1]["t"] == 11.0
    replayed = Recorder.replay(rec.book, rec.meta, lines)  # what recovery does with the journal
    assert spans(replayed) == spans(rec)


def test_undo_does_not_reopen_a_stopped_segment_but_still_removes_its_start() -> None:
    rec = recorder()
    rec.toggle_clock(M0)
    rec.segment("free-play", M0 + 1.0)
    rec.key("p", M0 + 2.0)
    assert rec.end_segment(M0 + 11.0).ok
    rec.key("p", M0 + 12.0)
    rec.undo(M0 + 12.5)  # the praise after the stop
    assert spans(rec) == [("free-play", 1.0, 11.0)]
    rec.undo(M0 + 13.0)  # the praise inside it
    rec.undo(M0 + 13.5)  # the segment's start: it is gone, not reopened
    assert spans(rec) == []
    rec.redo(M0 + 14.0)
    assert spans(rec) == [("free-play", 1.0, 11.0)]


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("segment", [("free-play", 1.0, 11.0), ("clean-up", 16.0, None)]),
        ("end", [("free-play", 1.0, 11.0)]),
    ],
)
def test_a_segment_or_an_end_past_the_instant_closes_it_at_the_instant(
    action: str, expected: list[tuple[str, float, float | None]]
) -> None:
    rec = recorder()
    rec.toggle_clock(M0)
    rec.segment("free-play", M0 + 1.0)
    if action == "segment":
        rec.segment("clean-up", M0 + 16.0)  # the timer never fired (a frozen screen)
    else:
        rec.end(M0 + 16.0)
    assert spans(rec) == expected


def test_an_end_before_the_instant_ends_it_then() -> None:
    rec = recorder()
    rec.toggle_clock(M0)
    rec.segment("free-play", M0 + 1.0)
    rec.end(M0 + 8.0)
    assert spans(rec) == [("free-play", 1.0, 8.0)]


def test_keys_replayed_from_the_key_log_stop_it_at_its_instant() -> None:
    rec = recorder()
    rec.toggle_clock(M0)
    rec.segment("free-play", M0 + 1.0)
    keys = [LoggedKey(n, M0 + at, "p", "p") for n, at in ((1, 5.0), (2, 12.0), (3, 13.0))]
    replay_keys(rec, keys)
    assert spans(rec) == [("free-play", 1.0, 11.0)]
    assert [e.start for e in rec.events] == [5.0, 12.0, 13.0]


def test_ends_planned_needs_a_planned_length() -> None:
    doc = minibook.document(segments=[{"id": "free-play", "label": "Free play", "ends": "planned"}])
    assert problems_of(doc) == [
        "segments[0].ends: 'planned' needs planned_s (the length it stops at)"
    ]
    doc["segments"][0]["ends"] = "sometimes"
    (problem,) = problems_of(doc)
    assert problem.startswith("segments[0].ends: ")


def test_a_manual_segment_leaves_the_codebook_hash_as_it_was() -> None:
    plain = minibook.book()
    doc = minibook.document()
    doc["segments"][0]["ends"] = "manual"
    assert minibook.book(doc).sha256 == plain.sha256
    assert "ends" not in plain.document["segments"][0]


async def test_the_screen_counts_down_and_stops_it(tmp_path: Path, coding: Coding) -> None:
    now = [M0]
    app = CodingApp(tmp_path, book=planned_book(), dyad="D001", observer="obs1", now=lambda: now[0])
    async with coding(app) as c:
        screen = c.screen
        screen.press("space", M0, " ")
        screen.press("f2", M0 + 1.0)
        now[0] = M0 + 4.0
        screen.tick()
        assert "00:07 left" in screen.status_text(200).plain
        now[0] = M0 + 11.2  # the next tick is past the instant
        await c.until(lambda: screen.recorder.segment_due() is None, "the planned stop")
        assert spans(screen.recorder) == [("free-play", 1.0, 11.0)]
        prompt = str(screen.query_one("#prompt").render())
        assert "Free play ended at its planned length" in prompt
        assert "left" not in screen.status_text(200).plain
        await ended(c.pilot, M0 + 12.0)
    (path,) = [p for p in tmp_path.rglob("*.json") if "journal" not in p.name]
    session = load_session(path)
    assert [(s.segment, s.start, s.end) for s in session.segments] == [("free-play", 1.0, 11.0)]
