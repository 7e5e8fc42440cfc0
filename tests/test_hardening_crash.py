"""A crash while the journal is being created never leaves an empty or torn journal.

Found by ``python -m benchmarks`` (bench_crash): a SIGKILL between creating the
journal and writing its header left an empty ``.journal.jsonl`` that ``observer
recover`` could only refuse (exit 2) every time after. The journal now appears
with its whole header or not at all (on Linux it has no name until then). (Kills mid-session are tested end to end in
test_e2e_durability.py and measured 50 times by the benchmark.)
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from observer.codebook import load_codebook
from observer.live.journal import JournalWriter, journal_in_use, journal_path, make_header

HEADER = make_header("20260101T000000Z-D1-o1", load_codebook("cpp-attachment"), "D1", "o1")


class Killed(BaseException):
    """Stands for the process dying at that instant."""


def test_the_journal_appears_only_with_its_whole_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = journal_path(tmp_path, HEADER["session"])
    seen: dict[str, object] = {}

    def link(src: str | Path, dst: str | Path, **options: object) -> None:
        seen["journal existed"] = path.exists()
        seen["linked"] = Path(src).read_bytes()
        raise Killed

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(Killed):
        JournalWriter.create(tmp_path, HEADER)
    assert seen["journal existed"] is False
    assert orjson.loads(seen["linked"]) == HEADER  # type: ignore[arg-type]
    assert not path.exists()
    if hasattr(os, "O_TMPFILE"):  # the nameless file went with its descriptor
        assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("nameless", [True, False], ids=["O_TMPFILE", "temporary file"])
def test_a_created_journal_holds_its_header_is_locked_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nameless: bool
) -> None:
    if not nameless:  # as on a system or file system without O_TMPFILE
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    writer = JournalWriter.create(tmp_path, HEADER)
    try:
        path = journal_path(tmp_path, HEADER["session"])
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
        assert orjson.loads(path.read_bytes()) == HEADER
        assert path.stat().st_mode & 0o777 == 0o600
        assert journal_in_use(path)
        writer.append({"seq": 1, "a": "clock", "mono": 1.0, "wall": None})
    finally:
        assert writer.close(timeout=10)
    assert [orjson.loads(line)["seq"] for line in path.read_bytes().splitlines()[1:]] == [1]
    assert not journal_in_use(path)
