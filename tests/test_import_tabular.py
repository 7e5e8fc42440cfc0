"""observer import --from csv/tsv: observer's own export read back, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import load_session, write_session
from observer.synthetic import make_session

BUNDLED = sorted(p for p in Path("codebooks").glob("*.json") if p.name != "codebook.schema.json")


def _export(sessions: list[Path], fmt: str, out: Path, capsys: pytest.CaptureFixture[str]) -> bytes:
    code, _, err = run(["export", "--format", fmt, *map(str, sessions), "-o", str(out)], capsys)
    assert code == 0, err
    return out.read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
@pytest.mark.parametrize("book_path", BUNDLED, ids=lambda p: p.stem)
@pytest.mark.parametrize("given", [True, False], ids=["codebook", "derived"])
def test_round_trip_is_byte_identical(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, book_path: Path, given: bool
) -> None:
    book = load_codebook(book_path)
    folder = tmp_path / "s"
    folder.mkdir()
    paths = [
        write_session(folder, make_session(book, 300, seed=n, session_id=f"S{n}")) for n in range(2)
    ]
    first = _export(paths, fmt, tmp_path / f"a.{fmt}", capsys)
    extra = ["--codebook", str(book_path)] if given else []
    code, _, err = run(
        ["import", str(tmp_path / f"a.{fmt}"), "--from", fmt, "-o", str(tmp_path / "i"), *extra],
        capsys,
    )
    assert code == 0, err
    assert ("derived" in err) is not given
    imported = sorted((tmp_path / "i").glob("*.json"))
    for path in imported:
        session = load_session(path)
        assert session.imported_from is not None
        assert session.imported_from.format == fmt
        assert session.status == "complete"
    again = _export(imported, fmt, tmp_path / f"b.{fmt}", capsys)
    assert again == first


def test_fifty_thousand_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = load_codebook(BUNDLED[0])
    folder = tmp_path / "s"
    folder.mkdir()
    path = write_session(folder, make_session(book, 50_000, session_id="big"))
    first = _export([path], "csv", tmp_path / "a.csv", capsys)
    code, _, err = run(
        ["import", str(tmp_path / "a.csv"), "--from", "csv", "-o", str(tmp_path / "i")], capsys
    )
    assert code == 0, err
    assert _export([tmp_path / "i" / "big.json"], "csv", tmp_path / "b.csv", capsys) == first


def _good_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    book = load_codebook(BUNDLED[0])
    folder = tmp_path / "s"
    folder.mkdir()
    path = write_session(folder, make_session(book, 20, session_id="good"))
    _export([path], "csv", tmp_path / "good.csv", capsys)
    return tmp_path / "good.csv"


def test_missing_column_and_unknown_code_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _good_csv(tmp_path, capsys)
    lines = good.read_text().splitlines()
    missing = tmp_path / "missing.csv"
    missing.write_text("\n".join(",".join(r.split(",")[:-1]) for r in lines) + "\n")
    head, row = lines[0], lines[1].split(",")
    row[3] = "no-such-code"
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(f"{head}\n{','.join(row)}\n")
    target = tmp_path / "out"
    code, _, err = run(
        ["import", str(missing), str(unknown), "--from", "csv", "-o", str(target),
         "--codebook", str(BUNDLED[0])],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert f"{missing}: line 1: missing column(s): flags" in err
    assert f"{unknown}: line 2, column code: unknown code 'no-such-code'" in err
    assert "Traceback" not in err
    assert not target.exists()
    code, _, err = run(
        ["import", str(good), str(unknown), "--from", "csv", "-o", str(target),
         "--codebook", str(BUNDLED[0]), "--skip-bad"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert f"skipped: {unknown}: line 2" in err
    assert [p.name for p in target.glob("*.json")] == ["good.json"]
