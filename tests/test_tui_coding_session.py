"""What a session is called and what is remembered: the observer id (from the form),
the session id (the UTC time the coding screen opened, as the docs say), nothing left
by a session quit before the clock starts, the recovery offer's description."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support.pilot import Coding, acknowledged, until
from textual.widgets import Input, Static

from observer.codebook import load_codebook
from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.settings import read_config
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import RatingsForm
from observer.tui.coding.form import MetadataForm
from observer.tui.coding.recover import RecoverOffer
from observer.tui.coding.screen import CodingScreen

BOOK = load_codebook("cpp-attachment")


async def test_the_form_remembers_the_observer_id(tmp_path: Path) -> None:
    config = tmp_path / "cfg" / "config.json"

    async def start(observer_typed: str) -> str:
        app = CodingApp(tmp_path / "s", book=BOOK, journals=[], config=config)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, MetadataForm))
            shown = app.screen.query_one("#observer", Input).value
            await pilot.press(*"D1", "tab", *observer_typed, "ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, CodingScreen))
            await pilot.press("ctrl+q")
        return shown

    assert await start("obs7") == ""
    assert read_config(config)["observer"] == "obs7"
    assert await start("") == "obs7"  # the next form is filled in
    assert oct(config.stat().st_mode & 0o777) == "0o600"


async def test_the_session_id_is_the_utc_time_the_coding_screen_opened(tmp_path: Path) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
    before = datetime.now(UTC).replace(microsecond=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.recorder is not None)
        after = datetime.now(UTC)
        await pilot.press("space", "o")
        await acknowledged(pilot, 2)
        await pilot.press("ctrl+e", "enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.result.path is not None)
    session = app.result.session
    assert session is not None and app.result.path is not None
    stamp = datetime.strptime(session.id.split("-")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= after
    assert app.result.path.name == f"{session.id}.json"
    assert list(tmp_path.glob("*.journal.jsonl")) == []


async def test_quitting_before_the_clock_leaves_no_journal(tmp_path: Path, coding: Coding) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
    async with coding(app) as c:
        await c.pilot.press("o", "ctrl+q")  # a refused code: nothing to journal
    assert list(tmp_path.iterdir()) == []


def old_journal(folder: Path, *, started: bool) -> Path:
    session_id = "20260101T090000Z-D9-o9"
    writer = JournalWriter.create(folder, make_header(session_id, BOOK, "D9", "o9"))
    rec = Recorder(BOOK, SessionMeta(session_id, "D9", "o9"), sink=writer.append)
    if started:
        rec.toggle_clock(50.0, datetime(2026, 1, 1, 9, 0, 5, tzinfo=UTC))
        rec.key("k", 52.0)
        rec.key("o", 125.5)
    assert writer.close()
    return writer.path


async def test_the_recovery_offer_shows_who_when_events_and_duration(tmp_path: Path) -> None:
    old_journal(tmp_path, started=True)
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RecoverOffer))
        await pilot.pause()
        assert app.screen.query_one("#recover-keys").region.height == 2  # wrapped, not cut
        shown = str(app.screen.query_one("#recover-items", Static).render())
    local = datetime(2026, 1, 1, 9, 0, 5, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert shown == f"D9 · o9  coded {local}  2 events  01:15 long"
    assert "bytes" not in shown


async def test_a_journal_never_started_is_not_offered_as_a_crash(tmp_path: Path) -> None:
    path = old_journal(tmp_path, started=False)
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.recorder is not None)
        assert isinstance(app.screen, CodingScreen)
    assert path.exists()  # left alone (observer recover sets it aside)


async def test_the_summary_says_when_more_is_below(tmp_path: Path, coding: Coding) -> None:
    from observer.tui.coding.end import ConfirmEnd, Summary

    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
    async with coding(app) as (_, pilot, screen):
        screen.press("space", 10.0, " ")
        for i, code in enumerate(BOOK.codes):
            screen.press(code.key, 11.0 + i, code.key)
            if screen.recorder.pending is not None:
                screen.press("escape", 11.5 + i)
        screen.press("ctrl+e", 50.0)
        await until(pilot, lambda: isinstance(app.screen, ConfirmEnd))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary))
        keys = app.screen.query_one("#summary-keys", Static)
        await until(pilot, lambda: "more below" in str(keys.render()))
        first = str(keys.render())
        await pilot.press("end")
        await until(pilot, lambda: "more below" not in str(keys.render()))
        last = str(keys.render())
    assert first == "↓ / pgdn: more below · enter, q or ctrl+q closes"
    assert last == "enter, q or ctrl+q closes"
