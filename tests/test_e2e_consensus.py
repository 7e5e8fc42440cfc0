"""End to end in a real terminal (tmux): ``observer consensus`` decides each item,
is killed mid-way, resumes with every decision kept, and writes the consensus file
with its provenance. Skips where tmux is missing."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import attrs
import pytest
from support.tmuxdriver import Tmux

from observer.codebook import load_codebook
from observer.sessionfile import Event, load_session, write_session
from observer.synthetic import make_session

pytestmark = pytest.mark.tmux


def test_decide_kill_resume_write(tmp_path: Path) -> None:
    base = make_session(load_codebook("cpp-attachment"), 1, seed=4, dyad="D7", observer="obs1")
    a = attrs.evolve(
        base,
        id="20260101T100000Z-D7-obs1",
        duration=30.0,
        events=(Event("ch-bids", 5.0, None), Event("ch-approach", 10.0, 14.0)),
    )
    b = attrs.evolve(
        base,
        id="20260101T100000Z-D7-obs2",
        observer="obs2",
        duration=30.0,
        events=(Event("ch-distress", 5.2, None, {"intensity": "low"}),),
    )
    folder = tmp_path / "s"
    folder.mkdir()
    pa, pb = write_session(folder, a), write_session(folder, b)
    argv = [sys.executable, "-m", "observer", "consensus", str(pa), str(pb), "--by", "sup1"]
    env = {"TEXTUAL_ANIMATIONS": "none"}
    with Tmux(width=100, height=30) as term:
        term.start(argv, env=env)
        term.wait_for("item 1 of 2")
        term.send_keys("b")  # the disagreement: B's event
        term.wait_for("item decided: b")
        term.kill9()  # a crash after one decision
    with Tmux(width=100, height=30) as term:
        term.start(argv, env=env)
        term.wait_for("1 of 2 decided")  # resumed
        term.wait_for("only A coded an event here")
        term.send_keys("a")
        term.wait_for("every item is decided")
        term.send_keys("C-s")
        term.wait_dead()
        assert term.exit_status() == 0
    written = folder / f"{a.id}-consensus.json"
    session = load_session(written)
    assert [(e.code, e.start) for e in session.events] == [
        ("ch-distress", 5.2),
        ("ch-approach", 10.0),
    ]
    assert session.consensus is not None
    assert [(p.source, p.decided_by) for p in session.consensus.events] == [
        ("b", "sup1"),
        ("a", "sup1"),
    ]
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert not list(folder.glob("*.consensus.jsonl"))
