"""Two coders, one live session: the pairing link between two ``observer code --pair``.

Both processes run on one host, so they share ``CLOCK_MONOTONIC``: a space pressed in
either at monotonic ``T`` toggles the clock at ``T`` in both, and their time 0 is the
same instant. The first process with a pair name *hosts*: it listens on a private Unix
socket in the session folder (``.pair-NAME.sock``, mode 0600, removed at the end); the
second *joins*; a third is refused. A socket left by a host that died (connecting is
refused) is taken over; nothing here waits without a deadline::

    link = open_link(folder, "clinic-a", sha256, "dpics 1.0", role=None)
    link.hosting, link.pair_id, link.role      # host: primary unless --role says
    link.listen(post)                          # post(PairEvent) from the reader thread
    link.send({"t": "clock", "state": "running", "mono": 12.5, "wall": "..."})
    link.close()

Messages are newline-delimited JSON objects with a ``t`` (type): the join's
``hello`` (codebook hash, the role asked for) and the host's ``welcome`` (pair id,
the joiner's role) or ``refused`` (why, one line); then ``observer`` (the sender's
observer id), ``clock`` (the sender's clock state after a toggle, at monotonic
``mono``, with its UTC ``wall``) and ``bye``. A partner with another codebook is
refused at the join, and both are told why.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import attrs
import orjson

from observer.jsonio import make_folders
from observer.sessionfile import PairRole
from observer.textsafe import safe

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
"""A pair name: a safe id (it names the socket file)."""
JOIN_TIMEOUT_S = 5.0
"""How long a join waits for the host's answer, and the host for a joiner's hello."""
MAX_LINE = 65_536
"""Longest message accepted (they are a few hundred bytes)."""
MAX_SOCKET_PATH = 104
"""Longest Unix socket path every system accepts (macOS: 104 bytes, Linux: 108)."""

EventKind = Literal["joined", "message", "gone", "refused"]


class PairError(Exception):
    """Pairing cannot go on: one line saying why (the command exits 2)."""


@attrs.frozen
class PairEvent:
    """What the link reports, from its threads: a partner ``joined``, a ``message``
    (``data``), the partner is ``gone``, or a joiner was ``refused`` (``why``)."""

    kind: EventKind
    data: dict[str, Any] = attrs.field(factory=dict)
    why: str = ""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a pair, or None."""
    if NAME.fullmatch(name):
        return None
    return (
        f"{name!r} is not a safe id: 1 to 40 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit"
    )


def socket_path(folder: Path, name: str) -> Path:
    return folder / f".pair-{name}.sock"


def other_role(role: PairRole) -> PairRole:
    return "reliability" if role == "primary" else "primary"


def _encode(message: dict[str, Any]) -> bytes:
    return orjson.dumps(message) + b"\n"


def _decode(line: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("t"), str) else None


class _Peer:
    """One connected socket: locked sends, bounded line reads."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = sock.makefile("rb")
        self._lock = threading.Lock()

    def send(self, message: dict[str, Any]) -> bool:
        with self._lock:
            try:
                self.sock.sendall(_encode(message))
            except OSError:
                return False
        return True

    def read(self) -> dict[str, Any] | None:
        """The next message; None at the end, on an error, or on a malformed line."""
        try:
            line = self.reader.readline(MAX_LINE)
        except (OSError, ValueError):
            return None
        if not line.endswith(b"\n"):
            return None
        return _decode(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.reader.close()
        with contextlib.suppress(OSError):
            self.sock.close()


class Link:
    """This process's end of a pair; see the module docstring."""

    def __init__(
        self,
        name: str,
        pair_id: str,
        role: PairRole,
        *,
        hosting: bool,
        sha256: str,
        path: Path | None = None,
        server: socket.socket | None = None,
        peer: _Peer | None = None,
    ) -> None:
        self.name = name
        self.pair_id = pair_id
        self.role: PairRole = role
        self.hosting = hosting
        self.sha256 = sha256
        self.path = path
        """The socket file (the host's, removed at ``close``)."""
        self._server = server
        self._peer = peer
        self._had_partner = peer is not None
        self._lock = threading.Lock()
        self._post: Callable[[PairEvent], None] | None = None
        self._held: list[PairEvent] = []
        self._closed = False
        self._threads: list[threading.Thread] = []

    @property
    def connected(self) -> bool:
        """A partner is connected now."""
        return self._peer is not None

    def listen(self, post: Callable[[PairEvent], None]) -> None:
        """Deliver events to ``post`` (called from the link's threads), those that came
        before first; start reading the partner and, when hosting, accepting a join."""
        with self._lock:
            self._post, held, self._held = post, self._held, []
        for event in held:
            post(event)
        if self._peer is not None:
            self._thread(self._read, self._peer)
        if self._server is not None:
            self._thread(self._accept)

    def send(self, message: dict[str, Any]) -> bool:
        """Send to the partner; False when none is connected (the message is dropped)."""
        peer = self._peer
        return peer is not None and peer.send(message)

    def close(self) -> None:
        """Say bye, close the sockets, remove the socket file (the host's)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            peer, self._peer = self._peer, None
        if peer is not None:
            peer.send({"t": "bye"})
            peer.close()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _emit(self, event: PairEvent) -> None:
        with self._lock:
            post = self._post
            if post is None:
                self._held.append(event)
                return
        post(event)

    def _thread(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="observer-pair")
        self._threads.append(thread)
        thread.start()

    def _read(self, peer: _Peer) -> None:
        while True:
            message = peer.read()
            if message is None or message.get("t") == "bye":
                break
            self._emit(PairEvent("message", message))
        with self._lock:
            mine = self._peer is peer
            if mine:
                self._peer = None
        peer.close()
        if mine and not self._closed:
            self._emit(PairEvent("gone"))

    def _accept(self) -> None:
        server = self._server
        assert server is not None
        while not self._closed:
            try:
                sock, _ = server.accept()
            except OSError:
                return
            self._thread(self._greet, _Peer(sock))

    def _greet(self, peer: _Peer) -> None:
        peer.sock.settimeout(JOIN_TIMEOUT_S)
        hello = peer.read()
        peer.sock.settimeout(None)
        if hello is None or hello.get("t") != "hello":
            peer.close()
            return
        why = None
        asked = hello.get("role")
        if hello.get("sha256") != self.sha256:
            theirs = str(hello.get("codebook", "?"))[:80]
            why = (
                f"the partner's codebook ({theirs}, sha256 {str(hello.get('sha256'))[:12]}) "
                f"is not this pair's (sha256 {self.sha256[:12]}): pair with the same codebook"
            )
        elif asked is not None and asked == self.role:
            why = f"both coders asked for the role {self.role!r}"
        with self._lock:
            if why is None and (self._had_partner or self._closed):
                why = f"pair {self.name!r} already has two coders"
            if why is None:
                self._peer, self._had_partner = peer, True
        if why is not None:
            peer.send({"t": "refused", "why": why})
            peer.close()
            self._emit(PairEvent("refused", why=why))
            return
        peer.send({"t": "welcome", "pair": self.pair_id, "role": other_role(self.role)})
        self._emit(PairEvent("joined"))
        self._read(peer)


def open_link(
    folder: Path,
    name: str,
    sha256: str,
    codebook: str,
    role: PairRole | None = None,
    *,
    timeout: float = JOIN_TIMEOUT_S,
) -> Link:
    """Host pair ``name`` in ``folder``, or join its host; PairError saying why not."""
    problem = name_problem(name)
    if problem is not None:
        raise PairError(problem)
    path = socket_path(folder, name)
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise PairError(
            f"the session folder's path is too long for the pair's socket ({path}): "
            "use a shorter --session-dir"
        )
    try:
        created = make_folders(folder)  # 0700, as the journal would make it
    except OSError as error:
        raise PairError(f"cannot create the session folder {folder}: {error}") from None
    try:
        with _folder_locked(folder, timeout):
            return _host_or_join(folder, path, name, sha256, codebook, role, timeout)
    except PairError:
        for made in reversed(created):  # refused: nothing is left behind
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def _unix() -> int:
    """The Unix socket family a pair's link uses (Linux, macOS); none: a clear refusal."""
    family: int | None = getattr(socket, "AF_UNIX", None)
    if family is None:
        raise PairError("paired live coding needs Unix sockets (Linux or macOS)")
    return family


