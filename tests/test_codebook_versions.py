"""Codebook versions: ``observer codebook diff`` and ``--codebook-map``, by which
``agree``, ``stats`` and ``reliability`` read a session of an older codebook version as
one of the newer (checked against the same session rewritten by hand)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from support.analysis import book_document, session
from support.clirun import run

from observer.codebook import bundled_paths, codebook_from_data, load_codebook
from observer.codebook.diff import diff
from observer.sessionfile import session_to_bytes

CODES: dict[str, str | None] = {"praise": "praise-labeled", "touch": None}
MAP: dict[str, Any] = {
    "from": "analysis-test@1.0.0",
    "to": "analysis-test@2.0.0",
    "codes": CODES,
}


def newer() -> dict[str, Any]:
    """Version 2.0.0: praise renamed (key kept), touch dropped, prox dropped, look's key moved."""
    doc = copy.deepcopy(book_document())
    doc["version"] = "2.0.0"
    for code in doc["codes"]:
        if code["id"] == "praise":
            code["id"], code["label"] = "praise-labeled", "Labeled praise"
        if code["id"] == "look":
            code["key"] = "k"
    doc["codes"] = [c for c in doc["codes"] if c["id"] != "touch"]
    doc["ratings"] = [r for r in doc["ratings"] if r["id"] != "prox"]
    doc["segments"][0]["planned_s"] = 300
    return doc


