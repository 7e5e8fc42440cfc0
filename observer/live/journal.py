"""The session journal: one JSON line per action, durable as it happens.

``<session id>.journal.jsonl`` sits beside the session file while a session runs.
Line 1 is a header (journal schema, session id, the whole codebook and its
SHA-256, dyad, observer, label, creation time); every further line is one
action of :class:`observer.live.recorder.Recorder` with its ``seq``.

Writing (:class:`JournalWriter`): ``JournalWriter.create`` makes the file
exclusively (never overwriting), mode 0600, writes and fsyncs the header before
the clock may start, so a folder that is read-only, missing space or otherwise
unusable is reported then (as an InputError), not mid-session. ``append`` only
puts the action on a queue: a writer thread turns each line into bytes, writes
and fsyncs it, grouping lines that piled up into one write + fsync (order
kept), then calls ``on_ack(seq)`` with the sequence number of the last durable
action. If a write or fsync fails (disk full, read-only remount, I/O error),
nothing is dropped: the writer keeps every unwritten line in memory, reports
``on_status(JournalStatus(ok=False, ...))``, retries every ``retry_interval``
seconds (truncating back to the last durable byte first, so no line is ever
doubled or torn), and reports ``ok=True`` once everything is on disk. Both
callbacks run on the writer thread. ``close()`` drains the queue and returns
True once everything is durable; ``abandon()`` stops without writing (once a
session file holding every action is durable).

The writer keeps every durable byte in memory too, and checks (after each write,
and every half second when idle) that the journal's name still leads to its
file. When the journal or its folder was deleted, moved or replaced, it re-creates
the folder (0700) and the whole journal from memory, reports ``ok=False`` until
that is durable, and from then on ``warning`` on every status.

Reading (``read_journal``): a torn last line (a crash mid-write) is tolerated,
and reported by its line number; any other unreadable line is an error naming
its line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from observer import durable, jsonio
from observer.codebook import Codebook
from observer.crypto.folder import sealer_for
from observer.crypto.stream import Sealer, open_sealed
from observer.errors import InputError, Problem

if TYPE_CHECKING:
    from observer.sessionfile import Stamper, Via

JOURNAL_SCHEMA = "observer.journal/1"
SUFFIX = ".journal.jsonl"
MIN_FREE_BYTES = 16 * 1024 * 1024
"""Free space required before a session starts (a long session's journal and file
take a few megabytes)."""
_CLOSE = object()
_BATCH = 1024
_WATCH_INTERVAL = 0.5
"""How often an idle writer checks that its journal is still in the session folder."""


def journal_path(folder: Path, session_id: str) -> Path:
    return folder / f"{session_id}{SUFFIX}"


def make_header(
    session_id: str,
    book: Codebook,
    dyad: str,
    observer: str,
    label: str = "",
    created: datetime | None = None,
    media: dict[str, Any] | None = None,
    via: Via = "terminal",
    stamper: Stamper | None = None,
) -> dict[str, Any]:
    extra: dict[str, Any] = {} if media is None else {"media": media}
    if via != "terminal":
        extra["via"] = via
    if stamper is not None:
        extra["stamper"] = stamper
    return {
        "journal": JOURNAL_SCHEMA,
        "session": session_id,
        "codebook": {
            "id": book.id,
            "version": book.version,
            "sha256": book.sha256,
            "document": book.document,
        },
        "dyad": dyad,
        "observer": observer,
        "label": label,
        "created_at": (created or datetime.now(UTC)).isoformat(),
        **extra,
    }


@attrs.frozen
class JournalStatus:
    ok: bool
    durable: int
    """Sequence number of the last action on disk."""
    pending: int
    """Actions waiting to be written."""
    error: str | None = None
    attempts: int = 0
    """Failed attempts since the last success."""
    warning: str | None = None
    """What the observer must know although writing works (the journal was deleted
    and has been re-created from memory)."""


def _line(action: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(action, default=str) + b"\n"
    except TypeError:  # an int beyond 64 bits: the writer thread must never die
        return json.dumps(action, default=str).encode() + b"\n"


def failure_reason(exc: Exception) -> str:
    """A failed write in words ("the disk is full"), for the observer."""
    return _reason(exc) if isinstance(exc, OSError) else str(exc)


def _reason(exc: OSError) -> str:
    names = {
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the disk became read-only",
        errno.EIO: "an input/output error",
        errno.EDQUOT: "the disk quota is exceeded",
    }
    return names.get(exc.errno or 0, exc.strerror or str(exc))


def check_folder(folder: Path, min_free: int = MIN_FREE_BYTES) -> None:
    """The session folder exists (made 0700 if not), is writable and has room; else
    InputError. ``JournalWriter.create`` checks it too."""
    where = str(folder)
    try:
        created = jsonio.make_folders(folder)
    except FileExistsError:
        raise InputError.one(where, "$", "is a file, not a folder") from None
    except OSError as exc:
        raise InputError.one(
            where, "$", f"cannot create the session folder ({_reason(exc)})"
        ) from None
    if not folder.is_dir():
        raise InputError.one(where, "$", "is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError.one(where, "$", "the session folder is not writable")
    free = shutil.disk_usage(folder).free
    if free < min_free:
        for path in reversed(created):  # refused: leave nothing behind
            with contextlib.suppress(OSError):
                path.rmdir()
        mb = 1024 * 1024
        raise InputError.one(
            where,
            "$",
            f"only {free / mb:.1f} MB free in the session folder; at least"
            f" {min_free / mb:.0f} MB are needed to code a session",
        )


def _lock(fd: int) -> None:
    """Mark the journal as in use by this process (released when it exits, even by
    SIGKILL), so that recovery never touches the journal of a running session."""
    durable.try_lock(fd)  # a new file: nobody else can hold it


def journal_in_use(path: Path) -> bool:
    """Whether a running ``observer code`` is writing this journal."""
    return durable.held(path)


def _create_whole(path: Path, header: bytes) -> int:
    """Create ``path`` holding ``header``, durably, never overwriting (FileExistsError);
    return an open, locked descriptor for appending. The journal appears with its whole
    header or not at all (written and fsynced first, then linked into place), so a crash
    at any instant of the start never leaves an empty or torn journal behind. On Linux
    the file has no name until then (O_TMPFILE), so a crash leaves nothing at all;
    elsewhere a hidden temporary file may stay behind."""
    if durable.tmpfile_flag():
        try:
            return _write_and_link(path, header, None)
        except FileExistsError:
            raise
        except OSError:
            pass  # a file system without O_TMPFILE, or a link refused: the other way
    return _write_and_link(path, header, path.parent / f".{path.name}.{os.getpid()}.tmp")


def create_or_fail(path: Path, data: bytes, what: str) -> int:
    """``_create_whole``, its failures as InputError naming ``what`` (a journal, a key
    log) and the file."""
    try:
        return _create_whole(path, data)
    except FileExistsError:
        raise InputError.one(str(path), "$", f"a {what} of this session already exists") from None
    except OSError as exc:
        raise InputError.one(str(path), "$", f"cannot create the {what} ({_reason(exc)})") from None


def _write_and_link(path: Path, header: bytes, tmp: Path | None) -> int:
    folder = path.parent
    if tmp is None:
        fd = os.open(folder, durable.tmpfile_flag() | os.O_WRONLY, jsonio.PRIVATE_MODE)
    else:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, jsonio.PRIVATE_MODE)
    try:
        _lock(fd)
        durable.fchmod(fd, jsonio.PRIVATE_MODE)
        jsonio.write_all(fd, header)
        if tmp is None:  # linkat through /proc, following the link (dst_dir_fd forces linkat)
            dir_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.link(f"/proc/self/fd/{fd}", path.name, dst_dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
        else:
            jsonio.link_new(tmp, path)
        jsonio.fsync_dir(folder)
    except BaseException:
        os.close(fd)
        raise
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return fd


class JournalWriter:
    """Appends actions durably on a writer thread; see the module docstring."""

    def __init__(
        self,
        path: Path,
        fd: int,
        offset: int,
        *,
        on_ack: Callable[[int], None] | None = None,
        on_status: Callable[[JournalStatus], None] | None = None,
        retry_interval: float = 0.5,
        written: bytes = b"",
        sealer: Sealer | None = None,
    ) -> None:
        """``written``: the journal's bytes already on disk (its header), kept in memory to
        re-create the journal should it be deleted. ``sealer``: each line is sealed
        once, as it is taken from the queue (a retry writes the same bytes again)."""
        self.path = path
        self._fd = fd
        self._offset = offset  # bytes durable on disk
        self._on_ack = on_ack
        self._on_status = on_status
        self._retry_interval = retry_interval
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._durable = 0
        self._appended = 0
        self._dirty = False  # a failed attempt may have left bytes past _offset
        self._done = threading.Event()
        self._stop = threading.Event()
        self._seal = (lambda line: line) if sealer is None else sealer.seal
        self.recipients = None if sealer is None else sealer.recipients
        """The encrypted folder's recipients (None when it is not encrypted), for a copy
        of the session written elsewhere."""
        self._kept = bytearray(written)
        """Every durable byte of the journal, to re-create it if it is deleted."""
        self._lost = False
        self.error: str | None = None
        """The current write failure, None while writing works."""
        self.warning: str | None = None
        """Set once the journal had to be re-created from memory."""
        self._thread = threading.Thread(target=self._run, name=f"journal {path.name}", daemon=True)
        self._thread.start()

    @classmethod
    def create(
        cls,
        folder: Path,
        header: dict[str, Any],
        *,
        on_ack: Callable[[int], None] | None = None,
        on_status: Callable[[JournalStatus], None] | None = None,
        retry_interval: float = 0.5,
        min_free: int = MIN_FREE_BYTES,
        passphrase: str | None = None,
    ) -> JournalWriter:
        """Create the journal for ``header["session"]`` in ``folder`` (checking the folder
        is usable) and write its header durably. InputError if that cannot be done. In an
        encrypted folder the journal is a sealed stream (:mod:`observer.crypto.stream`)
        to its recipients and, with ``passphrase``, to that passphrase too."""
        check_folder(folder, min_free)
        path = journal_path(folder, header["session"])
        sealer = sealer_for(folder, str(path), passphrase)
        data = _line(header) if sealer is None else sealer.header + sealer.seal(_line(header))
        fd = create_or_fail(path, data, "journal")
        return cls(
            path,
            fd,
            len(data),
            on_ack=on_ack,
            on_status=on_status,
            retry_interval=retry_interval,
            written=data,
            sealer=sealer,
        )

    @property
    def durable(self) -> int:
        """Sequence number of the last action known to be on disk."""
        return self._durable

    def append(self, action: dict[str, Any]) -> None:
        """Queue one action (a dict with an int ``seq``); never blocks."""
        if self._done.is_set():
            raise RuntimeError("the journal is closed")
        self._appended += 1
        self._queue.put(action)

    def abandon(self) -> None:
        """Stop the writer without writing what is still queued: for when a session file
        holding every action is durable and the journal is no longer needed."""
        self._done.set()
        self._stop.set()
        self._queue.put(_CLOSE)
        self._thread.join(5.0)

    def close(self, timeout: float | None = None) -> bool:
        """Write everything queued, then close. True when all of it is durable; False if
        ``timeout`` passed first (the writer keeps retrying in the background)."""
        if not self._done.is_set():
            self._done.set()
            self._queue.put(_CLOSE)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        buffer = bytearray()
        last_seq = self._durable
        closing = False
        attempts = 0
        while True:
            items: list[Any] = []
            # Wait a while (after a failure; or, idle, to look at the journal now and then),
            # gathering what arrives meanwhile.
            waiting = bool(buffer) or self._lost
            with contextlib.suppress(queue.Empty):
                items.append(
                    self._queue.get(timeout=self._retry_interval if waiting else _WATCH_INTERVAL)
                )
            while len(items) < _BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if self._stop.is_set():
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                return
            for item in items:
                if item is _CLOSE:
                    closing = True
                else:
                    buffer += self._seal(_line(item))
                    last_seq = item.get("seq", last_seq + 1)
            if not self._lost and not self._still_there():
                self._lost = True
                self.warning = (
                    f"the journal {self.path} was deleted (was the session folder removed?):"
                    " it was re-created from memory"
                )
                self.error = "the journal was deleted: re-creating it from memory"
                attempts += 1
                self._status(False, self.error, attempts)
            if self._lost and not self._recreate():
                attempts += 1
                self._status(False, self.error, attempts)
                continue
            if buffer:
                if self._write(bytes(buffer)):
                    self._offset += len(buffer)
                    self._kept += buffer
                    buffer.clear()
                    self._durable = last_seq
                    if self._on_ack is not None:
                        _call(self._on_ack, last_seq)
                    if attempts:
                        attempts = 0
                        self.error = None
                        self._status(True, None, 0)
                else:
                    attempts += 1
                    self._status(False, self.error, attempts)
            elif attempts:
                attempts = 0
                self.error = None
                self._status(True, None, 0)
            if closing and not buffer:
                os.close(self._fd)
                return

    def _still_there(self) -> bool:
        """Whether the journal's name still leads to the file being written (not when
        the file or its folder was deleted, moved or replaced). An I/O error is not a
        deletion: writing reports it."""
        try:
            named = os.stat(self.path)
            ours = os.fstat(self._fd)
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return (named.st_dev, named.st_ino) == (ours.st_dev, ours.st_ino)

    def _recreate(self) -> bool:
        """Write the whole journal again from memory at its path (re-creating the folder,
        0700); True once it is durable."""
        try:
            jsonio.make_folders(self.path.parent)
            fd = _create_whole(self.path, bytes(self._kept))
        except OSError as exc:
            self.error = f"the journal was deleted and cannot be re-created: {_reason(exc)}"
            return False
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd, self._offset, self._dirty, self._lost = fd, len(self._kept), False, False
        return True

    def _write(self, data: bytes) -> bool:
        try:
            if self._dirty:
                os.ftruncate(self._fd, self._offset)
            os.lseek(self._fd, self._offset, os.SEEK_SET)
            self._dirty = True
            jsonio.write_all(self._fd, data)
        except OSError as exc:
            self.error = f"cannot write the journal: {_reason(exc)}"
            return False
        self._dirty = False
        return True

    def _status(self, ok: bool, error: str | None, attempts: int) -> None:
        if self._on_status is not None:
            pending = self._appended - self._durable
            status = JournalStatus(ok, self._durable, pending, error, attempts, self.warning)
            _call(self._on_status, status)


def _call(callback: Callable[[Any], None], value: Any) -> None:
    """Run a caller's callback; its failure must never stop the writer thread."""
    with contextlib.suppress(Exception):
        callback(value)


