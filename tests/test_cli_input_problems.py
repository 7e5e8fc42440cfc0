"""Whatever is wrong in what a command reads is an input problem: exit status 2 and
one ``FILE: LOCATION: MESSAGE`` line, never "internal error"."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from support.clirun import run
from support.minibook import book

from observer.codebook import load_codebook
from observer.errors import InputError
from observer.live.journal import make_header
from observer.live.keylog import KeyLog
from observer.sessionfile import write_session
from observer.study.consensus import JOURNAL_SCHEMA, read_journal
from observer.synthetic import make_session

SID = "20261122T101503Z-D1-o1"


def _pair(folder: Path) -> tuple[Path, Path]:
    cpp = load_codebook("cpp-attachment")
    a = write_session(folder, make_session(cpp, 40, seed=1, session_id="A"))
    b = write_session(folder, make_session(cpp, 40, seed=2, observer="obs2", session_id="B"))
    return a, b


@pytest.mark.parametrize(
    "argv",
    [
        ["intervals", "{a}", "--interval", "1e308", "--rule", "whole"],
        ["consensus", "{a}", "{b}", "--by", "x", "--tolerance", "nan"],
    ],
    ids=["intervals --interval 1e308", "consensus --tolerance nan"],
)
def test_extreme_options_seen_crashing_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    a, b = _pair(tmp_path)
    code, out, err = run([part.format(a=a, b=b) for part in argv], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "internal error" not in err


@pytest.mark.parametrize(
    ("mono", "said"),
    [
        (1e308, "the key log's last line was torn"),  # no clock reads that: not a key
        (-1e308, "the key log's last line was torn"),
        (1e9, "(key 2; session time 1e+09 s is beyond one week (604800 s))"),
        (1e11, "(key 2; 'mono' is out of range (got 100000000000.0; at most 1e+10))"),
    ],
)
def test_a_key_log_with_extreme_times_gives_back_the_keys_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mono: float, said: str
) -> None:
    log = KeyLog.create(tmp_path, make_header(SID, book(), "D1", "o1", "label"))
    log.record([(10.0, "space", " ")])
    log.record([(mono, "p", "p")])
    log.close()
    code, out, err = run(["recover", "--session-dir", str(tmp_path)], capsys)
    assert code == 0 and "internal error" not in err, err
    assert "recovered 0 events" in out and said in out, out


@pytest.mark.parametrize(
    ("decision", "where"),
    [
        ("[1, 2]", "line 2"),
        ('{"item": 1e308, "choice": "a", "decided_by": "s", "decided_at": "t"}', "line 2.item"),
        ('{"item": "x", "choice": "a", "decided_by": "s", "decided_at": "t"}', "line 2.item"),
        ('{"item": 1, "choice": "c", "decided_by": "s", "decided_at": "t"}', "line 2.choice"),
        ('{"item": 1, "choice": "a", "decided_by": 3, "decided_at": "t"}', "line 2"),
        (
            '{"item": 1, "choice": "edited", "decided_by": "s", "decided_at": "t", "edited":'
            ' {"code": "x", "start": 1e308, "end": null, "modifiers": {}}}',
            "line 2.edited",
        ),
        (
            '{"item": 1, "choice": "edited", "decided_by": "s", "decided_at": "t", "edited":'
            ' {"code": "x", "begin": 1}}',
            "line 2.edited",
        ),
    ],
)
def test_a_bad_consensus_decision_is_an_input_problem(
    tmp_path: Path, decision: str, where: str
) -> None:
    path = tmp_path / "j.consensus.jsonl"
    header = orjson.dumps({"schema": JOURNAL_SCHEMA}).decode()
    path.write_text(f"{header}\n{decision}\n{header}\n")
    with pytest.raises(InputError) as caught:
        read_journal(path)
    assert all(p.location.startswith(where) for p in caught.value.problems), caught.value.problems


def test_a_pairs_file_naming_impossible_files_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pair(tmp_path)
    (tmp_path / "pairs.csv").write_text('a,b\nA.json,B.json\n\x00,A.json\n"open\n')
    code, out, err = run(["reliability", str(tmp_path)], capsys)
    assert code == 0 and "internal error" not in err
    assert "pairs.csv: line 3: no readable session file '\\x00'" in out
