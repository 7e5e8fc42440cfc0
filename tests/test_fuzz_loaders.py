"""No input makes the session, journal or BORIS loaders raise anything but InputError.

The codebook loader has its own (test_codebook_fuzz.py, whose JSON value strategy
and path walker are reused here). Each loader gets arbitrary bytes, valid files
with bytes spliced in or cut off, and valid documents mutated structurally (a
value replaced by another JSON value, a field dropped or added, an item
duplicated); every outcome must be a loaded value or an InputError whose
problems each name the file, a location and a message. Example counts are kept
modest: CI runs them on every change.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.boris import project
from support.mutations import mutate

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.interchange.boris import read_project
from observer.interchange.boris_codebook import build_codebook
from observer.interchange.boris_sessions import build_sessions
from observer.live.journal import make_header
from observer.live.recorder import Recorder, SessionMeta
from observer.live.recovery import recover
from observer.sessionfile import load_session, session_to_bytes
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
SESSION = json.loads(session_to_bytes(make_session(BOOK, 12, seed=9)))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _journal_lines() -> list[dict[str, Any]]:
    """A real journal: header, then the actions a recorder journaled for a short session."""
    lines: list[dict[str, Any]] = [make_header("20260101T000000Z-D1-o1", BOOK, "D1", "o1")]
    rec = Recorder(BOOK, SessionMeta("20260101T000000Z-D1-o1", "D1", "o1"), sink=lines.append)
    rec.toggle_clock(100.0)
    for i, key in enumerate("tkw2sdzj"):
        rec.key(key, 100.5 + i)
    rec.undo(110.0)
    rec.redo(110.5)
    rec.note("left the room", 4.0)
    rec.segment("free-play", 111.0)
    return lines


JOURNAL = _journal_lines()


def _encode_lines(lines: list[Any]) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def _clean(error: InputError, name: str) -> None:
    assert error.problems
    for problem in error.problems:
        assert name in problem.file and problem.location and problem.message


def _in_file(name: str, data: bytes, load: Callable[[Path], object]) -> None:
    """Write ``data`` to a fresh folder and load it: a value or a clean InputError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            load(path)
        except InputError as error:
            _clean(error, name)


# --- session files -------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=300))
def test_session_loader_arbitrary_bytes(data: bytes) -> None:
    _in_file("s.json", data, load_session)


@SETTINGS
@given(st.data())
def test_session_loader_mutated_documents(data: st.DataObject) -> None:
    doc = data.draw(st.builds(lambda: None).flatmap(lambda _: st.just(SESSION)))
    mutated = data.draw(st.composite(lambda draw: mutate(draw, doc))())
    _in_file("s.json", json.dumps(mutated).encode(), load_session)


@SETTINGS
@given(st.integers(0, 10**6), st.binary(max_size=40))
def test_session_loader_spliced_and_cut(at: int, junk: bytes) -> None:
    text = json.dumps(SESSION).encode()
    cut = at % len(text)
    _in_file("s.json", text[:cut] + junk + text[cut:], load_session)
    _in_file("s.json", text[:cut], load_session)


# --- journals (read, replayed and recovered as observer recover does) -----------------


def _recover(path: Path) -> None:
    recover(path)


@SETTINGS
@given(st.binary(max_size=300))
def test_journal_recovery_arbitrary_bytes(data: bytes) -> None:
    _in_file("x.journal.jsonl", data, _recover)


@SETTINGS
@given(st.data())
def test_journal_recovery_mutated_actions(data: st.DataObject) -> None:
    lines = data.draw(st.composite(lambda draw: mutate(draw, JOURNAL))())
    _in_file("x.journal.jsonl", _encode_lines(lines), _recover)


@SETTINGS
@given(
    st.lists(st.integers(0, len(JOURNAL) - 1), min_size=1, max_size=len(JOURNAL) + 3),
    st.integers(0, 10**6),
)
def test_journal_recovery_reordered_lines_and_torn_ends(order: list[int], cut: int) -> None:
    """Lines dropped, doubled or out of order, and the file cut anywhere."""
    text = _encode_lines([JOURNAL[i] for i in order])
    _in_file("x.journal.jsonl", text[: cut % (len(text) + 1)], _recover)


# --- BORIS projects ------------------------------------------------------------------


def _import_boris(path: Path) -> None:
    raw = read_project(path)
    notices: list[Any] = []
    mapping = build_codebook(raw, path, notices)
    build_sessions(raw, mapping, str(path), notices)


@SETTINGS
@given(st.binary(max_size=300))
def test_boris_import_arbitrary_bytes(data: bytes) -> None:
    _in_file("p.boris", data, _import_boris)
    _in_file("p.boris", gzip.compress(data), _import_boris)


@SETTINGS
@given(st.data(), st.booleans())
def test_boris_import_mutated_projects(data: st.DataObject, zipped: bool) -> None:
    mutated = data.draw(st.composite(lambda draw: mutate(draw, project()))())
    encoded = json.dumps(mutated).encode()
    _in_file("p.boris", gzip.compress(encoded) if zipped else encoded, _import_boris)


@SETTINGS
@given(st.integers(0, 10**6), st.binary(max_size=40))
def test_boris_import_spliced_and_cut(at: int, junk: bytes) -> None:
    text = gzip.compress(json.dumps(project()).encode())
    cut = at % len(text)
    _in_file("p.boris", text[:cut] + junk + text[cut:], _import_boris)
