"""Sealed streams (observer.crypto.stream): the encrypted form of journals and raw
key logs. A torn last record is left out; an altered, reordered or removed record is
refused with its position; a stream reopened to append follows the first."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from observer.crypto import agefile
from observer.crypto.stream import Sealer, open_writer, read_records
from observer.errors import InputError

IDENTITY = pyrage.x25519.Identity.generate()
RECORDS = [f'{{"seq": {n}, "a": "key"}}\n'.encode() for n in range(1, 6)]


@pytest.fixture(autouse=True)
def identity(tmp_path: Path) -> Iterator[None]:
    key = tmp_path / "k.key"
    key.write_text(f"{IDENTITY}\n")
    os.chmod(key, 0o600)
    agefile.use_identities([key])
    yield
    agefile.use_identities([])


def sealed(records: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The header and each framed record."""
    sealer = Sealer([IDENTITY.to_public()], "j")
    return sealer.header, [sealer.seal(r) for r in records]


def test_records_come_back_in_order_and_a_torn_last_one_is_left_out() -> None:
    header, framed = sealed(RECORDS)
    data = header + b"".join(framed)
    assert read_records(data, "j") == (RECORDS, False)
    for cut in range(1, len(framed[-1])):
        assert read_records(data[:-cut], "j") == (RECORDS[:-1], True)


@pytest.mark.parametrize("how", ["altered", "reordered", "removed"])
def test_a_changed_record_is_refused_with_its_position(how: str) -> None:
    header, framed = sealed(RECORDS)
    if how == "altered":
        record = bytearray(framed[2])
        record[10] ^= 1
        framed[2] = bytes(record)
    elif how == "reordered":
        framed[2], framed[3] = framed[3], framed[2]
    else:
        del framed[2]
    with pytest.raises(InputError) as caught:
        read_records(header + b"".join(framed), "j.journal.jsonl")
    assert str(caught.value.problems[0]) == (
        "j.journal.jsonl: record 3: does not authenticate: altered, reordered or a record"
        " before it removed"
    )


def test_no_record_can_be_moved_from_another_stream() -> None:
    header, framed = sealed(RECORDS)
    _, other = sealed(RECORDS)
    with pytest.raises(InputError, match="record 2"):
        read_records(header + framed[0] + other[1], "j")


def test_a_stream_reopened_to_append_follows_the_first() -> None:
    header, framed = sealed(RECORDS[:2])
    again, more = sealed(RECORDS[2:])
    data = header + b"".join(framed) + again + b"".join(more)
    assert read_records(data, "j") == (RECORDS, False)
    assert read_records(header + b"".join(framed) + again[:30], "j") == (RECORDS[:2], True)


def test_a_passphrase_opens_the_stream_too() -> None:
    agefile.use_identities([])
    sealer = Sealer([IDENTITY.to_public()], "j", passphrase="correct horse")
    data = sealer.header + sealer.seal(b"one\n")
    assert read_records(data, "j", passphrase="correct horse") == ([b"one\n"], False)
    with pytest.raises(InputError, match="wrong passphrase"):
        read_records(data, "j", passphrase="wrong")
    with pytest.raises(InputError, match="give --identity FILE"):
        read_records(data, "j")


def test_open_writer_appends_and_fsyncs_records(tmp_path: Path) -> None:
    path = tmp_path / "x.keys.jsonl"
    writer = open_writer(path, [IDENTITY.to_public()])
    for record in RECORDS:
        writer.append(record)
        writer.fsync()
    writer.close()
    assert path.stat().st_mode & 0o777 == 0o600
    data = path.read_bytes()
    assert b"seq" not in data
    assert read_records(data, str(path)) == (RECORDS, False)
    with pytest.raises(FileExistsError):
        open_writer(path, [IDENTITY.to_public()])


