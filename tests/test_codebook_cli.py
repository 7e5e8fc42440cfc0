"""``observer codebook check|show|list``: exit status, stdout and stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.codebook import BROKEN, REPO, VALID, expected_table, shown

from observer.cli import main
from observer.codebook import bundled_paths, codebook_from_data, load_codebook


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    """Run ``observer ARGV`` in-process: (exit status, stdout lines, stderr lines)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out.splitlines(), err.splitlines()


BUNDLED_IDS = [p.stem for p in bundled_paths()]


# --- check ---------------------------------------------------------------------------


def test_check_valid_files(capsys: pytest.CaptureFixture[str]) -> None:
    tiny, minimal = str(VALID / "tiny.json"), str(VALID / "minimal.json")
    assert run(capsys, "codebook", "check", tiny, minimal) == (
        0,
        [f"{tiny}: ok (tiny 1, 3 codes)", f"{minimal}: ok (minimal 0.1, 1 code)"],
        [],
    )


def test_check_every_bundled_codebook_by_path_and_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "codebook", "check", *map(str, bundled_paths()), *BUNDLED_IDS)
    assert (code, err) == (0, [])
    assert len(out) == 2 * len(BUNDLED_IDS)
    assert all(": ok (" in line for line in out)


def test_check_reports_every_problem_of_every_file(capsys: pytest.CaptureFixture[str]) -> None:
    table = expected_table()
    names = sorted(table)
    code, out, err = run(capsys, "codebook", "check", *(str(BROKEN / n) for n in names))
    assert code == 2
    assert out == []
    assert err == [shown(BROKEN / n, line) for n in names for line in table[n]["problems"]]


def test_check_mixed_good_and_bad(capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = str(VALID / "tiny.json"), str(BROKEN / "duplicate-keys.json")
    code, out, err = run(capsys, "codebook", "check", bad, good)
    assert code == 2
    assert out == [f"{good}: ok (tiny 1, 3 codes)"]
    assert err == [
        f"{bad}: codes[2].key: duplicate key 'h' (also codes[0])",
        f"{bad}: codes[3].key: duplicate key 'h' (also codes[0])",
    ]


def test_check_missing_file_and_unknown_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "gone.json")
    code, out, err = run(capsys, "codebook", "check", missing, "nonesuch")
    assert (code, out) == (2, [])
    assert err[0] == f"{missing}: no such file"
    assert err[1].startswith("nonesuch: no such file, and no bundled codebook has this id")
    assert len(err) == 2


def test_check_without_paths_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "codebook", "check")
    assert (code, out) == (2, [])
    assert len(err) == 1
    assert err[0].startswith("observer codebook check: ")


# --- show ----------------------------------------------------------------------------


@pytest.mark.parametrize("cb_id", BUNDLED_IDS)
def test_show_text_is_a_legend_within_80_columns(
    capsys: pytest.CaptureFixture[str], cb_id: str
) -> None:
    code, out, err = run(capsys, "codebook", "show", cb_id)
    assert (code, err) == (0, [])
    assert max(len(line) for line in out) <= 80
    book = load_codebook(cb_id)
    text = "\n".join(out)
    assert out[0] == book.title
    for c in book.codes:
        assert any(line.startswith(f"    {c.key}  {c.label}") and c.id in line for line in out)
    for actor in book.actors:
        if any(c.actor == actor.id for c in book.codes):
            assert actor.label.upper() in out
    for rating in book.ratings:
        assert f"({rating.id})" in text
        for anchor in rating.anchors.values():
            assert anchor.split()[0] in text
    for segment in book.segments:
        assert f"{segment.label} ({segment.id})" in text


@pytest.mark.parametrize("cb_id", BUNDLED_IDS)
def test_show_json_round_trips(capsys: pytest.CaptureFixture[str], cb_id: str) -> None:
    code, out, err = run(capsys, "codebook", "show", cb_id, "--format", "json")
    assert (code, err) == (0, [])
    again = codebook_from_data(json.loads("\n".join(out)), "stdout")
    book = load_codebook(cb_id)
    assert again == book
    assert again.sha256 == book.sha256


