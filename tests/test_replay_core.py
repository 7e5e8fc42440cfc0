"""Replay core: lanes and columns at several zooms, running states, jumps, filters, playhead."""

from __future__ import annotations

import random

import pytest
from support.replay import BOOK, small_session

from observer.replay.clock import format_clock, parse_clock, parse_span
from observer.replay.index import Filter, SessionIndex, step_time
from observer.replay.playhead import Playhead
from observer.replay.timeline import (
    EMPTY,
    Cell,
    Lane,
    build_lanes,
    interleave,
    lane_cells,
    place_window,
    ticks,
    zoom_index,
)
from observer.synthetic import make_session


def states(cells: list[Cell]) -> str:
    """One character per column: the state's first letter after the actor prefix, or '.'."""
    return "".join(c.state[3] if c.state else "." for c in cells)


def lane(stream_id: str, index: SessionIndex) -> Lane:
    return next(lane for lane in index.lanes if lane.stream.id == stream_id)


def test_one_lane_per_stream_in_codebook_order() -> None:
    index = SessionIndex(small_session())
    assert [x.stream.id for x in index.lanes] == [s.id for s in BOOK.streams]
    assert lane("cg-involvement/caregiver", index).events == (0, 6)
    assert lane("ch-proximity/child", index).events == (1, 4, 8)
    assert lane("ch-disorganized/child", index).events == ()


@pytest.mark.parametrize(
    ("t0", "span", "width", "expected"),
    [
        (0, 60, 60, "s" * 10 + "w" * 20 + "." * 30),
        (0, 60, 30, "s" * 5 + "w" * 10 + "." * 15),
        (0, 60, 12, "ss" + "wwww" + "." * 6),
        (5, 10, 10, "sssss" + "wwwww"),
        (0, 60, 6, "sww..."),
    ],
)
def test_state_bouts_map_to_columns_at_several_zooms(
    t0: float, span: float, width: int, expected: str
) -> None:
    session = small_session()
    index = SessionIndex(session)
    cells = lane_cells(lane("cg-involvement/caregiver", index), session.events, t0, span, width)
    assert states(cells) == expected


def test_onsets_mark_only_bouts_starting_inside_the_window() -> None:
    session = small_session()
    involvement = lane("cg-involvement/caregiver", SessionIndex(session))
    cells = lane_cells(involvement, session.events, 5, 10, 10)
    assert [c for c, cell in enumerate(cells) if cell.onset] == [5]
    cells = lane_cells(involvement, session.events, 0, 60, 60)
    assert [c for c, cell in enumerate(cells) if cell.onset] == [0, 10]


def test_a_column_shows_the_state_covering_most_of_it() -> None:
    session = small_session()
    proximity = lane("ch-proximity/child", SessionIndex(session))
    # Column 0 of width 6 covers [0, 10): own-play 4 s, approach 3 s.
    cells = lane_cells(proximity, session.events, 0, 60, 6)
    assert cells[0].state == "ch-own-play" and cells[0].onset
    assert cells[2].state == "ch-seeks-contact" and cells[3].state == "ch-seeks-contact"
    assert cells[4] is EMPTY


def test_point_events_are_counted_per_column() -> None:
    session = small_session()
    warmth = lane("cg-warmth/caregiver", SessionIndex(session))
    fine = lane_cells(warmth, session.events, 0, 60, 60)
    assert [(c, cell.point) for c, cell in enumerate(fine) if cell.points] == [
        (2, "cg-warm-touch"),
        (6, "cg-encourages"),
    ]
    coarse = lane_cells(warmth, session.events, 0, 60, 6)
    assert (coarse[0].points, coarse[0].point) == (2, "cg-warm-touch")
    assert lane_cells(warmth, session.events, 10, 10, 10) == [EMPTY] * 10


