"""An encrypted session folder end to end, in a real terminal (tmux): coded with
``--encrypt-to``, killed with kill -9, then every file in the folder is grepped raw
for the dyad id, the code labels and the note's text (none may appear), and
``observer recover --identity`` returns every acknowledged action."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from support.tmuxdriver import Tmux, observer_code_argv
from test_e2e_durability import POINT_KEYS, acked, wait_acked

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.crypto.keys import new_identity
from observer.sessionfile import load_session

pytestmark = pytest.mark.tmux

NOTE = "quietly hides the blue giraffe"
DYAD = "DYX7341"


def secrets() -> list[bytes]:
    book = load_codebook("cpp-attachment")
    labels = [book.code_by_id[code].label for code in POINT_KEYS.values()]
    return [DYAD.encode(), NOTE.encode(), *(label.encode() for label in labels)]


def every_byte(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


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