def test_show_json_fills_in_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "codebook", "show", str(VALID / "minimal.json"), "--format", "json")
    doc = json.loads("\n".join(out))
    assert code == 0
    assert doc["modifiers"] == [] and doc["description"] == ""
    assert doc["codes"][0]["examples"] == [] and doc["groups"][0]["exclusive"] is False


def test_show_a_broken_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "exclusive-point-code.json"
    assert run(capsys, "codebook", "show", str(path)) == (
        2,
        [],
        [f"{path}: codes[2].kind: exclusive group 'place' holds only state codes"],
    )


def test_show_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "codebook", "show", "cpp-attachment", "--format", "xml")
    assert (code, out, len(err)) == (2, [], 1)
    assert err[0].startswith("observer codebook show: ")


# --- list ----------------------------------------------------------------------------


def test_list_names_every_bundled_codebook(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "codebook", "list")
    assert (code, err) == (0, [])
    assert len(out) == len(BUNDLED_IDS)
    for line, cb_id in zip(out, BUNDLED_IDS, strict=True):
        book = load_codebook(cb_id)
        assert line.split()[:2] == [cb_id, book.version]
        assert f"{len(book.codes)} codes" in line
        assert line.endswith(book.title)


def test_help_lists_the_three_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "codebook", "--help")
    assert code == 0
    assert {"check", "show", "list"} <= {line.split()[0] for line in out if line.startswith("  ")}


# --- the real entry point ------------------------------------------------------------


def test_python_dash_m_observer_checks_in_a_subprocess() -> None:
    bad = str(BROKEN / "unknown-references.json")
    done = subprocess.run(
        [sys.executable, "-m", "observer", "codebook", "check", "cpp-attachment", bad],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout.splitlines() == ["cpp-attachment: ok (cpp-attachment 1.0.0, 26 codes)"]
    expected = expected_table()["unknown-references.json"]["problems"]
    assert done.stderr.splitlines() == [f"{bad}: {line}" for line in expected]


# --- the docs tell the truth ----------------------------------------------------------


def _docs_block(after: str, lang: str) -> str:
    text = (REPO / "docs" / "codebooks.md").read_text("utf-8")
    start = text.index(after)
    start = text.index(f"```{lang}\n", start) + len(lang) + 4
    return text[start : text.index("```", start)]


def test_docs_example_codebook_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "example.json"
    path.write_text(_docs_block("A small but complete codebook", "json"))
    book = load_codebook(path)
    assert (book.id, len(book.codes)) == ("play-basics", 3)


def test_docs_error_example_is_what_check_prints(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = json.loads(_docs_block("A small but complete codebook", "json"))
    doc["actors"][1]["id"] = "Child"
    doc["codes"][2].update(kind="point", key="w", actor="caregiver")
    doc["ratings"][0]["min"] = 9
    doc["extra"] = True
    monkeypatch.chdir(tmp_path)
    Path("mine.json").write_text(json.dumps(doc))
    shown = _docs_block("For example:", "text").splitlines()
    assert shown[0] == "$ observer codebook check mine.json"
    assert run(capsys, "codebook", "check", "mine.json") == (2, [], shown[1:])


def test_check_on_the_codebooks_folder_glob_recognises_the_json_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the documented `observer codebook check codebooks/*.json`: the glob takes in the schema
    paths = sorted(str(p) for p in (REPO / "codebooks").glob("*.json"))
    schema = str(REPO / "codebooks" / "codebook.schema.json")
    assert schema in paths
    code, out, err = run(capsys, "codebook", "check", *paths)
    assert (code, err) == (0, [])
    assert f"{schema}: skipped (the JSON Schema of the codebook format, not a codebook)" in out
    assert sum(": ok (" in line for line in out) == len(paths) - 1


def test_check_does_not_skip_a_codebook_that_merely_names_a_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads((VALID / "tiny.json").read_text())
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data))
    code, _, err = run(capsys, "codebook", "check", str(path))
    assert code == 2 and err
