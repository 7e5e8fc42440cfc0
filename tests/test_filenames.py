"""Ids that become file names are file names on every system: no Windows device names,
no trailing dot or space; and new ids are unique ignoring case (macOS, Windows)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from support.minibook import book

from observer.codebook import bundled_dir, codebook_from_data
from observer.errors import InputError
from observer.filenames import portable_problem
from observer.live.ids import new_session_id
from observer.sessionfile import load_session, session_to_bytes, valid_session_id, write_session
from observer.synthetic import make_session

REFUSED = ["CON", "con", "Nul", "PRN.json", "aux.tar.gz", "COM1", "lpt9", "COM¹", "D1.", "x "]
ACCEPTED = ["CONSOLE", "com10", "nulx", "D1.a", "20261207T120000Z-CON-o1", "LPT"]


@pytest.mark.parametrize("name", REFUSED)
def test_names_windows_cannot_hold_are_refused(name: str) -> None:
    assert portable_problem(name) is not None
    assert not valid_session_id(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_other_names_pass(name: str) -> None:
    assert portable_problem(name) is None


@pytest.mark.parametrize("session_id", ["CON", "nul.x", "D012."])
def test_a_session_file_with_such_an_id_is_refused_at_its_path(
    tmp_path: Path, session_id: str
) -> None:
    good = make_session(book(), 3, session_id="S1")
    data = json.loads(session_to_bytes(good))
    data["id"] = session_id
    path = tmp_path / "S1.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert [(p.location, "Windows" in p.message) for p in caught.value.problems] == [("id", True)]
    with pytest.raises(ValueError, match="invalid session id"):
        write_session(tmp_path, attrs.evolve(good, id=session_id))


def test_a_codebook_id_windows_reserves_is_refused() -> None:
    raw = json.loads((bundled_dir() / "cpp-attachment.json").read_text())
    raw["id"] = "nul"
    with pytest.raises(InputError) as caught:
        codebook_from_data(raw, "nul.json")
    assert [p.location for p in caught.value.problems] == ["id"]


def test_new_ids_are_unique_ignoring_case(tmp_path: Path) -> None:
    when = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
    (tmp_path / "20261207T120000Z-d1-O.json").write_text("")  # one file on macOS and Windows
    assert new_session_id("D1", "o", tmp_path, when) == "20261207T120000Z-D1-o-2"
