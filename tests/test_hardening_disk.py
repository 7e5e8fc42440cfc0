"""Full or read-only disks: refused before the clock starts; failures mid-session warned
about loudly, every action kept in memory, retried, and written once the disk works.

The mid-session test runs the real coding app (Pilot) while the journal's fsync
fails with ENOSPC (the writer's own file descriptor only), then works again. The
start-up tests run ``observer code`` in a real terminal (tmux): a session folder
that cannot be written ends the program with exit 2 and one line, nothing written.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest
from support.pilot import acknowledged, until
from support.tmuxdriver import Tmux, observer_code_argv
from textual.widgets import Static

from observer.codebook import load_codebook
from observer.sessionfile import load_session
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm

BOOK = load_codebook("cpp-attachment")


async def test_a_failing_disk_mid_session_is_warned_retried_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CodingApp(tmp_path, book=BOOK, dyad="D1", observer="o1", journals=[])
    real_fsync = os.fsync
    failing = {"on": False}

    def fsync(fd: int) -> None:
        if failing["on"] and app.writer is not None and fd == app.writer._fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: app.recorder is not None, "the coding screen")
        rec = app.recorder
        assert rec is not None and app.writer is not None
        status = app.screen.query_one("#status", Static)
        await pilot.press("space", "t")
        await until(pilot, lambda: app.saved.acked == rec.seq == 2, "first actions saved")

        failing["on"] = True
        await pilot.press("d", "k", "w", "2", "o")
        await until(pilot, lambda: "NOT SAVED" in str(status.render()), "the warning")
        shown = str(status.render())
        assert "the disk is full" in shown and "retrying" in shown
        assert f"{rec.seq - app.saved.acked} actions held in memory" in shown
        assert app.saved.acked == 2 and rec.seq == 7  # coding went on meanwhile
        assert [e.code for e in rec.events][-4:] == [
            "cg-ignores-bid",
            "ch-own-play",
            "cg-warm-touch",
            "ch-bids",
        ]

        failing["on"] = False
        await acknowledged(pilot)  # everything
        await until(pilot, lambda: "NOT SAVED" not in str(status.render()), "warning gone")
        lines = app.writer.path.read_bytes().splitlines()[1:]
        assert [orjson.loads(line)["seq"] for line in lines] == list(range(1, 8))

        await pilot.press("ctrl+e")
        assert isinstance(app.screen, ConfirmEnd)
        await pilot.press("enter")
        assert isinstance(app.screen, RatingsForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result.path is not None
    session = load_session(app.result.path)
    assert [e.code for e in session.events] == [
        "cg-names-feeling",
        "cg-ignores-bid",
        "ch-own-play",
        "cg-warm-touch",
        "ch-bids",
    ]
    assert session.events[3].modifiers == {"intensity": "moderate"}


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write into: permissions, or (as root, whom
    permissions do not stop) a folder of a read-only file system."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    if not os.access(folder, os.W_OK):
        return folder
    for candidate in (Path("/proc/sys"), Path("/sys/fs")):
        if candidate.is_dir() and not os.access(candidate, os.W_OK):
            return candidate
    pytest.skip("no folder here is read-only to this user (root on a read-write system)")


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _refused_at_start(folder: Path, message: str) -> None:
    with Tmux(width=300, height=24) as term:
        term.start(observer_code_argv(folder, dyad="D1", observer="o1"))
        term.wait_dead(timeout=60)
        status = term.exit_status()
        # With the history: the line may have scrolled off by the time the pane died.
        screen = term._run("capture-pane", "-p", "-S", "-200", "-t", term.name).stdout
    lines = [line for line in screen.splitlines() if line.strip() and "Pane is dead" not in line]
    assert status == 2, screen
    assert len(lines) == 1 and message in lines[0] and str(folder) in lines[0], screen


@pytest.mark.tmux
def test_a_read_only_session_folder_is_refused_before_the_clock(tmp_path: Path) -> None:
    folder = _unwritable_folder(tmp_path)
    before = _listing(folder)
    _refused_at_start(folder, "not writable")
    assert _listing(folder) == before


@pytest.mark.tmux
def test_a_session_folder_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    _refused_at_start(tmp_path / "a-file" / "sessions", "cannot create the session folder")
    assert _listing(tmp_path) == ["a-file"]
