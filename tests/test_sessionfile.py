"""The session file (docs/sessions.md): validation by path, atomic private writes,
review rewrites that never touch events."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from support.replay import unlinked

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.sessionfile import (
    Event,
    Review,
    load_session,
    save_reviews,
    session_from_data,
    session_to_bytes,
    write_session,
)
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
SESSION = make_session(BOOK, 60, seed=3)
STATE = next(c for c in BOOK.codes if c.kind == "state" and not c.modifiers)
POINT = next(c for c in BOOK.codes if c.kind == "point" and c.modifiers)


def raw_session(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = orjson.loads(session_to_bytes(SESSION))
    raw.update(changes)
    return raw


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(InputError) as caught:
        session_from_data(raw, "s.json")
    return [f"{p.location}: {p.message}" for p in caught.value.problems]


def test_a_written_session_loads_back_equal(tmp_path: Path) -> None:
    path = write_session(tmp_path, SESSION)
    assert path.name == f"{SESSION.id}.json"
    loaded = load_session(path)
    assert loaded == SESSION
    assert loaded.book.sha256 == BOOK.sha256


def test_the_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = write_session(tmp_path, SESSION)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        write_session(tmp_path, attrs.evolve(SESSION, label="changed"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


def test_an_unsafe_session_id_is_never_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_session(tmp_path, attrs.evolve(SESSION, id="../escape"))
    assert list(tmp_path.iterdir()) == []


def test_events_flags_are_written_only_when_present() -> None:
    raw = raw_session()
    assert all("flags" not in e for e in raw["events"])
    flagged = attrs.evolve(SESSION, events=(attrs.evolve(SESSION.events[0], flags=("x",)),))
    assert orjson.loads(session_to_bytes(flagged))["events"][0]["flags"] == ["x"]


def test_rules_of_the_format_are_reported_with_paths() -> None:
    raw = raw_session()
    events = raw["events"]
    events[0] = {"code": "nope", "start": 1.0, "end": None, "modifiers": {}}
    events[1] = {"code": STATE.id, "start": 2.0, "end": None, "modifiers": {}}
    events[2] = {"code": POINT.id, "start": 3.0, "end": 4.0, "modifiers": {"colour": "x"}}
    events[3] = {"code": STATE.id, "start": 0.5, "end": 0.2, "modifiers": {}}
    raw["ratings"] = {"cg-sensitivity": 9, "unknown-rating": 1}
    raw["codebook"]["sha256"] = "0" * 64
    assert problems(raw) == [
        "codebook.sha256: does not match the embedded codebook document"
        " (neither as written nor normalised)",
        "events[0].code: unknown code 'nope'",
        f"events[1].end: state code '{STATE.id}' needs an end time",
        f"events[2].end: point code '{POINT.id}' must have end null",
        f"events[2].modifiers.colour: code '{POINT.id}' has no modifier 'colour'",
        "events[3].start: events are not sorted by start",
        "events[3].end: ends before it starts",
        "ratings.cg-sensitivity: 9 is not on the scale 1-7 (step 1)",
        "ratings.unknown-rating: unknown rating 'unknown-rating'",
    ]


def test_malformed_events_are_worded_like_every_other_structural_problem() -> None:
    raw = raw_session()
    raw["events"][0]["start"] = "soon"
    raw["events"][1]["extra"] = 1
    raw["events"][2] = 7
    raw["events"][3]["modifiers"] = {"intensity": 2}
    assert problems(raw) == [
        "events[0].start: expected a number, got 'soon'",
        "events[1].extra: unknown field",
        "events[2]: expected an object, got 7",
        "events[3].modifiers.intensity: expected a string, got 2",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("flags", None, "expected a list, got null"),  # raised TypeError before
        ("flags", 0, "expected a list, got 0"),  # raised TypeError before
        ("flags", False, "expected a list, got false"),  # raised TypeError before
        ("flags", "", "expected a list, got ''"),  # was taken as no flags
        ("flags", {}, "expected a list, got an object"),  # was taken as no flags
        ("modifiers", None, "expected an object, got null"),  # was taken as none
    ],
)
def test_the_lean_event_pass_takes_exactly_what_the_converter_takes(
    field: str, value: Any, message: str
) -> None:
    raw = raw_session()
    raw["events"][4][field] = value
    assert problems(raw) == [f"events[4].{field}: {message}"]


def _given_twice(data: bytes, field: bytes, n: int, value: bytes) -> bytes:
    """``data`` with ``"field": value`` added before the ``n``-th ``"field":``."""
    at = -1
    for _ in range(n + 1):
        at = data.index(b'"' + field + b'":', at + 1)
    return data[:at] + b'"' + field + b'": ' + value + b", " + data[at:]


def test_a_field_given_twice_is_refused_with_its_path(tmp_path: Path) -> None:
    """orjson (like every JSON parser) keeps the last of the two without a word."""
    path = tmp_path / "s.json"
    data = _given_twice(session_to_bytes(SESSION), b"code", 2, f'"{STATE.id}"'.encode())
    data = _given_twice(data, b"key", 0, b'"#"')  # in the embedded codebook
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: codebook.document.codes[0].key: duplicate field (given 2 times)",
        f"{path}: events[2].code: duplicate field (given 2 times)",
    ]


def test_a_repeat_is_found_behind_an_escaped_colon_and_escapes_alone_are_fine(
    tmp_path: Path,
) -> None:
    """An escaped colon (``\\u003a``) would hide one repeat from the colon count."""
    path = tmp_path / "s.json"
    raw = raw_session(label="a:b", notes=[{"t": 1.0, "text": "10:30"}])
    data = orjson.dumps(raw).replace(b'"a:b"', b'"a\\u003ab"')
    path.write_bytes(data)
    assert load_session(path).label == "a:b"
    path.write_bytes(_given_twice(data, b"dyad", 0, b'"D9"'))
    with pytest.raises(InputError, match=r"s\.json: dyad: duplicate field \(given 2 times\)"):
        load_session(path)


def test_a_review_save_refuses_a_file_now_giving_a_field_twice(tmp_path: Path) -> None:
    path = write_session(tmp_path, SESSION)
    data = path.read_bytes()
    os.chmod(path, 0o600)
    path.write_bytes(_given_twice(data, b"observer", 0, b'"someone"'))
    with pytest.raises(InputError, match="observer: duplicate field"):
        save_reviews(path, SESSION, ())


def test_a_negative_duration_is_one_problem_not_one_per_event() -> None:
    assert problems(raw_session(duration=-1.0)) == ["duration: must not be negative"]


def test_times_outside_the_session_are_reported() -> None:
    raw = raw_session(duration=1.0)
    found = problems(raw)
    assert found and all("is outside the session (0 to 1.0)" in p for p in found)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("observer.session/2", "unsupported version 'observer.session/2'"),
        ("something/1", "not an observer session"),
    ],
)
def test_other_schemas_are_refused(schema: str, message: str) -> None:
    (only,) = problems(raw_session(schema=schema))
    assert only.startswith("schema: ") and message in only


def test_reviews_are_saved_atomically_and_never_touch_events(tmp_path: Path) -> None:
    path = write_session(tmp_path, SESSION)
    os.chmod(path, 0o640)  # a mode the owner chose is kept
    review = Review(
        id="r1", kind="comment", reviewer="sup1", created_at="2026-11-22T10:00:00+00:00", t=5.0
    )
    updated, _ = save_reviews(path, SESSION, (review,))
    reloaded = load_session(path)
    assert unlinked(reloaded.reviews) == (review,) == unlinked(updated.reviews)
    assert reloaded.events == SESSION.events
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_reviews_are_refused_when_the_file_changed_meanwhile(tmp_path: Path) -> None:
    path = write_session(tmp_path, SESSION)
    stale = attrs.evolve(SESSION, events=(*SESSION.events, Event(STATE.id, 59.0, 59.5)))
    before = path.read_bytes()
    with pytest.raises(InputError, match="changed on disk"):
        save_reviews(path, stale, ())
    assert path.read_bytes() == before


def test_a_known_digest_spares_the_reparse_and_a_stale_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from observer import sessionfile

    path = write_session(tmp_path, SESSION)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    review = Review(
        id="r1", kind="comment", reviewer="sup1", created_at="2026-11-22T10:00:00+00:00", t=5.0
    )
    real_parse = sessionfile.session_from_data
    parsed: list[str] = []

    def counting(raw: object, file: str) -> sessionfile.Session:
        parsed.append(file)
        return real_parse(raw, file)

    monkeypatch.setattr(sessionfile, "session_from_data", counting)
    updated, new_digest = save_reviews(path, SESSION, (review,), sha256=digest)
    assert parsed == [] and unlinked(updated.reviews) == (review,)
    assert new_digest == hashlib.sha256(path.read_bytes()).hexdigest() != digest
    assert load_session(path) == updated
    parsed.clear()
    # The old digest no longer matches the file: it is read and checked again.
    stale = attrs.evolve(SESSION, events=(*SESSION.events, Event(STATE.id, 59.0, 59.5)))
    before = path.read_bytes()
    with pytest.raises(InputError, match="changed on disk"):
        save_reviews(path, stale, (), sha256=digest)
    assert parsed == [str(path)] and path.read_bytes() == before


def _as_another_tool_writes_it() -> dict[str, Any]:
    """The session with its codebook embedded as its author wrote it (defaults left
    out), hashed as written: what a researcher's conversion script produces."""
    raw = raw_session()
    written = orjson.loads(
        (Path(__file__).parents[1] / "codebooks" / "cpp-attachment.json").read_bytes()
    )
    assert written != BOOK.document  # the bundled file leaves defaults out
    raw["codebook"]["document"] = written
    raw["codebook"]["sha256"] = hashlib.sha256(
        orjson.dumps(written, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    return raw


def test_a_codebook_hashed_as_written_is_accepted_with_the_normalised_identity() -> None:
    raw = _as_another_tool_writes_it()
    assert raw["codebook"]["sha256"] != BOOK.sha256
    session = session_from_data(raw, "other-tool.json")
    assert session.codebook.sha256 == BOOK.sha256 == session.book.sha256
    assert session.events == SESSION.events
    # the same codebook written two ways is one codebook
    assert session.codebook == attrs.evolve(SESSION.codebook, document=raw["codebook"]["document"])


def test_a_wrong_hash_of_the_document_as_written_is_still_refused() -> None:
    raw = _as_another_tool_writes_it()
    raw["codebook"]["document"]["title"] = "changed after hashing"
    assert problems(raw) == [
        "codebook.sha256: does not match the embedded codebook document"
        " (neither as written nor normalised)"
    ]
