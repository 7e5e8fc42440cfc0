"""The pairing link of ``observer code --pair`` (observer.live.pairing): host, join,
a third refused, a dead host's socket taken over, another codebook refused."""

from __future__ import annotations

import queue
import socket
import stat
from pathlib import Path

import pytest

from observer.live.pairing import Link, PairError, PairEvent, open_link, socket_path

SHA = "a" * 64
DEADLINE_S = 5.0


def _events(link: Link) -> queue.Queue[PairEvent]:
    got: queue.Queue[PairEvent] = queue.Queue()
    link.listen(got.put)
    return got


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    folder.mkdir(mode=0o700)
    return folder


async def test_host_join_messages_and_third_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    host = open_link(folder, "clinic-a", SHA, "book 1")
    assert host.hosting and host.role == "primary" and host.pair_id.startswith("clinic-a-")
    path = socket_path(folder, "clinic-a")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    host_events = _events(host)
    guest = open_link(folder, "clinic-a", SHA, "book 1")
    assert not guest.hosting
    assert (guest.pair_id, guest.role) == (host.pair_id, "reliability")
    guest_events = _events(guest)
    assert host_events.get(timeout=DEADLINE_S).kind == "joined"
    assert guest.send({"t": "clock", "state": "running", "mono": 1.5, "wall": "w"})
    got = host_events.get(timeout=DEADLINE_S)
    assert got.kind == "message" and got.data["mono"] == 1.5
    assert host.send({"t": "observer", "id": "ref"})
    assert guest_events.get(timeout=DEADLINE_S).data == {"t": "observer", "id": "ref"}
    with pytest.raises(PairError, match="already has two coders"):
        open_link(folder, "clinic-a", SHA, "book 1")
    assert host_events.get(timeout=DEADLINE_S).kind == "refused"
    guest.close()
    assert host_events.get(timeout=DEADLINE_S).kind == "gone"
    assert not host.send({"t": "bye"})
    host.close()
    assert not path.exists()


async def test_role_asked_and_codebook_mismatch_told_both(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    host = open_link(folder, "p1", SHA, "book 1", role="reliability")
    host_events = _events(host)
    with pytest.raises(PairError, match="codebook"):
        open_link(folder, "p1", "b" * 64, "other 2")
    refused = host_events.get(timeout=DEADLINE_S)
    assert refused.kind == "refused" and "codebook" in refused.why
    with pytest.raises(PairError, match="both coders asked for the role 'reliability'"):
        open_link(folder, "p1", SHA, "book 1", role="reliability")
    guest = open_link(folder, "p1", SHA, "book 1")
    assert guest.role == "primary"
    guest.close()
    host.close()


async def test_dead_hosts_socket_is_taken_over(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    path = socket_path(folder, "p2")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))  # bound, never listening, then gone: connect is refused
    dead.close()
    assert path.exists()
    link = open_link(folder, "p2", SHA, "book 1", timeout=1.0)
    assert link.hosting
    link.close()


async def test_a_host_that_dies_leaves_the_guest_alone(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    host = open_link(folder, "p3", SHA, "book 1")
    _events(host)
    guest = open_link(folder, "p3", SHA, "book 1")
    guest_events = _events(guest)
    host.close()
    assert guest_events.get(timeout=DEADLINE_S).kind == "gone"
    assert not guest.connected
    guest.close()


@pytest.mark.parametrize("name", ["", "../x", "a b", "-x", "x" * 41, "é"])
async def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(PairError, match="not a safe id"):
        open_link(_folder(tmp_path), name, SHA, "book 1")
