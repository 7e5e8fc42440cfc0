"""The replay screen driven with Pilot: seeking, jumps, filters, reviews, compare mode."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import attrs
from support.pilot import TIMEOUT_S
from support.replay import EVENTS, small_file, small_session
from textual.widgets import Input, OptionList

from observer.replay.loading import open_replay
from observer.sessionfile import Note, load_session, write_session
from observer.synthetic import perturb
from observer.tui.replay.app import ReplayApp
from observer.tui.replay.screen import EventList, ReplayScreen
from observer.tui.replay.timeline import Timeline

SIZE = (130, 36)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_for(tmp_path: Path, *, other: Any = None, clock: Clock | None = None) -> ReplayApp:
    path = tmp_path / "S1-D001-obs1.json"
    if not path.exists():
        small_file(tmp_path)
    return ReplayApp(
        path,
        load_session(path),
        other=other,
        clock=clock or Clock(),
        config=tmp_path / "config" / "observer.json",
    )


def screen_of(app: ReplayApp) -> ReplayScreen:
    assert isinstance(app.screen, ReplayScreen)
    return app.screen


async def test_keys_step_jump_and_keep_the_list_in_step(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        log = screen.query_one(EventList)
        assert screen.playhead.time() == 0.0 and log.highlighted == 0
        await pilot.press("right", "right")
        assert screen.playhead.time() == 2.0 and log.highlighted == 2
        await pilot.press("left")
        assert screen.playhead.time() == 1.0
        await pilot.press("n")  # next note: the note's own row (after event 7's)
        assert screen.playhead.time() == 15.0 and log.highlighted == 8
        await pilot.press("N")
        assert screen.playhead.time() == 15.0  # no earlier note: stays
        await pilot.press("shift+right")
        assert screen.playhead.time() == 20.0
        assert "Seeks contact" in str(screen.query_one("#replay-running").render())  # its label
        await pilot.press("end")
        assert screen.playhead.time() == 60.0
        await pilot.press("home", "g", *"0:12", "enter")
        assert screen.playhead.time() == 12.0 and log.highlighted == 7
        await pilot.press("g", *"9:99", "enter")  # refused: the prompt stays open
        assert screen.playhead.time() == 12.0 and app.screen is not screen
        await pilot.press("escape")
        assert app.screen is screen


async def test_jump_between_events_of_a_chosen_code(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("c")
        options = [o.id for o in app.screen.query_one(OptionList).options]
        position = options.index("cg-watches")
        await pilot.press(*["down"] * position, "enter")
        assert screen.model.code == "cg-watches" and screen.playhead.time() == 10.0
        await pilot.press("e")
        assert screen.playhead.time() == 10.0  # no later cg-watches
        await pilot.press("E")
        assert screen.playhead.time() == 10.0


async def test_zoom_changes_the_window_and_a_click_seeks(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        timeline = screen.query_one(Timeline)
        assert timeline.span == 60
        await pilot.press("minus")
        assert timeline.span == 120
        await pilot.press("plus", "plus")
        assert timeline.span == 30
        width = timeline.lane_width
        await pilot.click(Timeline, offset=(timeline.label_width + width // 2, 2))
        assert abs(screen.playhead.time() - 15.0) < 30 / width + 1e-9


async def test_playback_follows_the_clock(tmp_path: Path) -> None:
    clock = Clock()
    app = app_for(tmp_path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("greater_than_sign")  # 2×
        await pilot.press("space")
        assert screen.playhead.playing and screen.timer is not None
        clock.now += 5.0
        screen.sync()
        assert screen.playhead.time() == 10.0
        assert screen.query_one(EventList).highlighted == 6
        await pilot.press("space")
        assert not screen.playhead.playing and screen.timer is None
        assert "⏸ paused 0:10.0" in str(screen.query_one("#replay-status").render())


async def test_filter_by_actor(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("f")
        await pilot.press("down", "space", "enter")  # the second actor: child
        assert screen.model.filter.actors == frozenset({"child"})
        assert screen.query_one(EventList).row_count == 5 + 2  # and the two notes
        await pilot.press("right")
        assert screen.playhead.time() == 1.0
        await pilot.press("f", "ctrl+r")
        assert not screen.model.filter.active
        assert screen.query_one(EventList).row_count == len(EVENTS) + 2


async def test_comment_flag_and_correction_are_saved(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    path = tmp_path / "S1-D001-obs1.json"
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("right", "right", "a")  # at 0:02.0, event 2 current
        await pilot.press(*"sup1", "enter")  # reviewer id, asked once
        await pilot.press(*"too soon", "enter")
        await pilot.pause()
        await pilot.press("m", *"check", "enter")  # no second reviewer prompt
        await pilot.pause()
        await pilot.press("x", "down", "down", "enter", "enter")  # delete, no reason
        await pilot.pause()
        assert [r.kind for r in screen.session.reviews] == ["comment", "flag", "correction"]
    saved = load_session(path)
    assert saved.events == EVENTS
    comment, flag, fix = saved.reviews
    assert (comment.t, comment.text, comment.reviewer) == (2.0, "too soon", "sup1")
    assert (flag.event, flag.text) == (2, "check")
    assert fix.event == 2 and fix.correction is not None and fix.correction.action == "delete"
    assert (tmp_path / "config" / "observer.json").exists()


async def test_reviews_list_edits_own_entries_only(tmp_path: Path) -> None:
    from observer.review import new_entry

    path = tmp_path / "S1-D001-obs1.json"
    small_file(tmp_path)
    session = load_session(path)
    theirs = new_entry(session, "sup2", kind="comment", t=5.0, text="theirs")
    mine = attrs.evolve(new_entry(session, "sup1", kind="comment", t=8.0, text="mine"), id="r2")
    from observer.sessionfile import save_reviews

    save_reviews(path, session, (theirs, mine))
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "observer.json").write_text('{"reviewer": "sup1"}')
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("v")
        await pilot.press("enter")  # first entry: sup2's, refused
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("down")
        assert screen.playhead.time() == 8.0  # the highlighted entry's time
        await pilot.press("enter", "end", *" and more", "enter")
        await pilot.pause()
        await pilot.press("up", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)  # not the author: no confirmation
    saved = load_session(path)
    assert [r.text for r in saved.reviews] == ["theirs", "mine and more"]
    assert saved.reviews[1].edited_at is not None


async def test_compare_mode_walks_the_disagreements(tmp_path: Path) -> None:
    a = attrs.evolve(small_session(), notes=(Note(1.0, "x"),))
    path = write_session(tmp_path, a)
    events = list(a.events)
    events[1] = attrs.evolve(events[1], code="ch-approach")  # disagreement at 1.0
    del events[3]  # omission at 3.0
    b = attrs.evolve(a, id="S1-D001-obs2", observer="obs2", events=tuple(events))
    app = ReplayApp(path, a, other=b, clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.model.comparison is not None
        counts = screen.model.comparison.counts()
        assert counts == {"agreement": 7, "disagreement": 1, "omission": 1, "commission": 0}
        await pilot.press("d")
        assert screen.playhead.time() == 1.0
        await pilot.press("d")
        assert screen.playhead.time() == 3.0
        await pilot.press("d")
        assert screen.playhead.time() == 3.0  # none left
        await pilot.press("D")
        assert screen.playhead.time() == 1.0
        await pilot.press("i")
        text = str(screen.query_one("#replay-agreement-text").render())
        assert "disagreements 1" in text and "omissions (in A, not B) 1" in text


async def test_compare_mode_with_a_perturbed_coding(tmp_path: Path) -> None:
    a = small_session()
    path = write_session(tmp_path, a)
    b = perturb(a, seed=4, jitter=0.2, swap=0.3)
    app = ReplayApp(path, a, other=b, clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        timeline = screen.query_one(Timeline)
        labels = [row.label for row in timeline.rows]
        assert labels[:2] == ["Notes", "Reviews"]  # always in view, above the lanes
        assert labels[2:5] == [  # by label, as coding names them
            "A Caregiver involvement · Caregiver",
            "B Caregiver involvement · Caregiver",
            "  A vs B",
        ]
        await pilot.press("l")  # by id, on request
        labels = [row.label for row in timeline.rows]
        assert labels[2:4] == ["A cg-involvement/caregiver", "B cg-involvement/caregiver"]
        assert screen.model.comparison is not None
        rows = len(screen.model.comparison.pairs) + len(screen.session.notes)
        assert screen.query_one(EventList).row_count == rows


async def test_command_palette_lists_the_replay_commands(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("ctrl+p", *"next note")
        from textual.command import CommandList

        commands = app.screen.query_one(CommandList)
        for _ in range(200):  # the palette searches in the background
            if commands.option_count:
                break
            await pilot.pause(0.02)
        assert "Replay: next note" in str(commands.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.playhead.time() == 15.0


async def test_recode_and_add_corrections_from_the_keyboard(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "observer.json").write_text('{"reviewer": "sup1"}')
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("right", "right")  # event 2, cg-warm-touch (a point code)
        await pilot.press("x", "enter")  # recode
        first = app.screen.query_one(OptionList).get_option_at_index(0).id
        await pilot.press("enter", *"softer", "enter")
        await pilot.pause()
        await pilot.press("g", *"0:50", "enter", "x", "down", "down", "down", "enter")  # add
        options = [o.id for o in app.screen.query_one(OptionList).options]
        await pilot.press(*["down"] * options.index("ch-bids"), "enter")
        await pilot.press("enter", "enter")  # the proposed time (the playhead), no reason
        await pilot.pause()
        await pilot.press("home", "right", "x", "down", "enter")  # retime ch-own-play
        await pilot.press(*"+0.5", "enter", "enter")  # a shift, no reason
        await pilot.pause()
        recode, add, retime = screen.session.reviews
    assert retime.event == 1 and retime.correction is not None
    assert (retime.correction.start, retime.correction.end) == (1.5, 5.5)
    assert first == "cg-encourages"  # the same stream's codes come first
    assert recode.event == 2 and recode.correction is not None
    assert (recode.correction.action, recode.correction.code, recode.text) == (
        "recode",
        "cg-encourages",
        "softer",
    )
    assert add.event is None and add.correction is not None
    assert (add.correction.action, add.correction.code, add.correction.start) == (
        "add",
        "ch-bids",
        50.0,
    )
    assert load_session(tmp_path / "S1-D001-obs1.json").reviews == (recode, add, retime)


async def test_a_click_on_the_event_list_seeks_and_help_lists_the_keys(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.click(EventList, offset=(5, 4))
        assert screen.playhead.time() == 5.0  # the fifth row: ch-approach
        await pilot.press("question_mark")
        help_text = str(app.screen.query_one("#help-body").render())
        assert "next disagreement" in help_text and "go to time" in help_text
        await pilot.press("escape")
        assert app.screen is screen


async def test_the_file_loads_behind_the_first_frame(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    app = ReplayApp(path, data=path.read_bytes(), clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        for _ in range(500):  # the loader thread reports back through the event loop
            if screen.ready:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert screen.session.events == EVENTS
        assert "⏸ paused 0:00.0 / 1:00.0" in str(screen.query_one("#replay-status").render())
        await pilot.press("right")
        assert screen.playhead.time() == 1.0
        # The file's digest as read, then as written: a save need not parse it again.
        assert screen.desk.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        await pilot.press("a", *"sup1", "enter", *"ok", "enter")
        await pilot.pause()
        assert [r.text for r in load_session(path).reviews] == ["ok"]
        assert screen.desk.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_bad_file_found_behind_the_first_frame_ends_the_app(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    data = path.read_bytes()[:-25]
    app = ReplayApp(path, data=data, clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(500):
            if app.return_code is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 2
    assert app.return_value and "invalid JSON" in app.return_value[0].message


async def test_a_large_file_shows_its_beginning_first_then_the_whole(
    tmp_path: Path, monkeypatch: Any
) -> None:
    import threading

    from observer.codebook import load_codebook
    from observer.synthetic import make_session
    from observer.tui.replay import app as replay_app

    path = write_session(tmp_path, make_session(load_codebook("cpp-attachment"), 3_000, seed=2))
    whole = load_session(path)
    gate = threading.Event()
    real_open = open_replay  # what the app calls, patched there below

    def held_open(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(replay_app, "open_replay", held_open)
    app = ReplayApp(path, data=path.read_bytes(), clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.pause()
        # The preview: the first minute's events drawn, the commands waiting.
        shown = screen.session.events
        assert not screen.ready and 0 < len(shown) < len(whole.events)
        assert shown == whole.events[: len(shown)] and shown[-1].start > 60.0
        assert screen.query_one(EventList).row_count == len(shown)
        status = str(screen.query_one("#replay-status").render())
        assert status.startswith("⏸ paused 0:00.0 / ") and status.endswith("loading the rest…")
        assert "counting" in str(screen.query_one("#replay-summary-text").render())
        assert screen.query_one(Timeline).rows, "the lanes are drawn"
        screen.seek(20.0)  # a click on the preview's timeline or list
        await pilot.press("right", "right", "plus")
        assert screen.playhead.time() == 20.0  # the keys wait: the whole session decides
        gate.set()
        for _ in range(500):
            if screen.ready:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert screen.session == whole
        assert screen.query_one(EventList).row_count == len(whole.events)
        assert "loading" not in str(screen.query_one("#replay-status").render())
        assert "total s" in str(screen.query_one("#replay-summary-text").render())
        # The keys typed meanwhile were kept and run in order once it was whole.
        # The position survived, and the keys typed meanwhile ran in order from it.
        starts = sorted({e.start for e in whole.events if e.start > 20.0})
        assert screen.playhead.time() == starts[1] and screen.model.span == 30.0
        await pilot.press("right")
        assert screen.playhead.time() == starts[2]


async def test_a_fault_after_the_preview_still_ends_the_app_with_its_problem(
    tmp_path: Path,
) -> None:
    from observer.codebook import load_codebook
    from observer.synthetic import make_session

    path = write_session(tmp_path, make_session(load_codebook("cpp-attachment"), 3_000, seed=2))
    data = path.read_bytes()
    late = data.rindex(b'"code": "')  # the last event's code: long after the first minute
    data = data[:late] + b'"code": "no-such-code' + data[late + len(b'"code": "') :]
    app = ReplayApp(path, data=data, clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        assert screen.preview is not None  # the beginning is fine: it is drawn
        for _ in range(500):
            if app.return_code is not None:
                break
            await pilot.pause(0.01)
    assert app.return_code == 2 and not screen.ready
    [problem] = app.return_value or ()
    assert problem.location == f"events[{len(load_session(path).events) - 1}].code"
    assert "unknown code 'no-such-code" in problem.message


async def test_q_quits_at_once_while_the_session_loads(tmp_path: Path, monkeypatch: Any) -> None:
    from observer.codebook import load_codebook
    from observer.synthetic import make_session
    from observer.tui.replay import app as replay_app

    path = write_session(tmp_path, make_session(load_codebook("cpp-attachment"), 3_000, seed=2))

    def never_loads(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + TIMEOUT_S
        while app.return_code is None:
            assert time.monotonic() < deadline, "the app never quit"
            time.sleep(0.01)
        raise AssertionError("the app should have quit without the whole session")

    monkeypatch.setattr(replay_app, "open_replay", never_loads)
    app = ReplayApp(path, data=path.read_bytes(), clock=Clock(), config=tmp_path / "c.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("space", "q")  # space is kept for later; q is not
    assert app.return_code == 0 and not screen.ready and screen._typed == ["play_pause"]


def prompt_title(app: ReplayApp) -> str:
    return str(app.screen.query_one(".replay-dialog-title").render())


async def test_add_correction_picks_the_code_by_key_and_names_it(tmp_path: Path) -> None:
    """The code key picks the code; every prompt after it names that code; a point
    code takes one time; a state bout of no length is refused (the prompt stays)."""
    from observer.codebook import load_codebook

    book = load_codebook("cpp-attachment")
    bids, approach = book.code_by_id["ch-bids"], book.code_by_id["ch-approach"]
    app = app_for(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "observer.json").write_text('{"reviewer": "sup1"}')
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("g", *"0:50", "enter", "x", "down", "down", "down", "enter")
        assert "its key" in prompt_title(app)
        await pilot.press(bids.key)
        assert bids.label in prompt_title(app) and "time of the missing event" in prompt_title(app)
        assert "-" not in app.screen.query_one("#prompt-input", Input).value
        await pilot.press("enter")
        assert f"Add {bids.label}" in prompt_title(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("x", "down", "down", "down", "enter", approach.key)
        assert approach.label in prompt_title(app)
        prompt = app.screen
        app.screen.query_one("#prompt-input", Input).value = ""
        await pilot.press(*"0:50-0:50", "enter")
        assert app.screen is prompt and "must last" in str(
            app.screen.query_one("#prompt-error").render()
        )
        await pilot.press("escape")
        await pilot.pause()
        (add,) = screen.session.reviews
    assert add.correction is not None and add.correction.code == "ch-bids"
    assert (add.correction.start, add.correction.end) == (50.0, None)


async def test_after_a_go_to_the_flag_names_the_event_shown_at_that_time(tmp_path: Path) -> None:
    from observer.codebook import load_codebook

    book = load_codebook("cpp-attachment")
    session = attrs.evolve(
        small_session(),
        events=(*EVENTS[:8], attrs.evolve(EVENTS[8], start=32.000066, end=40.0)),
    )
    path = write_session(tmp_path, session)
    app = ReplayApp(path, session, clock=Clock(), config=tmp_path / "cfg.json")
    (tmp_path / "cfg.json").write_text('{"reviewer": "sup1"}')
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        await pilot.press("g")
        app.screen.query_one("#prompt-input", Input).value = ""
        await pilot.press(*"0:32", "enter")
        assert screen.query_one(EventList).highlighted == 9  # the note at 0:15 is row 8
        await pilot.press("m")
        label = book.code_by_id["ch-seeks-contact"].label
        assert prompt_title(app) == f"Flag {label} at 0:32.0: why?"
        await pilot.press(*"late", "enter")
        await pilot.pause()
        (flag,) = screen.session.reviews
    assert flag.event == 8


async def test_colours_come_from_the_theme_and_follow_a_theme_switch(tmp_path: Path) -> None:
    """styles/replay.tcss gives the replay's colours as theme variables: switching the
    theme recolours the marks, the reviews lane and the list's marks."""
    a = small_session()
    b = attrs.evolve(a, id="S1-D001-obs2", observer="obs2", events=a.events[:-1])
    app = app_for(tmp_path, other=b)
    async with app.run_test(size=SIZE) as pilot:
        screen = screen_of(app)
        before = screen.palette.roles
        timeline = screen.query_one(Timeline)
        assert before["disagreement"].color is not None
        assert before["review"].color == timeline.get_component_rich_style("timeline--review").color
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = screen.palette.roles
        assert after["review"].color != before["review"].color
        assert after["omission"].color != before["omission"].color


