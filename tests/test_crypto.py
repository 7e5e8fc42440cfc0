"""Encrypted session folders (docs/confidentiality.md): age keys made by observer and
by age-keygen alike, sessions as standard age files, every reader's --identity, and
bad input refused in one line with nothing changed."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clirun import run
from support.replay import unlinked

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.errors import InputError
from observer.sessionfile import load_session, session_to_bytes, write_session
from observer.synthetic import make_session

BOOK = load_codebook("cpp-attachment")
SESSION = make_session(BOOK, 60, seed=5)
AGE = shutil.which("age")
needs_age = pytest.mark.skipif(AGE is None, reason="the age command (Debian package age)")


@pytest.fixture(autouse=True)
def no_identities() -> Iterator[None]:
    agefile.use_identities([])
    yield
    agefile.use_identities([])


def keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    code, out, err = run(["keys", "new", "--identity", str(key), "--recipient", str(pub)], capsys)
    assert (code, err) == (0, "")
    assert out.strip() == f"Public key: {pub.read_text().strip()}"
    return key, pub


def folder_of(tmp_path: Path, pub: Path) -> Path:
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    shutil.copy(pub, folder / "recipients.txt")
    os.chmod(folder / "recipients.txt", 0o600)
    return folder


def sealed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    """A new key pair, a session folder encrypting to it, SESSION saved there (sealed):
    the identity file, the folder and the session file."""
    key, pub = keys(tmp_path, capsys)
    folder = folder_of(tmp_path, pub)
    return key, folder, write_session(folder, SESSION)


def test_keys_new_writes_a_private_identity_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keys(tmp_path, capsys)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = [line for line in key.read_text().splitlines() if not line.startswith("#")]
    assert len(secret) == 1 and secret[0].startswith("AGE-SECRET-KEY-1")
    assert pub.read_text().startswith("age1")
    before = key.read_bytes()
    code, _, err = run(["keys", "new", "--identity", str(key)], capsys)
    assert code == 2
    assert err == f"{key}: already exists: never overwritten\n"
    assert key.read_bytes() == before


@needs_age
def test_our_keys_work_with_age_and_age_keygen_keys_work_with_us(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keys(tmp_path, capsys)
    derived = subprocess.run(["age-keygen", "-y", str(key)], capture_output=True, check=True)
    assert derived.stdout.decode().strip() == pub.read_text().strip()
    theirs = tmp_path / "theirs.key"
    subprocess.run(["age-keygen", "-o", str(theirs)], capture_output=True, check=True)
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    (folder / "recipients.txt").write_text(
        "# the study's key and a second coder's\n"
        + pub.read_text()
        + subprocess.run(["age-keygen", "-y", str(theirs)], capture_output=True).stdout.decode()
    )
    os.chmod(folder / "recipients.txt", 0o600)
    path = write_session(folder, SESSION)
    assert path.name == f"{SESSION.id}.json.age"
    for identity in (key, theirs):  # our file, opened by the standard age command
        plain = subprocess.run(
            ["age", "-d", "-i", str(identity), str(path)], capture_output=True, check=True
        )
        assert plain.stdout == session_to_bytes(SESSION)
    # a file encrypted by age -r, read by us with --identity
    sealed = tmp_path / "by-age.json.age"
    subprocess.run(
        ["age", "-r", pub.read_text().strip(), "-o", str(sealed)],
        input=session_to_bytes(SESSION),
        check=True,
    )
    code, out, err = run(["stats", "--identity", str(key), str(sealed)], capsys)
    assert (code, err) == (0, "")
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    code, expected, _ = run(["stats", str(write_session(elsewhere, SESSION))], capsys)
    assert code == 0 and out == expected and SESSION.id in out  # the same figures
    # and an identity made by age-keygen opens our files with --identity, as ours does
    os.chmod(theirs, 0o600)
    code, out, err = run(["stats", "--identity", str(theirs), str(path)], capsys)
    assert (code, err, out) == (0, "", expected)


def test_an_encrypted_folder_holds_no_plaintext_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, folder, path = sealed(tmp_path, capsys)
    raw = path.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n")
    label = BOOK.code_by_id[SESSION.events[0].code].label
    for secret in (SESSION.id, SESSION.dyad, label, '"events"'):
        assert secret.encode() not in raw
    assert {p.name for p in folder.iterdir()} == {"recipients.txt", path.name}
    agefile.use_identities([key])
    assert load_session(path) == SESSION


def test_without_an_identity_an_encrypted_session_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, path = sealed(tmp_path, capsys)
    for command in (["stats"], ["agree", str(path)], ["seq"], ["export", "--format", "csv"]):
        code, _, err = run([*command, str(path)], capsys)
        assert code == 2, command
        assert err.splitlines()[0] == (
            f"{path}: is encrypted: give --identity FILE (or set $OBSERVER_IDENTITY) to read it"
        ), command


def test_every_reader_takes_identity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from observer.cli import READERS, cli

    for name in sorted(READERS):
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None
        assert any(p.name == "identity" for p in command.params), name


def test_sessions_lists_encrypted_files_by_name_and_reads_them_with_an_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, folder, path = sealed(tmp_path, capsys)
    code, out, _ = run(["sessions", "--session-dir", str(folder)], capsys)
    assert code == 0
    assert path.name in out and "encrypted" in out and "complete" not in out
    code, out, _ = run(["sessions", "--session-dir", str(folder), "--identity", str(key)], capsys)
    assert code == 0
    assert SESSION.id in out and SESSION.dyad in out and "complete" in out
    os.environ["OBSERVER_IDENTITY"] = str(key)
    try:
        code, out, _ = run(["sessions", "--session-dir", str(folder)], capsys)
    finally:
        del os.environ["OBSERVER_IDENTITY"]
    assert SESSION.dyad in out


def test_bad_identities_and_files_are_one_line_and_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, folder, path = sealed(tmp_path, capsys)
    other = tmp_path / "other.key"
    run(["keys", "new", "--identity", str(other)], capsys)
    code, _, err = run(["stats", "--identity", str(other), str(path)], capsys)
    assert (code, err) == (
        2,
        f"{path}: none of the identities given opens this file (wrong --identity)\n",
    )
    cut = tmp_path / "cut.json.age"
    cut.write_bytes(path.read_bytes()[:-20])
    code, _, err = run(["stats", "--identity", str(key), str(cut)], capsys)
    assert (code, err) == (
        2,
        f"{cut}: the encrypted file is cut short or was altered: refused\n",
    )
    os.chmod(key, 0o644)
    code, _, err = run(["stats", "--identity", str(key), str(path)], capsys)
    assert code == 2
    assert err == (
        f"{key}: the identity file can be read by others (mode 0644): refused; chmod 600 {key}\n"
    )
    assert {p.name for p in folder.iterdir()} == {"recipients.txt", path.name}


def test_protect_encrypts_the_sessions_already_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keys(tmp_path, capsys)
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    plain = write_session(folder, SESSION)
    os.chmod(pub, 0o644)
    code, out, err = run(["keys", "protect", str(folder), "--recipient", str(pub)], capsys)
    assert code == 0
    assert "warning: the recipients file can be read or changed by others" in err
    assert "1 session file encrypted" in out
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"{SESSION.id}.json.age", "recipients.txt"]
    assert not plain.exists()
    agefile.use_identities([key])
    assert load_session(folder / f"{SESSION.id}.json.age") == SESSION
    # from now on, a session written there is encrypted too
    second = write_session(folder, make_session(BOOK, 30, seed=6))
    assert second.name.endswith(".json.age")


def test_protect_refuses_a_bad_recipients_file_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    plain = write_session(folder, SESSION)
    bad = tmp_path / "bad.pub"
    bad.write_text("# one typo\nage1notarecipient\n")
    code, _, err = run(["keys", "protect", str(folder), "--recipient", str(bad)], capsys)
    assert (code, err) == (2, f"{bad}: line 2: not an age recipient (age1...)\n")
    assert sorted(p.name for p in folder.iterdir()) == [plain.name]


def test_review_saves_of_an_encrypted_session_stay_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from observer.sessionfile import Review, save_reviews

    key, _, path = sealed(tmp_path, capsys)
    agefile.use_identities([key])
    review = Review("r1", "comment", "sup", "2026-01-01T00:00:00+00:00", 1.0, "secret remark")
    save_reviews(path, SESSION, (review,))
    assert b"secret remark" not in path.read_bytes()
    assert unlinked(load_session(path).reviews) == (review,)


def test_without_the_crypto_extra_unencrypted_coding_works_and_encryption_is_one_line(
    tmp_path: Path,
) -> None:
    script = f"""
