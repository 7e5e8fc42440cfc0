"""Criteria in the codebook (mastery criteria): their rules, their evaluation on a
session, and ``observer progress`` across weekly sessions, checked against a pandas
groupby of the exported CSV and opened in a real headless Chromium."""

from __future__ import annotations

import copy
import io
import json
import random
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from support.analysis import session
from support.browser import console_errors, headless_chromium
from support.clirun import run
from support.codebook import problems_of

from observer.analysis.criteria import evaluate
from observer.codebook import load_codebook
from observer.sessionfile import SegmentSpan, Session, session_to_bytes

DPICS = load_codebook("dpics-style")
CLP = "child-led-play"
SPANS = (SegmentSpan(CLP, 10.0, 310.0), SegmentSpan("parent-led-play", 320.0, 620.0))
CDI = ("pa-labeled-praise", "pa-reflection", "pa-behavior-description")
AVOID = ("pa-question", "pa-reflective-question", "pa-direct-command", "pa-indirect-command")


def coded(counts: dict[str, int], *, outside: int = 5, seed: int = 0, week: int = 1) -> Session:
    """A session with ``counts`` of each code inside child-led play, and ``outside``
    of each criterion code in parent-led play (which must not count)."""
    rng = random.Random(seed)
    events: list[tuple[str, float, float | None]] = []
    for code, n in counts.items():
        events += [(code, round(rng.uniform(10.0, 309.9), 3), None) for _ in range(n)]
    for code in (*CDI, *AVOID):
        events += [(code, round(rng.uniform(320.0, 619.9), 3), None) for _ in range(outside)]
    events.append(("pa-labeled-praise", 310.0, None))  # the span's end is outside it
    s = session(events, duration=630.0, book=DPICS, dyad="D012", observer="obs1")
    when = f"2026-0{1 + (week - 1) // 4}-{1 + 7 * ((week - 1) % 4):02d}T09:00:00+00:00"
    return attrs.evolve(s, id=f"D012-w{week}", segments=SPANS, started_at=when, ended_at=when)


def test_the_bundled_cdi_criteria_measured_on_a_hand_table() -> None:
    s = coded(
        {
            "pa-labeled-praise": 10,
            "pa-reflection": 9,
            "pa-behavior-description": 12,
            "pa-question": 1,
            "pa-reflective-question": 1,
            "pa-negative-talk": 1,
        },
        outside=7,
    )
    results = {r.criterion.id: r for r in evaluate(DPICS, s.events, s.segments, s.duration)}
    assert {k: (r.rules[0].value, r.met) for k, r in results.items()} == {
        "cdi-labeled-praise": (10.0, True),
        "cdi-reflections": (9.0, False),
        "cdi-behavior-descriptions": (12.0, True),
        "cdi-avoid": (3.0, True),
    }
    again = coded({"pa-question": 2, "pa-direct-command": 2}, outside=0)
    results = {r.criterion.id: r for r in evaluate(DPICS, again.events, again.segments, 630.0)}
    assert (results["cdi-avoid"].rules[0].value, results["cdi-avoid"].met) == (4.0, False)


def test_a_criterion_whose_segment_was_not_marked_is_not_met() -> None:
    s = attrs.evolve(coded({"pa-labeled-praise": 12}), segments=())
    (first, *_) = evaluate(DPICS, s.events, s.segments, s.duration)
    assert first.marked is False and first.met is False