def test_lanes_on_a_large_session_match_a_brute_force_oracle() -> None:
    session = make_session(BOOK, 3000, seed=5)
    index = SessionIndex(session)
    rng = random.Random(1)
    for _ in range(20):
        t0 = rng.uniform(0, session.duration)
        span, width = rng.choice([(10, 80), (60, 100), (600, 50)])
        for one in index.lanes:
            cells = lane_cells(one, session.events, t0, span, width)
            mine = [session.events[i] for i in one.events]
            dt = span / width
            for c in range(0, width, 7):
                left = t0 + c * dt
                bouts = [
                    e for e in mine if e.end is not None and e.start < left + dt and e.end > left
                ]
                assert (cells[c].state is not None) == bool(bouts)
                points = [
                    e for e in mine if e.end is None and left - 1e-9 <= e.start < left + dt - 1e-9
                ]
                assert cells[c].points == len(points)


def test_running_states_at_a_time() -> None:
    index = SessionIndex(small_session())
    assert index.running(6.0) == [0, 4]
    assert index.running(5.0) == [0, 4]  # own-play ended at 5.0: it no longer runs
    assert index.running(10.0) == [6]
    assert index.running(25.0) == [6, 8]
    assert index.running(45.0) == []


def test_running_states_on_a_large_session_match_brute_force() -> None:
    session = make_session(BOOK, 3000, seed=2)
    index = SessionIndex(session)
    rng = random.Random(3)
    for _ in range(200):
        t = rng.uniform(0, session.duration)
        expected = [
            i for i, e in enumerate(session.events) if e.end is not None and e.start <= t < e.end
        ]
        assert index.running(t) == expected


def test_filters_by_actor_group_and_code() -> None:
    session = small_session()
    child = SessionIndex(session, Filter(actors=frozenset({"child"})))
    assert [x.stream.id for x in child.lanes] == [
        "ch-proximity/child",
        "ch-signals/child",
        "ch-disorganized/child",
    ]
    assert child.shown == [1, 3, 4, 7, 8]
    assert child.running(6.0) == [4]
    bids = SessionIndex(session, Filter(codes=frozenset({"ch-bids"})))
    assert [x.stream.id for x in bids.lanes] == ["ch-signals/child"]
    assert bids.shown == [3]
    warmth = SessionIndex(session, Filter(groups=frozenset({"cg-warmth", "ch-signals"})))
    assert warmth.shown == [2, 3, 5, 7]
    both = Filter(actors=frozenset({"child"}), groups=frozenset({"cg-warmth"}))
    assert SessionIndex(session, both).shown == []
    assert both.describe() == "actor child; group cg-warmth"
    assert Filter().describe() == "all codes"


def test_the_current_event_follows_the_filter() -> None:
    session = small_session()
    assert SessionIndex(session).current(2.5) == 2
    assert SessionIndex(session).current(2.0) == 2
    assert SessionIndex(session).current(-1) is None
    assert SessionIndex(session, Filter(actors=frozenset({"child"}))).current(2.5) == 0


def test_steps_and_jumps() -> None:
    index = SessionIndex(small_session())
    assert index.step_event(0.0, 1) == 1.0
    assert index.step_event(2.0, 1) == 3.0
    assert index.step_event(2.0, -1) == 1.0
    assert index.step_event(40.0, 1) is None
    assert index.step_event(0.0, -1) is None
    assert index.step_code("ch-distress", 0.0, 1) == 12.0
    assert index.step_code("ch-distress", 12.0, 1) is None
    assert index.step_code("cg-watches", 30.0, -1) == 10.0
    assert index.step_note(0.0, 1) == 15.0
    assert index.step_note(15.0, 1) == 45.0
    assert index.step_note(15.0, -1) is None
    assert step_time([1.0, 1.0000001, 2.0], 1.0, 1) == 2.0


def test_compare_lanes_interleave_a_above_b() -> None:
    session = small_session()
    a = build_lanes(BOOK, session.events, side="A")
    b = build_lanes(BOOK, session.events, side="B", source=1)
    lanes = interleave(a, b)
    assert [(x.stream.id, x.side) for x in lanes[:4]] == [
        ("cg-involvement/caregiver", "A"),
        ("cg-involvement/caregiver", "B"),
        ("cg-warmth/caregiver", "A"),
        ("cg-warmth/caregiver", "B"),
    ]
    assert len(lanes) == 2 * len(BOOK.streams)


