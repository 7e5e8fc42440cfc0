"""Two replays of one file never lose each other's reviews; a refused save keeps the text."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from support.replay import small_file

from observer import jsonio
from observer.errors import InputError
from observer.review import edited, new_entry
from observer.sessionfile import load_session, save_reviews
from observer.tui.replay.app import ReplayApp
from observer.tui.widgets.dialogs import TextPrompt


def test_two_replays_saving_alternately_keep_every_comment(tmp_path: Path) -> None:
    path = small_file(tmp_path)
    one = two = load_session(path)  # two replays opened the same file
    one, _ = save_reviews(
        path, one, (new_entry(one, "sup1", kind="comment", t=1.0, text="first by sup1"),)
    )
    two, _ = save_reviews(
        path, two, (new_entry(two, "sup2", kind="comment", t=2.0, text="first by sup2"),)
    )
    one, _ = save_reviews(
        path,
        one,
        (*one.reviews, new_entry(one, "sup1", kind="comment", t=3.0, text="second by sup1")),
    )
    saved = load_session(path)
    assert [r.text for r in saved.reviews] == ["first by sup1", "first by sup2", "second by sup1"]
    assert len({r.id for r in saved.reviews}) == 3  # a taken id was given a new one
    assert saved.reviews == one.reviews


def test_an_edit_and_a_deletion_merge_and_an_edit_of_a_deleted_entry_is_refused(
    tmp_path: Path,
) -> None:
    path = small_file(tmp_path)
    base = load_session(path)
    base, _ = save_reviews(path, base, (new_entry(base, "sup1", kind="comment", t=1.0, text="a"),))
    base, _ = save_reviews(
        path, base, (*base.reviews, new_entry(base, "sup1", kind="comment", t=2.0, text="b"))
    )
    first, _second = base.reviews
    one = two = base
    one, _ = save_reviews(path, one, edited(one, first.id, "sup1", text="a, edited"))
    two, _ = save_reviews(path, two, (first,))  # the other replay deleted the second
    assert [r.text for r in load_session(path).reviews] == ["a, edited"]
    before = path.read_bytes()
    with pytest.raises(InputError, match="deleted by another program"):
        save_reviews(path, base, edited(base, _second.id, "sup1", text="b, edited"))
    assert path.read_bytes() == before


async def test_a_refused_save_keeps_the_typed_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = small_file(tmp_path)
    app = ReplayApp(path, load_session(path), config=tmp_path / "config.json")
    real = jsonio.replace
    failing = {"on": True}

    def replace(target: Path, data: bytes) -> None:
        if failing["on"] and target == path:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(target, data)

    monkeypatch.setattr(jsonio, "replace", replace)
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.press("a", *"sup1", "enter")
        await pilot.press(*"an important remark", "enter")
        await pilot.pause()
        assert load_session(path).reviews == ()
        failing["on"] = False
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # the kept text, as it was
        await pilot.pause()
    assert [r.text for r in load_session(path).reviews] == ["an important remark"]
