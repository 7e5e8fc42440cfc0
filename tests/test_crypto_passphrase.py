"""The coder's passphrase (``observer code --passphrase``): asked on the coding form in
two masked fields, never shown, never written anywhere; the journal and the key log are
wrapped to it as well as to the folder's recipients, so ``observer recover
--passphrase`` can open them on the laptop (tested end to end in test_e2e_crypto.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pilot import acknowledged, attached, until
from textual.widgets import Input, Static

from observer.codebook import load_codebook
from observer.crypto import agefile
from observer.crypto.keys import new_identity
from observer.crypto.stream import open_sealed, passphrase_block, passphrase_opens
from observer.live.keylog import keylog_path
from observer.tui.coding.app import CodingApp
from observer.tui.coding.end import ConfirmEnd, RatingsForm
from observer.tui.coding.form import MetadataForm

BOOK = load_codebook("cpp-attachment")
SECRET = "tuba orbit 7"


@pytest.fixture(autouse=True)
def nothing_given() -> Iterator[None]:
    agefile.use_identities([])
    agefile.use_passphrase(None)
    yield
    agefile.use_identities([])
    agefile.use_passphrase(None)


def encrypted_folder(tmp_path: Path) -> tuple[Path, Path]:
    key, pub = tmp_path / "study.key", tmp_path / "study.pub"
    new_identity(key, pub)
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    (folder / "recipients.txt").write_bytes(pub.read_bytes())
    os.chmod(folder / "recipients.txt", 0o600)
    return folder, key


def shown(app: CodingApp) -> str:
    """Everything the screen draws, as text (the screenshot's SVG holds every cell)."""
    return app.export_screenshot()


async def test_the_form_asks_for_the_passphrase_twice_masked_and_it_is_never_written(
    tmp_path: Path,
) -> None:
    folder, key = encrypted_folder(tmp_path)
    app = CodingApp(
        folder, book=BOOK, dyad="D012", observer="obs1", journals=[], ask_passphrase=True
    )
    async with app.run_test(size=(100, 32)) as pilot:
        # The flags gave everything else: the form is shown for the passphrase alone.
        assert isinstance(app.screen, MetadataForm)
        first = app.screen.query_one("#passphrase", Input)
        again = app.screen.query_one("#repeat", Input)
        assert first.password and again.password
        assert app.focused is first
        await pilot.press("enter", "enter")  # nothing typed
        errors = app.screen.query_one("#form-errors", Static)
        assert "a passphrase is needed" in str(errors.render())
        await pilot.press(*SECRET, "tab", *"tuba orbit 8", "enter")
        assert isinstance(app.screen, MetadataForm)
        assert "the two passphrases differ" in str(errors.render())
        assert first.value == again.value == "" and app.focused is first
        await pilot.press(*SECRET, "tab", *SECRET)
        await pilot.pause()
        screen = shown(app)
        assert "tuba" not in screen and "orbit" not in screen  # masked
        await pilot.press("enter")
        screen_ = await attached(pilot)
        assert agefile.passphrase() == SECRET
        await pilot.press("space", "t", "d")
        await acknowledged(pilot)
        assert app.writer is not None
        journal = app.writer.path
        for path in (journal, keylog_path(folder, journal.name.split(".")[0])):
            data = path.read_bytes()
            block = passphrase_block(data, str(path))
            assert block is not None, path.name  # wrapped to the passphrase
            assert passphrase_opens(block, SECRET, path.name)
            assert not passphrase_opens(block, "tuba orbit 8", path.name)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the confirmation")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RatingsForm), "the ratings form")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.result.path is not None, "the session saved")
        assert screen_.attached
    # Nowhere on disk, neither in a file's bytes nor inside what the study key opens.
    agefile.use_passphrase(None)
    agefile.use_identities([key])
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert app.result.path is not None
    assert {p.name for p in files} >= {"recipients.txt", app.result.path.name}
    for path in files:
        raw = path.read_bytes()
        assert SECRET.encode() not in raw, path.name
        plain = agefile.plaintext(raw, path.name) if raw.startswith(b"age-") else raw
        plain = open_sealed(plain, path.name)[0]
        assert SECRET.encode() not in plain and b"tuba" not in plain, path.name
    assert SECRET not in repr(app.metadata)


async def test_without_passphrase_the_form_has_no_passphrase_fields(tmp_path: Path) -> None:
    app = CodingApp(tmp_path, journals=[], config=tmp_path / "c.json")
    async with app.run_test(size=(100, 32)):
        assert isinstance(app.screen, MetadataForm)
        assert not app.screen.query("#passphrase")


def test_recover_passphrase_where_no_journal_was_wrapped_to_one_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from support.clirun import run

    from observer.live.journal import JournalWriter, make_header

    folder, _ = encrypted_folder(tmp_path)
    code, out, err = run(["recover", "--session-dir", str(folder), "--passphrase"], capsys)
    assert (code, out, err) == (0, f"Nothing to recover in {folder}.\n", "")  # nothing asked
    header = make_header("20260101T000000Z-D1-o1", BOOK, "D1", "o1")
    assert JournalWriter.create(folder, header).close(timeout=10)  # sealed, no passphrase
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, _, err = run(["recover", "--session-dir", str(folder), "--passphrase"], capsys)
    assert (code, err) == (
        2,
        f"{folder}: no unfinished journal here was wrapped to a passphrase"
        " (`observer code --passphrase`): give --identity FILE instead\n",
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
