"""``observer keys rotate``: an encrypted folder encrypted to new recipients instead of
its own. Afterwards the old identity opens nothing, the new one opens everything (and
so does the standard ``age`` command), every session's plaintext and every journal's
records are what they were; anything wrong is refused with nothing changed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.crypto.keys import new_identity
from observer.crypto.stream import passphrase_block, passphrase_opens
from observer.live.journal import JournalWriter, make_header, read_journal
from observer.sessionfile import read_session_bytes, write_session
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
SESSION = make_session(BOOK, 30, seed=21)
AGE = shutil.which("age")


@pytest.fixture(autouse=True)
def nothing_given() -> Iterator[None]:
    agefile.use_identities([])
    yield
    agefile.use_identities([])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An encrypted folder (old.key) holding a session, a crashed journal also wrapped to
    a passphrase (slow on purpose: made once) and one set aside by a recovery; new.key
    and new.pub beside it."""
    tmp_path = tmp_path_factory.mktemp("rotate")
    for name in ("old", "new"):
        new_identity(tmp_path / f"{name}.key", tmp_path / f"{name}.pub")
        os.chmod(tmp_path / f"{name}.pub", 0o600)
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    shutil.copy(tmp_path / "old.pub", folder / "recipients.txt")
    write_session(folder, SESSION)
    header = make_header("20260101T000000Z-D1-o1", BOOK, "D1", "o1")
    writer = JournalWriter.create(folder, header, passphrase="tuba orbit 7")
    writer.append({"seq": 1, "a": "clock", "mono": 1.0, "wall": None})
    writer.append({"seq": 2, "a": "key", "key": "t", "mono": 2.0})
    assert writer.close(timeout=10)
    aside = JournalWriter.create(folder, make_header("20260102T000000Z-D2-o1", BOOK, "D2", "o1"))
    assert aside.close(timeout=10)
    aside.path.rename(aside.path.with_name(aside.path.name + ".recovered"))
    return tmp_path


