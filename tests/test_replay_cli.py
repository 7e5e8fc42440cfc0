"""``observer replay`` with bad input: exit 2, one clear line per problem, file untouched."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from support.replay import small_file

from observer.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    code = done.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


def untouched(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_mode


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    code, err = run(["replay", str(missing)], capsys)
    assert code == 2
    assert err.strip() == f"{missing}: no such file"
    assert not missing.exists()


def test_corrupt_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = small_file(tmp_path)
    path.write_bytes(path.read_bytes()[:-40])  # cut short, as by a full disk
    before = untouched(path)
    code, err = run(["replay", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"{path}: line ") and "invalid JSON" in err
    assert len(err.strip().splitlines()) == 1
    assert untouched(path) == before


def test_another_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "book.json"
    path.write_bytes(orjson.dumps({"schema": "observer.codebook/1", "id": "x"}))
    before = untouched(path)
    code, err = run(["replay", str(path)], capsys)
    assert code == 2
    assert err.strip() == (
        f"{path}: schema: not an observer session "
        "(expected 'observer.session/1', got 'observer.codebook/1')"
    )
    assert untouched(path) == before


def test_invalid_session_lists_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_file(tmp_path)
    raw = orjson.loads(path.read_bytes())
    raw["events"][1]["code"] = "no-such-code"
    raw["events"][4]["end"] = 99.0
    path.write_bytes(orjson.dumps(raw))
    os.chmod(path, 0o600)
    before = untouched(path)
    code, err = run(["replay", str(path)], capsys)
    assert code == 2
    assert err.splitlines() == [
        f"{path}: events[1].code: unknown code 'no-such-code'",
        f"{path}: events[4].end: time 99.0 is outside the session (0 to 60.0)",
    ]
    assert untouched(path) == before


def test_bad_compare_file_and_speed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = small_file(tmp_path)
    before = untouched(path)
    code, err = run(["replay", str(path), "--compare", str(tmp_path / "b.json")], capsys)
    assert code == 2 and err.strip() == f"{tmp_path / 'b.json'}: no such file"
    code, err = run(["replay", str(path), "--speed", "32"], capsys)
    assert code == 2 and "from 0.5 to 16, not 32" in err
    assert untouched(path) == before


def test_compare_needs_the_same_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_file(tmp_path)
    other = small_file(tmp_path, "S1-D001-obs2")
    raw = orjson.loads(other.read_bytes())
    raw["codebook"]["id"] = raw["codebook"]["document"]["id"] = "another-book"
    from observer.codebook import codebook_from_data

    book = codebook_from_data(raw["codebook"]["document"], "x")
    raw["codebook"]["sha256"] = book.sha256
    raw["codebook"]["document"] = book.document
    other.write_bytes(orjson.dumps(raw))
    code, err = run(["replay", str(path), "--compare", str(other)], capsys)
    assert code == 2 and "agreement needs both sessions coded with the same codebook" in err
