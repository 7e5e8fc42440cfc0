"""Durability on each platform, checked here by switching ``sys.platform`` and giving
the core the operating system's modules as that platform has them: macOS's fcntl with
F_FULLFSYNC (and a file system that refuses it), Windows without fcntl, fchmod or
folder descriptors but with msvcrt's byte-range locks, Linux without O_TMPFILE. The
same journal, session file and consensus journal are written under each, and must come
out whole, private, locked while in use and made durable the platform's way."""

from __future__ import annotations

import errno
import fcntl as real_fcntl
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import attrs
import orjson
import pytest
from support.minibook import book

from observer import durable
from observer.live.journal import JournalWriter, journal_in_use, journal_path, make_header
from observer.sessionfile import load_session, write_session
from observer.study.consensus import DecisionJournal
from observer.synthetic import make_session

SID = "20261207T120000Z-D1-o1"
F_FULLFSYNC = 51  # its value on macOS
REAL_FSYNC = os.fsync


@attrs.define
class Calls:
    fsync: int = 0
    fullfsync: int = 0
    fchmod: int = 0
    locking: list[int] = attrs.field(factory=list)


def _darwin(monkeypatch: pytest.MonkeyPatch, calls: Calls, *, refuses: bool) -> None:
    fake = types.ModuleType("fcntl")
    fake.__dict__.update({k: v for k, v in vars(real_fcntl).items() if not k.startswith("__")})

    def fcntl(fd: int, cmd: int, arg: int = 0) -> int:
        if cmd != F_FULLFSYNC:
            return real_fcntl.fcntl(fd, cmd, arg)
        if refuses:  # as a network share may
            raise OSError(errno.ENOTSUP, "not supported")
        calls.fullfsync += 1
        REAL_FSYNC(fd)
        return 0

    fake.__dict__.update(F_FULLFSYNC=F_FULLFSYNC, fcntl=fcntl)
    monkeypatch.setitem(sys.modules, "fcntl", fake)


def _win32(monkeypatch: pytest.MonkeyPatch, calls: Calls) -> None:
    """msvcrt as Windows has it: a byte-range lock from the file's position (another
    descriptor's attempt is refused with EACCES); no fcntl, no fchmod, no folder fds."""
    held: dict[tuple[int, int, int], int] = {}

    def locking(fd: int, mode: int, nbytes: int) -> None:
        info = os.fstat(fd)
        key = (info.st_dev, info.st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        calls.locking.append(key[2])
        holder = held.get(key)
        if holder is not None and holder != fd:
            try:
                alive = os.fstat(holder).st_ino == info.st_ino
            except OSError:
                alive = False
            if alive:
                raise PermissionError(errno.EACCES, "locked")
        held[key] = fd

    msvcrt = types.ModuleType("msvcrt")
    msvcrt.__dict__.update(LK_LOCK=1, LK_NBLCK=2, locking=locking)
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl fails, as on Windows
    real_open = os.open

    def open_(path: object, flags: int, *args: int, **kwargs: object) -> int:
        if os.path.isdir(path):  # type: ignore[arg-type]
            raise PermissionError(errno.EACCES, "a folder is not a file", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def fchmod(fd: int, mode: int) -> None:
        calls.fchmod += 1

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "fchmod", fchmod)


@pytest.fixture(params=["linux", "linux without O_TMPFILE", "darwin", "darwin refusing", "win32"])
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Calls]:
    name: str = request.param
    calls = Calls()

    def fsync(fd: int) -> None:
        calls.fsync += 1
        REAL_FSYNC(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    if name == "linux without O_TMPFILE":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    if name.startswith("darwin"):
        _darwin(monkeypatch, calls, refuses=name == "darwin refusing")
    if name == "win32":
        _win32(monkeypatch, calls)
    monkeypatch.setattr(sys, "platform", name.split()[0])
    yield calls


def _check_durable_the_platforms_way(calls: Calls) -> None:
    if sys.platform == "darwin" and calls.fullfsync:
        assert calls.fsync == 0  # every flush asked the drive itself
    else:
        assert calls.fsync > 0 and calls.fullfsync == 0
    if sys.platform == "win32":
        assert calls.fchmod == 0 and set(calls.locking) <= {durable.LOCK_OFFSET}


def test_a_journal_is_whole_private_and_locked_while_in_use(
    tmp_path: Path, platform: Calls
) -> None:
    header = make_header(SID, book(), "D1", "o1", "label")
    writer = JournalWriter.create(tmp_path, header, min_free=0)
    path = journal_path(tmp_path, SID)
    try:
        assert journal_in_use(path)  # recovery keeps away from a running session
        for seq in range(1, 4):
            writer.append({"seq": seq, "a": "clock", "mono": float(seq), "wall": None})
    finally:
        assert writer.close(timeout=10)
    assert not journal_in_use(path)
    if sys.platform == "win32":  # taken by the writer, tried by each journal_in_use
        assert platform.locking.count(durable.LOCK_OFFSET) == 3
    lines = path.read_bytes().splitlines()
    assert orjson.loads(lines[0])["session"] == SID  # the header at the start, not past the lock
    assert [orjson.loads(line)["seq"] for line in lines[1:]] == [1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left
    assert path.stat().st_mode & 0o777 == 0o600
    _check_durable_the_platforms_way(platform)


def test_a_session_file_and_a_consensus_journal(tmp_path: Path, platform: Calls) -> None:
    session = make_session(book(), 20, session_id=SID)
    path = write_session(tmp_path, session)
    assert load_session(path).events == session.events
    assert path.stat().st_mode & 0o777 == 0o600
    journal = DecisionJournal(tmp_path / "c.consensus.jsonl", {"tolerance": 2.0})
    journal.undo()
    journal.close()
    assert len((tmp_path / "c.consensus.jsonl").read_bytes().splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["c.consensus.jsonl", path.name])
    _check_durable_the_platforms_way(platform)
