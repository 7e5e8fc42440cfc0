"""The review trail: entries saved through observer are linked; a change made to the file
outside observer (a byte of a text flipped, an entry deleted, two reordered, one
inserted, the events changed) is found by ``observer verify``, by index; a save over a
broken trail is refused; sessions from before trails verify as "no trail"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.clirun import run
from support.minibook import book

from observer.errors import InputError
from observer.review import new_entry, without
from observer.sessionfile import Session, check_trail, load_session, save_reviews, write_session
from observer.synthetic import make_session

Edit = Callable[[dict[str, Any]], None]


def reviewed(tmp_path: Path, n: int = 4) -> Path:
    """A session with ``n`` comments, each added and saved as replay does."""
    path = write_session(tmp_path, make_session(book(), 30, session_id="S1"))
    session = load_session(path)
    for i in range(n):
        entry = new_entry(session, "sup", kind="comment", t=float(i), text=f"note number {i}")
        session, _ = save_reviews(path, session, (*session.reviews, entry))
    return path


def edit_file(path: Path, change: Edit) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


def verify(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str]]:
    """``observer verify PATHS``: exit status and every line it printed (out, then err)."""
    code, out, err = run(["verify", *map(str, paths)], capsys)
    return code, (out + err).splitlines()


def test_saved_reviews_are_linked_and_verify_says_the_trail_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reviewed(tmp_path)
    session = load_session(path)
    links = [r.link for r in session.reviews]
    assert all(link is not None for link in links)
    assert [link.prev for link in links[1:]] == [link.entry for link in links[:-1]]  # type: ignore[union-attr]
    assert session.trail is not None and session.trail.entries == 4
    assert verify(capsys, path) == (
        0,
        [f"{path}: the review trail holds: 4 entries, made on the events the file holds"],
    )


def _flip_a_byte(data: dict[str, Any]) -> None:
    data["reviews"][1]["text"] = data["reviews"][1]["text"].replace("number", "numbar")


def _delete(index: int) -> Edit:
    return lambda data: data["reviews"].pop(index)


def _swap(data: dict[str, Any]) -> None:
    reviews = data["reviews"]
    reviews[1], reviews[2] = reviews[2], reviews[1]


def _insert(data: dict[str, Any]) -> None:
    forged = {**data["reviews"][0], "id": "r99", "text": "never said"}
    del forged["link"]
    data["reviews"].insert(2, forged)


def _events(data: dict[str, Any]) -> None:
    modifiers = data["events"][0]["modifiers"]
    modifiers["intensity"] = "high" if modifiers["intensity"] != "high" else "low"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_flip_a_byte, ["reviews[1]: changed since it was linked (its fields differ)"]),
        (_delete(1), ["reviews[1]: an entry before it was removed"]),
        (_delete(3), ["reviews[3]: the last entry was removed"]),
        (_swap, ["reviews[2]: moved: it was linked as entry 1"]),
        (_insert, ["reviews[2]: inserted: it carries no link to the trail"]),
        (_events, ["reviews[0]: made on other events than the file now holds (the events"
                   " were changed)"]),
    ],
    ids=["byte flipped", "middle deleted", "last deleted", "reordered", "inserted", "events"],
)  # fmt: skip
def test_each_change_outside_observer_is_found_by_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Edit, expected: list[str]
) -> None:
    path = reviewed(tmp_path)
    edit_file(path, change)
    status, lines = verify(capsys, path)
    assert status == 1
    assert lines == [f"{path}: {line}" for line in expected]


def test_a_save_over_a_broken_trail_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = reviewed(tmp_path)
    edit_file(path, _flip_a_byte)
    before = path.read_bytes()
    session = load_session(path)
    entry = new_entry(session, "sup", kind="comment", t=5.0, text="a later note")
    with pytest.raises(InputError) as caught:
        save_reviews(path, session, (*session.reviews, entry))
    (problem,) = caught.value.problems
    assert problem.location == "reviews[1]" and "observer verify" in problem.message
    assert path.read_bytes() == before


def test_edits_and_deletions_through_observer_keep_the_trail_whole(tmp_path: Path) -> None:
    path = reviewed(tmp_path)
    session = load_session(path)
    session, _ = save_reviews(path, session, without(session, session.reviews[1].id, "sup"))
    assert check_trail(load_session(path)).state == "whole"
    assert load_session(path).trail.entries == 3  # type: ignore[union-attr]


def test_sessions_from_before_trails_have_none_until_observer_saves_their_reviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = reviewed(tmp_path, n=2)

    def unlinked(data: dict[str, Any]) -> None:
        for review in data["reviews"]:
            del review["link"]
        del data["trail"]

    edit_file(path, unlinked)
    assert verify(capsys, path) == (
        0,
        [f"{path}: no trail (no reviews, or reviews saved before observer linked them)"],
    )
    session: Session = load_session(path)
    entry = new_entry(session, "sup", kind="comment", t=9.0, text="now linked")
    save_reviews(path, session, (*session.reviews, entry))
    assert check_trail(load_session(path)).state == "whole"


def test_a_session_without_reviews_round_trips_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_session(tmp_path, make_session(book(), 10, session_id="S2"))
    text = path.read_text()
    assert '"trail"' not in text and '"link"' not in text
    assert verify(capsys, path)[0] == 0


def test_an_unreadable_file_is_an_input_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = verify(capsys, tmp_path / "missing.json")
    assert status == 2 and len(lines) == 1 and "missing.json" in lines[0]