import sys
sys.modules["pyrage"] = None  # as if the crypto extra were not installed
sys.modules["nacl"] = None
from pathlib import Path
from observer.codebook import load_codebook
from observer.synthetic import make_session
from observer.sessionfile import write_session, load_session
from observer.crypto.keys import new_identity
from observer.errors import InputError
book = load_codebook("cpp-attachment")
s = make_session(book, 20, seed=1)
assert load_session(write_session(Path({str(tmp_path)!r}), s)) == s
try:
    new_identity(Path({str(tmp_path / "k")!r}), None)
except InputError as e:
    print(e.problems[0])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"{tmp_path / 'k'}: encryption needs the optional encryption libraries:"
        " pip install 'observer[crypto]'\n"
    )


def test_use_identities_refuses_a_file_without_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.key"
    empty.write_text("# nothing\n")
    os.chmod(empty, 0o600)
    with pytest.raises(InputError) as caught:
        agefile.use_identities([empty])
    assert str(caught.value.problems[0]) == f"{empty}: holds no age identity (AGE-SECRET-KEY-1...)"


@pytest.mark.parametrize("how", ["--encrypt-to", "$OBSERVER_ENCRYPT_TO"])
def test_serve_encrypt_to_makes_the_folder_encrypted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    import socket

    _, pub = keys(tmp_path, capsys)
    os.chmod(pub, 0o600)
    folder = tmp_path / "sessions"
    env = {k: v for k, v in os.environ.items() if k != "OBSERVER_ENCRYPT_TO"}
    argv = [sys.executable, "-m", "observer", "serve", "--session-dir", str(folder)]
    if how == "--encrypt-to":
        argv += ["--encrypt-to", str(pub)]
    else:
        env["OBSERVER_ENCRYPT_TO"] = str(pub)
    with socket.socket() as taken:  # the port in use: serve stops once it tries to listen
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        argv += ["--port", str(taken.getsockname()[1])]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and "cannot listen" in done.stderr, done.stderr
    assert (folder / "recipients.txt").read_bytes() == pub.read_bytes()
