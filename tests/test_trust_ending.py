"""The end of a session never gives up what is held: a disk that fails at the end, a
session folder deleted (or deleted and re-created) while coding.

The real coding app (Pilot). The disk fault is injected into the one function that
writes observer's bytes (``jsonio.write_all``), for files inside the session folder
only, so a second folder works while the session folder is "full".
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from support.pilot import acknowledged, until
from textual.pilot import Pilot
from textual.widgets import Input, Static

from observer import jsonio
from observer.codebook import load_codebook
from observer.live.journal import SUFFIX
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm, Summary
from observer.tui.coding.unsaved import NotSaved

BOOK = load_codebook("cpp-attachment")
KEYS = ("t", "d", "k", "w", "2", "o")
CODES = ["cg-names-feeling", "cg-ignores-bid", "ch-own-play", "cg-warm-touch", "ch-bids"]


def full_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> dict[str, bool]:
    """Make every write into ``folder`` fail with ENOSPC while ``failing["on"]``."""
    real = jsonio.write_all
    failing = {"on": False}
    inside = str(folder.resolve())

    def write_all(fd: int, data: bytes) -> None:
        if failing["on"] and os.readlink(f"/proc/self/fd/{fd}").startswith(inside):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(jsonio, "write_all", write_all)
    return failing


async def code_and_end(app: CodingApp, pilot: Pilot[Any], before_end: Callable[[], None]) -> None:
    await until(pilot, lambda: app.recorder is not None, "the coding screen")
    await pilot.press("space", *KEYS)
    await acknowledged(pilot, 7)
    before_end()
    await pilot.press("ctrl+e")
    assert isinstance(app.screen, ConfirmEnd)
    await pilot.press("enter")
    assert isinstance(app.screen, RatingsForm)
    await pilot.press("ctrl+s")
    await pilot.pause()


@contextlib.asynccontextmanager
async def not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[CodingApp, Pilot[Any], dict[str, bool]]]:
    """A session coded into ``tmp_path / "sessions"`` and ended while its disk is full:
    the app on its not-saved screen, and the switch of the fault (on)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "sessions"
    failing = full_disk(monkeypatch, folder)
    app = CodingApp(folder, book=BOOK, dyad="D1", observer="o1", journals=[])
    async with app.run_test(size=(120, 40)) as pilot:
        await code_and_end(app, pilot, lambda: failing.update(on=True))
        await until(pilot, lambda: isinstance(app.screen, NotSaved), "the not-saved screen")
        yield app, pilot, failing


