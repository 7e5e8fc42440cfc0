"""End to end in a real terminal (tmux), the clinic's weekly coding with ``dpics-style``:

- a 5-minute child-led-play segment with keys at known moments, a pause and an undo:
  the tallies on the screen after chosen keys, the segment stopping itself at exactly
  300.000 s of session time after its start (the pause excluded), keys after it counted
  in no segment, the end summary's criteria table and the session file's ``criteria``
  equal to a hand table;
- response windows in parent-led play: a command answered inside its 5 s is linked to
  it; one followed by parent talk, and one left 5 s without an answer, are offered
  *no opportunity*, which ``enter`` adds at the instant the window closed.

The first waits out the segment's 5 minutes of real time. Skips without tmux."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from support.tmuxdriver import Tmux, observer_code_argv

from observer.live.journal import read_journal
from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

SEGMENT_S = 300.0

HAND = [  # the keys below inside child-led play, counted by hand
    {
        "id": "cdi-labeled-praise",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 5.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-reflections",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 3.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-behavior-descriptions",
        "segment": "child-led-play",
        "met": False,
        "rules": [{"value": 3.0, "target": "10 or more", "met": False}],
    },
    {
        "id": "cdi-avoid",
        "segment": "child-led-play",
        "met": True,
        "rules": [{"value": 2.0, "target": "3 or fewer", "met": True}],
    },
]


SUMMARY = (  # the same, as the end summary's criteria table shows it
    r"Labeled praises\s+Child-led play\s+5\s+10 or more\s+✗ not met",
    r"Reflections\s+Child-led play\s+3\s+10 or more\s+✗ not met",
    r"Behaviour descriptions\s+Child-led play\s+3\s+10 or more\s+✗ not met",
    r"Questions, commands and( criticisms)?\s+Child-led play\s+2\s+3 or fewer\s+✓ met",
)  # a long label may wrap in its column


def journal_actions(folder: Path) -> list[dict[str, Any]]:
    [journal] = folder.glob("*.journal.jsonl")
    return list(read_journal(journal).actions)


def keys(term: Tmux, text: str, last: str) -> None:
    """Type ``text`` a key at a time, a tenth of a second apart, then wait for ``last``
    (the acknowledgement of the last key) on the screen."""
    for char in text:
        term.send_literal(char)
        time.sleep(0.1)
    term.wait_for(last)


def session_file(folder: Path) -> Path:
    [path] = folder.glob("*.json")
    return path


def end(term: Tmux, *rows: str) -> None:
    """End the session; on its summary wait for each of ``rows`` (regular expressions),
    then close it."""
    term.send_keys("C-e")
    term.wait_for("End the session")
    term.send_keys("Enter")
    term.wait_for("Session saved")
    for row in rows:
        term.wait_for(row, regex=True)
    term.send_keys("Enter")
    term.wait_dead()
    assert term.exit_status() == 0


@pytest.mark.minutes
def test_five_minutes_of_child_led_play_stop_themselves(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    with Tmux(width=100, height=32) as term:
        term.start(observer_code_argv(folder, codebook="dpics-style", dyad="D012", observer="th1"))
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        keys(term, "l", "Labeled praise")  # before the segment: counts in none
        term.send_keys("F2")
        term.wait_for("segment: Child-led play")
        term.wait_for(r"Child-led play 0[45]:\d\d left", regex=True)
        keys(term, "lll", "Labeled praise")
        term.wait_for(r"Labeled praises\s+3/≥10", regex=True)
        keys(term, "rrrr", "Reflection")
        term.wait_for(r"Reflections\s+4/≥10", regex=True)
        term.send_keys("Space")  # a pause: no session time passes
        term.wait_for("PAUSED")
        time.sleep(3)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("C-z")  # the fourth reflection undone
        term.wait_for("undone: Reflection")
        term.wait_for(r"Reflections\s+3/≥10", regex=True)
        keys(term, "ddd", "Behaviour description")
        keys(term, "ll", "Labeled praise")
        keys(term, "q", "Question")
        keys(term, "cy", "Complies")  # a command answered in time
        term.wait_for(r"Labeled praises\s+5/≥10", regex=True)
        term.wait_for(r"✓ Questions, comma\S*\s+2/≤3", regex=True)
        actions = journal_actions(folder)
        start = next(a["t"] for a in actions if a["a"] == "segment")
        clock = next(a["mono"] for a in actions if a["a"] == "clock")
        term.wait_for("Child-led play ended at its planned length", timeout=SEGMENT_S + 60)
        deadline = time.monotonic() + 15
        while not (stops := [a for a in journal_actions(folder) if a["a"] == "segment-end"]):
            assert time.monotonic() < deadline, "the stop never reached the journal"
            time.sleep(0.05)
        keys(term, "ll", "Labeled praise")  # after the stop: counted in no segment
        end(term, *SUMMARY)  # the summary's criteria table

    assert len(stops) == 1
    assert stops[0]["t"] == pytest.approx(start + SEGMENT_S, abs=1e-6)
    assert stops[0]["mono"] - clock >= start + SEGMENT_S  # shown at or after its instant
    session = load_session(session_file(folder))
    (span,) = session.segments
    assert span.end is not None
    assert (span.segment, round(span.end - span.start, 6)) == ("child-led-play", SEGMENT_S)
    assert len(session.pauses) == 1 and session.pauses[0].wall_s >= 2.5
    assert [c["id"] for c in HAND] == [c.id for c in session.criteria]
    stored = json.loads(session_file(folder).read_bytes())["criteria"]
    assert stored == HAND
    inside = [e for e in session.events if span.start <= e.start < span.end]
    assert sum(e.code == "pa-labeled-praise" for e in session.events) == 8  # 1 + 5 + 2
    assert sum(e.code == "pa-labeled-praise" for e in inside) == 5


def test_response_windows_in_parent_led_play(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    with Tmux(width=100, height=32) as term:
        term.start(observer_code_argv(folder, codebook="dpics-style", dyad="D012", observer="th1"))
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("F2")
        term.wait_for("segment: Child-led play")
        term.send_keys("F2")
        term.wait_for("segment: Parent-led play")
        keys(term, "c", "Direct command")
        term.wait_for(r"Direct command \d\.\d s · y Complies · x Does not comply", regex=True)
        keys(term, "y", "Complies")  # inside the window: linked
        keys(term, "c", "Direct command")
        keys(term, "t", "Neutral talk")  # parent talk first: broken
        term.wait_for("broken: Direct command at")
        term.send_keys("Enter")
        term.wait_for("No opportunity to comply (for Direct command at")
        keys(term, "c", "Direct command")
        term.wait_for("no response: Direct command at", timeout=20)  # 5 s with nothing
        term.send_keys("Enter")
        term.wait_for("No opportunity to comply (for Direct command at")
        end(term)

    session = load_session(session_file(folder))
    events = session.events
    links = [(e.code, events[e.responds_to].code) for e in events if e.responds_to is not None]
    assert links == [
        ("ch-complies", "pa-direct-command"),
        ("ch-no-opportunity", "pa-direct-command"),
        ("ch-no-opportunity", "pa-direct-command"),
    ]
    commands = [e for e in events if e.code == "pa-direct-command"]
    talk = next(e for e in events if e.code == "pa-neutral-talk")
    broken, expired = [e for e in events if e.code == "ch-no-opportunity"]
    assert broken.start == talk.start  # at the instant the window was broken
    assert expired.start == pytest.approx(commands[2].start + 5.0, abs=1e-6)
    complies = next(e for e in events if e.code == "ch-complies")
    assert 0 <= complies.start - commands[0].start <= 5.0
