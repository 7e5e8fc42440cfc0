"""``observer recover`` compares a journal with a session file of its id before calling
it saved; one bad journal never stops the others."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from support.clirun import run
from support.live import META, book

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


def test_a_journal_beside_an_unrelated_file_of_its_id_is_recovered_under_a_new_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other, _ = crashed_session(other_folder, "pp")  # another session, the same id
    unrelated = write_session(tmp_path, other.recovered_session())
    before = unrelated.read_bytes()
    rec, _ = crashed_session(tmp_path, "pcpvpt1")
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0, err
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
    code, out, _ = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and f"removed {leftover.name}" in out
    assert not leftover.exists() and alone.exists()
    assert journal.with_name(journal.name + ".recovered").exists() and rec.seq
