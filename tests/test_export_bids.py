"""observer export --format bids-events: BIDS file names (checked by the BIDS schema's own
path rules, the bids-validator package), the events.tsv rules (onset and duration first,
numbers in seconds, n/a for missing), a sidecar describing every column with the codes'
levels, the same events as the CSV; the full BIDS validator where it is installed."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.clirun import run
from test_interchange_export import BOOK, crafted

from observer.sessionfile import write_session
from observer.synthetic import make_session


def _study(tmp_path: Path) -> list[Path]:
    """Dyad D-01 (written D01) seen three times, out of order; dyad D002 once."""
    folder = tmp_path / "sessions"
    folder.mkdir()
    sessions = [
        attrs.evolve(crafted("S1", dyad="D-01"), started_at="2026-11-22T10:00:00+00:00"),
        attrs.evolve(
            make_session(BOOK, 120, seed=2, session_id="S0", dyad="D-01"),
            started_at="2026-12-01T09:00:00+00:00",
        ),
        attrs.evolve(
            make_session(BOOK, 80, seed=3, session_id="S9", dyad="D-01"),
            started_at="2026-10-01T09:00:00+01:00",
        ),
        make_session(BOOK, 60, seed=4, session_id="S2", dyad="D002", observer="obs2"),
    ]
    return [write_session(folder, s) for s in sessions]


def _export(paths: list[Path], out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = run(["export", *map(str, paths), "--format", "bids-events", "-o", str(out)], capsys)  # fmt: skip
    return code, err


def _table(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text and text.endswith("\n")
    return [line.split("\t") for line in text.splitlines()]


async def test_names_follow_bids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bids_validator import BIDSValidator

    out = tmp_path / "bids"
    code, err = _export(_study(tmp_path), out, capsys)
    assert code == 0, err
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    stem = "sub-D01/ses-{n}/beh/sub-D01_ses-{n}_task-cppattachment_events"
    expected = sorted(
        [f"{stem.format(n=n)}.{ext}" for n in (1, 2, 3) for ext in ("tsv", "json")]
        + [f"sub-D002/ses-1/beh/sub-D002_ses-1_task-cppattachment_events.{ext}"
           for ext in ("tsv", "json")]
    )  # fmt: skip
    assert files == expected
    validator = BIDSValidator()
    assert all(validator.is_bids("/" + f) for f in files)
    # ses-N in time order within the dyad: S9 (October), S1 (22 November), S0 (December)
    n_rows = {n: len(_table(out / f"{stem.format(n=n)}.tsv")) - 1 for n in (1, 2, 3)}
    assert n_rows == {1: 80, 2: 7, 3: 120}


async def test_events_follow_the_rules_and_equal_the_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = _study(tmp_path)
    out = tmp_path / "bids"
    code, err = _export(paths, out, capsys)
    assert code == 0, err
    table = _table(out / "sub-D01/ses-2/beh/sub-D01_ses-2_task-cppattachment_events.tsv")
    header, rows = table[0], table[1:]
    assert header[:2] == ["onset", "duration"]
    assert header == ["onset", "duration", "trial_type", "kind", "actor", "group",
                      *[f"modifier_{m.id}" for m in BOOK.modifiers], "segment", "flags"]  # fmt: skip
    for row in rows:
        assert len(row) == len(header) and "" not in row  # n/a, never an empty cell
        assert float(row[0]) >= 0 and float(row[1]) >= 0
    onsets = [float(r[0]) for r in rows]
    assert onsets == sorted(onsets)
    # The same events as the CSV: onset = start, duration (0 for a point), code, ...
    target = tmp_path / "s1.csv"
    code, _, err = run(["export", str(paths[0]), "--format", "csv", "-o", str(target)], capsys)
    assert code == 0, err
    events = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    column = {name: i for i, name in enumerate(header)}
    for row, event in zip(rows, events, strict=True):
        assert row[0] == event["start"]
        assert float(row[1]) == (float(event["duration"]) if event["kind"] == "state" else 0.0)
        assert (row[2], row[3], row[4], row[5]) == (
            event["code"], event["kind"], event["actor"], event["group"])  # fmt: skip
        mods = dict(p.split("=") for p in event["modifiers"].split(";") if p)
        for m in BOOK.modifiers:
            assert row[column[f"modifier_{m.id}"]] == mods.get(m.id, "n/a")
        assert row[column["segment"]] == (event["segment"] or "n/a")
        assert row[column["flags"]] == (event["flags"] or "n/a")

    sidecar = json.loads(
        (out / "sub-D01/ses-2/beh/sub-D01_ses-2_task-cppattachment_events.json").read_text()
    )
    assert set(header) <= set(sidecar)  # every column described
    assert sidecar["onset"]["Units"] == "s" and sidecar["duration"]["Units"] == "s"
    levels = sidecar["trial_type"]["Levels"]
    assert list(levels) == [c.id for c in BOOK.codes]  # every code, used or not
    assert levels["cg-apart"].startswith(BOOK.code_by_id["cg-apart"].label)
    for name, spec in sidecar.items():
        if "Levels" in spec and name in header:
            used = {r[column[name]] for r in rows} - {"n/a"}
            assert used <= set(spec["Levels"]), name


async def test_bad_dyads_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    paths = [
        write_session(folder, make_session(BOOK, 10, seed=1, session_id="A", dyad="D-1")),
        write_session(folder, make_session(BOOK, 10, seed=1, session_id="B", dyad="D1")),
        write_session(folder, make_session(BOOK, 10, seed=1, session_id="C", dyad="--")),
    ]
    out = tmp_path / "bids"
    code, err = _export(paths, out, capsys)
    assert code == 2
    assert err.splitlines() == [
        "B: dyad: dyads 'D-1' and 'D1' both make the BIDS subject sub-D1",
        "C: dyad: dyad '--' has no letter or digit to make a BIDS subject label",
    ]
    assert not out.exists()


@pytest.mark.skipif(
    shutil.which("bids-validator") is None,
    reason="the BIDS validator (npm install -g bids-validator) is not installed",
)
async def test_the_bids_validator_finds_no_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bids"
    code, err = _export(_study(tmp_path), out, capsys)
    assert code == 0, err
    description: dict[str, Any] = {"Name": "observer export", "BIDSVersion": "1.9.0"}
    (out / "dataset_description.json").write_text(json.dumps(description))
    (out / "README").write_text("A test dataset around observer's events export.\n")
    done = subprocess.run(
        ["bids-validator", "--json", str(out)], capture_output=True, text=True, timeout=120
    )
    report = json.loads(done.stdout)
    assert report["issues"]["errors"] == [], report["issues"]["errors"]
