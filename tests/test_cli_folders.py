"""Every folder a command makes is 0700 whatever the umask (sessions describe children);
``--session-dir`` and ``export -o`` make theirs; a mistyped command gets the nearest one;
shell completion answers through ``_OBSERVER_COMPLETE``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.sessionfile import write_session
from observer.synthetic import make_session


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 000: what the user's shell may have (a shared lab machine, a careless profile)."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    cpp = load_codebook("cpp-attachment")
    a = write_session(tmp_path, make_session(cpp, 30, seed=1, session_id="A"))
    b = write_session(tmp_path, make_session(cpp, 30, seed=2, observer="obs2", session_id="B"))
    return a, b


def test_the_eaf_folder_and_its_parents_are_private_under_umask_000(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    target = tmp_path / "new" / "deeper" / "elan"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "observer",
            "export",
            str(pair[0]),
            "--format",
            "eaf",
            "-o",
            str(target),
        ],
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0),
    )
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper", target):
        assert _mode(folder) == 0o700, folder
    assert _mode(target / "A.eaf") == 0o600


def test_an_import_and_its_codebook_folder_are_private_under_umask_000(
    tmp_path: Path, pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str], open_umask: None
) -> None:
    csv = tmp_path / "a.csv"
    assert run(["export", str(pair[0]), "--format", "csv", "-o", str(csv)], capsys)[0] == 0
    target = tmp_path / "imported"
    code, _, err = run(["import", str(csv), "--from", "csv", "-o", str(target)], capsys)
    assert code == 0, err
    assert _mode(target) == 0o700 and _mode(target / "codebook") == 0o700


def test_the_settings_and_crash_folders_are_private_under_umask_000(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    from observer.cli import _log_crash
    from observer.settings import remember

    path = remember("observer", "o1", tmp_path / "config" / "observer" / "config.json")
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        log = Path(_log_crash())
    assert log.parent == tmp_path / "state" / "observer"
    assert _mode(log.parent) == 0o700 and _mode(tmp_path / "state") == 0o700


def test_consensus_makes_its_session_folder(
    tmp_path: Path,
    pair: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    open_umask: None,
) -> None:
    class Quits:  # the screen, quit at once: the journal stays in the new folder
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def run(self) -> None:
            return None

    monkeypatch.setattr("observer.tui.consensus.app.ConsensusApp", Quits)
    folder = tmp_path / "consensus" / "round-1"
    a, b = pair
    code, _, err = run(
        ["consensus", str(a), str(b), "--by", "sup1", "--session-dir", str(folder)], capsys
    )
    assert code == 0, err
    assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o700
    assert (folder / "A--B.consensus.jsonl").exists() and "not finished" in err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["exprt"], "observer: No such command 'exprt'. Did you mean 'export'?"),
        (
            ["codebook", "shw", "x"],
            "observer codebook: No such command 'shw'. Did you mean 'show'?",
        ),
        (
            ["reliability", "asign", "x"],
            "observer reliability: No such command or folder 'asign'. Did you mean 'assign'?",
        ),
        (["frobnicate"], "observer: No such command 'frobnicate'."),
    ],
)
def test_a_mistyped_command_gets_the_nearest(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err == line + "\n"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("observer exp", "plain,export"),
        (
            "observer stats A.json --format ",
            "plain,table\nplain,csv\nplain,tsv\nplain,json\nplain,sav\nplain,dta\nplain,parquet",
        ),
        ("observer reliability ass", "plain,assign"),
    ],
)
def test_shell_completion_answers(words: str, expected: str) -> None:
    env = {**os.environ, "_OBSERVER_COMPLETE": "bash_complete", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split(" ")) - 1)
    script = Path(sys.executable).with_name("observer")
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == expected, done
