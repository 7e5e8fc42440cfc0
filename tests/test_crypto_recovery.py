"""``observer recover`` in an encrypted folder finds what it finds in a plain one: a
session already saved as ``<id>.json.age``, the encrypted complete copy of a session
that could not be saved (used when it holds more, removed once saved: the two are
different ciphertexts of one plaintext), a temporary file a killed write left, and
recovered sessions waiting for their ratings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clirun import run
from support.live import META
from support.minibook import book

from observer.crypto import agefile
from observer.crypto.folder import folder_recipients
from observer.crypto.keys import new_identity
from observer.live.copies import fallback_folder
from observer.live.journal import JournalWriter, make_header
from observer.live.late_ratings import unrated
from observer.live.recorder import Recorder
from observer.live.recovery import recover, save_copy
from observer.sessionfile import load_session, read_session_bytes, write_session

T0 = 700.0


@pytest.fixture(autouse=True)
def nothing_given() -> Iterator[None]:
    agefile.use_identities([])
    yield
    agefile.use_identities([])


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    new_identity(tmp_path / "study.key", folder / "recipients.txt")
    os.chmod(folder / "recipients.txt", 0o600)
    return folder


def key_of(folder: Path) -> Path:
    return folder.parent / "study.key"


def crashed(
    folder: Path, keys: str, journaled: int = 99, *, ended: bool = False
) -> tuple[Recorder, Path]:
    """A session coded in ``folder`` (and ended) whose journal holds its first
    ``journaled`` actions."""
    writer = JournalWriter.create(folder, make_header(META.id, book(), "D012", "obs1", "test"))

    def append(action: dict[str, object]) -> None:
        if int(action["seq"]) <= journaled:  # type: ignore[call-overload]
            writer.append(action)

    rec = Recorder(book(), META, append)
    rec.toggle_clock(T0)
    for i, key in enumerate(keys):
        rec.key(key, T0 + 1 + i)
    if ended:
        rec.end(T0 + 2 + len(keys))
    assert writer.close()
    return rec, writer.path


def test_a_journal_whose_session_is_saved_encrypted_is_already_saved(folder: Path) -> None:
    rec, journal = crashed(folder, "pcp")
    saved = write_session(folder, rec.recovered_session())
    assert saved.name.endswith(".json.age")
    agefile.use_identities([key_of(folder)])
    result = recover(journal)
    assert result.outcome == "already-saved" and result.session_path == saved


def test_the_encrypted_copy_is_used_when_it_holds_more_and_removed_once_saved(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _ = crashed(folder, "pcpvpt", journaled=3, ended=True)
    copy = save_copy(fallback_folder(), rec, folder_recipients(folder))
    assert copy.name == f"{META.id}.json.age"
    before = copy.read_bytes()
    code, out, err = run(
        ["recover", "--session-dir", str(folder), "--identity", str(key_of(folder))], capsys
    )
    assert code == 0, err
    saved = folder / f"{META.id}.json.age"
    assert saved.read_bytes() == before  # exactly the copy: still encrypted
    assert f"the complete copy {copy} holds 6 events, the journal 2: the copy was used" in out
    assert f"copy {copy} removed: it is saved as {saved}" in out
    assert not copy.exists()
    assert len(load_session(saved).events) == 6


def test_an_encrypted_copy_of_the_saved_session_is_removed_by_its_plaintext(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec, _ = crashed(folder, "pcp", ended=True)
    copy = save_copy(fallback_folder(), rec, folder_recipients(folder))
    saved = write_session(folder, rec.session())  # saved later: another encryption
    assert copy.read_bytes() != saved.read_bytes()
    code, out, err = run(
        ["recover", "--session-dir", str(folder), "--identity", str(key_of(folder))], capsys
    )
    assert code == 0, err
    assert "already saved" in out and f"copy {copy} removed" in out
    assert not copy.exists() and read_session_bytes(saved)


def test_a_temporary_file_of_an_encrypted_write_is_removed(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crashed(folder, "pcp")
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    leftover = folder / f".{META.id}.json.age.{dead}.0.tmp"
    leftover.write_bytes(b"age-encryption.org/v1\n")
    code, out, err = run(
        ["recover", "--session-dir", str(folder), "--identity", str(key_of(folder))], capsys
    )
    assert code == 0, err
    assert f"removed {leftover.name}" in out and not leftover.exists()


def test_recovered_encrypted_sessions_wait_for_their_ratings(folder: Path) -> None:
    _, journal = crashed(folder, "pcp")
    agefile.use_identities([key_of(folder)])
    result = recover(journal)
    assert result.session_path is not None and result.session_path.name.endswith(".json.age")
    found, problems = unrated(folder)
    assert [path for path, _ in found] == [result.session_path] and problems == []