def test_window_paging_and_zoom() -> None:
    assert place_window(30, 0, 60, 600) == 0
    assert place_window(61, 0, 60, 600) == pytest.approx(55)
    assert place_window(590, 0, 60, 600) == pytest.approx(546)
    assert zoom_index(60) == 4 and zoom_index(61) == 5
    assert [t for _, t in ticks(0, 60, 60)] == [0, 15, 30, 45]
    assert [c for c, _ in ticks(10, 20, 100)] == [0, 25, 50, 75]


def test_playhead_plays_from_the_clock_not_from_ticks() -> None:
    now = [100.0]
    head = Playhead(60.0, speed=2.0, clock=lambda: now[0])
    assert head.time() == 0.0
    head.play()
    now[0] += 3.0
    assert head.time() == 6.0
    head.change_speed(1)  # 4×, re-anchored at 6 s
    now[0] += 1.0
    assert head.time() == 10.0
    head.pause()
    now[0] += 50.0
    assert head.time() == 10.0
    head.seek(58.0)
    head.play()
    now[0] += 5.0
    assert head.time() == 60.0 and not head.playing  # stops at the end
    head.play()  # from the end, play starts over
    assert head.time() == 0.0 and head.playing
    assert head.change_speed(-1) == 2.0
    head.set_speed(16)
    assert head.change_speed(1) == 16.0
    with pytest.raises(ValueError):
        head.set_speed(32)
    assert head.seek(-5) == 0.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("1:30", 90.0), ("1:30.5", 90.5), ("0:01:30", 90.0), (" 12:05 ", 725.0)],
)
def test_typed_times(text: str, seconds: float) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["", "1:75", "a:10", "1:2:3:4", "-5", "1:60:00"])
def test_bad_typed_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(text)


def test_clock_format() -> None:
    assert format_clock(75.25) == "1:15.2"
    assert format_clock(59.99) == "0:59.9"
    assert format_clock(3723.0) == "1:02:03.0"
    assert format_clock(5.0, decimals=0) == "0:05"


def test_spans_and_shifts_for_retiming() -> None:
    assert parse_span("1:02.5-1:04", True) == (62.5, 64.0)
    assert parse_span("0:07", False) == (7.0, None)
    assert parse_span("+0.5", True, (5.0, 8.0)) == (5.5, 8.5)
    assert parse_span(" -1.25 ", False, (5.0, None)) == (3.75, None)
    with pytest.raises(ValueError, match="start and end"):
        parse_span("1:02", True)
    with pytest.raises(ValueError, match="not a shift"):
        parse_span("+x", True, (5.0, 8.0))
    with pytest.raises(ValueError):
        parse_span("-1", True)  # a shift needs the event's times


def test_every_bout_wide_enough_shows_its_letter_and_narrower_ones_are_marked() -> None:
    """Bouts starting just after a column boundary (each column 1 s here) still get
    their letter in the first column they cover most of; a bout owning no column is
    marked where it begins."""
    from observer.replay.timeline import make_lane
    from observer.sessionfile import Event

    stream = next(s for s in BOOK.streams if s.id == "ch-proximity/child")
    events = [
        Event("ch-own-play", 0.0, 2.6),
        Event("ch-approach", 2.6, 4.05),  # column 2 is mostly own-play
        Event("ch-seeks-contact", 4.05, 4.3),  # owns no column
        Event("ch-own-play", 4.3, 8.0),  # its letter after the mark
    ]
    lane_ = make_lane(stream, events, range(len(events)))
    cells = lane_cells(lane_, events, 0.0, 10.0, 10)
    assert [c for c, cell in enumerate(cells) if cell.onset] == [0, 3, 5]
    assert [cells[c].state for c in (0, 3, 5)] == ["ch-own-play", "ch-approach", "ch-own-play"]
    assert [c for c, cell in enumerate(cells) if cell.narrow] == [4]
