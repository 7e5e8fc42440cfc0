"""Commands over many sessions read them one at a time (observer.study.loading), write
nothing before the last is read, and write the same bytes as a whole document would."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import orjson
import pytest
from support.clirun import run

from observer.cli.files import json_chunks
from observer.codebook import load_codebook
from observer.errors import InputError, Problem
from observer.sessionfile import write_session
from observer.study.loading import load_sessions
from observer.synthetic import make_session


@pytest.fixture
def study(tmp_path: Path) -> list[Path]:
    book = load_codebook("cpp-attachment")
    return [
        write_session(tmp_path, make_session(book, 60, seed=i, session_id=f"S{i}"))
        for i in range(4)
    ]


def test_sessions_are_read_one_at_a_time_and_let_go(study: list[Path]) -> None:
    stream = load_sessions(study)
    _, first = next(stream)
    gone = weakref.ref(first)
    del first
    _, second = next(stream)
    gc.collect()
    assert gone() is None and second.id == "S1"
    assert [s.id for _, s in stream] == ["S2", "S3"]


def test_every_problem_of_every_file_after_the_last(study: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    paths = [study[0], bad, study[1], study[1], tmp_path / "missing.json"]
    seen = []
    with pytest.raises(InputError) as caught:
        for _, session in load_sessions(paths):
            seen.append(session.id)
    assert seen == ["S0"]  # nothing more once a problem is known
    files = [p.file for p in caught.value.problems]
    assert files == [str(bad), str(study[1]), str(tmp_path / "missing.json")]
    assert "also in" in caught.value.problems[1].message
    assert [s.id for _, s in load_sessions([study[0], study[0]], unique_ids=False)] == ["S0"] * 2


@pytest.mark.parametrize(
    "argv",
    [
        ["stats", "--format", "csv"],
        ["stats", "--format", "json", "--by", "segment"],
        ["stats"],
        ["export", "--format", "csv"],
        ["export", "--format", "sdis"],
        ["export", "--format", "ratings-tsv"],
        ["seq", "--format", "json"],
        ["seq", "--given", "ch-bids", "--target", "cg-responds", "--window", "0,3"],
        ["intervals", "--interval", "5", "--rule", "partial"],
    ],
)
def test_a_bad_last_file_leaves_standard_output_empty(
    study: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 1}')
    code, out, err = run([*argv, *map(str, study), str(bad)], capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"{bad}: ")


def test_a_bad_last_file_takes_back_every_eaf_file_and_folder(
    study: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    target = tmp_path / "new" / "eaf"
    code, _, err = run(
        ["export", "--format", "eaf", "-o", str(target), *map(str, study), str(bad)], capsys
    )
    assert code == 2 and err.startswith(f"{bad}: ")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "document",
    [
        {"sessions": [{"a": 1, "b": [], "c": {}, "d": [{"x": [1, 2.5, None]}]}, {}], "pooled": {}},
        {"sessions": [], "pooled": {"id": "pooled", "z": [[1], []]}},
        {"sessions": [1, "two", [3]]},
    ],
)
def test_json_made_piece_by_piece_is_byte_for_byte_orjsons(document: dict[str, object]) -> None:
    fields = [
        (key, iter(value) if isinstance(value, list) else (lambda value=value: value))
        for key, value in document.items()
    ]
    pieces = b"".join(json_chunks(fields))
    assert pieces == orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def test_a_survey_lists_unreadable_files_and_goes_on(study: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    problems: list[Problem] = []
    ids = [s.id for _, s in load_sessions([study[0], bad, study[1]], problems=problems)]
    assert ids == ["S0", "S1"] and [p.file for p in problems] == [str(bad)]


def test_no_room_to_hold_the_output_is_one_line_exit_1(
    study: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    monkeypatch.setattr("observer.cli.files.SPOOL_BYTES", 1)  # to the disk at once
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    code, out, err = run(["stats", "--format", "csv", *map(str, study)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("observer: cannot hold the output until the last input is read (")
    assert err.count("\n") == 1 and "internal error" not in err
