"""The session clock: monotonic key times onto session time, with pauses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from observer.live.clock import ClockError, SessionClock
from observer.sessionfile import Pause


def test_session_time_starts_at_zero_at_the_first_start() -> None:
    clock = SessionClock()
    assert clock.session_time(5000.0) == 0.0
    clock.start(1000.0, datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.session_time(1000.0) == 0.0
    assert clock.session_time(1012.5) == pytest.approx(12.5)
    assert clock.started_wall == datetime(2026, 1, 1, tzinfo=UTC)


def test_clock_stands_still_while_paused_and_records_each_pause() -> None:
    clock = SessionClock()
    clock.start(100.0)
    assert clock.pause(110.0) == pytest.approx(10.0)
    assert clock.session_time(150.0) == pytest.approx(10.0)
    pause = clock.resume(130.0)
    assert pause.at == pytest.approx(10.0) and pause.wall_s == pytest.approx(20.0)
    assert clock.session_time(135.0) == pytest.approx(15.0)
    clock.pause(140.0)
    clock.resume(141.5)
    assert clock.session_time(142.0) == pytest.approx(20.5)
    assert [p.at for p in clock.pauses] == [pytest.approx(10.0), pytest.approx(20.0)]
    assert clock.stop(150.0) == pytest.approx(28.5)
    assert clock.final_time == pytest.approx(28.5)


def test_ending_while_paused_closes_the_open_pause() -> None:
    clock = SessionClock()
    clock.start(0.0)
    clock.pause(5.0)
    assert clock.stop(9.0) == pytest.approx(5.0)
    assert clock.pauses == [Pause(at=5.0, wall_s=4.0)]


def test_toggle_cycles_start_pause_resume() -> None:
    clock = SessionClock()
    assert [clock.toggle(t) for t in (0.0, 1.0, 2.0, 3.0)] == [
        "running",
        "paused",
        "running",
        "paused",
    ]
    clock.stop(4.0)
    with pytest.raises(ClockError):
        clock.toggle(5.0)


def test_time_never_runs_backwards_across_a_resume() -> None:
    """A key stamped a hair before the resume lands at the resume, not in the pause."""
    clock = SessionClock()
    clock.start(10.0)
    clock.pause(20.0)
    clock.resume(30.0)
    assert clock.session_time(29.999) == pytest.approx(10.0)


def test_invalid_transitions_raise() -> None:
    clock = SessionClock()
    with pytest.raises(ClockError):
        clock.pause(1.0)
    with pytest.raises(ClockError):
        clock.stop(1.0)
    clock.start(1.0)
    with pytest.raises(ClockError):
        clock.resume(2.0)
    with pytest.raises(ClockError):
        clock.start(2.0)


def test_a_toggle_at_the_instant_of_the_one_before_folds_it_away() -> None:
    """How the coding screen undoes a held space's first repeat: no pause or run of 0 s."""
    clock = SessionClock()
    clock.start(10.0)
    clock.pause(12.0)  # the first repeat of the start, taken for a press ...
    clock.resume(12.0)  # ... undone at its own instant: no pause at all
    assert clock.pauses == [] and clock.session_time(15.0) == 5.0
    clock.pause(20.0)  # a press that pauses
    clock.resume(20.5)  # its first repeat resumes ...
    clock.pause(20.5)  # ... undone: the pause from 20.0 goes on
    assert clock.state == "paused" and clock.pauses == [] and clock.session_time(30.0) == 10.0
    clock.resume(23.0)
    assert [(p.at, p.wall_s) for p in clock.pauses] == [(10.0, 3.0)]
    assert clock.session_time(24.0) == 11.0
