"""The command's exit statuses and error lines (docs/commands.md: exit status)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from support.clirun import run

from observer.cli import MAX_REPORTED
from observer.codebook import load_codebook
from observer.sessionfile import session_to_bytes
from observer.synthetic import make_session


def test_a_usage_error_is_one_line_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["codebook", "show", "cpp-attachment", "--format", "yaml"], capsys)
    assert status == 2
    assert err.count("\n") == 1
    assert err.startswith("observer codebook show: ")
    assert "'yaml' is not one of" in err


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["frobnicate"], capsys)
    assert status == 2
    assert err.count("\n") == 1 and "frobnicate" in err


def test_a_flood_of_problems_is_capped_with_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = load_codebook("cpp-attachment")
    session = make_session(book, 1000)
    raw = orjson.loads(session_to_bytes(session))
    raw["duration"] = 0.5  # every event now lies outside the session
    path = tmp_path / "flood.json"
    path.write_bytes(orjson.dumps(raw))
    status, _, err = run(["stats", str(path)], capsys)
    lines = err.splitlines()
    assert status == 2
    assert len(lines) == MAX_REPORTED + 1
    assert all(line.startswith(f"{path}: events[") for line in lines[:MAX_REPORTED])
    hidden = int(lines[-1].split(": ")[-1].split()[0])
    assert lines[-1] == f"{path}: {hidden} more problems not shown"
    assert hidden > 500


def test_an_internal_error_is_one_line_naming_the_logged_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def explode(path_or_id: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("observer.cli.codebook.load_codebook", explode)
    status, _, err = run(["codebook", "show", "cpp-attachment"], capsys)
    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("observer: internal error: RuntimeError('a bug') (traceback in ")
    log = Path(err.rsplit("traceback in ", 1)[1].rstrip(")\n"))
    assert log.parent == tmp_path / "observer"
    assert "RuntimeError: a bug" in log.read_text()
