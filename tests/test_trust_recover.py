"""``observer recover`` compares a journal with a session file of its id before calling
it saved; one bad journal never stops the others."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from support.clirun import run
from support.live import META
from support.minibook import book

from observer.live.journal import JournalWriter, make_header
from observer.live.recorder import Recorder
from observer.live.recovery import find_journals, recover
from observer.sessionfile import load_session, write_session

T0 = 700.0


def crashed_session(folder: Path, keys: str) -> tuple[Recorder, Path]:
    writer = JournalWriter.create(folder, make_header(META.id, book(), "D012", "obs1", "test"))
    rec = Recorder(book(), META, writer.append)
    rec.toggle_clock(T0)
    for i, key in enumerate(keys):
        rec.key(key, T0 + 1 + i)
    assert writer.close()
    return rec, writer.path


def recover_says(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """What ``observer recover --session-dir FOLDER`` says (it ends with status 0)."""
    code, out, err = run(["recover", "--session-dir", str(folder)], capsys)
    assert code == 0, err
    return out


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session folder (not made yet), the fallback folder of unsaved copies kept
    under ``tmp_path / "state"``."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "sessions"


def test_a_journal_beside_an_unrelated_file_of_its_id_is_recovered_under_a_new_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other, _ = crashed_session(other_folder, "pp")  # another session, the same id
    unrelated = write_session(tmp_path, other.recovered_session())
    before = unrelated.read_bytes()
    rec, _ = crashed_session(tmp_path, "pcpvpt1")
    out = recover_says(tmp_path, capsys)
    assert "is a different session: the recovered one was given a new id" in out
    assert unrelated.read_bytes() == before
    recovered = load_session(tmp_path / f"{META.id}-recovered.json")
    assert len(recovered.events) == len(rec.events) == 6  # "1" is a modifier value
    assert recovered.id == f"{META.id}-recovered"
    assert find_journals(tmp_path) == []


def test_a_journal_whose_file_holds_it_is_already_saved(tmp_path: Path) -> None:
    rec, journal = crashed_session(tmp_path, "pcp")
    saved = write_session(tmp_path, rec.recovered_session())
    result = recover(journal)
    assert result.outcome == "already-saved" and result.session_path == saved


def test_a_file_missing_one_of_the_journals_events_is_not_already_saved(tmp_path: Path) -> None:
    rec, journal = crashed_session(tmp_path, "pcp")
    session = rec.recovered_session()
    write_session(tmp_path, attrs.evolve(session, events=session.events[:-1]))
    result = recover(journal)
    assert result.outcome == "recovered" and result.renamed_from == META.id
    assert result.session_path is not None and len(load_session(result.session_path).events) == 3


def test_recover_removes_a_temporary_copy_left_by_a_killed_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, journal = crashed_session(tmp_path, "pcp")
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    leftover = tmp_path / f".{META.id}.json.{dead}.0.tmp"
    leftover.write_bytes(b"{}")
    alone = tmp_path / f".other-session.json.{dead}.0.tmp"  # its only copy: kept
    alone.write_bytes(b"{}")
    assert f"removed {leftover.name}" in recover_says(tmp_path, capsys)
    assert not leftover.exists() and alone.exists()
    assert journal.with_name(journal.name + ".recovered").exists() and rec.seq


def unsaved_session(folder: Path, keys: str, journaled: int) -> tuple[Recorder, Path, Path]:
    """A session whose disk filled after ``journaled`` actions and whose observer quit
    at NOT SAVED: the journal holds those actions, the complete copy is in the
    fallback folder."""
    from observer.live.copies import fallback_folder
    from observer.live.recovery import save_copy

    writer = JournalWriter.create(folder, make_header(META.id, book(), "D012", "obs1", "test"))

    def append(action: dict[str, object]) -> None:
        if int(action["seq"]) <= journaled:  # type: ignore[call-overload]
            writer.append(action)

    rec = Recorder(book(), META, append)
    rec.toggle_clock(T0)
    for i, key in enumerate(keys):
        rec.key(key, T0 + 1 + i)
    rec.end(T0 + 2 + len(keys))
    assert writer.close()
    return rec, writer.path, save_copy(fallback_folder(), rec)


def test_recover_uses_the_complete_unsaved_copy_when_it_holds_more_and_removes_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, journal, copy = unsaved_session(folder, "pcpvpt", journaled=3)
    before = copy.read_bytes()
    out = recover_says(folder, capsys)
    saved = folder / f"{META.id}.json"
    assert saved.read_bytes() == before  # the session as the observer ended it
    session = load_session(saved)
    assert session.status == "complete" and len(session.events) == len(rec.events) == 6
    assert f"the complete copy {copy} holds 6 events, the journal 2: the copy was used" in out
    assert f"copy {copy} removed: it is saved as {saved}" in out
    assert not copy.exists()
    assert journal.with_name(journal.name + ".recovered").exists()


def test_recover_keeps_the_journal_and_says_so_when_the_copy_holds_less(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _journal, copy = unsaved_session(folder, "pcpvpt", journaled=99)
    session = load_session(copy)
    copy.unlink()  # a copy that lost events (edited by hand): the journal holds more
    from observer.sessionfile import write_session as write

    write(copy.parent, attrs.evolve(session, events=session.events[:2]))
    out = recover_says(folder, capsys)
    assert f"the complete copy {copy} holds 2 events, the journal 6: the journal was used" in out
    assert f"copy {copy} kept" in out and copy.exists()
    assert len(load_session(folder / f"{META.id}.json").events) == 6 == len(rec.events)


def test_a_copy_of_the_saved_session_is_removed_at_recovery_of_its_journal(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _journal, copy = unsaved_session(folder, "pcp", journaled=99)
    saved = write_session(folder, rec.session())  # saved later, the journal left behind
    out = recover_says(folder, capsys)
    assert "already saved" in out and f"copy {copy} removed" in out
    assert not copy.exists() and saved.exists()


def test_recover_counts_the_events_that_came_only_from_the_key_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer.live.journal import read_journal
    from observer.live.keylog import KeyLog

    _rec, journal = crashed_session(tmp_path, "pc")
    header = read_journal(journal).header
    log = KeyLog.create(tmp_path, header)
    start = T0 + 1 + 2  # keys after the journal's last: they never reached it
    assert log.record([(start, "v", "v"), (start + 1, "t", "t"), (start + 2, "p", "p")])
    assert log.close()
    out = recover_says(tmp_path, capsys)
    assert "3 keys found only in the key log replayed" in out
    assert "3 events came only from the key log" in out
    assert len(load_session(tmp_path / f"{META.id}.json").events) == 5


def test_a_copy_of_another_session_under_the_same_name_is_never_used(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _journal, copy = unsaved_session(folder, "pcpvpt", journaled=3)
    session = load_session(copy)
    copy.unlink()
    other = attrs.evolve(session, dyad="D999")  # another dyad's session, same file name
    write_session(copy.parent, other)
    out = recover_says(folder, capsys)
    assert f"copy {copy} kept: it is another session with this id" in out
    assert len(load_session(folder / f"{META.id}.json").events) == 2  # the journal's
    assert load_session(copy).dyad == "D999" and rec.seq


def test_an_unreadable_copy_is_kept_and_said_so(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rec, _journal, copy = unsaved_session(folder, "pcp", journaled=3)
    copy.unlink()
    copy.write_text('{"schema": "\x1b[31m')  # torn, with a control character
    out = recover_says(folder, capsys)
    assert f"copy {copy} kept: it cannot be read: " in out and "\x1b" not in out
    assert copy.exists() and (folder / f"{META.id}.json").exists()
