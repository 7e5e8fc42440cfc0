"""import-boris on projects as BORIS writes them: older project formats, bare NaN,
start/stop pairing per modifier values, times of day, BORIS-App's 'No focal
subject', a project without observations. Small synthetic projects in BORIS's
exact shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.boris import project
from support.clirun import run

from observer.sessionfile import Session, load_session


def behaviours(modifiers: Any = None) -> dict[str, Any]:
    mods = (
        {"0": {"name": "side", "type": 0, "values": ["m1", "m2"]}}
        if modifiers is None
        else modifiers
    )
    return {
        "0": {"type": "State event", "key": "r", "code": "reach", "category": "", "excluded": "", "modifiers": mods},
        "1": {"type": "Point event", "key": "p", "code": "poke", "category": "", "excluded": "", "modifiers": {}},
    }  # fmt: skip


def one_observation(events: list[list[Any]], **extra: Any) -> dict[str, Any]:
    obs = {"type": "LIVE", "date": "2024-05-01T10:00:00", "description": "", "events": events}
    obs.update(extra)
    return project(behaviors_conf=behaviours(), observations={"o1": obs})


def do_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> tuple[str, str, dict[str, Session]]:
    path = tmp_path / "p.boris"
    path.write_text(text, "utf-8")
    target = tmp_path / "out"
    code, out, err = run(["import-boris", str(path), "-o", str(target)], capsys)
    assert code == 0, err
    return out, err, {p.stem: load_session(p) for p in target.glob("*.json")}


def events_of(session: Session) -> list[tuple[str, float, float | None, dict[str, str]]]:
    return [(e.code, e.start, e.end, e.modifiers) for e in session.events]


def test_pairs_starts_and_stops_per_modifier_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_observation(
        [[1.0, "Mum", "reach", "m1", ""], [2.0, "Mum", "reach", "m2", ""],
         [3.0, "Mum", "reach", "m1", ""], [4.0, "Mum", "reach", "m2", ""]]
    )  # fmt: skip
    _, _, sessions = do_import(tmp_path, capsys, json.dumps(data))
    assert events_of(sessions["o1"]) == [
        ("mum.reach", 1.0, 3.0, {"side": "m1"}),
        ("mum.reach", 2.0, 4.0, {"side": "m2"}),
    ]


def test_a_stop_without_modifier_values_closes_the_running_bout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_observation(
        [[0.0, "Mum", "poke", "", ""], [1.0, "Mum", "reach", "m1", ""], [3.0, "Mum", "reach", "", ""],
         [4.0, "Kid", "reach", "m2", ""], [6.0, "Kid", "reach", "None", ""]]
    )  # fmt: skip
    _, err, sessions = do_import(tmp_path, capsys, json.dumps(data))
    assert events_of(sessions["o1"]) == [
        ("mum.poke", 0.0, None, {}),
        ("mum.reach", 1.0, 3.0, {"side": "m1"}),
        ("kid.reach", 4.0, 6.0, {"side": "m2"}),
    ]
    assert "never stopped" not in err


def test_bare_nan_times_are_skipped_with_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_observation([[0.0, "Mum", "poke", "", ""], [1.5, "Kid", "poke", "", ""]])
    data["observations"]["pics"] = {"type": "IMAGES", "events": [[1.0, "Mum", "poke", "", "", 3]]}
    text = json.dumps(data).replace("1.5", "NaN").replace("[1.0,", "[NaN,")
    assert "NaN" in text
    _, err, sessions = do_import(tmp_path, capsys, text)
    assert events_of(sessions["o1"]) == [("mum.poke", 0.0, None, {})]
    assert "observations.o1.events[1][0]: time NaN is not a number: event skipped" in err


def test_times_of_day_start_the_session_at_the_observation_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 10:15:00 to 10:15:30 as BORIS writes them with start_from_current_time
    data = one_observation(
        [[36900.0, "Mum", "reach", "m1", ""], [36910.5, "Mum", "poke", "", ""],
         [36930.0, "Mum", "reach", "m1", ""]],
        start_from_current_time=True,
    )  # fmt: skip
    _, err, sessions = do_import(tmp_path, capsys, json.dumps(data))
    session = sessions["o1"]
    assert events_of(session) == [
        ("mum.reach", 0.0, 30.0, {"side": "m1"}),
        ("mum.poke", 10.5, None, {}),
    ]
    assert session.duration == 30.0
    assert session.started_at == "2024-05-01T10:15:00+00:00"
    assert "times of day" in err


def test_epoch_times_start_the_session_at_the_observation_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = 1714558500.0  # 2024-05-01T10:15:00Z
    data = one_observation(
        [[start, "Mum", "poke", "", ""], [start + 12.25, "Mum", "poke", "", ""]],
        start_from_current_epoch_time=True,
    )
    _, _, sessions = do_import(tmp_path, capsys, json.dumps(data))
    session = sessions["o1"]
    assert [e.start for e in session.events] == [0.0, 12.25]
    assert session.started_at == "2024-05-01T10:15:00+00:00"


def test_no_focal_subject_is_no_subject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = one_observation([[0.0, "No focal subject", "poke", "", ""], [1.0, "", "poke", "", ""]])
    _, _, sessions = do_import(tmp_path, capsys, json.dumps(data))
    assert [e.code for e in sessions["o1"].events] == ["no-subject.poke", "no-subject.poke"]
    book = sessions["o1"].book
    assert "No focal subject" not in {a.label for a in book.actors}


def test_a_project_without_observations_says_no_sessions_were_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _, sessions = do_import(tmp_path, capsys, json.dumps(project(observations={})))
    assert sessions == {}
    assert "no sessions were written: the project has no live or media observations" in out


def old_format(version: str) -> dict[str, Any]:
    """A project in the shape BORIS 2-6 wrote (format 1.x, 4.x): no behavioural
    categories section, modifiers as "set|set" strings of "value,value" before 4.0."""
    data = project(
        project_format_version=version,
        behaviors_conf={
            "0": {"type": "State event", "key": "r", "code": "reach", "excluded": "", "description": "",
                  "modifiers": "m1,m2" if version < "4" else {"0": {"name": "", "type": 0, "values": ["m1", "m2"]}}},
            "1": {"type": "Point event", "key": "p", "code": "poke", "excluded": "", "description": "",
                  "modifiers": ""},
        },
        observations={"o1": {"type": "LIVE", "date": "2016-03-01T09:00:00", "description": "",
                             "time offset": 0.0, "events": [
                                 [1.0, "Mum", "reach", "m2", ""], [2.0, "Kid", "poke", "", ""],
                                 [3.0, "Mum", "reach", "m2", ""]]}},
    )  # fmt: skip
    data.pop("behavioral_categories", None)
    return data


@pytest.mark.parametrize("version", ["1.6", "4.0"])
def test_old_project_formats_are_converted(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, sessions = do_import(tmp_path, capsys, json.dumps(old_format(version)))
    session = sessions["o1"]
    assert events_of(session) == [
        ("mum.reach", 1.0, 3.0, {"modifiers-1": "m2"}),
        ("kid.poke", 2.0, None, {}),
    ]
    assert [m.id for m in session.book.modifiers] == ["modifiers-1"]


def test_an_unversioned_first_format_project_is_converted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = old_format("1.0")
    del data["project_format_version"]
    data["subjects_conf"] = {"0": ["1", "Mum"], "1": ["2", "Kid"]}
    data["observations"]["o1"]["type"] = "VIDEO"
    _, err, sessions = do_import(tmp_path, capsys, json.dumps(data))
    assert [a.label for a in sessions["o1"].book.actors][:2] == ["Mum", "Kid"]
    assert len(sessions["o1"].events) == 2
    assert "unversioned" in err
