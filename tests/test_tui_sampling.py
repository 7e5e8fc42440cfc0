"""Time sampling on the coding screen by Pilot: the scan prompt appears at each
instant of session time (a pause excluded), keys answer it with scans stamped at
the instant, a scan not answered is missed once the next is due, and the journal
rebuilds it all. The 60-second run is the tmux test (tests/test_e2e_sampling.py)."""

from __future__ import annotations

from pathlib import Path

from support.instruments3 import doc
from support.pilot import Coding

from observer.codebook import Codebook, codebook_from_data
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.sampling import ScanPrompt
from observer.tui.coding.screen import CodingScreen

EVERY = 0.4


def fast_book() -> Codebook:
    raw = doc()
    raw["sampling"]["every_s"] = EVERY
    return codebook_from_data(raw, "fast.json")


async def test_prompts_come_at_each_instant_and_keys_answer_them(
    tmp_path: Path, coding: Coding
) -> None:
    book = fast_book()
    app = CodingApp(tmp_path, book=book, dyad="D1", observer="o1", journals=[])
    async with coding(app) as (app, pilot, screen):
        assert isinstance(screen, CodingScreen)
        rec = screen.recorder
        prompt = screen.query_one("#scan", ScanPrompt)
        assert not prompt.display
        await pilot.press("space")
        await until_prompts(screen, 1)
        assert prompt.display and "What is the child doing?" in str(prompt.render())
        await pilot.press("j")  # answers the scan: stamped at the instant, starts nothing
        assert rec.answered(EVERY) == {"activity/child": "play"}
        assert "play" not in rec.running
        await until_prompts(screen, 2)  # left unanswered...
        await until_prompts(screen, 3)  # ...missed once the third is due
        await pilot.press("space")  # pause: no prompt while paused
        paused = len(rec.prompts)
        await pilot.pause(2 * EVERY)
        assert len(rec.prompts) == paused
        await pilot.press("k", "space")  # answers the open scan, then resumes
        await until_prompts(screen, paused + 1)
        await pilot.press("ctrl+e")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
    [path] = tmp_path.glob("*.json")
    session = load_session(path)
    instants = [s.t for s in session.scans]
    assert instants == [round(EVERY * k, 6) for k in range(1, len(instants) + 1)]
    assert session.scans[0].code == "play" and session.scans[1].code is None
    answered_late = session.scans[paused - 1]  # the scan open while paused: answered "k"
    assert answered_late.code == "idle"


async def until_prompts(screen: CodingScreen, n: int) -> None:
    from support.pilot import eventually

    await eventually(lambda: len(screen.recorder.prompts) >= n, f"{n} prompts")


def test_replaying_the_journal_rebuilds_the_scans() -> None:
    book = fast_book()
    lines: list[dict[str, object]] = []
    rec = Recorder(book, SessionMeta("S", "D1", "o1"), lines.append)
    rec.toggle_clock(100.0)
    assert not rec.prompt(0.8, 100.5).ok  # not the next instant
    assert not rec.prompt(0.4, 100.2).ok  # not due yet
    assert rec.prompt(0.4, 100.4).ok
    assert rec.key("j", 100.9).kind == "scan"
    assert rec.key("j", 101.0).kind == "start"  # answered: the key codes again
    assert rec.prompt(0.8, 100.8).ok
    out = rec.prompt(1.2, 101.2)
    assert "missed: the scan at 0.8 s of Child activity (Child)" in out.message
    assert rec.key("k", 101.3).kind == "scan"
    assert rec.undo(101.4).ok and rec.open_scan == 1.2  # the answer undone: asked again
    rec.end(101.5)
    again = Recorder.replay(book, SessionMeta("S", "D1", "o1"), lines)
    assert [(s.t, s.code) for s in rec.session().scans] == [
        (0.4, "play"), (0.8, None), (1.2, None)
    ]  # fmt: skip
    assert again.session().scans == rec.session().scans


async def test_a_hostile_prompt_is_shown_as_text(tmp_path: Path, coding: Coding) -> None:
    from support.hostile import MARKUP, screen_problems, screen_text, tripwire

    raw = doc()
    raw["sampling"].update(every_s=0.3, prompt=MARKUP)
    raw["codes"][1]["label"] = MARKUP + "p"
    book = codebook_from_data(raw, "hostile.json")
    with tripwire() as parsed:
        app = CodingApp(tmp_path, book=book, dyad="D1", observer="o1", journals=[])
        async with coding(app, size=(130, 40)) as (app, pilot, screen):
            await pilot.press("space")
            await until_prompts(screen, 1)
            await pilot.pause(0.1)
            assert "[/][/b][b]" in screen_text(app)  # the prompt, as written
            assert not screen_problems(app)
            await pilot.press("j")
            await pilot.pause(0.1)
            assert not screen_problems(app)
            await pilot.press("ctrl+q")
    assert not parsed


def test_keys_found_only_in_the_key_log_answer_the_scans_due_by_then() -> None:
    """Recovery from the raw key log: the prompts the screen asked after the journal's
    last line are asked again at their instants, so the keys answer them as they did."""
    from observer.live.keylog import LoggedKey, replay_keys

    book = fast_book()
    lines: list[dict[str, object]] = []
    live = Recorder(book, SessionMeta("S", "D1", "o1"), lines.append)
    live.toggle_clock(100.0)
    assert live.prompt(0.4, 100.4).ok
    assert live.key("j", 100.5).kind == "scan"
    assert live.prompt(0.8, 100.8).ok
    assert live.key("k", 100.9).kind == "scan"
    journaled = lines[:2]  # the crash: only the clock and the first prompt reached the disk
    rec = Recorder.replay(book, SessionMeta("S", "D1", "o1"), journaled)
    logged = [LoggedKey(1, 100.5, "j", "j"), LoggedKey(2, 100.9, "k", "k")]
    assert replay_keys(rec, logged).replayed == 2
    assert rec.prompts == live.prompts and [s.code for s in rec.scans] == ["play", "idle"]