def write(folder: Path, name: str, data: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


OLD_EVENTS = [("calm", 0.0, 4.0), ("praise", 1.0, None), ("touch", 2.0, None)]
OLD_EVENTS += [("toy", 5.0, 8.0), ("praise", 6.0, None), ("look", 8.5, 9.5)]
BY_HAND = [("calm", 0.0, 4.0), ("praise-labeled", 1.0, None)]
BY_HAND += [("toy", 5.0, 8.0), ("praise-labeled", 6.0, None), ("look", 8.5, 9.5)]
OTHER = [("calm", 0.3, 4.2), ("praise-labeled", 1.2, None), ("toy", 5.5, 8.0), ("look", 8.4, 9.0)]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    v1 = codebook_from_data(book_document(), "v1")
    v2 = codebook_from_data(newer(), "v2")
    old = session(OLD_EVENTS, book=v1, observer="obs1", ratings={"sens": 5})
    by_hand = session(BY_HAND, book=v2, observer="obs1", ratings={"sens": 5})
    other = session(OTHER, book=v2, observer="obs2", ratings={"sens": 4})
    return {
        "old": write(tmp_path / "old", "a.json", session_to_bytes(old)),
        "by_hand": write(tmp_path / "hand", "a.json", session_to_bytes(by_hand)),
        "other": write(tmp_path / "other", "b.json", session_to_bytes(other)),
        "map": write(tmp_path, "map.json", MAP),
        "v1": write(tmp_path, "v1.json", book_document()),
        "v2": write(tmp_path, "v2.json", newer()),
    }


def changes(a: dict[str, Any], b: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    result = diff(codebook_from_data(a, "a"), codebook_from_data(b, "b"))
    return {(c.section, c.id, c.change, c.field) for c in result.changes}


def test_diff_lists_every_change_by_section() -> None:
    assert changes(book_document(), newer()) == {
        ("header", "version", "changed", ""),
        ("codes", "praise", "removed", ""),
        ("codes", "touch", "removed", ""),
        ("codes", "praise-labeled", "added", ""),
        ("codes", "look", "changed", "key"),
        ("ratings", "prox", "removed", ""),
        ("segments", "s1", "changed", "planned_s"),
        ("keys", "t", "removed", ""),
        ("keys", "p", "changed", ""),
        ("keys", "l", "removed", ""),
        ("keys", "k", "added", ""),
    }


def test_diff_of_nested_values_names_the_value_by_id() -> None:
    book = json.loads(bundled_paths()[0].read_text())
    if not book.get("modifiers"):
        pytest.skip("the first bundled codebook has no modifiers")
    changed = copy.deepcopy(book)
    modifier = changed["modifiers"][0]
    value = modifier["values"][0]
    value["label"] = value["label"] + " (renamed)"
    found = changes(book, changed)
    assert found == {("modifiers", modifier["id"], "changed", f"values[{value['id']}].label")}


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_every_section_of_every_bundled_codebook_is_compared(path: Path) -> None:
    """The diff grows with the format: a change to any section is found, in that section."""
    doc = load_codebook(path).document
    assert changes(doc, doc) == set()
    for section, value in doc.items():
        if section in ("schema", "id"):
            continue  # a different codebook, not a version: load checks them
        changed = copy.deepcopy(doc)
        if isinstance(value, str):
            changed[section], expected = value + " (2)", ("header", section)
        elif isinstance(value, list) and value and "label" in value[-1]:
            last = {**value[-1], "label": value[-1]["label"] + " (2)"}
            changed[section], expected = [*value[:-1], last], (section, last["id"])
        else:
            continue
        assert expected in {(s, i) for s, i, *_ in changes(doc, changed)}, section


def test_diff_command_text_json_and_exit_status(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["codebook", "diff", str(files["v1"]), str(files["v2"])], capsys)
    assert status == 1
    assert out.splitlines()[0] == "analysis-test@1.0.0 -> analysis-test@2.0.0: 11 changes"
    assert '  ~ look.key: "l" -> "k"' in out
    assert '  + praise-labeled  "Labeled praise"' in out
    assert "  ~ p  praise -> praise-labeled" in out
    status, out, _ = run(
        ["codebook", "diff", str(files["v1"]), str(files["v2"]), "--format", "json"], capsys
    )
    data = orjson.loads(out)
    assert status == 1 and data["same"] is False
    assert data["a"]["version"] == "1.0.0" and len(data["changes"]) == 11
    assert {"section", "id", "change", "field", "before", "after"} == set(data["changes"][0])
    status, out, _ = run(["codebook", "diff", str(files["v1"]), str(files["v1"])], capsys)
    assert (status, out) == (0, "analysis-test@1.0.0 -> analysis-test@1.0.0: the same codebook\n")


def test_diff_shows_hostile_labels_as_data(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = newer()
    doc["codes"][0]["label"] = "[link=file:///etc/passwd]x[/link] [/]"
    path = write(files["v1"].parent, "v3.json", doc)
    status, out, _ = run(["codebook", "diff", str(files["v1"]), str(path)], capsys)
    assert status == 1
    assert '~ calm.label: "Calm" -> "[link=file:///etc/passwd]x[/link] [/]"' in out


def test_diff_of_a_missing_file_is_an_input_error(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(["codebook", "diff", str(files["v1"]), "nope.json"], capsys)
    assert status == 2 and out == "" and "nope.json" in err and "Traceback" not in err


def _json_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[Any, str]:
    status, out, err = run(argv, capsys)
    assert status == 0, err
    return orjson.loads(out), err


@pytest.mark.parametrize("method", ["event", "time", "timeslice"])
def test_agreement_across_a_mapped_version_equals_the_session_rewritten_by_hand(
    files: dict[str, Path], method: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["agree", "--method", method, "--format", "json"]
    mapped, err = _json_of(
        [*args, str(files["old"]), str(files["other"]), "--codebook-map", str(files["map"])],
        capsys,
    )
    by_hand, _ = _json_of([*args, str(files["by_hand"]), str(files["other"])], capsys)
    assert mapped == by_hand
    assert "1 session coded with analysis-test@1.0.0 read as analysis-test@2.0.0" in err
    assert "ratings not in" not in err


def test_without_the_map_the_old_session_is_refused(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(["agree", str(files["old"]), str(files["other"])], capsys)
    assert status == 2 and "not in the first session's codebook" in err


def test_stats_across_a_mapped_version_equals_the_session_rewritten_by_hand(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["stats", "--format", "json", str(files["old"]), str(files["other"])]
    mapped, err = _json_of([*argv, "--codebook-map", str(files["map"])], capsys)
    by_hand, _ = _json_of(
        ["stats", "--format", "json", str(files["by_hand"]), str(files["other"])], capsys
    )
    assert mapped == by_hand
    assert "read as analysis-test@2.0.0" in err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"codes": {"praise": "praise-labeled"}},
            "map.json: codes: code 'touch' of analysis-test@1.0.0 is not in analysis-test@2.0.0",
        ),
        (
            {"codes": {**CODES, "hug": None}},
            "map.json: codes.hug: not a code of analysis-test@1.0.0",
        ),
        (
            {"codes": {**CODES, "praise": "nothing"}},
            "map.json: codes.praise: 'nothing' is not a code",
        ),
        ({"codes": {**CODES, "upset": "calm"}}, ""),
        (
            {"codes": {**CODES, "praise": "calm"}},
            "map.json: codes.praise: 'praise' (point) reads as 'calm' (state)",
        ),
        ({"from": "analysis-test"}, "map.json: from: must be a codebook as id@version"),
        ({"to": "other@2.0.0"}, "map.json: to: must be a version of the same codebook as from"),
        (
            {"to": "analysis-test@9.9.9"},
            "map.json: to: no bundled codebook and none of the sessions given is analysis-test@9.9.9",
        ),
        ({"extra": 1}, "map.json: extra: unknown field"),
        ({"codes": []}, "map.json: codes: must be an object"),
    ],
)
def test_a_bad_mapping_is_one_line_with_its_path(
    files: dict[str, Path],
    change: dict[str, Any],
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(files["map"].parent, "map.json", {**MAP, **change})
    argv = ["agree", str(files["old"]), str(files["other"]), "--codebook-map", str(files["map"])]
    status, out, err = run(argv, capsys)
    if not expected:  # upset → calm: same kind and stream: allowed (two codes merged)
        assert status == 0, err
        return
    assert status == 2 and out == "" and "Traceback" not in err
    assert any(line.endswith(expected) or expected in line for line in err.splitlines()), err


def test_reliability_across_a_mapped_version_equals_the_session_rewritten_by_hand(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed, hand = tmp_path / "mixed", tmp_path / "byhand"
    for folder, first in ((mixed, files["old"]), (hand, files["by_hand"])):
        write(folder, "a.json", first.read_bytes())
        write(folder, "b.json", files["other"].read_bytes())
    argv = ["reliability", "report", "--format", "json"]
    mapped, _ = _json_of([*argv, str(mixed), "--codebook-map", str(files["map"])], capsys)
    by_hand, _ = _json_of([*argv, str(hand)], capsys)
    (pair,), (hand_pair,) = mapped["pairs"], by_hand["pairs"]
    assert pair["methods"] == hand_pair["methods"]
    assert pair["warnings"] == [
        f"{mixed / 'a.json'}: coded with analysis-test@1.0.0, read as analysis-test@2.0.0"
    ]
    unmapped, _ = _json_of([*argv, str(mixed)], capsys)  # without the map: a problem
    assert unmapped["pairs"] == []
    assert "not in the first session's codebook" in str(unmapped["problems"])
