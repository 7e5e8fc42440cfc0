"""Fuzzing the journal reader and replay: any bytes give a result or a clean InputError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from support.live import META
from support.minibook import book

from observer.errors import InputError
from observer.live.journal import make_header
from observer.live.recovery import replay_journal

HEADER = orjson.dumps(make_header(META.id, book(), "D012", "obs1")) + b"\n"
ACTIONS = [
    {"seq": 1, "a": "clock", "mono": 10.0, "wall": "2026-01-01T00:00:00+00:00"},
    {"seq": 2, "a": "key", "key": "a", "mono": 11.0},
    {"seq": 3, "a": "key", "key": "2", "mono": 11.5},
    {"seq": 4, "a": "undo", "mono": 12.0},
    {"seq": 5, "a": "segment", "segment": "free-play", "mono": 12.5},
    {"seq": 6, "a": "note", "t": 2.0, "text": "x"},
    {"seq": 7, "a": "rating", "rating": "cg-sensitivity", "value": 3, "segment": None},
    {"seq": 8, "a": "end", "mono": 20.0, "wall": "2026-01-01T00:00:10+00:00"},
]
VALID = HEADER + b"".join(orjson.dumps(a) + b"\n" for a in ACTIONS)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text()
)


def replay_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{META.id}.journal.jsonl"
        path.write_bytes(data)
        try:
            replayed = replay_journal(path)
        except InputError as error:
            assert error.problems and all(str(p).startswith(str(path)) for p in error.problems)
            return
        if replayed.recorder.clock.started:
            if replayed.recorder.ended:
                replayed.recorder.session()
            else:
                replayed.recorder.recovered_session()


def test_the_valid_journal_replays() -> None:
    replay_bytes(VALID)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_header(tail: bytes) -> None:
    replay_bytes(HEADER + tail)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(ACTIONS) - 1),
    st.sampled_from(["a", "key", "mono", "t", "text", "segment", "rating", "value", "wall", "seq"]),
    json_scalars,
)
def test_actions_with_any_field_changed(index: int, field: str, value: Any) -> None:
    actions = [dict(a) for a in ACTIONS]
    actions[index][field] = value
    replay_bytes(HEADER + b"".join(orjson.dumps(a) + b"\n" for a in actions))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_mutated_journals(at: int, cut: int, insert: bytes) -> None:
    replay_bytes(VALID[:at] + insert + VALID[at + cut :])
