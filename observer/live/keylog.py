"""The raw key log: every key with its arrival time, on disk whatever the screen does.

``<session id>.keys.jsonl`` sits beside the journal while a session runs. Line 1
is the journal's own header (session id, the whole codebook, dyad, observer,
label) under the schema key ``"keys"``, so a session can be rebuilt from this file
alone. Every further line is one key: ``{"n": 1, "mono": 1234.5678, "key": "t",
"char": "t"}`` — ``n`` counts keys from 1, ``mono`` is CLOCK_MONOTONIC when the
terminal's bytes carrying it were read (keys read together share it), ``key`` is
Textual's key name, ``char`` the character it typed (or null).

Input (:func:`tap`): a stamping thread waits on the terminal, stamps each read the
moment ``select`` returns and queues it with its bytes; it waits for nothing else,
so a slow fsync never delays a stamp. The input thread takes what is queued and
hands it to a caller (the terminal driver), which parses it, passes the events on
to the screen and then calls :meth:`KeyLog.record` for the keys among it (one write
+ fsync for all that piled up), on this thread, while the screen handles them: a
hung or failing screen cannot keep a key off the disk, and the screen's journal line
does not wait for this fsync. Paste, mouse reports and terminal responses are not
keys: they are passed on unchanged and never logged.

Writing (:class:`KeyLog`): created exclusively (never overwriting), mode 0600,
locked like the journal (so recovery leaves a running session's log alone), the
header durable before any key. A write that fails (disk full, I/O error) keeps the
unwritten lines in memory and retries with the next key, truncating back to the
last durable byte first; keys go on to the screen regardless. Removed at a normal
end, after the session file is durable.

Reading and replay (:func:`read_keylog`, :func:`replay_keys`): see
:mod:`observer.live.recovery`, which uses them for keys that never reached the
journal.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from observer import jsonio
from observer.errors import InputError
from observer.live.stamper import FRAME
from observer.stopsignals import die_with_parent

if TYPE_CHECKING:
    from observer.live.recorder import Recorder
    from observer.sessionfile import Stamper

# The terminal driver imports this module for ``tap`` before the coding screen's first
# frame; what only writing, reading or replaying a key log needs (the journal, the
# recorder, encryption) is imported there, after it.

KEYS_SCHEMA = "observer.keys/1"
KEYS_SUFFIX = ".keys.jsonl"
MAX_MONO = 1e12
"""Above any CLOCK_MONOTONIC reading (31,000 years of uptime): a bound for ``mono``."""
REPEAT_S = 0.15
"""As the coding screen: the same state key again within this many seconds is a held
key's auto-repeat, refused."""


def keylog_path(folder: Path, session_id: str) -> Path:
    return folder / f"{session_id}{KEYS_SUFFIX}"


def _header(journal_header: dict[str, Any]) -> dict[str, Any]:
    header = {k: v for k, v in journal_header.items() if k != "journal"}
    return {"keys": KEYS_SCHEMA, **header}