def _book(criteria: list[Any]) -> dict[str, Any]:
    doc = copy.deepcopy(DPICS.document)
    doc["criteria"] = criteria
    return doc


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["nope"], "min": 1}]}],
            "criteria[0].rules[0].codes[0]: unknown code 'nope'",
        ),
        (
            [
                {
                    "id": "x",
                    "label": "X",
                    "segment": "nap",
                    "rules": [{"codes": ["pa-question"], "max": 1}],
                }
            ],
            "criteria[0].segment: unknown segment 'nap'",
        ),
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["pa-question"], "min": 5, "max": 3}]}],
            "criteria[0].rules[0]: min 5 is above max 3 for the same codes",
        ),
        (
            [
                {
                    "id": "x",
                    "label": "X",
                    "rules": [
                        {"codes": ["pa-question"], "min": 5},
                        {"codes": ["pa-question"], "max": 3},
                    ],
                }
            ],
            "criteria[0].rules[1]: min 5 is above max 3 for the same codes",
        ),
        (
            [{"id": "x", "label": "X", "rules": []}],
            "criteria[0].rules: must list at least one rule",
        ),
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["pa-question"]}]}],
            "criteria[0].rules[0]: needs min or max",
        ),
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["pa-question"], "min": 2.5}]}],
            "criteria[0].rules[0].min: must be a whole number from 0 to 100,000",
        ),
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["pa-question"], "min": 1e9}]}],
            "criteria[0].rules[0].min: must be a whole number from 0 to 100,000",
        ),
        (
            [
                {
                    "id": "x",
                    "label": "X",
                    "rules": [
                        {"ratio": {"of": ["pa-reflection"], "to": ["pa-question"]}, "max": 1}
                    ],
                }
            ],
            "criteria[0].rules[0].max: a ratio takes min only",
        ),
        (
            [
                {
                    "id": "x",
                    "label": "X",
                    "rules": [{"ratio": {"of": ["pa-reflection"], "to": ["zzz"]}, "min": 1}],
                }
            ],
            "criteria[0].rules[0].ratio.to[0]: unknown code 'zzz'",
        ),
        (
            [
                {
                    "id": "x",
                    "label": "X",
                    "rules": [
                        {
                            "codes": ["pa-question"],
                            "ratio": {"of": ["pa-reflection"], "to": ["pa-question"]},
                            "min": 1,
                        }
                    ],
                }
            ],
            "criteria[0].rules[0]: a rule counts codes or a ratio, not both",
        ),
        (
            [
                {"id": "x", "label": "X", "rules": [{"codes": ["pa-question"], "min": 1}]},
                {"id": "x", "label": "Y", "rules": [{"codes": ["pa-question"], "min": 1}]},
            ],
            "criteria[1].id: duplicate id 'x' (also criteria[0])",
        ),
        (
            [{"id": "x", "label": " ", "rules": [{"codes": ["pa-question"], "min": 1}]}],
            "criteria[0].label: must not be empty",
        ),
        (
            [{"id": "x", "label": "X", "rules": [{"codes": ["pa-question"], "min": 1, "most": 2}]}],
            "criteria[0].rules[0].most",
        ),
    ],
)
def test_bad_criteria_are_one_problem_each_with_its_path(
    criteria: list[Any], expected: str
) -> None:
    problems = problems_of(_book(criteria))
    assert any(expected in p for p in problems), problems


def test_codebook_check_reports_a_bad_criterion_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cb.json"
    path.write_text(
        json.dumps(_book([{"id": "x", "label": "X", "rules": [{"codes": ["nope"], "min": 1}]}]))
    )
    status, out, err = run(["codebook", "check", str(path)], capsys)
    assert status == 2 and out == ""
    assert err.strip() == f"{path}: criteria[0].rules[0].codes[0]: unknown code 'nope'"


def test_the_criteria_leave_the_hash_of_a_codebook_without_them() -> None:
    doc = copy.deepcopy(DPICS.document)
    del doc["criteria"]
    from observer.codebook import codebook_from_data

    assert "criteria" not in codebook_from_data(doc, "x").document


WEEKS = [  # labeled praise, reflections, descriptions, questions+commands
    (2, 3, 4, 12),
    (4, 5, 6, 9),
    (6, 8, 7, 6),
    (9, 10, 11, 3),
    (11, 10, 12, 2),
    (12, 11, 10, 4),
    (13, 12, 14, 1),
    (15, 13, 16, 0),
]


@pytest.fixture
def weekly(tmp_path: Path) -> Path:
    folder = tmp_path / "sessions"
    folder.mkdir()
    for week, (lp, rf, bd, qc) in enumerate(WEEKS, 1):
        counts = {
            "pa-labeled-praise": lp,
            "pa-reflection": rf,
            "pa-behavior-description": bd,
            "pa-question": qc // 2,
            "pa-direct-command": qc - qc // 2,
            "pa-unlabeled-praise": 3,
        }
        s = coded(counts, seed=week, week=week)
        (folder / f"{s.id}.json").write_bytes(session_to_bytes(s))
    other = attrs.evolve(coded({"pa-labeled-praise": 20}, seed=99), dyad="D013", id="D013-w1")
    (folder / "D013-w1.json").write_bytes(session_to_bytes(other))
    return folder


