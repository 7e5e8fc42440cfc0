"""The preview of a large session's beginning (observer.replay.preview)."""

from __future__ import annotations

from pathlib import Path

import attrs
import orjson
import pytest

from observer.codebook import load_codebook
from observer.review import new_entry
from observer.sessionfile import Correction, Session, load_session, session_to_bytes, write_session
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, bytes]:
    folder = tmp_path_factory.mktemp("preview")
    path = write_session(folder, make_session(BOOK, 2_000, seed=7))
    return load_session(path), path.read_bytes()


def preview(data: bytes, *, until: float = 60.0, rows: int = 50) -> Session | None:
    from observer.replay.preview import read_beginning

    return read_beginning(data, "s.json", until=until, rows=rows)


@pytest.mark.parametrize(("until", "rows"), [(0.0, 1), (60.0, 50), (60.0, 300), (400.0, 10)])
def test_the_preview_is_the_sessions_first_events_and_nothing_else(
    big: tuple[Session, bytes], until: float, rows: int
) -> None:
    session, data = big
    shown = preview(data, until=until, rows=rows)
    assert shown is not None
    # Every event starting by `until`, at least `rows` of them, and none beyond that.
    k = max(rows, sum(1 for e in session.events if e.start <= until))
    assert shown.events == session.events[:k]
    # The fields stored before `events` (the documented field order) are all there; those after
    # it (notes, ratings, reviews) come with the whole file.
    assert attrs.evolve(shown, events=session.events, ratings=session.ratings) == session
    assert shown.book == session.book and shown.ratings == {}


def test_a_small_session_gives_no_preview(big: tuple[Session, bytes]) -> None:
    session, data = big
    # All events start within `until`: the whole file was read, nothing to gain.
    assert preview(data, until=session.duration, rows=10) is None
    assert preview(data, until=0.0, rows=len(session.events) + 1) is None


def test_review_entries_on_later_events_wait_for_the_whole_file(
    big: tuple[Session, bytes], tmp_path: Path
) -> None:
    session, _ = big
    early = new_entry(session, "sup", kind="comment", t=1.0, text="look")
    flag = new_entry(session, "sup", kind="flag", t=0.0, event=0, text="early event")
    late = new_entry(
        session,
        "sup",
        kind="correction",
        t=session.events[-1].start,
        event=len(session.events) - 1,
        correction=Correction("delete"),
    )
    flag, late = attrs.evolve(flag, id="r2"), attrs.evolve(late, id="r3")
    # Reviews stored before the events (another writer's key order) are read.
    doc = orjson.loads(session_to_bytes(attrs.evolve(session, reviews=(early, flag, late))))
    reordered = {"reviews": doc.pop("reviews"), **doc}
    shown = preview(orjson.dumps(reordered))
    assert shown is not None and shown.reviews == (early, flag)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: b"[" + d + b"]", id="not-an-object"),
        pytest.param(lambda d: b"\xff" + d, id="not-utf8"),
        pytest.param(lambda d: d.replace(b'"start": 0.', b'"start": NaN, "x": 0.', 1), id="nan"),
        pytest.param(lambda d: d.replace(b'"code": "', b'"code": "zz', 1), id="unknown-code-early"),
        pytest.param(lambda d: d.replace(b'"schema"', b'"schemx"', 1), id="no-schema"),
        pytest.param(lambda d: d[: d.index(b'"events"') + 30], id="cut-before-enough"),
        pytest.param(lambda d: d[:200], id="cut-in-the-header"),
    ],
)
def test_anything_unexpected_means_no_preview(big: tuple[Session, bytes], damage: object) -> None:
    _, data = big
    assert callable(damage)
    assert preview(damage(data)) is None


def test_the_header_after_the_events_means_no_preview(big: tuple[Session, bytes]) -> None:
    _, data = big
    doc = orjson.loads(data)
    events = doc.pop("events")
    assert preview(orjson.dumps({"events": events, **doc})) is None  # no header yet: invalid


def test_damage_after_the_cut_is_left_to_the_whole_load(big: tuple[Session, bytes]) -> None:
    _, data = big
    broken = data[: len(data) // 2]  # invalid JSON, but well after the first minute
    shown = preview(broken)
    assert shown is not None and shown.events == preview(data).events  # type: ignore[union-attr]
