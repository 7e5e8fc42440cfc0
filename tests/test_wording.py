"""Counts in words: one helper, so no message says "1 problems"."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.clirun import run

from observer.codebook import load_codebook
from observer.errors import InputError, Problem
from observer.sessionfile import write_session
from observer.synthetic import make_session, perturb
from observer.wording import plural

BOOK = load_codebook("cpp-attachment")


def test_plural_is_singular_for_exactly_one() -> None:
    assert [plural(n, "problem") for n in (0, 1, 2)] == ["0 problems", "1 problem", "2 problems"]
    assert plural(1, "file or line", "files or lines") == "1 file or line"
    assert plural(3, "item is", "items are") == "3 items are"


def test_no_count_of_one_takes_a_plural_noun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the problems cut short, and a study of one pair with one bad file
    from observer.cli import MAX_REPORTED, report_problems

    problems = [Problem("x.json", f"events[{i}]", "bad") for i in range(MAX_REPORTED + 1)]
    report_problems(InputError(problems))
    assert capsys.readouterr().err.splitlines()[-1] == "x.json: 1 more problem not shown"
    folder = tmp_path / "s"
    folder.mkdir()
    ref = make_session(BOOK, 20, seed=1, dyad="D1", observer="ref")
    write_session(folder, ref)
    write_session(folder, perturb(ref, observer="t1"))
    (folder / "broken.json").write_text("{")
    _, out, _ = run(["reliability", "report", str(folder)], capsys)
    assert "\n1 problem (these files were left out):" in out, out
    assert "  1 pair  " in out and "1 double-coded pair " in out, out
