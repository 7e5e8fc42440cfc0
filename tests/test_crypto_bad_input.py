"""Bad input around encryption (docs/confidentiality.md): a wrong identity, a
recipients file without a recipient, a truncated ``.age`` file or sealed journal, an
identity file others can read, each for the commands that meet it: one clear line,
exit status 2, nothing changed on disk, nothing decrypted left anywhere. A recipients
file others can read is used, with a warning. (A passphrase typed wrong three times is
tested in a real terminal in test_e2e_crypto.py.)"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.crypto.keys import new_identity
from observer.live.journal import JournalWriter, make_header
from observer.sessionfile import write_session
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
SESSION = make_session(BOOK, 40, seed=11)
SESSION_ID = "20260101T000000Z-D1-o1"


@pytest.fixture(autouse=True)
def nothing_given() -> Iterator[None]:
    agefile.use_identities([])
    agefile.use_passphrase(None)
    yield
    agefile.use_identities([])
    agefile.use_passphrase(None)


def encrypted(folder: Path, pub: Path) -> Path:
    folder.mkdir(mode=0o700)
    shutil.copy(pub, folder / "recipients.txt")
    os.chmod(folder / "recipients.txt", 0o600)
    return folder


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder: keys, an encrypted folder with a session, a crashed one with
    an unfinished sealed journal, one whose recipients.txt holds no recipient, cut files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OBSERVER_IDENTITY", raising=False)
    monkeypatch.delenv("OBSERVER_ENCRYPT_TO", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    new_identity(tmp_path / "study.key", tmp_path / "study.pub")
    new_identity(tmp_path / "other.key", None)
    shutil.copy(tmp_path / "study.key", tmp_path / "shared.key")
    os.chmod(tmp_path / "shared.key", 0o644)  # others can read it, whatever the umask
    (tmp_path / "empty.pub").write_text("# the study's key goes here\n\n")
    os.chmod(tmp_path / "empty.pub", 0o600)
    sessions = encrypted(tmp_path / "sessions", tmp_path / "study.pub")
    path = write_session(sessions, SESSION)
    shutil.move(path, tmp_path / "a.json.age")  # a session file given by its path
    (tmp_path / "cut.json.age").write_bytes((tmp_path / "a.json.age").read_bytes()[:-30])
    crashed = encrypted(tmp_path / "crashed", tmp_path / "study.pub")
    writer = JournalWriter.create(crashed, make_header(SESSION_ID, BOOK, "D1", "o1"))
    writer.append({"seq": 1, "a": "clock", "mono": 1.0, "wall": None})
    assert writer.close(timeout=10)
    journal = writer.path
    cut = encrypted(tmp_path / "cut-journal", tmp_path / "study.pub")
    (cut / journal.name).write_bytes(journal.read_bytes()[:40])  # inside its header
    os.chmod(cut / journal.name, 0o600)
    empty = tmp_path / "no-recipient"
    empty.mkdir(mode=0o700)
    shutil.copy(tmp_path / "empty.pub", empty / "recipients.txt")
    return tmp_path


def every_byte(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "state" not in p.parts
    }


CODE = ["code", "--dyad", "D1", "--observer", "o1"]
NO_RECIPIENT = "empty.pub: holds no age recipient (age1...)"
WRONG = "none of the identities given opens this file (wrong --identity)"
CUT = "the encrypted file is cut short or was altered: refused"
SHARED = "shared.key: the identity file can be read by others (mode 0644): refused"
CASES = [
    # --- a wrong identity ---------------------------------------------------------
    (["stats", "--identity", "other.key", "a.json.age"], f"a.json.age: {WRONG}"),
    (["replay", "--identity", "other.key", "a.json.age"], f"a.json.age: {WRONG}"),
    (["export", "--identity", "other.key", "a.json.age", "--format", "csv"], WRONG),
    (
        [
            "intervals",
            "--identity",
            "other.key",
            "a.json.age",
            "--rule",
            "partial",
            "--interval",
            "5",
        ],
        WRONG,
    ),
    (["recover", "--identity", "other.key", "--session-dir", "crashed"], WRONG),
    # --- a recipients file without a recipient -------------------------------------
    (["keys", "protect", "sessions", "--recipient", "empty.pub"], NO_RECIPIENT),
    ([*CODE, "--session-dir", "new", "--encrypt-to", "empty.pub"], NO_RECIPIENT),
    ([*CODE, "--session-dir", "no-recipient"], "recipients.txt: holds no age recipient"),
    (["serve", "--session-dir", "no-recipient"], "recipients.txt: holds no age recipient"),
    # --- a truncated .age file, a sealed journal cut inside its header ---------------
    (["stats", "--identity", "study.key", "cut.json.age"], f"cut.json.age: {CUT}"),
    (["replay", "--identity", "study.key", "cut.json.age"], f"cut.json.age: {CUT}"),
    (["seq", "--identity", "study.key", "cut.json.age"], f"cut.json.age: {CUT}"),
    (
        ["recover", "--identity", "study.key", "--session-dir", "cut-journal"],
        "header: the header is incomplete",
    ),
    # --- an identity file others can read ---------------------------------------------
    (["stats", "--identity", "shared.key", "a.json.age"], SHARED),
    (["replay", "--identity", "shared.key", "a.json.age"], SHARED),
    (["sessions", "--identity", "shared.key", "--session-dir", "sessions"], SHARED),
    (["recover", "--identity", "shared.key", "--session-dir", "crashed"], SHARED),
    # --- no identity at all --------------------------------------------------------
    (["replay", "a.json.age"], "a.json.age: is encrypted: give --identity FILE"),
    (["recover", "--session-dir", "crashed"], "is encrypted: give --identity FILE"),
]


@pytest.mark.parametrize(("argv", "says"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_encryption_input_is_one_line_exit_2_and_changes_nothing(
    argv: list[str], says: str, place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = every_byte(place)
    code, out, err = run(argv, capsys)
    lines = err.splitlines()
    assert code == 2, (code, out, err)
    assert len(lines) == 1 and says in lines[0], err
    assert "Traceback" not in err
    assert every_byte(place) == before  # nothing written, nothing decrypted left
    assert not (place / "new").exists()


def test_a_recipients_file_others_can_read_is_used_with_a_warning(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer.cli import check_recipients

    folder = place / "sessions"
    os.chmod(folder / "recipients.txt", 0o644)
    check_recipients(folder)  # what observer code and observer serve do before writing
    _, err = capsys.readouterr()
    assert err == (
        f"{folder / 'recipients.txt'}: warning: the recipients file can be read or changed"
        f" by others (mode 0644); chmod 600 {folder / 'recipients.txt'}\n"
    )
    os.chmod(place / "study.pub", 0o644)
    code, _, err = run(["keys", "protect", "sessions", "--recipient", "study.pub"], capsys)
    assert code == 0 and "warning: the recipients file can be read" in err, err
