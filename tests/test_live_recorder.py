"""The recorder: keys to events, exclusive groups, inline modifiers, undo/redo."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from support.live import recorder
from support.minibook import book

from observer.live.recorder import Recorder
from observer.sessionfile import Event, session_from_data, session_to_bytes

T0 = 5000.0


def rows(rec: Recorder) -> list[tuple[str, float, float | None, dict[str, str]]]:
    return [(e.code, round(e.start, 6), _r(e.end), dict(e.modifiers)) for e in rec.events]


def _r(t: float | None) -> float | None:
    return None if t is None else round(t, 6)


def started(sink: Any = None) -> Recorder:
    rec = recorder(sink)
    assert rec.toggle_clock(T0).ok
    return rec


def test_point_event_at_the_keys_time() -> None:
    rec = started()
    out = rec.key("p", T0 + 2.5)
    assert out.ok and out.kind == "point" and out.t == pytest.approx(2.5)
    assert rows(rec) == [("cg-praise", 2.5, None, {})]
    assert rec.counts == {"cg-praise": 1}


def test_event_time_is_the_keys_mono_time_not_the_handlers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The recorder never reads a clock of its own: with every monotonic clock
    booby-trapped, events still land exactly at the key times passed in, however
    late the handler runs."""

    def trap() -> float:
        raise AssertionError("the recorder read the handler's clock")

    monkeypatch.setattr(time, "monotonic", trap)
    monkeypatch.setattr(time, "perf_counter", trap)
    rec = started()
    rec.key("c", T0 + 1.25)
    rec.key("p", T0 + 2.0)
    rec.key("c", T0 + 3.5)
    assert rows(rec) == [("ch-cry", 1.25, 3.5, {}), ("cg-praise", 2.0, None, {})]


def test_state_starts_and_the_same_key_stops_it() -> None:
    rec = started()
    assert rec.key("c", T0 + 1).kind == "start"
    assert set(rec.running) == {"ch-cry"}
    assert rec.running_by_actor() == {"caregiver": [], "child": [rec.events[0]]}
    out = rec.key("c", T0 + 4)
    assert out.kind == "stop" and out.events == (rec.events[0],)
    assert rows(rec) == [("ch-cry", 1.0, 4.0, {})]
    assert rec.running == {}


def test_exclusive_group_switch_stops_the_running_state_of_that_actor_only() -> None:
    rec = started()
    rec.key("a", T0 + 1)  # child approach (exclusive proximity)
    rec.key("1", T0 + 1.1)  # its intensity
    rec.key("n", T0 + 2)  # caregiver near: same group, other actor: no switch
    rec.key("c", T0 + 2.5)  # child cry: other group (not exclusive): no switch
    out = rec.key("v", T0 + 3)  # child avoid: stops approach at 3
    assert out.kind == "switch" and "Approach" in out.message
    assert rows(rec) == [
        ("ch-approach", 1.0, 3.0, {"intensity": "low"}),
        ("cg-near", 2.0, None, {}),
        ("ch-cry", 2.5, None, {}),
        ("ch-avoid", 3.0, None, {}),
    ]
    assert set(rec.running) == {"cg-near", "ch-cry", "ch-avoid"}


def test_non_exclusive_states_overlap() -> None:
    rec = started()
    rec.key("c", T0 + 1)
    rec.key("a", T0 + 2)
    assert set(rec.running) == {"ch-cry", "ch-approach"}


def test_modifier_inline_keeps_the_code_keys_time() -> None:
    rec = started()
    rec.key("a", T0 + 1)
    assert rec.pending is not None and rec.pending.modifier.id == "intensity"
    out = rec.key("3", T0 + 2.7)
    assert out.kind == "modifier" and out.t == pytest.approx(1.0)
    assert rows(rec) == [("ch-approach", 1.0, None, {"intensity": "high"})]
    assert rec.pending is None


def test_several_modifiers_are_asked_in_order() -> None:
    rec = started()
    rec.key("t", T0 + 1)
    assert rec.pending is not None and rec.pending.modifier.id == "intensity"
    assert rec.key("h", T0 + 1.1).kind == "refused"  # 'h' is locus, not intensity
    assert rec.pending is None  # a non-value key closed the choice
    rec.key("t", T0 + 2)
    rec.key("2", T0 + 2.1)
    assert rec.pending is not None and rec.pending.modifier.id == "locus"
    rec.key("e", T0 + 2.2)
    assert rec.pending is None
    assert rows(rec)[-1] == ("cg-touch", 2.0, None, {"intensity": "mid", "locus": "head"})


def test_a_code_key_closes_the_choice_and_is_coded_normally() -> None:
    rec = started()
    rec.key("a", T0 + 1)
    out = rec.key("p", T0 + 2)
    assert out.kind == "point" and rec.pending is None
    assert rows(rec) == [("ch-approach", 1.0, None, {}), ("cg-praise", 2.0, None, {})]
    assert rec.key("1", T0 + 3).kind == "refused"  # the choice is gone


