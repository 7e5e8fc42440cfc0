"""Ratings of a recovered session, asked afterwards (``observer recover --ratings``):
the core (``observer.live.late_ratings``), the screens, the command in a terminal."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.clirun import run
from support.pilot import until
from support.tmuxdriver import Tmux

from observer.codebook import load_codebook
from observer.live.journal import JournalWriter, make_header
from observer.live.late_ratings import blank, unrated
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import recover
from observer.sessionfile import load_session
from observer.tui.coding.end import RatingsForm
from observer.tui.coding.rate import RateApp, RateWhich

BOOK = load_codebook("cpp-attachment")


def recovered(folder: Path, dyad: str = "D9") -> Path:
    session_id = f"20260101T090000Z-{dyad}-o9"
    writer = JournalWriter.create(folder, make_header(session_id, BOOK, dyad, "o9"))
    rec = Recorder(BOOK, SessionMeta(session_id, dyad, "o9"), sink=writer.append)
    rec.toggle_clock(50.0, datetime(2026, 1, 1, 9, 0, 5, tzinfo=UTC))
    rec.key("k", 52.0)
    assert writer.close()
    result = recover(writer.path)
    assert result.session_path is not None
    return result.session_path


def test_only_recovered_sessions_with_every_rating_blank_are_asked(tmp_path: Path) -> None:
    first, second = recovered(tmp_path, "D1"), recovered(tmp_path, "D2")
    found, problems = unrated(tmp_path)
    assert [p for p, _ in found] == [first, second] and problems == []
    assert all(blank(s) for _, s in found)


async def test_the_form_saves_the_ratings_into_the_session_file(tmp_path: Path) -> None:
    first, second = recovered(tmp_path, "D1"), recovered(tmp_path, "D2")
    before = load_session(first)

    app = RateApp(unrated(tmp_path)[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RateWhich))
        assert "D1 · o9" in str(app.screen.query_one("#rate-title").render())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm))
        await pilot.press("5", "tab", "tab", "tab", "tab", "2")  # the first, the fifth
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, RateWhich)
                and "D2" in str(app.screen.query_one("#rate-title").render())
            ),
        )
        await pilot.press("escape")  # skips the second
        await until(pilot, lambda: not app.is_running)
    lines = app.lines
    assert lines == [
        f"{first.name}: 2 of 5 ratings saved",
        f"{second.name}: skipped, its ratings stay blank",
    ]
    after = load_session(first)
    assert after.ratings["cg-sensitivity"] == 5 and after.ratings["ch-disorganization"] == 2
    assert after.ratings["cg-intrusiveness"] is None
    assert after.events == before.events and after.status == "recovered"
    assert blank(load_session(second))
    assert oct(first.stat().st_mode & 0o777) == "0o600"


def test_observer_recover_asks_for_the_ratings_in_a_terminal(tmp_path: Path) -> None:
    path = recovered(tmp_path)
    with Tmux(width=80, height=24) as term:
        argv = [sys.executable, "-m", "observer", "recover", "--ratings"]
        term.start([*argv, "--session-dir", str(tmp_path)])
        term.wait_for("Ratings of a recovered session")
        term.send_keys("Enter")
        term.wait_for("ctrl+s")
        term.send_literal("4")
        term.send_keys("C-s")
        term.wait_dead()
        assert term.exit_status() == 0
        assert "1 of 5 ratings saved" in term.capture()
    assert load_session(path).ratings["cg-sensitivity"] == 4


def test_observer_recover_says_how_to_add_the_missing_ratings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = "20260101T090000Z-D9-o9"
    writer = JournalWriter.create(tmp_path, make_header(session_id, BOOK, "D9", "o9"))
    rec = Recorder(BOOK, SessionMeta(session_id, "D9", "o9"), sink=writer.append)
    rec.toggle_clock(50.0)
    rec.key("k", 52.0)
    assert writer.close()
    code, out, _ = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0
    assert out.splitlines()[-1] == (
        "1 recovered session without ratings: `observer recover --ratings` asks for them"
    )