class KeyLog:
    """The raw key log being written; see the module docstring. Thread-safe."""

    def __init__(
        self, path: Path, fd: int, offset: int, on_synced: Callable[[int], None] | None = None
    ) -> None:
        self.path = path
        self._fd: int | None = fd
        self._offset = offset
        self._pending = bytearray()
        self._dirty = False
        self._lock = threading.Lock()
        self.count = 0
        """Keys recorded (``n`` of the last)."""
        self.durable = 0
        """``n`` of the last key on disk."""
        self.error: str | None = None
        self.on_synced = on_synced
        """Called with ``durable`` after each successful fsync (on the caller's thread)."""
        self._seal: Callable[[bytes], bytes] = bytes
        """Each line as written: itself, or sealed once (a retry writes the same bytes)."""

    @classmethod
    def create(
        cls, folder: Path, journal_header: dict[str, Any], passphrase: str | None = None
    ) -> KeyLog:
        """Create the key log of the session whose journal has ``journal_header``; in an
        encrypted folder, a sealed stream (:mod:`observer.crypto.stream`), one record a
        key."""
        from observer.crypto.folder import sealer_for
        from observer.live.journal import create_or_fail

        path = keylog_path(folder, journal_header["session"])
        sealer = sealer_for(folder, str(path), passphrase)
        data = orjson.dumps(_header(journal_header), default=str) + b"\n"
        if sealer is not None:
            data = sealer.header + sealer.seal(data)
        fd = create_or_fail(path, data, "key log")
        log = cls(path, fd, len(data))
        if sealer is not None:
            log._seal = sealer.seal
        return log

    def record(self, keys: Iterable[tuple[float, str, str | None]], *, click: bool = False) -> bool:
        """Append ``keys`` (arrival stamp, name, character); write and fsync them, once.
        ``click``: they are targets pressed on the screen (a click, a tap), logged as
        the keys they stand for, with ``"click": true``. True once they (and every
        earlier key) are on disk."""
        with self._lock:
            for mono, key, char in keys:
                self.count += 1
                line: dict[str, object] = {"n": self.count, "mono": mono, "key": key, "char": char}
                if click:
                    line["click"] = True
                self._pending += self._seal(orjson.dumps(line) + b"\n")
            return self._flush()

    def _flush(self) -> bool:
        if self._fd is None or not self._pending:
            return not self._pending
        try:
            if self._dirty:
                os.ftruncate(self._fd, self._offset)
            os.lseek(self._fd, self._offset, os.SEEK_SET)
            self._dirty = True
            jsonio.write_all(self._fd, bytes(self._pending))
        except OSError as exc:
            from observer.live.journal import _reason

            self.error = f"cannot write the key log: {_reason(exc)}"
            return False
        self._dirty = False
        self.error = None
        self._offset += len(self._pending)
        self._pending.clear()
        self.durable = self.count
        if self.on_synced is not None:
            with contextlib.suppress(Exception):
                self.on_synced(self.durable)
        return True

    def close(self, *, remove: bool = False) -> bool:
        """Write what is pending, close; with ``remove`` delete the file (a normal end:
        the session file holds everything). True when nothing was left unwritten."""
        with self._lock:
            flushed = self._flush()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            if remove:
                self.path.unlink(missing_ok=True)
                jsonio.fsync_dir(self.path.parent)
            return flushed


Read = tuple[float, bytes]
"""One read of the terminal: its arrival stamp and its bytes."""


def tap(
    fd: int,
    stop: threading.Event,
    handle: Callable[[list[Read]], bool],
    *,
    helper: bool = True,
    on_stamper: Callable[[Stamper], None] | None = None,
) -> None:
    """Until ``stop`` is set: a stamper waits on ``fd`` and stamps each read the moment
    ``select`` returns, never waiting for anything else (a slow fsync, the parser, the
    app); this thread passes what it stamped to ``handle``, in order, all that piled
    up at once (so one fsync covers them), or ``[]`` after 0.1 s of silence (the
    parser's timeouts). Ends when ``handle`` returns False or the input ends.

    The stamper is a helper process (:mod:`observer.live.stamper`) when ``helper``
    and it can be started, else a thread of this process; a helper that dies (killed
    on its own) is replaced by the thread, so input never stops. ``on_stamper`` is told
    which stamps (``helper`` or ``thread``), again when that changes."""
    while not _tap_once(fd, stop, handle, helper, on_stamper) and not stop.is_set():
        helper = False


def _tap_once(
    fd: int,
    stop: threading.Event,
    handle: Callable[[list[Read]], bool],
    helper: bool,
    on_stamper: Callable[[Stamper], None] | None,
) -> bool:
    """True when finished (stopped, input ended, ``handle`` said so); False when the
    helper process died."""
    reads: queue.SimpleQueue[Read | None] = queue.SimpleQueue()
    started = _start_helper(fd) if helper else None
    process = None if started is None else started.process
    if on_stamper is not None:
        on_stamper("thread" if process is None else "helper")

    def relay() -> None:  # the helper's frames, as the thread below would queue them
        assert process is not None and process.stdout is not None
        pipe = process.stdout.fileno()
        while True:
            head = _read_exactly(pipe, FRAME.size)
            if head is None:
                break
            arrived, size = FRAME.unpack(head)
            data = _read_exactly(pipe, size)
            if data is None:
                break
            reads.put((arrived, data))
        reads.put(None)

    def stamp() -> None:
        while not stop.is_set():
            if select.select([fd], [], [], 0.1)[0]:
                arrived = time.monotonic()
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    break  # end of input (a pipe, a closed terminal)
                reads.put((arrived, data))
        reads.put(None)

    target = stamp if process is None else relay
    stamper = threading.Thread(target=target, name="key stamper", daemon=True)
    stamper.start()
    try:
        finished = _take(reads, handle, stop)
    finally:
        if started is not None:
            status = started.end()
        stamper.join(0.2)
    return finished or process is None or status == 0 or stop.is_set()