@pytest.fixture
def place(made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of ``made`` (the current folder) for one test."""
    shutil.copytree(made, tmp_path / "place")
    monkeypatch.chdir(tmp_path / "place")
    monkeypatch.delenv("OBSERVER_IDENTITY", raising=False)
    return tmp_path / "place"


def every_byte(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def contents(folder: Path, key: Path) -> dict[str, object]:
    """What each encrypted file holds, opened with ``key``."""
    agefile.use_identities([key])
    try:
        found: dict[str, object] = {}
        for path in sorted(folder.iterdir()):
            if path.name.endswith(".json.age"):
                found[path.name] = read_session_bytes(path)
            elif ".journal.jsonl" in path.name:
                journal = read_journal(path)
                found[path.name] = (journal.header, journal.actions)
        return found
    finally:
        agefile.use_identities([])


def test_rotate_makes_every_file_readable_by_the_new_recipients_only(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = place / "sessions"
    before = contents(folder, place / "old.key")
    assert len(before) == 3
    code, out, err = run(
        ["keys", "rotate", "sessions", "--recipient", "new.pub", "--identity", "old.key"], capsys
    )
    assert (code, err) == (0, ""), err
    assert out == (
        "sessions: encrypted to new.pub; 1 session file encrypted again,"
        " 2 journals or key logs given their key anew\n"
    )
    assert (folder / "recipients.txt").read_bytes() == (place / "new.pub").read_bytes()
    assert contents(folder, place / "new.key") == before
    for path in folder.iterdir():  # the old identity opens nothing any more
        if path.name != "recipients.txt":
            code, _, err = run(["stats", "--identity", "old.key", str(path)], capsys)
            assert code == 2
    [journal] = folder.glob("*.journal.jsonl")
    block = passphrase_block(journal.read_bytes(), journal.name)  # the passphrase still opens it
    assert block is not None and passphrase_opens(block, "tuba orbit 7", journal.name)
    if AGE is not None:  # and the standard tool reads the session with the new key
        [session] = folder.glob("*.json.age")
        plain = subprocess.run(
            [AGE, "-d", "-i", str(place / "new.key"), str(session)], capture_output=True
        )
        assert plain.returncode == 0 and plain.stdout == before[session.name]
    # Run again (as after one cut short) with both identities: it finishes, nothing lost.
    both = ["--identity", "old.key", "--identity", "new.key"]
    code, _, err = run(["keys", "rotate", "sessions", "--recipient", "new.pub", *both], capsys)
    assert code == 0, err
    assert contents(folder, place / "new.key") == before


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--identity", "new.key"], "none of the identities given opens this file"),
        ([], "give --identity FILE: an identity that opens the folder's files"),
        (["--identity", "old.key", "--recipient", "empty.pub"], "holds no age recipient"),
        (["--identity", "old.key", "--folder", "plain"], "is not an encrypted folder"),
        (["--identity", "old.key", "--running"], "a session is being coded into it"),
    ],
    ids=["wrong identity", "no identity", "no recipient", "not encrypted", "running"],
)
def test_rotate_refuses_with_nothing_changed(
    place: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    (place / "empty.pub").write_text("# nobody\n")
    (place / "plain").mkdir()
    folder = place / "sessions"
    running = None
    if "--running" in argv:
        argv.remove("--running")
        header = make_header("20260103T000000Z-D3-o1", BOOK, "D3", "o1")
        running = JournalWriter.create(folder, header)  # holds the journal's lock
    target = "sessions"
    if "--folder" in argv:
        target = argv.pop(argv.index("--folder") + 1)
        argv.remove("--folder")
    if "--recipient" not in argv:
        argv += ["--recipient", "new.pub"]
    before = every_byte(folder)
    try:
        code, out, err = run(["keys", "rotate", target, *argv], capsys)
    finally:
        if running is not None:
            assert running.close(timeout=10)
    assert code == 2 and out == "", (code, out, err)
    assert says in err and "Traceback" not in err, err
    assert every_byte(folder) == before


def test_protect_seals_the_plain_journals_and_key_logs_already_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from observer.live.keylog import KeyLog, read_keylog

    monkeypatch.chdir(tmp_path)
    new_identity(tmp_path / "study.key", tmp_path / "study.pub")
    os.chmod(tmp_path / "study.pub", 0o600)
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    header = make_header("20260101T000000Z-DQ55-o1", BOOK, "DQ55", "o1")
    writer = JournalWriter.create(folder, header)
    writer.append({"seq": 1, "a": "clock", "mono": 1.0, "wall": None})
    writer.append({"seq": 2, "a": "key", "key": "t", "mono": 2.0})
    assert writer.close(timeout=10)
    keys = KeyLog.create(folder, header)
    assert keys.record([(2.0, "t", "t")])
    keys.close()
    before = read_journal(writer.path)
    logged = read_keylog(keys.path).keys
    running = JournalWriter.create(
        folder, make_header("20260102T000000Z-DQ56-o1", BOOK, "DQ56", "o1")
    )
    plain = every_byte(folder)
    code, _, err = run(["keys", "protect", "sessions", "--recipient", "study.pub"], capsys)
    assert code == 2 and "a session is being coded into it" in err, err
    assert every_byte(folder) == plain  # nothing changed
    assert running.close(timeout=10)
    running.path.unlink()
    code, out, err = run(["keys", "protect", "sessions", "--recipient", "study.pub"], capsys)
    assert code == 0, err
    assert out == "sessions: encrypted; 0 session files encrypted, 2 journals or key logs sealed\n"
    for name, data in every_byte(folder).items():
        assert b"DQ55" not in data and b"Names a feeling" not in data, name
    agefile.use_identities([tmp_path / "study.key"])
    sealed = read_journal(writer.path)
    assert (sealed.header, sealed.actions) == (before.header, before.actions)
    assert read_keylog(keys.path).keys == logged