# --- reading -----------------------------------------------------------------------


@attrs.frozen
class JournalContents:
    path: Path
    header: dict[str, Any]
    actions: list[dict[str, Any]]
    lines: list[int]
    """The line number of each action."""
    torn: int | None = None
    """Line number of a torn last line that was ignored (a crash mid-write)."""


def read_journal(path: Path) -> JournalContents:
    """Parse a journal's lines; InputError naming the line of any corrupt one."""
    name = str(path)
    data, torn_record = open_sealed(jsonio.read_bytes(path), name)
    pieces = data.split(b"\n")
    unterminated = pieces.pop()  # b"" when the file ends with a newline
    torn = None
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, piece in enumerate(pieces, 1):
        try:
            value = orjson.loads(piece)
        except orjson.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            raise InputError.one(
                name, f"line {number}", "not a JSON object: the journal is corrupt"
            )
        parsed.append((number, value))
    if unterminated:
        number = len(pieces) + 1
        try:
            value = orjson.loads(unterminated)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            parsed.append((number, value))
        else:
            torn = number
    elif torn_record:
        torn = len(pieces) + 1
    if not parsed:
        where = "line 1"
        message = "the header line is incomplete" if torn else "empty journal (no header line)"
        raise InputError.one(name, where, message)
    (_, header), *rest = parsed
    if header.get("journal") != JOURNAL_SCHEMA:
        raise InputError.one(
            name, "line 1", f"not an observer journal (expected {JOURNAL_SCHEMA!r})"
        )
    if repeats := jsonio.repeated_keys(pieces[0] if pieces else unterminated, header, name):
        raise InputError(Problem(name, "line 1", p.located()) for p in repeats)
    return JournalContents(
        path=path,
        header=header,
        actions=[action for _, action in rest],
        lines=[number for number, _ in rest],
        torn=torn,
    )