async def test_in_an_encrypted_folder_the_copy_is_encrypted_and_removed_once_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy and the session file are two encryptions of one session (different
    bytes): the app knows they hold the same plaintext, so the copy goes all the same."""
    from observer.crypto import agefile
    from observer.crypto.keys import new_identity

    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    new_identity(tmp_path / "study.key", folder / "recipients.txt")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    failing = full_disk(monkeypatch, folder)
    app = CodingApp(folder, book=BOOK, dyad="DQ77", observer="o1", journals=[])
    async with app.run_test(size=(120, 40)) as pilot:
        await code_and_end(app, pilot, lambda: failing.update(on=True))
        await until(pilot, lambda: isinstance(app.screen, NotSaved), "the not-saved screen")
        copies = list((tmp_path / "state" / "observer" / "unsaved").iterdir())
        assert [c.name for c in copies] == [f"{app.recorder and app.recorder.meta.id}.json.age"]
        assert b"DQ77" not in copies[0].read_bytes()
        failing["on"] = False
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
    assert app.result.path == folder / copies[0].name
    assert not copies[0].exists()  # saved where it belongs: the copy is gone
    agefile.use_identities([tmp_path / "study.key"])
    try:
        assert [e.code for e in load_session(app.result.path).events] == CODES
    finally:
        agefile.use_identities([])


async def test_a_disk_full_at_the_end_keeps_the_app_open_copies_and_saves_once_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sessions"
    async with not_saved(tmp_path, monkeypatch) as (app, pilot, failing):
        assert app.is_running and app.return_code is None
        shown = str(app.screen.query_one("#unsaved-text", Static).render())
        assert "NOT SAVED" in shown and "the disk is full" in shown
        assert "All 5 events are held in memory" in shown
        copies = list((tmp_path / "state" / "observer" / "unsaved").glob("*.json"))
        assert len(copies) == 1 and f"A complete copy is saved at {copies[0]}" in shown
        assert [e.code for e in load_session(copies[0]).events] == CODES
        assert not list(folder.glob("*.json"))
        failing["on"] = False  # space was freed: the next retry saves
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
    assert app.result.path == folder / copies[0].name
    assert [e.code for e in load_session(app.result.path).events] == CODES
    assert not list(folder.glob(f"*{SUFFIX}"))
    assert not copies[0].exists()  # saved where it belongs: the copy is gone


async def test_a_session_that_cannot_be_saved_is_saved_into_a_folder_typed_by_the_observer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fallback folder cannot be created either (a file is in the way).
    (tmp_path / "state").write_text("not a folder")
    async with not_saved(tmp_path, monkeypatch) as (app, pilot, _):
        shown = str(app.screen.query_one("#unsaved-text", Static).render())
        assert "No copy could be written yet" in shown
        field = app.screen.query_one("#unsaved-folder", Input)
        field.value = str(tmp_path / "usb")
        field.focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
    assert app.result.path is not None and app.result.path.parent == tmp_path / "usb"
    assert [e.code for e in load_session(app.result.path).events] == CODES
    assert "not in the session folder" in app.result.elsewhere


async def test_quitting_without_the_session_file_takes_two_presses_and_says_what_is_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with not_saved(tmp_path, monkeypatch) as (app, pilot, _):
        await pilot.press("ctrl+q")
        assert app.is_running and isinstance(app.screen, NotSaved)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 1 and app.result.path is None
    failure = app.result.failure or ""
    assert "could not be written" in failure and "a complete copy is at" in failure
    rec = app.recorder
    assert rec is not None and rec.seq > 7
    assert f"holds 7 of {rec.seq} actions" in failure  # the end and ratings were not


@pytest.mark.parametrize("recreate", [False, True], ids=["deleted", "deleted-and-recreated"])
async def test_a_session_folder_deleted_while_coding_is_warned_about_and_rebuilt_from_memory(
    tmp_path: Path, recreate: bool
) -> None:
    folder = tmp_path / "sessions"

    app = CodingApp(folder, book=BOOK, dyad="D1", observer="o1", journals=[])
    async with app.run_test(size=(160, 40)) as pilot:
        await until(pilot, lambda: app.recorder is not None, "the coding screen")
        rec = app.recorder
        assert rec is not None and app.writer is not None
        journal = app.writer.path
        await pilot.press("space", "t", "d")
        await acknowledged(pilot, 3)
        shutil.rmtree(folder)
        if recreate:
            folder.mkdir()
        await pilot.press("k", "w", "2", "o")
        status = app.screen.query_one("#status", Static)
        await until(pilot, lambda: "WARNING" in str(status.render()), "the warning")
        assert "was deleted" in str(status.render())
        await until(pilot, lambda: app.saved.acked == rec.seq == 7, "everything saved again")
        lines = journal.read_bytes().splitlines()
        assert orjson.loads(lines[0])["session"] == rec.meta.id
        assert [orjson.loads(line)["seq"] for line in lines[1:]] == list(range(1, 8))
        assert (folder.stat().st_mode & 0o777) == 0o700 or recreate
        await pilot.press("ctrl+e", "enter", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, Summary), "the summary")
    assert app.result.failure is None and app.result.path is not None
    assert [e.code for e in load_session(app.result.path).events] == CODES
    assert not journal.exists()


def test_folders_observer_creates_are_private_whatever_the_umask(tmp_path: Path) -> None:
    from observer.live.journal import JournalWriter, make_header

    old = os.umask(0o022)
    try:
        folder = tmp_path / "a" / "b" / "c"
        writer = JournalWriter.create(folder, make_header("S1-D1-o1", BOOK, "D1", "o1"))
        writer.close()
    finally:
        os.umask(old)
    for path in (tmp_path / "a", tmp_path / "a" / "b", folder):
        assert path.stat().st_mode & 0o777 == 0o700, path


def test_a_disk_too_small_is_refused_in_mib_and_leaves_no_folder_behind(tmp_path: Path) -> None:
    from observer.errors import InputError
    from observer.live.journal import MIN_FREE_BYTES, JournalWriter, make_header

    folder = tmp_path / "new" / "sessions"
    header = make_header("S1-D1-o1", BOOK, "D1", "o1")
    with pytest.raises(InputError) as caught:
        JournalWriter.create(folder, header, min_free=shutil.disk_usage(tmp_path).free * 2)
    assert "MB are needed" in str(caught.value.problems[0])
    assert not (tmp_path / "new").exists()
    assert f"{MIN_FREE_BYTES // (1024 * 1024)}" == "16"
