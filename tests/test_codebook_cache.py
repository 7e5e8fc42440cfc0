"""observer.codebook.cache: a codebook validated once per file and observer version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from observer.codebook import bundled_dir, cache, load_codebook
from observer.errors import InputError


@pytest.fixture
def book_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.json"
    path.write_bytes((bundled_dir() / "cpp-attachment.json").read_bytes())
    return path


@pytest.fixture(autouse=True)
def own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OBSERVER_CODEBOOK_CACHE", raising=False)
    return tmp_path / "cache" / "observer" / "codebooks"


def test_a_validated_codebook_is_kept_private_and_given_back_the_same(
    book_file: Path, own_cache: Path
) -> None:
    first = load_codebook(book_file)
    (entry,) = own_cache.iterdir()
    assert entry == cache.entry_path(book_file.read_bytes())
    if hasattr(os, "getuid"):
        assert entry.stat().st_mode & 0o777 == 0o600
        assert own_cache.stat().st_mode & 0o777 == 0o700
    again = load_codebook(book_file)
    assert again == first and again.sha256 == first.sha256
    assert again.document == first.document


def test_a_hit_imports_neither_cattrs_nor_the_rules(book_file: Path, own_cache: Path) -> None:
    load_codebook(book_file)
    script = (
        "import sys\n"
        "from observer.codebook import load_codebook\n"
        f"book = load_codebook({str(book_file)!r})\n"
        "print(book.id, 'cattrs' in sys.modules, 'observer.codebook.rules' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(own_cache.parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["cpp-attachment", "False", "False"]


def test_a_changed_file_is_validated_again(book_file: Path) -> None:
    load_codebook(book_file)
    data = json.loads(book_file.read_text())
    data["codes"][0]["key"] = " "  # a rule's problem: never from the cache
    book_file.write_text(json.dumps(data))
    with pytest.raises(InputError):
        load_codebook(book_file)


def test_a_codebook_with_a_problem_is_never_kept(book_file: Path, own_cache: Path) -> None:
    data = json.loads(book_file.read_text())
    data["version"] = 5
    book_file.write_text(json.dumps(data))
    for _ in range(2):
        with pytest.raises(InputError):
            load_codebook(book_file)
    assert not own_cache.exists() or not list(own_cache.iterdir())


@pytest.mark.parametrize("damage", ["torn", "flipped", "not-a-codebook", "empty"])
def test_a_corrupt_entry_is_ignored_and_written_again(
    book_file: Path, own_cache: Path, damage: str
) -> None:
    book = load_codebook(book_file)
    (entry,) = own_cache.iterdir()
    blob = entry.read_bytes()
    if damage == "torn":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flipped":
        entry.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    elif damage == "not-a-codebook":
        import hashlib
        import pickle

        payload = pickle.dumps({"id": "x"})
        entry.write_bytes(cache.MAGIC + hashlib.sha256(payload).digest() + payload)
    else:
        entry.write_bytes(b"")
    assert load_codebook(book_file) == book
    assert entry.read_bytes() == blob
    assert [p.name for p in own_cache.iterdir()] == [entry.name]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX modes")
def test_an_entry_others_can_read_or_change_is_not_trusted(
    book_file: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_codebook(book_file)
    (entry,) = own_cache.iterdir()
    entry.chmod(0o644)
    assert cache.get(book_file.read_bytes()) is None
    load_codebook(book_file)  # validated again, and kept 0600 again
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache.get(book_file.read_bytes()) is not None


def test_a_cache_that_cannot_be_written_is_no_error(
    book_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_codebook(book_file).id == "cpp-attachment"


def test_the_cache_can_be_turned_off(
    book_file: Path, own_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSERVER_CODEBOOK_CACHE", "0")
    load_codebook(book_file)
    assert not own_cache.exists()
