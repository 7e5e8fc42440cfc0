"""Standard output onto a full disk: one line saying so, exit status 1, no "internal error".

Every command that writes to standard output runs as a real subprocess with its
standard output opened on ``/dev/full`` (every write fails with ENOSPC, as on a full
disk). Each case first runs with standard output on a file, to show that it does write
there (exit 0), so the failure the second run reports is the output's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.boris import project

from observer.codebook import load_codebook
from observer.live.journal import make_header
from observer.sessionfile import write_session
from observer.synthetic import make_session, perturb

BOOK = load_codebook("cpp-attachment")
SESSION_A = make_session(BOOK, 40, seed=5, session_id="20260101T100000Z-D001-obs1")
SESSION_B = perturb(SESSION_A, seed=6)

A, B = f"study/{SESSION_A.id}.json", f"study/{SESSION_B.id}.json"

COMMANDS: dict[str, list[str]] = {
    "help": ["--help"],
    "version": ["--version"],
    "code --help": ["code", "--help"],
    "codebook list": ["codebook", "list"],
    "codebook show": ["codebook", "show", "cpp-attachment"],
    "codebook show json": ["codebook", "show", "cpp-attachment", "--format", "json"],
    "codebook check": ["codebook", "check", "book.json"],
    "sessions": ["sessions", "--session-dir", "study"],
    "recover": ["recover", "--session-dir", "crashed"],
    "stats": ["stats", A],
    "stats json": ["stats", A, "--format", "json"],
    "agree": ["agree", A, B],
    "agree json": ["agree", A, B, "--format", "json"],
    "agree ratings": ["agree", "--ratings", A, B],
    "export csv": ["export", A, "--format", "csv"],
    "export sdis": ["export", A, "--format", "sdis"],
    "import-boris": ["import-boris", "project.boris", "-o", "imported"],
    "seq": ["seq", A],
    "seq json": ["seq", A, "--format", "json"],
    "intervals": ["intervals", A, "--interval", "5", "--rule", "partial"],
    "reliability": ["reliability", "study"],
    "reliability assign": ["reliability", "assign", "study", "--fraction", "0.5", "--seed", "1"],
}


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "study").mkdir(parents=True)
    write_session(tmp_path / "study", SESSION_A)
    write_session(tmp_path / "study", SESSION_B)
    (tmp_path / "book.json").write_text(json.dumps(BOOK.document))
    (tmp_path / "project.boris").write_text(json.dumps(project()))
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    header = make_header("20260101T110000Z-D2-o1", BOOK, "D2", "o1")
    lines = [header, {"a": "clock", "seq": 1, "mono": 0.0, "state": "running"}]
    journal = crashed / "20260101T110000Z-D2-o1.journal.jsonl"
    journal.write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines))
    return tmp_path


def _run(folder: Path, argv: list[str], stdout: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(folder / "state"), "COLUMNS": "100"}
    env.pop("OBSERVER_SESSION_DIR", None)
    with open(stdout, "w") as out:
        return subprocess.run(
            [sys.executable, "-m", "observer", *argv],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )


@pytest.mark.parametrize("name", list(COMMANDS))
def test_standard_output_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path, name: str) -> None:
    argv = COMMANDS[name]
    first = _folder(tmp_path / "file")
    done = _run(first, argv, first / "out.txt")
    assert done.returncode == 0, done.stderr
    assert (first / "out.txt").stat().st_size > 0

    second = _folder(tmp_path / "full")
    done = _run(second, argv, Path("/dev/full"))
    errors = [line for line in done.stderr.splitlines() if not line.startswith(("book", "project"))]
    assert errors[-1:] == ["observer: cannot write to standard output: No space left on device"]
    assert done.returncode == 1
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert not (second / "state").exists()  # no crash log


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "big.json", "--format", "csv"],
        ["intervals", "big.json", "--interval", "1", "--rule", "partial"],
        ["stats", "big.json", "--format", "json"],
    ],
    ids=["export", "intervals", "stats"],
)
def test_a_pipe_whose_reader_leaves_ends_quietly_with_status_0(
    tmp_path: Path, argv: list[str]
) -> None:
    """`observer ... | head`: the reader's leaving is not the command's failure (some
    commands exited 1 through click's own broken-pipe handling)."""
    big = make_session(BOOK, 3000, seed=2, session_id="20260101T100000Z-D009-obs1")
    path = write_session(tmp_path, big)
    argv = [path.name if a == "big.json" else a for a in argv]
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    process = subprocess.Popen(
        [sys.executable, "-m", "observer", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)
    process.stdout.close()  # as head does after its lines
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, errors
    assert errors == ""