@contextlib.contextmanager
def _folder_locked(folder: Path, timeout: float) -> Iterator[None]:
    """Two coders starting at once decide who hosts one after the other (a lock on
    the folder, waited for at most ``timeout``)."""
    from observer.durable import try_lock

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as error:
        raise PairError(f"cannot open the session folder {folder}: {error.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            if try_lock(fd):
                break
            if time.monotonic() > deadline:
                raise PairError(f"the session folder {folder} stayed locked")
            time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock


def _host_or_join(
    folder: Path,
    path: Path,
    name: str,
    sha256: str,
    codebook: str,
    role: PairRole | None,
    timeout: float,
) -> Link:
    for _ in range(3):  # a host starting at the same instant: try once more
        sock = socket.socket(_unix(), socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(os.fspath(path))
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            link = _host(folder, path, name, sha256, role)
            if link is not None:
                return link
            continue
        except OSError as error:
            sock.close()
            raise PairError(f"cannot reach the pair's socket {path}: {error.strerror}") from None
        return _join(sock, name, sha256, codebook, role)
    raise PairError(f"cannot host or join pair {name!r} in {folder}")


def _host(folder: Path, path: Path, name: str, sha256: str, role: PairRole | None) -> Link | None:
    """Listen on ``path`` (taking over a dead host's socket); None if another process
    bound it first (then join it)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # nothing answers there: a dead host's socket
    server = socket.socket(_unix(), socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        server.bind(os.fspath(path))
    except OSError as error:
        server.close()
        if error.errno == 98:  # EADDRINUSE: another host was quicker
            return None
        raise PairError(f"cannot create the pair's socket {path}: {error.strerror}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    server.listen(2)
    pair_id = f"{name}-{secrets.token_hex(3)}"
    mine: PairRole = role or "primary"
    return Link(name, pair_id, mine, hosting=True, sha256=sha256, path=path, server=server)


def _join(
    sock: socket.socket, name: str, sha256: str, codebook: str, role: PairRole | None
) -> Link:
    peer = _Peer(sock)
    peer.send({"t": "hello", "sha256": sha256, "codebook": codebook, "role": role})
    answer = peer.read()  # within the socket's timeout
    sock.settimeout(None)
    if answer is None:
        peer.close()
        raise PairError(f"the host of pair {name!r} did not answer")
    if answer.get("t") == "refused":
        peer.close()
        why = safe(str(answer.get("why")))[:300]
        raise PairError(f"pair {name!r} refused this coder: {why}")
    pair_id, given = answer.get("pair"), answer.get("role")
    if (
        answer.get("t") != "welcome"
        or not isinstance(pair_id, str)
        or name_problem(pair_id.rsplit("-", 1)[0]) is not None
        or given not in ("primary", "reliability")
    ):
        peer.close()
        raise PairError(f"the host of pair {name!r} answered something else than a welcome")
    mine: PairRole = "primary" if given == "primary" else "reliability"
    return Link(name, pair_id, mine, hosting=False, sha256=sha256, peer=peer)