def test_skip_closes_the_choice_is_journaled_and_replays() -> None:
    lines: list[dict[str, Any]] = []
    rec = started(lines.append)
    rec.key("t", T0 + 1)  # asks intensity, then locus
    out = rec.skip(T0 + 1.5)
    assert out.ok and out.kind == "skip" and out.changed and rec.pending is None
    assert "skipped" in out.message and out.events[0].code == "cg-touch"
    assert rec.key("2", T0 + 2).kind == "refused"  # no choice: the value key is refused
    again = rec.skip(T0 + 2.5)
    assert not again.ok and not again.changed  # nothing asked: refused, not journaled
    rec.key("t", T0 + 3)
    rec.key("1", T0 + 3.1)
    rec.skip(T0 + 3.2)  # skips locus after intensity was set
    assert [line["a"] for line in lines] == ["clock", "key", "skip", "key", "key", "skip"]
    assert rows(rec) == [
        ("cg-touch", 1.0, None, {}),
        ("cg-touch", 3.0, None, {"intensity": "low"}),
    ]
    replay = Recorder.replay(book(), rec.meta, orjson.loads(orjson.dumps(lines)))
    assert rows(replay) == rows(rec) and replay.pending is None
    rec.undo(T0 + 4)  # undo takes back the modifier set (a skip is not a step)
    assert rows(rec) == [("cg-touch", 1.0, None, {}), ("cg-touch", 3.0, None, {})]


def test_value_key_without_a_pending_choice_is_refused() -> None:
    rec = started()
    out = rec.key("3", T0 + 1)
    assert not out.ok and "not a key" in out.message and not out.changed
    assert rows(rec) == []


def test_keys_refused_before_start_and_while_paused_are_not_journaled() -> None:
    lines: list[dict[str, Any]] = []
    rec = recorder(lines.append)
    out = rec.key("p", T0)
    assert not out.ok and "press space" in out.message and out.seq is None
    rec.toggle_clock(T0)
    rec.toggle_clock(T0 + 5)  # pause
    out = rec.key("p", T0 + 6)
    assert not out.ok and "paused" in out.message
    assert rec.key("x", T0 + 7).message.startswith("refused")  # unknown key
    assert rows(rec) == []
    assert [line["a"] for line in lines] == ["clock", "clock"]
    rec.toggle_clock(T0 + 10)
    rec.key("p", T0 + 11)
    assert rows(rec) == [("cg-praise", 6.0, None, {})]
    assert rec.last is not None and rec.last.ok


def test_undo_redo_to_any_depth() -> None:
    rec = started()
    for i in range(200):
        rec.key("p" if i % 2 else "c", T0 + i)
    full = rows(rec)
    for _ in range(200):
        assert rec.undo(T0 + 300).ok
    assert rows(rec) == [] and rec.counts == {"cg-praise": 0, "ch-cry": 0}
    assert not rec.undo(T0 + 300).ok
    for _ in range(200):
        assert rec.redo(T0 + 300).ok
    assert rows(rec) == full
    assert not rec.redo(T0 + 300).ok


def test_undo_of_a_stop_reopens_the_state() -> None:
    rec = started()
    rec.key("c", T0 + 1)
    rec.key("c", T0 + 2)
    rec.undo(T0 + 3)
    assert rows(rec) == [("ch-cry", 1.0, None, {})] and "ch-cry" in rec.running
    rec.redo(T0 + 3)
    assert rows(rec) == [("ch-cry", 1.0, 2.0, {})] and rec.running == {}


def test_undo_of_an_exclusive_switch_restores_the_previous_state() -> None:
    rec = started()
    rec.key("a", T0 + 1)
    rec.key("v", T0 + 2)
    out = rec.undo(T0 + 3)
    assert out.kind == "undo" and {e.code for e in out.events} == {"ch-approach", "ch-avoid"}
    assert rows(rec) == [("ch-approach", 1.0, None, {})]
    assert set(rec.running) == {"ch-approach"}


def test_undo_of_a_modifier_removes_only_the_modifier() -> None:
    rec = started()
    rec.key("a", T0 + 1)
    rec.key("2", T0 + 1.5)
    rec.undo(T0 + 2)
    assert rows(rec) == [("ch-approach", 1.0, None, {})]
    rec.undo(T0 + 2)
    assert rows(rec) == []
    rec.redo(T0 + 2)
    rec.redo(T0 + 2)
    assert rows(rec) == [("ch-approach", 1.0, None, {"intensity": "mid"})]


def test_a_new_action_clears_redo() -> None:
    rec = started()
    rec.key("p", T0 + 1)
    rec.undo(T0 + 2)
    rec.key("c", T0 + 3)
    assert not rec.redo(T0 + 4).ok
    assert rows(rec) == [("ch-cry", 3.0, None, {})]


