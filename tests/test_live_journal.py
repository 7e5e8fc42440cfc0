"""The journal: durable per action, ordered, private, never overwritten, torn lines."""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from support.live import META
from support.minibook import book

from observer.errors import InputError
from observer.live.journal import (
    JournalStatus,
    JournalWriter,
    journal_path,
    make_header,
    read_journal,
)


def header(session_id: str = META.id) -> dict[str, Any]:
    return make_header(session_id, book(), "D012", "obs1", "label")


def action(seq: int) -> dict[str, Any]:
    return {"seq": seq, "a": "key", "key": "p", "mono": 100.0 + seq}


class Acks:
    """Collects acknowledgements; lets a test wait for one (no sleeps)."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self._cond = threading.Condition()

    def __call__(self, seq: int) -> None:
        with self._cond:
            self.seqs.append(seq)
            self._cond.notify_all()

    def wait_for(self, seq: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.seqs and self.seqs[-1] >= seq, timeout=30)


def test_each_action_is_written_and_fsynced_before_it_is_acknowledged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []  # lines in the file at each fsync of the journal
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        real_fsync(fd)
        if fd == getattr(writer_box, "fd", None):
            synced.append(journal_path(tmp_path, META.id).read_bytes().count(b"\n"))

    writer_box = type("Box", (), {})()
    monkeypatch.setattr(os, "fsync", counting_fsync)
    acks = Acks()
    writer = JournalWriter.create(tmp_path, header(), on_ack=acks)
    writer_box.fd = writer._fd
    for seq in range(1, 21):
        writer.append(action(seq))
        acks.wait_for(seq)
        # acknowledged => written and fsynced, with this very line in the file
        assert synced[-1] == seq + 1  # header + seq actions
        assert writer.durable == seq
    assert writer.close()
    assert len(synced) == 20  # one fsync per action when they arrive one by one
    assert [a["seq"] for a in read_journal(writer.path).actions] == list(range(1, 21))


def test_a_burst_of_500_actions_keeps_order(tmp_path: Path) -> None:
    acks = Acks()
    writer = JournalWriter.create(tmp_path, header(), on_ack=acks)
    for seq in range(1, 501):
        writer.append(action(seq))
    assert writer.close()
    contents = read_journal(writer.path)
    assert [a["seq"] for a in contents.actions] == list(range(1, 501))
    assert contents.lines == list(range(2, 502))
    assert acks.seqs == sorted(acks.seqs) and acks.seqs[-1] == 500
    assert contents.torn is None


def test_file_is_private_exclusive_and_starts_with_its_header(tmp_path: Path) -> None:
    writer = JournalWriter.create(tmp_path / "new", header())
    writer.close()
    assert stat.S_IMODE(os.stat(writer.path).st_mode) == 0o600
    contents = read_journal(writer.path)
    assert contents.header["session"] == META.id
    assert contents.header["codebook"]["sha256"] == book().sha256
    before = writer.path.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        JournalWriter.create(tmp_path / "new", header())
    assert writer.path.read_bytes() == before


def test_torn_last_line_is_tolerated_and_reported(tmp_path: Path) -> None:
    writer = JournalWriter.create(tmp_path, header())
    for seq in (1, 2, 3):
        writer.append(action(seq))
    writer.close()
    with open(writer.path, "ab") as out:
        out.write(b'{"seq": 4, "a": "ke')  # the crash came mid-write
    contents = read_journal(writer.path)
    assert [a["seq"] for a in contents.actions] == [1, 2, 3]
    assert contents.torn == 5


def test_a_whole_last_line_missing_only_its_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.journal.jsonl"
    path.write_bytes(b'{"journal": "observer.journal/1"}\n{"seq": 1, "a": "undo", "mono": 1.0}')
    contents = read_journal(path)
    assert len(contents.actions) == 1 and contents.torn is None


def test_corrupt_middle_line_is_an_error_with_its_line_number(tmp_path: Path) -> None:
    writer = JournalWriter.create(tmp_path, header())
    for seq in (1, 2, 3):
        writer.append(action(seq))
    writer.close()
    lines = writer.path.read_bytes().split(b"\n")
    lines[2] = b'{"seq": 2, "a": "key", "ke'
    writer.path.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as caught:
        read_journal(writer.path)
    assert caught.value.problems[0].location == "line 3"
    assert "corrupt" in caught.value.problems[0].message


def test_not_a_journal_and_empty_files_are_clean_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.journal.jsonl"
    path.write_bytes(b'{"schema": "something else"}\n')
    with pytest.raises(InputError, match="not an observer journal"):
        read_journal(path)
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_journal(path)
    path.write_bytes(b'{"journal": "obs')
    with pytest.raises(InputError, match="header line is incomplete"):
        read_journal(path)


def test_write_failures_are_retried_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC several times, one of them after half a line reached the file: the
    writer reports it, keeps the actions, retries, and ends with every line once."""
    statuses: list[JournalStatus] = []
    recovered = threading.Event()

    def on_status(status: JournalStatus) -> None:
        statuses.append(status)
        if status.ok:
            recovered.set()

    acks = Acks()
    writer = JournalWriter.create(
        tmp_path, header(), on_ack=acks, on_status=on_status, retry_interval=0.01
    )
    real_write = os.write
    failures = {"left": 4}

    def failing_write(fd: int, data: Any) -> int:
        if fd == writer._fd and failures["left"] > 0:
            failures["left"] -= 1
            if failures["left"] == 3:  # the first failure: half a line got through
                return real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    for seq in range(1, 51):
        writer.append(action(seq))
    assert recovered.wait(30)
    assert writer.close()
    failed = [s for s in statuses if not s.ok]
    assert failed and failed[0].error == "cannot write the journal: the disk is full"
    assert failed[0].pending > 0 and statuses[-1].ok
    contents = read_journal(writer.path)
    assert [a["seq"] for a in contents.actions] == list(range(1, 51))
    assert contents.torn is None
    assert acks.seqs[-1] == 50


def test_a_folder_that_cannot_hold_a_session_is_refused_before_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError, match="MB free"):
        JournalWriter.create(tmp_path, header(), min_free=10**18)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match=r"not a folder|is a file"):
        JournalWriter.create(blocker, header())
    real_fsync = os.fsync

    def read_only(fd: int) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "fsync", read_only)
    with pytest.raises(InputError, match="read-only"):
        JournalWriter.create(tmp_path, header())
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list(tmp_path.glob("*.journal.jsonl")) == []  # nothing left behind


def test_unwritable_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda *_: False)  # the journal module's os
    with pytest.raises(InputError, match="not writable"):
        JournalWriter.create(tmp_path, header())


def test_append_after_close_raises(tmp_path: Path) -> None:
    writer = JournalWriter.create(tmp_path, header())
    writer.close()
    with pytest.raises(RuntimeError):
        writer.append(action(1))


def test_a_failing_callback_never_stops_the_writer(tmp_path: Path) -> None:
    class Broken(Acks):
        def __call__(self, seq: int) -> None:
            super().__call__(seq)
            raise ValueError("a bug in the screen")

    acks = Broken()
    writer = JournalWriter.create(tmp_path, header(), on_ack=acks)
    for seq in (1, 2, 3):
        writer.append(action(seq))
        acks.wait_for(seq)  # the thread lived on after the callback failed
    assert writer.close()
    assert [a["seq"] for a in read_journal(writer.path).actions] == [1, 2, 3]