def _take(
    reads: queue.SimpleQueue[Read | None],
    handle: Callable[[list[Read]], bool],
    stop: threading.Event,
) -> bool:
    """Hand on reads until stopped or ``handle`` says so (True) or the stamper ended
    (False)."""
    while not stop.is_set():
        try:
            first = reads.get(timeout=0.1)
        except queue.Empty:
            if not handle([]):
                return True
            continue
        batch: list[Read] = []
        item: Read | None = first
        while item is not None:
            batch.append(item)
            try:
                item = reads.get_nowait()
            except queue.Empty:
                break
        if batch and not handle(batch):
            return True
        if item is None:
            return False
    return True


@attrs.define
class _Helper:
    process: subprocess.Popen[bytes]
    alive: int
    """The write end of its LIFE pipe (:mod:`observer.live.stamper`), held by this
    process only: the kernel closes it when this process dies, whatever kills it."""

    def end(self) -> int:
        self.process.kill()
        status = self.process.wait()
        os.close(self.alive)
        return status


def _start_helper(fd: int) -> _Helper | None:
    """The stamper process reading ``fd``, once it is ready; None if it cannot start."""
    script = str(Path(__file__).with_name("stamper.py"))
    life, alive = os.pipe()  # both close-on-exec: no other child inherits them
    command = [sys.executable, "-S", "-I", script, str(life)]
    try:
        process = subprocess.Popen(
            command, stdin=fd, stdout=subprocess.PIPE, close_fds=True, pass_fds=(life,),
            preexec_fn=die_with_parent(),  # gone with observer, SIGKILL included
        )  # fmt: skip
    except OSError:
        os.close(alive)
        return None
    finally:
        os.close(life)
    helper = _Helper(process, alive)
    assert process.stdout is not None
    if _read_exactly(process.stdout.fileno(), 1) != b"R":
        helper.end()
        return None
    return helper


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = os.read(fd, size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


# --- reading and replay ---------------------------------------------------------------


@attrs.frozen
class LoggedKey:
    n: int
    mono: float
    key: str
    char: str | None


@attrs.frozen
class KeyLogContents:
    path: Path
    header: dict[str, Any]
    keys: list[LoggedKey]
    torn: bool = False
    """The last line was torn (a crash mid-write) and ignored."""
    corrupt_at: int | None = None
    """The first line that is not a logged key, when one is not the last: the keys
    before it are read, it and every line after it left out."""
    left_out: int = 0
    """Lines left out from ``corrupt_at`` on."""


def _logged(value: Any) -> LoggedKey | None:
    """A key log line as a key, or None when it is not one (its time bounded as every
    session time is: a forged or damaged line never becomes an internal error)."""
    if not isinstance(value, dict):
        return None
    try:
        char, n, mono, key = value["char"], value["n"], value["mono"], value["key"]
    except KeyError:
        return None
    if not (char is None or isinstance(char, str)) or not isinstance(key, str):
        return None
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n < 1 << 53:
        return None
    if not isinstance(mono, int | float) or isinstance(mono, bool):
        return None
    if not math.isfinite(mono) or not 0 <= mono <= MAX_MONO:
        return None
    return LoggedKey(n, float(mono), key, char)


def _in_stamp_order(keys: list[LoggedKey]) -> list[LoggedKey]:
    """A key read before the log existed and handled after is logged by the coding
    screen, possibly after a newer key the driver logged: replay by stamp (stable, so
    keys of one read keep their order)."""
    return sorted(keys, key=lambda k: k.mono)


def read_keylog(path: Path) -> KeyLogContents:
    """Parse a key log: the header (InputError if it is not one), then every key up to
    the first line that is not one. That line is *torn* when it is the last (a crash
    mid-write: left out as journals' are), else the log is *corrupt* from there on:
    the keys before it are kept and the rest counted (``corrupt_at``, ``left_out``). An
    encrypted log (observer.crypto.stream) is opened first; a torn last record of it is
    left out the same way."""
    from observer.crypto.stream import open_sealed

    name = str(path)
    data, sealed_torn = open_sealed(jsonio.read_bytes(path, max_bytes=1 << 31), name)
    pieces = data.split(b"\n")
    while pieces and not pieces[-1].strip():
        pieces.pop()
    try:
        header = orjson.loads(pieces[0]) if pieces else None
    except orjson.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("keys") != KEYS_SCHEMA:
        raise InputError.one(name, "line 1", f"not an observer key log (expected {KEYS_SCHEMA!r})")
    keys: list[LoggedKey] = []
    for number, piece in enumerate(pieces[1:], 2):
        try:
            key = _logged(orjson.loads(piece))
        except orjson.JSONDecodeError:
            key = None
        if key is None:
            if number == len(pieces):
                return KeyLogContents(path, header, _in_stamp_order(keys), torn=True)
            return KeyLogContents(
                path,
                header,
                _in_stamp_order(keys),
                sealed_torn,
                corrupt_at=number,
                left_out=len(pieces) - number + 1,
            )
        keys.append(key)
    return KeyLogContents(path, header, _in_stamp_order(keys), torn=sealed_torn)


@attrs.frozen
class KeyReplay:
    replayed: int
    """Keys run through the recorder (refusals included, as live)."""
    changed: int
    """Actions they produced."""
    not_replayed: tuple[LoggedKey, ...]
    """From the first key that cannot be replayed the way the screen would have
    handled it (a note, a segment choice, the end, help, ...) to the last."""
    torn: bool = False
    """The key log's last line was torn and left out."""
    corrupt_at: int | None = None
    """The key log's first unreadable line (not its last); it and what follows were
    left out (``left_out`` lines)."""
    left_out: int = 0
    refused: str | None = None
    """Why the recorder refused the first key not replayed (a forged time past one
    week), when that is what ended the replay."""

    def read_from(self, contents: KeyLogContents) -> KeyReplay:
        """This replay, saying what reading ``contents`` left out."""
        return attrs.evolve(
            self, torn=contents.torn, corrupt_at=contents.corrupt_at, left_out=contents.left_out
        )


_SCROLL_KEYS = frozenset({"up", "down", "pageup", "pagedown", "home", "end", "tab"})


def replay_keys(rec: Recorder, keys: Sequence[LoggedKey]) -> KeyReplay:
    """Run ``keys`` through ``rec`` as the coding screen runs live keys: space, undo,
    redo, escape (closing a modifier choice) and printable code / modifier keys, with
    the held-key rule; before each key, the time-sampling scans due by then are asked
    and the planned segment stops made at their instants, as the screen made them. Stops at the first other key (what follows it was typed into
    a note, a dialog or a choice the screen would have opened), or at a key the
    recorder refuses on replay (a forged time past one week)."""
    from observer.live.hold import SpaceHold
    from observer.live.recorder import ReplayError

    before = rec.seq
    last: tuple[str, float] = ("", float("-inf"))
    hold = SpaceHold()
    for index, k in enumerate(keys):
        try:
            rec.due_by(k.mono)  # the scans and planned stops the screen made before this key
            if k.key == "space":
                gap = k.mono - last[1] if last[0] == " " else None
                last = (" ", k.mono)
                if gap is not None and 0 <= gap < REPEAT_S:  # a held space's repeat
                    at = hold.first_repeat(rec.seq)  # the hold's first repeat toggled: undo it
                    if at is not None and rec.clock.state != "ended":
                        rec.toggle_clock(at)
                    continue
                if rec.toggle_clock(k.mono).changed:
                    hold.toggled(gap, k.mono, rec.seq)
            elif k.key == "ctrl+z":
                rec.undo(k.mono)
            elif k.key == "ctrl+y":
                rec.redo(k.mono)
            elif k.key == "escape":
                if rec.pending is not None:
                    rec.skip(k.mono)
                elif rec.window_waiting(rec.time_at(k.mono)) is not None:
                    rec.answer_window(k.mono, take=False)
            elif k.key == "enter":
                rec.answer_window(k.mono, take=True)  # refused (nothing journaled) if none waits
            elif k.key in _SCROLL_KEYS or k.key.endswith(("_shift", "_ctrl", "_control", "_alt")):
                pass
            elif k.char is not None and len(k.char) == 1 and k.char.isprintable():
                hold.other()
                code = rec.book.code_by_key.get(k.char)
                repeat = last[0] == k.char and 0 <= k.mono - last[1] < REPEAT_S
                last = (k.char, k.mono)
                if repeat and code is not None and code.kind == "state" and rec.pending is None:
                    continue
                rec.key(k.char, k.mono)
            else:
                return KeyReplay(index, rec.seq - before, tuple(keys[index:]))
        except ReplayError as refused:  # a key the recorder cannot take: replay ends there
            return KeyReplay(index, rec.seq - before, tuple(keys[index:]), refused=str(refused))
    return KeyReplay(len(keys), rec.seq - before, ())
