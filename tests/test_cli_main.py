"""The command's exit statuses and error lines (docs/commands.md: exit status)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from support.clirun import run

from observer.cli import MAX_REPORTED
from observer.codebook import load_codebook
from observer.errors import Problem
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


FILE_COMMANDS = [
    ["agree", "{x}", "{x}"],
    ["agree", "--ratings", "{x}", "{x}"],
    ["stats", "{x}"],
    ["seq", "{x}", "--codes", "a,b"],
    ["intervals", "{x}", "--rule", "partial", "--interval", "10"],
    ["export", "{x}", "--format", "csv", "-o", "{out}"],
    ["export", "{x}", "--format", "ratings-csv", "-o", "{out}"],
    ["replay", "{x}"],
    ["codebook", "check", "{x}"],
    ["consensus", "{x}", "{x}", "--by", "x"],
    ["import", "{x}", "--from", "csv", "--codebook", "{x}"],
    ["import-boris", "{x}"],
    ["code", "--codebook", "{x}"],
]


@pytest.mark.parametrize("argv", FILE_COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize(("content", "message"), [(None, "no such file"), (b"", "file is empty")])
def test_a_problem_with_a_whole_file_shows_no_json_path(
    argv: list[str],
    content: bytes | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # FILE: MESSAGE, not FILE: $: MESSAGE, from every command that reads a file
    x = tmp_path / "x.json"
    if content is not None:
        x.write_bytes(content)
    args = [a.format(x=x, out=tmp_path / "out") for a in argv]
    status, _, err = run(args, capsys)
    assert status == 2, err
    assert f"{x}: {message}" in err.splitlines()[0], err
    assert "$:" not in err and "Traceback" not in err


def test_a_folder_listing_shows_no_json_path_for_a_whole_file(tmp_path: Path) -> None:
    from observer.live.folder import scan_folder

    (tmp_path / "empty.json").write_bytes(b"")
    (entry,) = scan_folder(tmp_path)
    assert entry.problem == "file is empty"
    assert Problem("x.json", "$", "no such file").located() == "no such file"
    assert Problem("x.json", "codes[0]", "bad").located() == "codes[0]: bad"
