"""De-identifying a live pair (``observer code --pair``): the pair's name and the partner's
observer id are coded too, and the two sessions keep one pair code, so they still pair."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from support.analysis import session
from support.clirun import run

from observer.sessionfile import PairInfo, session_to_bytes


def test_a_live_pair_keeps_one_code_and_its_partner_is_coded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for me, other, role in (("anna", "bert", "primary"), ("bert", "anna", "reliability")):
        s = session([("calm", 1.0, 3.0)], observer=me, dyad="D12")
        s = attrs.evolve(s, pair=PairInfo("smith-family-3f9a21", role, other))  # type: ignore[arg-type]
        (folder / f"{s.id}.json").write_bytes(session_to_bytes(s))
    out, linkage = tmp_path / "out", tmp_path / "keys" / "linkage.csv"
    linkage.parent.mkdir()
    argv = ["export", *map(str, sorted(folder.glob("*.json"))), "--format", "session"]
    status, _, err = run([*argv, "-o", str(out), "--deidentify", "--linkage", str(linkage)], capsys)
    assert status == 0, err
    copies = [json.loads(p.read_bytes()) for p in sorted(out.glob("*.json"))]
    pairs = {c["pair"]["id"] for c in copies}
    assert len(pairs) == 1 and pairs.pop().startswith("P-")
    for c in copies:
        assert c["pair"]["partner"] != c["observer"] and c["pair"]["partner"].startswith("O-")
    assert {c["pair"]["partner"] for c in copies} == {c["observer"] for c in copies}
    text = b"".join(p.read_bytes() for p in out.iterdir())
    for secret in (b"smith", b"anna", b"bert", b"D12"):
        assert secret not in text
    status, report, _ = run(["reliability", "report", "--format", "json", str(out)], capsys)
    assert status == 0 and len(json.loads(report)["pairs"]) == 1