def test_notes_and_segments_are_undoable() -> None:
    rec = started()
    rec.segment("free-play", T0 + 1)
    rec.segment("cleanup", T0 + 5)
    assert [(s.segment, s.start, s.end) for s in rec.segments] == [
        ("free-play", 1.0, 5.0),
        ("cleanup", 5.0, None),
    ]
    rec.note("child leaves the room", 6.0)
    rec.undo(T0 + 7)
    assert list(rec.notes) == []
    rec.undo(T0 + 7)
    assert [(s.segment, s.end) for s in rec.segments] == [("free-play", None)]
    assert not rec.segment("no-such", T0 + 8).ok


def test_end_stops_every_running_state_and_builds_a_valid_session() -> None:
    rec = started()
    rec.segment("free-play", T0)
    rec.key("a", T0 + 1)
    rec.key("3", T0 + 1.1)
    rec.key("c", T0 + 2)
    rec.key("t", T0 + 3)
    rec.toggle_clock(T0 + 4)
    rec.toggle_clock(T0 + 10)
    rec.note("note", 5.0)
    out = rec.end(T0 + 16)
    assert out.kind == "end" and out.t == pytest.approx(10.0)
    assert not rec.key("p", T0 + 17).ok and not rec.undo(T0 + 17).ok
    assert rec.rate("cg-sensitivity", 6).ok
    assert rec.rate("ch-proximity", 4, segment="free-play").ok
    assert not rec.rate("cg-sensitivity", 9).ok
    assert not rec.rate("ch-proximity", 4).ok  # per segment: needs a segment
    session = rec.session()
    assert session.status == "complete" and session.duration == 10.0
    assert session.events == (
        Event("ch-approach", 1.0, 10.0, {"intensity": "high"}),
        Event("ch-cry", 2.0, 10.0, {}),
        Event("cg-touch", 3.0, None, {}),
    )
    assert session.ratings == {
        "cg-sensitivity": 6,
        "ch-involvement": None,
        "ch-proximity": {"free-play": 4, "cleanup": None},
    }
    assert [(p.at, p.wall_s) for p in session.pauses] == [(4.0, 6.0)]
    assert [(s.segment, s.start, s.end) for s in session.segments] == [("free-play", 0.0, 10.0)]
    again = session_from_data(orjson.loads(session_to_bytes(session)), "built")
    assert again.events == session.events
    assert again.book.id == book().id


def test_session_events_are_sorted_by_start() -> None:
    rec = started()
    rec.key("c", T0 + 1)
    rec.key("p", T0 + 2)
    rec.key("c", T0 + 3)
    rec.end(T0 + 4)
    starts = [e.start for e in rec.session().events]
    assert starts == sorted(starts)


def test_end_refused_before_the_clock_starts() -> None:
    rec = recorder()
    assert not rec.end(T0).ok
    with pytest.raises(ValueError):
        rec.session()


def test_every_change_is_passed_to_the_sink_with_consecutive_seq() -> None:
    lines: list[dict[str, Any]] = []
    rec = started(lines.append)
    rec.key("a", T0 + 1)
    rec.key("2", T0 + 1.2)
    rec.key("z", T0 + 1.3)  # refused, nothing open: not journaled
    rec.undo(T0 + 2)
    rec.end(T0 + 3)
    assert [line["seq"] for line in lines] == [1, 2, 3, 4, 5]
    assert [line["a"] for line in lines] == ["clock", "key", "key", "undo", "end"]
    assert lines[1]["mono"] == T0 + 1 and lines[1]["t"] == pytest.approx(1.0)
    assert rec.last is not None and rec.last.seq == 5


def test_replaying_the_actions_reproduces_the_exact_events() -> None:
    lines: list[dict[str, Any]] = []
    rec = started(lines.append)
    keys = "a1cvpt2encxa3thvp"
    for i, k in enumerate(keys):
        rec.key(k, T0 + 0.37 * i)
        if i == 6:
            rec.undo(T0 + 0.37 * i)
        if i == 9:
            rec.toggle_clock(T0 + 4)
            rec.toggle_clock(T0 + 5)
    rec.redo(T0 + 9)
    rec.note("n", 2.0)
    rec.end(T0 + 10)
    replay = Recorder.replay(book(), rec.meta, orjson.loads(orjson.dumps(lines)))
    assert rows(replay) == rows(rec)
    assert replay.session() == rec.session()


def test_text_that_is_not_valid_unicode_is_journaled_cleanly() -> None:
    lines: list[dict[str, Any]] = []
    rec = started(lines.append)
    rec.note("child \ud800 hides", 1.0)
    assert lines[-1]["text"] == "child ? hides"
    assert orjson.loads(orjson.dumps(lines[-1]))["text"] == "child ? hides"
