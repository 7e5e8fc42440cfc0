"""Pilot tests of ``observer code``'s whole flow: form, coding, end, file.

Key times: keys pressed through Pilot carry real ``event.time`` values; where a
test needs exact session times it calls ``CodingScreen.press(key, mono)`` with
chosen monotonic times (the same path ``on_key`` takes with ``event.time``).
The display clock is injected (``now``), never textual's own clock.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import attrs
import orjson
import pytest
from rich.console import Console
from rich.text import Text
from support.pilot import Coding, acknowledged, attached, until
from textual import events
from textual.app import App
from textual.widgets import Input, OptionList, Static

from observer.codebook import load_codebook
from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import recover
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.feedback import LogRow
from observer.tui.coding.form import MetadataForm
from observer.tui.coding.help import HelpScreen, help_table
from observer.tui.coding.keys import key_names
from observer.tui.coding.recover import RecoverOffer
from observer.tui.coding.screen import CodingScreen, Saved
from observer.tui.widgets.event_log import EventLog

BOOK = load_codebook("cpp-attachment")
T0 = 1000.0  # a monotonic time for the first space in tests that choose key times


def app_for(folder: Path, **kwargs: object) -> CodingApp:
    kwargs.setdefault("book", BOOK)
    kwargs.setdefault("dyad", "D012")
    kwargs.setdefault("observer", "obs1")
    return CodingApp(folder, now=lambda: T0 + 5.0, **kwargs)  # type: ignore[arg-type]


def palette_offers(app: CodingApp, text: str) -> bool:
    """Whether the open command palette lists a command containing ``text`` first."""
    lists = app.screen.query(OptionList)
    if not lists or lists.first().option_count == 0:
        return False
    return text in str(lists.first().get_option_at_index(0).prompt)


def text_of(app: CodingApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def log_lines(screen: CodingScreen) -> list[str]:
    log = screen.query_one(EventLog)
    return [log._render_row(row).plain for row in log.rows]


def session_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json"))


async def test_whole_flow_form_to_file(tmp_path: Path) -> None:
    app = CodingApp(tmp_path, now=lambda: T0, config=tmp_path / "cfg" / "c.json")
    async with app.run_test(size=(100, 40)) as pilot:
        assert isinstance(app.screen, MetadataForm)
        assert app.focused is app.screen.query_one("#dyad", Input)  # the first empty field
        await pilot.click("#start")  # nothing filled in: refused in the form
        assert "dyad id is needed" in text_of(app, "#form-errors")
        await pilot.click("#dyad")
        await pilot.press(*"D012", "tab", *"obs 1", "tab", *"visit 2")
        await pilot.press("ctrl+s")
        screen = await attached(pilot)
        assert "WAITING" in text_of(app, "#status")
        # Key times are chosen: space at T0, then codes at known offsets.
        screen.press("space", T0, " ")
        screen.press("s", T0 + 1.0, "s")  # caregiver shares the play (state)
        screen.press("w", T0 + 2.0, "w")  # warm touch, then its intensity
        assert "Intensity" in text_of(app, "#prompt")
        screen.press("3", T0 + 2.4, "3")
        screen.press("k", T0 + 3.0, "k")  # child's own play (state)
        screen.press("j", T0 + 4.5, "j")  # approach: stops own play (exclusive group)
        screen.press("e", T0 + 5.0, "e")  # praise, then undo it and redo it
        screen.press("ctrl+z", T0 + 5.5)
        assert "undone" in log_lines(screen)[-1] or "(undone)" in " ".join(log_lines(screen))
        screen.press("ctrl+y", T0 + 5.6)
        screen.press("f2", T0 + 6.0)  # first segment
        screen.press("ctrl+g", T0 + 7.0)
        screen.press("2", T0 + 7.2, "2")  # chosen segment: free play, stamped at ctrl+g
        screen.press("space", T0 + 8.0, " ")  # pause for 10 s
        assert "PAUSED" in text_of(app, "#status")
        screen.press("o", T0 + 12.0, "o")  # refused while paused
        screen.press("space", T0 + 18.0, " ")
        screen.press("ctrl+n", T0 + 19.0)  # a note, stamped at the press
        await pilot.pause()
        assert app.focused is screen.query_one("#note", Input)
        await pilot.press(*"cries")
        await pilot.press("enter")
        assert screen.query_one(EventLog).has_focus
        screen.press("ctrl+e", T0 + 21.0)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmEnd)
        await pilot.press("x")  # neither enter nor escape: nothing happens
        assert isinstance(app.screen, ConfirmEnd)
        await pilot.press("enter")
        assert isinstance(app.screen, RatingsForm)
        await pilot.press("5", "tab", "9")  # 9 is off the 1-7 scale
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, RatingsForm)
        assert "not on the scale" in text_of(app, "#ratings-errors")
        await pilot.press("backspace", "6", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, Summary)
        assert "5 events · 1 note · 1 pause" in text_of(app, "#summary-title")
        await pilot.press("enter")
    [path] = session_files(tmp_path)
    assert not list(tmp_path.glob("*.journal.jsonl"))  # the journal is gone once saved
    assert path.stat().st_mode & 0o777 == 0o600
    session = load_session(path)
    assert (session.dyad, session.observer, session.label) == ("D012", "obs 1", "visit 2")
    assert session.id.endswith("-D012-obs-1")
    assert session.stamper == "driver"  # headless: Textual's own driver stamped the keys
    coded = [(e.code, e.start, e.end, e.modifiers) for e in session.events]
    assert coded == [
        ("cg-shares-play", 1.0, 11.0, {}),
        ("cg-warm-touch", 2.0, None, {"intensity": "high"}),
        ("ch-own-play", 3.0, 4.5, {}),
        ("ch-approach", 4.5, 11.0, {}),
        ("cg-encourages", 5.0, None, {}),
    ]
    assert session.duration == pytest.approx(11.0)
    assert [(p.at, p.wall_s) for p in session.pauses] == [(8.0, 10.0)]
    assert [(s.segment, s.start, s.end) for s in session.segments] == [
        ("warm-up", 6.0, 7.0),
        ("free-play", 7.0, 11.0),
    ]
    assert [(n.t, n.text) for n in session.notes] == [(9.0, "cries")]
    assert session.ratings["cg-sensitivity"] == 5
    assert session.ratings["cg-positive-regard"] == 6
    assert session.ratings["ch-disorganization"] is None  # blank saved as null


async def test_refused_keys_are_shown_without_disrupting(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, screen):
        focused = app.focused
        await pilot.press("s")  # before the clock starts
        assert "refused" in text_of(app, "#prompt")
        assert "space" in text_of(app, "#prompt")
        assert screen.query_one("#prompt").has_class("-refused")
        assert app.screen is screen and app.focused is focused  # no modal, no focus steal
        await pilot.press("space", "9")  # not a key of the codebook
        assert "'9' is not a key" in text_of(app, "#prompt")
        await pilot.press("left_shift")  # a bare modifier key (kitty protocol): ignored
        assert "'9' is not a key" in text_of(app, "#prompt")
        await pilot.press("w")
        assert "✓ Warm touch" in text_of(app, "#prompt") or "Intensity" in text_of(app, "#prompt")
        assert len(screen.recorder.events) == 1
        lines = log_lines(screen)
        assert any("has not started" in line for line in lines)
        assert any("not a key" in line for line in lines)


async def test_saved_count_and_a_failing_disk_are_shown(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, screen):
        await pilot.press("space", "s", "o")
        await acknowledged(pilot, 3)
        screen.tick()
        assert "saved 3" in text_of(app, "#status")
        app.saved.error = "cannot write the journal: the disk is full"  # as on_status reports
        screen.tick()
        status = text_of(app, "#status")  # the other parts gave way: the count is before it
        assert "saved 3  NOT SAVED: cannot write the journal: the disk is full" in status
        assert "retrying" in status


async def test_held_state_key_repeat_is_refused(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, _pilot, screen):
        screen.press("space", T0, " ")
        screen.press("k", T0 + 1.0, "k")
        screen.press("k", T0 + 1.03, "k")  # auto-repeat of a held key
        screen.press("k", T0 + 1.06, "k")
        assert "held key" in text_of(app, "#prompt")
        assert screen.recorder.events[0].end is None  # still running
        screen.press("k", T0 + 2.0, "k")  # a deliberate second press stops it
        assert screen.recorder.events[0].end == pytest.approx(2.0)
        screen.press("k", T0 + 2.5, "k")  # restarted
        screen.press("o", T0 + 2.55, "o")
        screen.press("k", T0 + 2.6, "k")  # another key came between: not a repeat
        assert screen.recorder.events[-1].code == "ch-bids"
        assert screen.recorder.events[-2].end == pytest.approx(2.6)
        screen.press("ctrl+g", T0 + 2.7)  # a segment choice, then a code key instead
        screen.press("o", T0 + 2.8, "o")
        assert screen.recorder.counts["ch-bids"] == 2  # the code still counts
        assert screen.recorder.segments == []
        for i in range(5):  # point keys are never filtered
            screen.press("o", T0 + 3.0 + i * 0.01, "o")
        assert screen.recorder.counts["ch-bids"] == 7


async def test_a_held_state_keys_first_repeat_stops_it_and_the_prompt_says_so(
    tmp_path: Path, coding: Coding
) -> None:
    """A held key repeats after ~0.5 s, then every 33 ms: the first repeat comes too late
    to be told from a second press and stops the state; the repeats after it are
    refused. The prompt said only "held key repeat ignored", so the observer did not
    learn that the state had stopped."""
    async with coding(app_for(tmp_path)) as (app, _pilot, screen):
        screen.press("space", T0, " ")
        screen.press("k", T0 + 1.0, "k")  # starts Keeps to own play
        screen.press("k", T0 + 1.5, "k")  # the first repeat: a press, stops it
        for n in range(1, 6):
            screen.press("k", T0 + 1.5 + n * 0.033, "k")
        assert screen.recorder.events[0].end == pytest.approx(1.5)
        prompt = text_of(app, "#prompt")
        assert "Keeps to own play stopped at 00:01.5" in prompt
        assert "held key repeat ignored" in prompt
        log = log_lines(screen)
        assert "Keeps to own play stopped at 00:01.5" in log[-1]
        screen.press("k", T0 + 3.0, "k")  # held, still running: the prompt says so
        screen.press("k", T0 + 3.03, "k")
        assert "Keeps to own play: held key repeat ignored" in text_of(app, "#prompt")
        assert "stopped" not in text_of(app, "#prompt")


async def test_keys_before_the_journal_opens_are_kept_with_their_times(tmp_path: Path) -> None:
    """The first frame comes before the journal: early keys wait, then count as pressed."""
    saved = Saved()
    screen = CodingScreen(BOOK, "D1", "o1", lambda: T0, saved)
    app = App[None]()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(screen)
        assert not screen.attached
        screen.press("space", T0, " ")
        screen.press("w", T0 + 0.2, "w")
        screen.press("2", T0 + 0.3, "2")
        assert "WAITING" in str(screen.query_one("#status", Static).render())
        recorder = Recorder(BOOK, SessionMeta("x", "D1", "o1"))
        screen.attach(recorder)
        await pilot.pause()
        [event] = recorder.events
        assert (event.code, event.modifiers) == ("cg-warm-touch", {"intensity": "moderate"})
        assert event.start == pytest.approx(0.2)
        assert "RUNNING" in str(screen.query_one("#status", Static).render())


async def test_event_time_is_the_key_events_own_time(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (_app, pilot, screen):
        start = events.Key("space", " ")
        start.time = T0
        screen.post_message(start)
        key = events.Key("o", "o")
        key.time = T0 + 3.25  # arrived long before the handler runs
        screen.post_message(key)
        await pilot.pause()
        [event] = screen.recorder.events
        assert event.start == pytest.approx(3.25)


async def test_paste_is_refused_never_coded(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, screen):
        await pilot.press("space")
        screen.post_message(events.Paste("swkjoo"))
        await pilot.pause()
        assert screen.recorder.events == []
        assert "pasted text ignored (6 characters)" in text_of(app, "#prompt")
        # A paste into a note being typed is text, not codes.
        await pilot.press("ctrl+n")
        app.focused.post_message(events.Paste("left the room"))
        await pilot.pause()
        await pilot.press("enter")
        assert [n.text for n in screen.recorder.notes] == ["left the room"]
        assert screen.recorder.events == []


async def test_note_escape_cancels(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, screen):
        await pilot.press("space", "ctrl+n", "a", "b", "escape")
        assert screen.recorder.notes == []
        assert "note cancelled" in text_of(app, "#prompt")
        await pilot.press("s")  # coding goes on at once
        assert len(screen.recorder.events) == 1


async def test_ctrl_q_finalises_a_running_session(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, _):
        await pilot.press("space", "s", "o", "ctrl+q")
        assert isinstance(app.screen, ConfirmEnd)
        await pilot.press("escape")  # declined: still coding
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("ctrl+e", "enter")  # ended by ctrl+e, not quitting yet
        assert isinstance(app.screen, RatingsForm)
        await pilot.press("ctrl+q")  # saves the ratings and quits (no summary)
        await pilot.pause()
        assert not isinstance(app.screen, Summary)
    assert app.return_code == 0
    [path] = session_files(tmp_path)
    session = load_session(path)
    assert [e.code for e in session.events] == ["cg-shares-play", "ch-bids"]
    assert session.events[0].end == session.duration
    assert all(v is None for v in session.ratings.values())


async def test_ctrl_q_on_the_confirmation_ends_and_quits_after_the_ratings(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, _):
        await pilot.press("space", "o", "ctrl+e", "ctrl+q")
        assert isinstance(app.screen, RatingsForm)
        await pilot.press("3", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, Summary)
    assert app.return_code == 0
    [path] = session_files(tmp_path)
    assert load_session(path).ratings["cg-sensitivity"] == 3


async def test_ctrl_q_before_the_clock_starts_leaves_nothing(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_for(tmp_path)) as (_app, pilot, _):
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert list(tmp_path.iterdir()) == []


async def test_a_crash_keeps_the_journal_and_every_action(tmp_path: Path) -> None:
    """An exception in the screen stops the app; the journal is drained and kept."""
    app = app_for(tmp_path)

    def broken(char: str, mono: float) -> None:
        raise RuntimeError("a bug in the screen")

    with pytest.raises(RuntimeError, match="a bug in the screen"):
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await attached(pilot)
            await pilot.press("space", "s", "w", "2", "o")
            screen.code_key = broken  # type: ignore[method-assign]
            await pilot.press("k")
            await pilot.pause()
    assert isinstance(app.crash, RuntimeError)  # kept for the command to report and log
    journal = app.close_unfinished()
    assert journal is not None and journal.exists()
    assert app.close_unfinished() is None  # closed once
    result = recover(journal)
    recovered = load_session(result.session_path)  # type: ignore[arg-type]
    assert recovered.status == "recovered"
    assert [(e.code, e.modifiers) for e in recovered.events] == [
        ("cg-shares-play", {}),
        ("cg-warm-touch", {"intensity": "moderate"}),
        ("ch-bids", {}),
    ]


def test_bad_codebook_exits_2_before_any_screen(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "observer.codebook/1", "id": "Bad Id"}')
    folder = tmp_path / "sessions"
    command = [sys.executable, "-m", "observer", "code", "--codebook", str(bad)]
    result = subprocess.run(
        [*command, "--dyad", "D1", "--observer", "o1", "--session-dir", str(folder)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(f"{bad}: ") for line in lines)
    assert any("id: 'Bad Id' is not a valid id" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # no screen was drawn
    assert not folder.exists()


async def test_command_palette_runs_the_screen_commands(tmp_path: Path, coding: Coding) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, screen):
        await pilot.press("ctrl+p", *"pause")  # "Start, pause or resume the clock"
        await until(pilot, lambda: palette_offers(app, "Start, pause"))
        await pilot.press("enter")
        await until(pilot, lambda: screen.recorder.clock.state == "running")
        await pilot.press("o")
        assert len(screen.recorder.events) == 1
        await pilot.press("ctrl+p", *"undo")
        await until(pilot, lambda: palette_offers(app, "Undo the last"))
        await pilot.press("enter")
        await until(pilot, lambda: screen.recorder.events == [])


async def test_help_lists_every_key_and_a_code_key_still_codes(
    tmp_path: Path, coding: Coding
) -> None:
    async with coding(app_for(tmp_path)) as (app, pilot, coding_screen):
        await pilot.press("space", "f1")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=100, file=io.StringIO())
        console.print(help_table(BOOK, key_names(app.get_key_display)))
        shown = console.file.getvalue()  # type: ignore[attr-defined]
        for code in BOOK.codes:
            assert code.label in shown
        for key in ("^z", "^y", "^n", "^e", "^q", "F2", "esc", "^c"):
            assert key in shown
        await pilot.press("o")  # closes help and is coded
        assert coding_screen.is_current
        assert coding_screen.recorder.counts.get("ch-bids") == 1


async def test_unfinished_journal_is_offered_for_recovery(tmp_path: Path) -> None:
    header = make_header("20260101T000000Z-D9-o9", BOOK, "D9", "o9")
    writer = JournalWriter.create(tmp_path, header)
    old = Recorder(BOOK, SessionMeta("20260101T000000Z-D9-o9", "D9", "o9"), sink=writer.append)
    old.toggle_clock(50.0)
    old.key("k", 52.0)
    old.key("o", 53.0)
    assert writer.close()
    app = app_for(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoverOffer)
        await pilot.press("enter")
        assert "2 events" in str(app.screen.query_one("#recover-items", Static).render())
        await pilot.press("enter")
        await attached(pilot)
        await pilot.press("ctrl+q")
    recovered = load_session(tmp_path / "20260101T000000Z-D9-o9.json")
    assert recovered.status == "recovered"
    assert [e.code for e in recovered.events] == ["ch-own-play", "ch-bids"]


async def test_log_takes_50000_events(tmp_path: Path, coding: Coding) -> None:
    """The log draws only visible lines: with 50,000 events a new key still costs a few rows."""
    async with coding(app_for(tmp_path)) as (_app, pilot, screen):
        screen.press("space", T0, " ")
        keys = "tdtd"  # point codes without modifiers
        for i in range(50_000):
            screen.recorder.key(keys[i % len(keys)], T0 + 1 + i * 0.001)
        log = screen.query_one(EventLog)
        log.extend(LogRow(e.start, "t", "", event=e) for e in screen.recorder.events)
        await pilot.pause()
        drawn: list[object] = []
        original = log._render_row

        def counted(row: LogRow) -> Text:
            drawn.append(row)
            text: Text = original(row)
            return text

        log._render_row = counted
        await pilot.press("o")  # one more key, through the real key path
        assert log.row_count == 50_002
        assert log.virtual_size.height == 50_002
        assert log.is_vertical_scroll_end  # it followed the newest row
        assert 0 < len(drawn) <= log.size.height  # only what is on screen was drawn
        assert drawn[-1] is log.rows[-1]
        assert "Bids for attention" in log._render_row(log.rows[-1]).plain


def test_the_summary_counts_and_times_each_code_once_coded() -> None:
    from observer.sessionfile import Event
    from observer.synthetic import make_session
    from observer.tui.coding.end import summary_table

    base = make_session(BOOK, 1)
    events = (
        Event("ch-approach", 0.0, 2.0),
        Event("cg-warm-touch", 1.0, None, {"intensity": "high"}),
        Event("ch-approach", 4.0, 5.0),
    )
    session = attrs.evolve(base, events=events, duration=10.0)
    console = Console(width=100, file=io.StringIO(), color_system=None)
    console.print(summary_table(session))
    rows = [" ".join(line.split()) for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert rows[1:] == [
        "w Warm touch Caregiver 1",
        "j Approaches caregiver Child 2 3.0 s 1.5 s 30.0",
    ]


async def test_escape_skips_the_modifier_asked_and_the_next_value_key_is_refused(
    tmp_path: Path,
) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await attached(pilot)
        await pilot.press("space", "w")
        prompt = screen.query_one("#prompt", Static)
        assert "esc skips" in str(prompt.render())
        await pilot.press("escape")
        assert screen.recorder.pending is None
        assert "intensity skipped" in str(prompt.render()).lower()
        await pilot.press("3")  # a value key with nothing asked: refused, not a modifier
        assert "✗" in str(prompt.render())
        [event] = screen.recorder.events
        assert event.code == "cg-warm-touch" and event.modifiers == {}
        await acknowledged(pilot, 3)  # clock, key, skip
    journal = [line for line in tmp_path.glob("*.journal.jsonl")]
    assert journal, "the session is unfinished: its journal is still there"
    actions = [orjson.loads(line).get("a") for line in journal[0].read_bytes().splitlines()[1:]]
    assert actions == ["clock", "key", "skip"]


async def test_a_held_space_is_one_press_then_repeats_refused(tmp_path: Path) -> None:
    """A held space repeats (0.5 s, then every 33 ms). The first repeat cannot be told
    from a press when it comes, so it toggles; the rapid repeat that follows shows it
    was part of the hold, and its toggle is undone at its own instant: a hold is one
    press, whatever the terminal sent."""
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await attached(pilot)
        screen.press("space", T0, " ")  # starts the clock
        screen.press("space", T0 + 0.5, " ")  # the first repeat: taken as a press, pauses
        assert screen.recorder.clock.state == "paused"
        for n in range(1, 8):  # the repeats that follow every 33 ms
            screen.press("space", T0 + 0.5 + n * 0.033, " ")
        assert screen.recorder.clock.running  # one press: started, still running
        prompt = text_of(app, "#prompt")
        assert "held space is one press" in prompt and "the clock is running" in prompt
        assert screen.recorder.clock.pauses == []  # no pause of 0 s left behind
        assert screen.recorder.time_at(T0 + 3.0) == pytest.approx(3.0)
        screen.press("space", T0 + 4.0, " ")  # a deliberate press pauses
        assert screen.recorder.clock.state == "paused"
        # Held to resume: press, first repeat (pauses again), rapid repeats.
        screen.press("space", T0 + 6.0, " ")
        screen.press("space", T0 + 6.5, " ")
        screen.press("space", T0 + 6.533, " ")
        screen.press("space", T0 + 6.566, " ")
        assert screen.recorder.clock.running
        screen.press("space", T0 + 8.0, " ")  # and held to pause
        screen.press("space", T0 + 8.5, " ")
        screen.press("space", T0 + 8.533, " ")
        assert screen.recorder.clock.state == "paused"
        screen.press("space", T0 + 10.0, " ")
        pauses = [(p.at, p.wall_s) for p in screen.recorder.clock.pauses]
        assert pauses == [
            pytest.approx((4.0, 2.0)),
            pytest.approx((6.0, 2.0)),  # one pause from the hold's press, not two
        ]
        await acknowledged(pilot, screen.recorder.seq)
    journal = app.close_unfinished()
    assert journal is not None
    result = recover(journal)  # the journal replays to the same clock
    assert result.session_path is not None
    session = load_session(result.session_path)
    assert [(p.at, p.wall_s) for p in session.pauses] == pauses


async def test_two_deliberate_presses_are_never_taken_for_a_hold(tmp_path: Path) -> None:
    """Space tapped, then tapped again and held: the second press's own repeats come
    0.5 s after it, so the second press stands (its first repeat is the one undone);
    presses without rapid repeats after them always stand."""
    app = app_for(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await attached(pilot)
        screen.press("space", T0, " ")  # start
        screen.press("space", T0 + 3.0, " ")  # pause
        screen.press("space", T0 + 3.5, " ")  # resume, and held:
        screen.press("space", T0 + 4.0, " ")  # its first repeat (pauses) ...
        screen.press("space", T0 + 4.033, " ")  # ... undone by the rapid repeat
        assert screen.recorder.clock.state == "running"
        screen.press("space", T0 + 6.0, " ")  # a lone press: stands
        screen.press("space", T0 + 6.6, " ")  # another, 0.6 s later, no repeats: stands
        assert screen.recorder.clock.state == "running"
        assert [(p.at, p.wall_s) for p in screen.recorder.clock.pauses] == [
            pytest.approx((3.0, 0.5)),
            pytest.approx((5.5, 0.6)),
        ]
        screen.press("space", T0 + 7.0, " ")  # typing a code between: no hold
        screen.press("t", T0 + 7.2, "t")
        screen.press("space", T0 + 7.6, " ")  # resumes
        screen.press("space", T0 + 7.62, " ")  # a repeat of it, refused: nothing undone
        assert screen.recorder.clock.state == "running"
        await pilot.pause()
