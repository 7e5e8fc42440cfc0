"""observer import --from boris-events: BORIS's own exported events (files BORIS's test
suite holds, in both of its layouts, TSV and CSV), constructed exports for what those do
not show, --codebook, and bad exports refused."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from support.clirun import run

from observer.sessionfile import load_session

HERE = Path(__file__).parent / "fixtures" / "interchange" / "boris-events"


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code, _, err = run(
        ["import", *argv, "--from", "boris-events", "-o", str(tmp_path / "out")], capsys
    )
    return code, err


@pytest.mark.parametrize(
    "name", ["test_export_events_tabular.tsv", "test_export_events_tabular.csv"]
)
def test_tabular_events_pair_start_and_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, err = imported(tmp_path, capsys, str(HERE / name))
    assert code == 0, err
    session = load_session(tmp_path / "out" / "observation-1.json")
    assert session.dyad == "observation #1" and session.status == "imported"
    assert [(e.code, e.start, e.end) for e in session.events] == [
        ("subject1.s", 3.3, 7.75), ("subject1.s", 9.9, 16.2), ("subject1.s", 18.35, 24.475),
        ("subject2.s", 38.425, 46.1),
    ]  # fmt: skip
    assert {c.actor for c in session.book.codes} == {"subject1", "subject2"}


def test_aggregated_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = HERE / "test_export_aggregated_events_test_full_1.tsv"
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 0, err
    session = load_session(tmp_path / "out" / "observation-2.json")
    rows = source.read_text().splitlines()[1:]
    assert len(session.events) == len(rows) == 18  # one event per row
    kinds = Counter((e.code, e.end is None) for e in session.events)
    assert kinds == {
        ("no-focal-subject.s", False): 6, ("no-focal-subject.p", True): 6,
        ("subject1.s", False): 2, ("subject2.s", False): 2, ("subject2.p", True): 2,
    }  # fmt: skip
    last = session.events[-1]
    assert (last.code, last.start, last.end) == ("subject2.s", 317.39, 320.365)


HEADER = "Observation id\tSubject\tBehavior\tBehavioral category\tModifiers\tBehavior type\tTime\tComment\n"


def test_modifiers_comments_and_a_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "e.tsv"
    source.write_text(
        HEADER
        + "obs A\tmother\tpraise\tverbal\tlabeled\tPOINT\t1.5\tclear one\n"
        + "obs A\tmother\tpraise\tverbal\tNone\tPOINT\t2.0\t\n"
        + "obs A\tchild\tplay\t\t\tSTART\t3.0\t\n"
        + "obs A\tchild\tplay\t\t\tSTOP\t9.0\t\n"
    )
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 0, err
    session = load_session(tmp_path / "out" / "obs-A.json")
    assert [(e.code, e.start, e.end, e.modifiers) for e in session.events] == [
        ("mother.praise", 1.5, None, {"modifiers": "labeled"}),
        ("mother.praise", 2.0, None, {}),  # None: no modifier chosen
        ("child.play", 3.0, 9.0, {}),
    ]
    assert [(n.t, n.text) for n in session.notes] == [(1.5, "clear one")]
    book = tmp_path / "book.json"
    book.write_text(json.dumps(session.codebook.document).replace('"mother.praise"', '"cg-praise"'))
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"codes": {"mother/praise": "cg-praise"}}))
    code, _, err = run(["import", str(source), "--from", "boris-events", "--codebook", str(book),
                     "--map", str(mapping), "-o", str(tmp_path / "mapped")], capsys)  # fmt: skip
    assert code == 0, err
    mapped = load_session(tmp_path / "mapped" / "obs-A.json")
    assert [e.code for e in mapped.events] == ["cg-praise", "cg-praise", "child.play"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("obs\tchild\tplay\t\t\tSTART\t3.0\t\n", "line 2: an unpaired START of 'play' (child)"),
        (
            "obs\tchild\tplay\t\t\tSTOP\t3.0\t\n",
            "line 2: a STOP of 'play' (child) without its START",
        ),
        ("obs\tchild\tplay\t\t\tPOINT\tsoon\t\n", "line 2: 'soon' is not a time in seconds"),
        ("obs\tchild\tplay\t\t\tSTARTED\t1\t\n", "'STARTED' is not STATE, POINT, START or STOP"),
    ],
    ids=["unpaired start", "stop alone", "bad time", "bad type"],
)
def test_bad_exports_are_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: str, expected: str
) -> None:
    source = tmp_path / "bad.tsv"
    source.write_text(HEADER + rows)
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 2
    (line,) = err.splitlines()
    assert line.startswith(f"{source}: ") and expected in line
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_no_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "x.tsv"
    source.write_text("a\tb\n1\t2\n")
    code, err = imported(tmp_path, capsys, str(source))
    assert code == 2 and "not a BORIS events export" in err