def test_progress_equals_a_pandas_groupby_of_the_exported_csv(
    weekly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd = pytest.importorskip("pandas")
    status, out, err = run(["progress", str(weekly), "--dyad", "D012", "--format", "json"], capsys)
    assert status == 0, err
    result = orjson.loads(out)
    files = sorted(str(p) for p in weekly.glob("D012-*.json"))
    status, csv_text, err = run(["export", "--format", "csv", *files], capsys)
    assert status == 0, err
    events = pd.read_csv(io.StringIO(csv_text))
    inside = events[events["segment"] == CLP]
    expected = inside.groupby(["session", "code"]).size().unstack(fill_value=0)
    named = [*CDI, *AVOID, "pa-negative-talk"]
    assert [s["id"] for s in result["sessions"]] == [f"D012-w{w}" for w in range(1, 9)]
    for row in result["sessions"]:
        want = {c: int(expected.loc[row["id"]].get(c, 0)) for c in named}
        assert row["counts"] == want
        assert row["segment"] == CLP
        avoid = sum(want[c] for c in (*AVOID, "pa-negative-talk"))
        assert row["met"] == {
            "cdi-labeled-praise": want["pa-labeled-praise"] >= 10,
            "cdi-reflections": want["pa-reflection"] >= 10,
            "cdi-behavior-descriptions": want["pa-behavior-description"] >= 10,
            "cdi-avoid": avoid <= 3,
        }
    assert result["first_all_met"] == "D012-w5"  # week 6 misses again (4 questions)
    assert result["criteria"][0] == {"id": "cdi-labeled-praise", "label": "Labeled praises"}
    assert set(result) == {"dyad", "codebook", "criteria", "sessions", "first_all_met"}


def test_progress_table_and_csv(weekly: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["progress", str(weekly), "--dyad", "D012"], capsys)
    assert status == 0
    assert out.rstrip().endswith("first session with every criterion met: D012-w5")
    status, out, _ = run(["progress", str(weekly), "--dyad", "D012", "--format", "csv"], capsys)
    header, *rows = out.splitlines()
    assert header.startswith("dyad,session,started_at,segment,pa-labeled-praise")
    assert header.endswith("cdi-behavior-descriptions_met,cdi-avoid_met") and len(rows) == 8
    assert rows[4].endswith(",1,1,1,1") and rows[5].endswith(",1,1,1,0")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--dyad", "D999"], "D999: no session of this dyad under the folders"),
        (
            ["--dyad", "D012", "--observer", "nobody"],
            "D012: no session of this dyad under the folders",
        ),
    ],
)
def test_progress_bad_input(
    weekly: Path, argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["progress", str(weekly), *argv], capsys)
    assert status == 2 and out == "" and err.strip() == expected


def test_progress_without_criteria_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = session([("calm", 1.0, 2.0)], dyad="D1")
    (tmp_path / "a.json").write_bytes(session_to_bytes(s))
    status, _, err = run(["progress", str(tmp_path), "--dyad", "D1"], capsys)
    assert status == 2 and "has no criteria to measure against" in err


@pytest.mark.browser
def test_progress_page_opens_in_chromium_without_errors(
    weekly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "progress.html"
    status, _, err = run(
        ["progress", str(weekly), "--dyad", "D012", "--format", "html", "-o", str(page)], capsys
    )
    assert status == 0, err
    status, _, err = run(
        ["progress", str(weekly), "--dyad", "D012", "--format", "html", "-o", str(page)], capsys
    )
    assert status == 2 and "already exists" in err
    with headless_chromium(1000, 1400) as driver:
        driver.get(page.as_uri())
        assert console_errors(driver) == []
        charts = driver.find_elements("css selector", "svg.chart")
        assert len(charts) == 4
        assert len(driver.find_elements("css selector", "svg.chart line.target")) == 4
        assert len(driver.find_elements("css selector", "svg.chart circle")) == 32
        assert "D012-w5" in driver.find_element("tag name", "p").text
        driver.save_screenshot(str(tmp_path / "progress.png"))