def test_a_sealed_key_log_reads_back(tmp_path: Path) -> None:
    from observer.codebook import load_codebook
    from observer.live.journal import make_header
    from observer.live.keylog import KeyLog, read_keylog

    (tmp_path / "recipients.txt").write_text(f"{IDENTITY.to_public()}\n")
    header = make_header("20260101T000000Z-D1-o1", load_codebook("cpp-attachment"), "D1", "o1")
    log = KeyLog.create(tmp_path, header)
    assert log.record([(1.0, "t", "t"), (2.0, "space", " ")])
    assert log.close()
    raw = log.path.read_bytes()
    assert b"space" not in raw and b"cpp-attachment" not in raw
    contents = read_keylog(log.path)
    assert [(k.n, k.key) for k in contents.keys] == [(1, "t"), (2, "space")]
    assert not contents.torn
    log.path.write_bytes(raw[:-5])
    contents = read_keylog(log.path)
    assert [k.n for k in contents.keys] == [1] and contents.torn


def test_a_sealed_consensus_journal_resumes_and_reads_back(tmp_path: Path) -> None:
    from observer.study.consensus import Decision, DecisionJournal, read_journal

    (tmp_path / "recipients.txt").write_text(f"{IDENTITY.to_public()}\n")
    path = tmp_path / "c.consensus.jsonl"
    first = DecisionJournal(path, {"a": "secret-a", "b": "secret-b"})
    first.decide(Decision(0, "a", "supervisor7", "2026-01-01T00:00:00+00:00"))
    first.close()
    again = DecisionJournal(path, {"a": "secret-a", "b": "secret-b"})  # resumed
    again.decide(Decision(1, "b", "supervisor7", "2026-01-01T00:00:01+00:00"))
    again.undo()
    again.decide(Decision(1, "a", "supervisor7", "2026-01-01T00:00:02+00:00"))
    again.close()
    raw = path.read_bytes()  # (a name of 3 letters would be in the age header's base64 by chance)
    assert b"secret-a" not in raw and b"supervisor7" not in raw
    header, decisions = read_journal(path)
    assert header["a"] == "secret-a"
    assert [(d.item, d.choice) for d in decisions] == [(0, "a"), (1, "a")]


def test_the_copy_of_an_encrypted_session_written_elsewhere_is_encrypted(tmp_path: Path) -> None:
    from observer.codebook import load_codebook
    from observer.live.journal import JournalWriter, make_header
    from observer.live.recorder import Recorder, SessionMeta
    from observer.live.recovery import save_copy
    from observer.sessionfile import load_session

    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "recipients.txt").write_text(f"{IDENTITY.to_public()}\n")
    book = load_codebook("cpp-attachment")
    meta = SessionMeta("20260101T000000Z-DQ9-o1", "DQ9", "o1", "")
    writer = JournalWriter.create(folder, make_header(meta.id, book, "DQ9", "o1"))
    rec = Recorder(book, meta, writer.append)
    rec.toggle_clock(1.0)
    rec.key("t", 2.0)
    rec.end(3.0)
    assert writer.close()
    (folder / "recipients.txt").unlink()  # the folder is gone or unreadable by now
    copy = save_copy(tmp_path / "unsaved", rec, writer.recipients)
    assert copy.name == f"{meta.id}.json.age"
    assert b"DQ9" not in copy.read_bytes()
    assert load_session(copy).dyad == "DQ9"


def test_sessions_lists_a_sealed_journal_by_name_and_with_an_identity_in_full(
    tmp_path: Path,
) -> None:
    from observer.codebook import load_codebook
    from observer.live.folder import scan_folder
    from observer.live.journal import JournalWriter, make_header

    key = tmp_path / "k.key"
    folder = tmp_path / "sessions"
    folder.mkdir()
    (folder / "recipients.txt").write_text(f"{IDENTITY.to_public()}\n")
    header = make_header("20260101T000000Z-DQ9-o1", load_codebook("cpp-attachment"), "DQ9", "o1")
    writer = JournalWriter.create(folder, header)
    writer.append({"seq": 1, "a": "clock", "mono": 1.0, "wall": None})
    assert writer.close()
    agefile.use_identities([])
    [entry] = scan_folder(folder)
    assert (entry.path, entry.status, entry.dyad) == (writer.path, "unfinished", "")
    agefile.use_identities([key])
    [entry] = scan_folder(folder)
    assert (entry.status, entry.dyad, entry.observer) == ("unfinished", "DQ9", "o1")