async def test_the_retime_prompt_names_what_to_type_for_either_kind(tmp_path: Path) -> None:
    app = app_for(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "observer.json").write_text('{"reviewer": "sup1"}')
    titles = []
    async with app.run_test(size=SIZE) as pilot:
        for keys in (("right", "right"), ("home", "right")):  # a point event, a state bout
            await pilot.press(*keys, "x", "down", "enter")
            await pilot.pause()
            titles.append(app.screen.title_text)  # type: ignore[attr-defined]
            await pilot.press("escape")
            await pilot.pause()
    assert ": new time, or a shift in seconds" in titles[0], titles
    assert ": new start-end, or a shift in seconds" in titles[1], titles


async def test_codes_are_named_by_label_where_they_fit_and_by_id_on_request(
    tmp_path: Path,
) -> None:
    """As coding names them: lanes, the event list, the running states and the review
    list show labels where a row fits the list with them; ``l`` shows ids."""
    from observer.sessionfile import Review

    session = small_session()
    book = session.book
    i = next(i for i, e in enumerate(session.events) if e.end is not None)  # a state
    flag = Review("r1", "flag", "sup1", "2026-01-05T11:00:00+00:00", 20.0, event=i)
    path = write_session(tmp_path, attrs.evolve(session, reviews=(flag,)))
    flagged = book.code_by_id[session.events[i].code]
    app = ReplayApp(path, load_session(path), config=tmp_path / "c.json")
    async with app.run_test(size=(200, 40)) as pilot:
        screen = screen_of(app)
        screen.seek(session.events[i].start)
        await pilot.pause()
        log = screen.query_one(EventList)
        row = str(log._render_row(log.rows[i]))
        running = str(screen.query_one("#replay-running").render())
        reviews = screen.query_one("#replay-reviews").get_option_at_index(0).prompt  # type: ignore[attr-defined]
        lanes = [r.label for r in screen.query_one(Timeline).rows]
        assert flagged.label in row and flagged.label in running
        assert f"[{flagged.label}]" in str(reviews)
        group = book.group_by_id[flagged.group].label
        assert any(group in lane for lane in lanes)
        await pilot.press("l")
        row = str(log._render_row(log.rows[i]))
        assert flagged.id in row and flagged.label not in row
        assert flagged.id in str(screen.query_one("#replay-running").render())
