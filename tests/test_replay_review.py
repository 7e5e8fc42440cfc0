"""Reviews: entries made, saved atomically, reloaded; author-only edits; corrections applied."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.replay import EVENTS, small_file, small_session, unlinked

from observer.errors import InputError
from observer.review import (
    CORRECTED,
    ReviewError,
    apply_corrections,
    config_path,
    edited,
    load_reviewer,
    new_entry,
    save_reviewer,
    without,
)
from observer.sessionfile import (
    Correction,
    Event,
    Review,
    Session,
    load_session,
    save_reviews,
    write_session,
)


def clock(stamp: str = "2026-02-01T09:00:00+00:00") -> Callable[[], str]:
    return lambda: stamp


def test_a_comment_round_trips_and_events_stay_unchanged(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    os.chmod(path, 0o640)  # whatever the owner chose is kept
    before = path.read_bytes()
    inode = path.stat().st_ino
    session = load_session(path)
    entry = new_entry(session, "sup1", kind="comment", t=12.5, text=" look here ", now=clock())
    saved, _ = save_reviews(path, session, (*session.reviews, entry))
    again = load_session(path)
    assert unlinked(again.reviews) == unlinked(saved.reviews) == (entry,)  # linked on save
    assert entry.id == "r1" and entry.text == "look here" and entry.reviewer == "sup1"
    assert again.events == EVENTS
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # replaced by rename, not written in place
    assert before != path.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_flag_names_its_event() -> None:
    flag = new_entry(small_session(), "sup1", kind="flag", t=2.0, event=2, text="too early?")
    assert flag.event == 2 and flag.correction is None


@pytest.mark.parametrize(
    ("reviewer", "entry", "refusal"),
    [
        ("sup1", {"kind": "flag", "t": 2.0, "event": 99}, "choose an event"),
        ("sup1", {"kind": "comment", "t": 2.0, "text": "  "}, "needs some text"),
        (
            "sup1",
            {"event": 0, "correction": Correction("recode", code="cg-warm-touch")},
            "point code",
        ),
        (
            "sup1",
            {"event": 0, "correction": Correction("recode", code="cg-shares-play")},
            "already has",
        ),
        (
            "sup1",
            {"event": 0, "correction": Correction("retime", start=5.0, end=4.0)},
            "before the start",
        ),
        (
            "sup1",
            {"correction": Correction("add", code="ch-bids", start=61.0)},
            "within the session",
        ),
        ("bad id", {"kind": "comment", "t": 1.0, "text": "x"}, "reviewer id"),
    ],
)
def test_flags_and_corrections_are_validated(
    reviewer: str, entry: dict[str, Any], refusal: str
) -> None:
    given = {"kind": "correction", "t": 0, **entry}
    with pytest.raises(ReviewError, match=refusal):
        new_entry(small_session(), reviewer, **given)


def test_only_the_author_edits_or_deletes(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    session = load_session(path)
    mine = new_entry(session, "sup1", kind="comment", t=1.0, text="first", now=clock())
    session, _ = save_reviews(path, session, (mine,))
    theirs = new_entry(session, "sup2", kind="comment", t=2.0, text="second", now=clock())
    session, _ = save_reviews(path, session, (*session.reviews, theirs))
    assert [r.id for r in session.reviews] == ["r1", "r2"]
    with pytest.raises(ReviewError, match="only sup2"):
        edited(session, "r2", "sup1", text="changed")
    with pytest.raises(ReviewError, match="only sup1"):
        without(session, "r1", "sup2")
    changed = edited(
        session, "r1", "sup1", text="first, revised", now=clock("2026-02-02T00:00:00+00:00")
    )
    session, _ = save_reviews(path, session, changed)
    assert load_session(path).reviews[0].text == "first, revised"
    assert load_session(path).reviews[0].edited_at == "2026-02-02T00:00:00+00:00"
    session, _ = save_reviews(path, session, without(session, "r2", "sup2"))
    assert [r.id for r in load_session(path).reviews] == ["r1"]
    assert load_session(path).events == EVENTS


def test_saving_refuses_a_file_changed_on_disk(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    session = load_session(path)
    other = small_session()
    path.unlink()  # another program rewrote the session meanwhile
    write_session(tmp_path, attrs.evolve(other, events=other.events[:-1]))
    before = path.read_bytes()
    entry = new_entry(session, "sup1", kind="comment", t=1.0, text="x")
    with pytest.raises(InputError, match="changed on disk"):
        save_reviews(path, session, (entry,))
    assert path.read_bytes() == before


def test_apply_corrections() -> None:
    session = small_session()
    entries: list[Review] = []

    def add(**kw: Any) -> None:
        s = attrs_evolve(session, entries)
        entries.append(new_entry(s, "sup1", kind="correction", t=kw.pop("t", 0.0), **kw))

    add(event=0, correction=Correction("recode", code="cg-watches"))
    add(event=2, correction=Correction("recode", code="cg-responds"))  # keeps intensity
    add(event=4, correction=Correction("retime", start=5.5, end=7.0))
    add(event=3, correction=Correction("delete"))
    add(correction=Correction("add", code="ch-bids", start=50.0))
    add(correction=Correction("add", code="ch-approach", start=41.0, end=44.0))
    entries.append(new_entry(session, "sup1", kind="comment", t=3.0, text="ignored"))
    reviewed = attrs_evolve(session, entries)
    fixed = apply_corrections(reviewed)
    assert fixed.reviews == ()
    assert reviewed.events == EVENTS  # the original is untouched
    assert [(e.code, e.start, e.end, e.modifiers, e.flags) for e in fixed.events] == [
        ("cg-watches", 0.0, 10.0, {}, (CORRECTED,)),
        ("ch-own-play", 1.0, 5.0, {}, ()),
        ("cg-responds", 2.0, None, {"intensity": "high"}, (CORRECTED,)),
        ("ch-approach", 5.5, 7.0, {}, (CORRECTED,)),
        ("cg-encourages", 6.5, None, {}, ()),
        ("cg-watches", 10.0, 30.0, {}, ()),
        ("ch-distress", 12.0, None, {}, ()),
        ("ch-seeks-contact", 20.0, 40.0, {}, ()),
        ("ch-approach", 41.0, 44.0, {}, (CORRECTED,)),
        ("ch-bids", 50.0, None, {}, (CORRECTED,)),
    ]
    assert all(isinstance(e, Event) for e in fixed.events)


def attrs_evolve(session: Session, entries: Sequence[Review]) -> Session:
    return attrs.evolve(session, reviews=tuple(entries))


def test_reviewer_id_is_remembered_privately(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert config_path() == tmp_path / "cfg" / "observer" / "config.json"
    assert load_reviewer() is None
    path = save_reviewer("sup1")
    assert load_reviewer() == "sup1"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text('{"reviewer": "sup1", "theme": "dark"}')
    os.chmod(path, 0o644)
    save_reviewer("sup2")
    assert load_reviewer() == "sup2"
    assert '"theme"' in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("{not json")
    assert load_reviewer() is None
    with pytest.raises(ReviewError):
        save_reviewer("two words")


def test_an_empty_state_bout_is_refused_and_never_counted() -> None:
    """A proposed state bout must last; one already in a file (made before this was
    refused) is not counted by ``stats --corrected``."""
    from observer.analysis.stats import session_stats
    from observer.sessionfile import Review

    session = small_session()
    for fix, event in [
        (Correction("add", code="ch-approach", start=41.0, end=41.0), None),
        (Correction("retime", start=5.0, end=5.0), 4),
    ]:
        with pytest.raises(ReviewError, match="must last"):
            new_entry(session, "sup1", kind="correction", t=41.0, event=event, correction=fix)
    stored = Review(
        id="r1",
        kind="correction",
        reviewer="sup1",
        created_at="2026-02-01T09:00:00+00:00",
        t=41.0,
        correction=Correction("add", code="ch-approach", start=41.0, end=41.0),
    )
    fixed = apply_corrections(attrs.evolve(session, reviews=(stored,)))
    assert fixed.events == session.events
    counts = {row.code: row.count for row in session_stats(fixed).codes}
    assert counts["ch-approach"] == 1
