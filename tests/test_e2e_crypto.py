"""An encrypted session folder end to end, in a real terminal (tmux): coded with
``--encrypt-to``, killed with kill -9, then every file in the folder is grepped raw
for the dyad id, the code labels and the note's text (none may appear), and
``observer recover --identity`` returns every acknowledged action."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv
from test_e2e_durability import POINT_KEYS, acked, wait_acked

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.crypto.keys import new_identity
from observer.sessionfile import Session, load_session

pytestmark = pytest.mark.tmux

NOTE = "quietly hides the blue giraffe"
DYAD = "DYX7341"


def secrets() -> list[bytes]:
    book = load_codebook("cpp-attachment")
    labels = [book.code_by_id[code].label for code in POINT_KEYS.values()]
    return [DYAD.encode(), NOTE.encode(), *(label.encode() for label in labels)]


def every_byte(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, hidden and temporary ones too, by its path there."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def no_secret_in(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        for secret in secrets():
            assert secret not in data, (name, secret)


RECOVER = [sys.executable, "-m", "observer", "recover"]


def recover_with(key: Path, folder: Path, env: dict[str, str] | None = None) -> str:
    """``observer recover --identity KEY``: its output (it must succeed)."""
    done = subprocess.run(
        [*RECOVER, "--session-dir", str(folder), "--identity", str(key)],
        capture_output=True,
        text=True,
        timeout=120,
        env=None if env is None else {**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def opened(path: Path, key: Path) -> Session:
    agefile.use_identities([key])
    try:
        return load_session(path)
    finally:
        agefile.use_identities([])


def start_encrypted(term: Tmux, folder: Path, pub: Path, env: dict[str, str] | None = None) -> None:
    """``observer code --encrypt-to`` with the clock started and the note typed
    (actions 1 and 2)."""
    argv = observer_code_argv(folder, dyad=DYAD, observer="enc")
    term.start([*argv, "--encrypt-to", str(pub)], env=env)
    term.wait_for("press space", timeout=60)
    term.send_keys("Space")
    term.wait_for("RUNNING")
    term.send_keys("C-n")
    term.send_literal(NOTE)
    term.send_keys("Enter")
    wait_acked(term, 2)


def test_kill_9_in_an_encrypted_folder_leaves_no_plaintext_and_recovers(tmp_path: Path) -> None:
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    folder = tmp_path / "sessions"
    argv = observer_code_argv(folder, dyad=DYAD, observer="enc")
    with Tmux(width=100, height=30) as term:
        term.start([*argv, "--encrypt-to", str(pub)])
        term.wait_for("press space")
        term.send_keys("Space")
        term.wait_for("RUNNING")
        for n, k in enumerate("tdotd", 2):
            term.send_keys(k)
            wait_acked(term, n)
        term.send_keys("C-n")
        term.send_literal(NOTE)
        term.send_keys("Enter")
        seen = acked(wait_acked(term, 7))
        during = every_byte(folder)  # while it runs: journal, key log
        term.kill9()
    after = every_byte(folder)
    assert {n for n in after if n.endswith(".journal.jsonl")}, after.keys()
    for name, data in [*during.items(), *after.items()]:
        for secret in secrets():
            assert secret not in data, (name, secret)
    recover = [sys.executable, "-m", "observer", "recover", "--session-dir", str(folder)]
    done = subprocess.run(recover, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "give --identity FILE" in done.stderr
    done = subprocess.run(
        [*recover, "--identity", str(key)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name, data in every_byte(folder).items():
        for secret in secrets():
            assert secret not in data, (name, secret)
    [path] = list(folder.glob("*.json.age"))
    agefile.use_identities([key])
    try:
        session = load_session(path)
    finally:
        agefile.use_identities([])
    assert seen >= 7
    assert [e.code for e in session.events] == [POINT_KEYS[k] for k in "tdotd"]
    assert [n.text for n in session.notes] == [NOTE]
    assert session.dyad == DYAD


def type_passphrase_on_the_form(term: Tmux, first: str, again: str) -> None:
    term.wait_for("Passphrase")
    term.send_literal(first)
    term.send_keys("Tab")
    term.send_literal(again)
    screen = term.capture()
    assert first not in screen and again not in screen, screen  # masked
    term.send_keys("Enter")


def prompted(n: int, screen: str) -> bool:
    return screen.count("Passphrase:") >= n


def recover_in_a_terminal(folder: Path, typed: list[str]) -> tuple[int | None, str]:
    """``observer recover --passphrase`` in a real terminal, each of ``typed`` at its
    prompt; its exit status and what the terminal showed (the typing never echoed)."""
    argv = [sys.executable, "-m", "observer", "recover", "--session-dir", str(folder)]
    with Tmux(width=200, height=30) as term:
        term.start([*argv, "--passphrase"])
        for n, phrase in enumerate(typed, 1):
            term.wait_until(partial(prompted, n), what=f"prompt {n}", timeout=60)
            term.send_literal(phrase)
            term.send_keys("Enter")
        term.wait_dead(timeout=60)
        screen = term._run("capture-pane", "-p", "-S", "-200", "-t", term.name).stdout
        status = term.exit_status()
    for phrase in typed:
        assert phrase not in screen, screen
    lines = [line for line in screen.splitlines() if line.strip() and "Pane is dead" not in line]
    return status, "\n".join(lines)


def test_with_a_passphrase_the_laptop_recovers_its_own_crash(tmp_path: Path) -> None:
    pub = tmp_path / "study.pub"
    new_identity(tmp_path / "study.key", pub)  # the study key stays elsewhere
    folder = tmp_path / "sessions"
    argv = observer_code_argv(folder, dyad=DYAD, observer="enc")
    with Tmux(width=100, height=30) as term:
        term.start([*argv, "--encrypt-to", str(pub), "--passphrase"])
        type_passphrase_on_the_form(term, "tuba orbit 7", "tuba orbit 6")
        term.wait_for("the two passphrases differ")
        type_passphrase_on_the_form(term, "tuba orbit 7", "tuba orbit 7")
        term.wait_for("press space", timeout=60)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("t")
        wait_acked(term, 2)
        term.kill9()
    before = every_byte(folder)
    for name, data in before.items():
        assert b"tuba orbit" not in data and DYAD.encode() not in data, name
    # Typed wrong three times: one line, exit 2, nothing changed, nothing decrypted.
    status, shown = recover_in_a_terminal(folder, ["tuba orbit 8", "tuba", "orbit seven"])
    assert status == 2, shown
    assert "Wrong passphrase; 2 tries left." in shown and "1 try left." in shown, shown
    assert shown.splitlines()[-1] == (
        f"{folder}: wrong passphrase typed 3 times: nothing was recovered, nothing changed"
    ), shown
    assert every_byte(folder) == before
    # Wrong once, then right: recovered, to the study's key only.
    status, shown = recover_in_a_terminal(folder, ["tuba orbit 8", "tuba orbit 7"])
    assert status == 0, shown
    assert "recovered 1 event" in shown, shown
    [path] = list(folder.glob("*.json.age"))
    for name, data in every_byte(folder).items():
        assert b"tuba orbit" not in data and DYAD.encode() not in data, name
    agefile.use_identities([tmp_path / "study.key"])
    try:
        session = load_session(path)  # the recovered session: to the study's key only
    finally:
        agefile.use_identities([])
    assert [e.code for e in session.events] == [POINT_KEYS["t"]]


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_kill_9_at_a_random_instant_in_an_encrypted_folder(tmp_path: Path, seed: int) -> None:
    """The crash harness with encryption on: bursts of keys, a kill -9 at a random
    moment (possibly mid-burst, mid-write); no secret in any file's bytes, before or
    after ``observer recover --identity``, which returns every acknowledged action."""
    rng = random.Random(seed)
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    folder = tmp_path / "sessions"
    keys = "".join(rng.choice("tdo") for _ in range(90))
    bursts = [keys[i : i + rng.randint(1, 8)] for i in range(0, len(keys), 8)]
    kill_after = rng.randrange(1, len(bursts))
    with Tmux(width=100, height=30) as term:
        start_encrypted(term, folder, pub)
        for burst in bursts[:kill_after]:
            term.send_literal(burst)
        seen = acked(term.capture())  # acknowledged before the kill (a lower bound)
        term.kill9()
    no_secret_in(every_byte(folder))
    recover_with(key, folder)
    no_secret_in(every_byte(folder))
    [path] = list(folder.glob("*.json.age"))
    session = opened(path, key)
    codes = [e.code for e in session.events]
    sent = [POINT_KEYS[k] for k in "".join(bursts[:kill_after])]
    assert [n.text for n in session.notes] == [NOTE]
    assert len(codes) >= seen - 2  # every acknowledged key (clock and note: actions 1, 2)
    assert codes == sent[: len(codes)]  # in order, nothing invented


@contextlib.contextmanager
def small_disk(base: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (observer needs 16 MB free to start) (root is needed to mount it; else the test is skipped)."""
    mount = base / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode:
        pytest.skip(f"a small disk needs a tmpfs mount (root): {done.stderr.strip()!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


LATER = "ddtoo"


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb") as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * (1 << 16))
            out.flush()
    return filler


def test_a_full_disk_in_an_encrypted_folder_leaks_nothing_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """The disk fills mid-session (journal and key log writes fail: NOT SAVED, every
    action held in memory), the session is ended and cannot be saved (the complete
    copy goes to the state folder, encrypted too), then kill -9 while the disk is
    still full. No secret in any byte of the folder or of the copy; once space is freed,
    ``observer recover --identity`` gives back every action typed."""
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    with small_disk(tmp_path) as disk:
        folder = disk / "sessions"
        with Tmux(width=140, height=30) as term:
            start_encrypted(term, folder, pub, env)
            term.send_literal("tdo")
            wait_acked(term, 5)
            filler = fill(disk)
            for _ in range(10):  # past the journal's last page: its writes fail too
                term.send_literal(LATER)
            actions = 2 + 3 + 10 * len(LATER)
            term.wait_for(rf"NOT SAVED|saved {actions}\b", regex=True, timeout=60)
            during = every_byte(folder)
            term.send_keys("C-e")
            term.wait_for("End the session", timeout=30)
            term.send_keys("Enter")
            term.wait_for("Ratings", timeout=30)
            term.send_keys("C-s")
            term.wait_until(
                lambda s: "NOT SAVED" in s and "copy" in s.lower(), what="the copy", timeout=60
            )
            copies = every_byte(tmp_path / "state")
            term.kill9()
        assert copies, "no copy of the unsaved session in the state folder"
        for found in (during, every_byte(folder), copies):
            no_secret_in(found)
        filler.unlink()
        said = recover_with(key, folder, env)
        assert "the copy was used" in said and "removed: it is saved as" in said, said
        no_secret_in(every_byte(folder))
        [path] = list(folder.glob("*.json.age"))
        session = opened(path, key)
        assert not every_byte(tmp_path / "state")  # the copy, saved, did not pile up
    assert [e.code for e in session.events] == [POINT_KEYS[k] for k in "tdo" + LATER * 10]
    assert [n.text for n in session.notes] == [NOTE]


def test_observer_encrypt_to_in_the_environment_encrypts_the_folder(tmp_path: Path) -> None:
    """``$OBSERVER_ENCRYPT_TO`` does what ``--encrypt-to`` does: the folder is encrypted
    from the first file written into it."""
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    os.chmod(pub, 0o600)
    folder = tmp_path / "sessions"
    with Tmux(width=100, height=30) as term:
        term.start(observer_code_argv(folder, dyad=DYAD), env={"OBSERVER_ENCRYPT_TO": str(pub)})
        term.wait_for("press space", timeout=60)
        term.send_keys("Space")
        term.wait_for("RUNNING")
        term.send_keys("t")
        wait_acked(term, 2)
        term.kill9()
    assert (folder / "recipients.txt").read_bytes() == pub.read_bytes()
    no_secret_in(every_byte(folder))
    recover_with(key, folder)
    [path] = list(folder.glob("*.json.age"))
    assert [e.code for e in opened(path, key).events] == [POINT_KEYS["t"]]
