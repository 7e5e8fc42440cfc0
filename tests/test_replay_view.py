"""The replay view model without a screen: navigation, filter, zoom, go-to, review saving."""

from __future__ import annotations

from pathlib import Path

import attrs
from support.replay import BOOK, EVENTS, small_session

from observer.replay.index import Filter
from observer.replay.loading import Opened, compare
from observer.replay.reviewing import ReviewDesk
from observer.replay.view import ReplayView, event_name
from observer.sessionfile import Event, load_session, write_session


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def view_of(session=None, other=None) -> ReplayView:  # type: ignore[no-untyped-def]
    session = session or small_session()
    if other is None:
        return ReplayView(Opened(session), clock=Clock())
    comparison, report = compare(session, other, 2.0)
    return ReplayView(Opened(session, other, comparison, agreement=report), clock=Clock())


def test_steps_and_jumps_go_through_seek_and_say_why_they_cannot() -> None:
    view = view_of()
    assert view.time() == 0.0 and view.current_row() == 0
    assert view.step(1) is None and view.time() == 1.0
    assert view.step(-1) is None and view.time() == 0.0
    assert view.step(-1) == "no previous event" and view.time() == 0.0
    assert view.step_note(1) is None and view.time() == 15.0
    assert view.step_note(-1) == "no previous note"
    view.shift(1)
    assert view.time() == 20.0
    assert view.step_review(1) == "no next review entry"
    assert view.step_mismatch(1) is not None  # not in compare mode
    assert view.step_code(1) == "no code chosen"
    view.code = "cg-watches"
    view.seek(0.0)
    assert view.step_code(1) is None and view.time() == 10.0
    assert view.step_code(1) == f"no next {BOOK.code_by_id['cg-watches'].label}"


def test_the_window_pages_and_zooms_around_the_playhead() -> None:
    view = view_of()
    assert view.place(0.0) == (0.0, 60.0)
    assert view.change_zoom(-1) and view.span == 30.0
    view.seek(40.0)
    t0, span = view.place(40.0)
    assert t0 <= 40.0 < t0 + span
    while view.change_zoom(-1):
        pass
    assert not view.change_zoom(-1)


def test_a_filter_narrows_the_rows_and_the_current_event() -> None:
    view = view_of()
    notes = [("note", 0), ("note", 1)]
    assert view.rows == [("event", i) for i in range(8)] + [notes[0], ("event", 8), notes[1]]
    assert view.set_filter(Filter(actors=frozenset({"child"})))
    assert not view.set_filter(Filter(actors=frozenset({"child"})))
    assert view.rows == [("event", i) for i in (1, 3, 4, 7)] + [notes[0], ("event", 8), notes[1]]
    assert view.step_times == [1.0, 3.0, 5.0, 12.0, 20.0]
    view.seek(6.9)
    assert view.current_event() == 4  # cg-encourages at 6.5 is filtered out


def test_go_to_lands_on_the_event_shown_at_the_typed_time() -> None:
    """An event listed as 0:32.0 starts at 32.000066: typing 0:32 highlights it, not
    the event before it (and a flag then acts on it)."""
    events = (Event("cg-shares-play", 26.0, 30.0), Event("ch-bids", 32.000066, None))
    session = attrs.evolve(small_session(), events=events, reviews=())
    view = view_of(session)
    view.go_to(32.0)
    assert view.current_event() == 1 and view.time() == 32.000066
    view.go_to(29.0)  # nothing shown at 0:29.0: the playhead goes exactly there
    assert view.time() == 29.0 and view.current_event() == 0


def test_compare_rows_are_pairs_and_mismatches_are_listed() -> None:
    a = small_session()
    events = list(a.events)
    del events[3]
    b = attrs.evolve(a, id="S1-D001-obs2", observer="obs2", events=tuple(events))
    view = view_of(a, b)
    assert view.comparison is not None
    assert [k for kind, k in view.rows if kind == "pair"] == list(range(len(view.comparison.pairs)))
    assert view.mismatch_times == [3.0]
    assert view.step_mismatch(1) is None and view.time() == 3.0
    assert view.current_event() == 3


def test_notes_are_rows_but_steps_skip_them() -> None:
    view = view_of()
    view.seek(12.0)
    assert view.step(1) is None and view.time() == 20.0  # not the note at 15
    view.seek(15.0)
    assert view.rows[view.current_row() or 0] == ("note", 0)
    assert view.current_event() == 7  # a flag acts on the event before the note


def test_event_names_use_the_code_label_and_time() -> None:
    label = BOOK.code_by_id["ch-bids"].label
    assert event_name(BOOK, EVENTS[3]) == f"{label} at 0:03.0"


def test_the_review_desk_saves_and_refuses_with_messages(tmp_path: Path) -> None:
    path = write_session(tmp_path, small_session())
    view = ReplayView(Opened(load_session(path)), clock=Clock())
    desk = ReviewDesk(path, None, tmp_path / "cfg.json")
    assert desk.known_reviewer() is None
    desk.remember("sup1")
    assert ReviewDesk(path, None, tmp_path / "cfg.json").known_reviewer() == "sup1"
    view.seek(3.0)
    done = desk.add(view, kind="flag", event=view.current_event(), text="bid?")
    assert done.saved and done.message == "saved flag r1"
    assert view.marks == {3: "⚑"} and load_session(path).reviews == view.session.reviews
    assert not desk.add(view, kind="comment", text=" ").saved
    assert desk.edit(view, "r1", "a bid").saved and view.session.reviews[0].text == "a bid"
    other = ReviewDesk(path, desk.sha256, tmp_path / "cfg2.json")
    other.remember("sup2")
    assert other.owns(view.session.reviews[0]) == "only sup1 can change this entry"
    assert not other.delete(view, "r1").saved
    assert desk.delete(view, "r1").saved and load_session(path).reviews == ()
