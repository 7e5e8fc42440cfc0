"""Files written record by record, encrypted: journals and raw key logs.

An append-only file in an encrypted folder must stay append-only, with one fsync
per action, and a crash may tear its last record. So it is not one age file but a
stream of records under libsodium's secretstream (XChaCha20-Poly1305, each record
authenticated and chained to the one before it), keyed by a random per-file key
that the header holds wrapped as age files:

    observer-sealed/1\\n
    u32 length, then an age file of the key to the folder's recipients
    u32 length, then an age file of the key to a passphrase (scrypt), or length 0
    the secretstream header (24 bytes)
    records: u32 length, then that many bytes of ciphertext (the plaintext + 17)

Lengths are big-endian. :func:`read_records` gives every whole record; a last
record cut short (a crash mid-write) is reported as torn and left out; a record
that does not authenticate (altered, reordered, one removed before it) is refused
with its position. :class:`Sealer` is the writer's half, used by the journal's
writer thread, by the key log and by anything else that writes such a file:
:func:`open_writer` is the smallest use of it (create, append, fsync).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

from observer import durable, jsonio
from observer.crypto import age_library
from observer.crypto.agefile import UNWRAPPED as _unwrapped
from observer.crypto.agefile import decrypt, encrypt, identities
from observer.crypto.agefile import passphrase as given_passphrase
from observer.errors import InputError

MAGIC = b"observer-sealed/1\n"
_LENGTH = struct.Struct(">I")
MAX_RECORD = 1 << 26
"""No journal line comes near 64 MiB; a larger length is a corrupt file (and the
magic, read as a length, is far larger: a second stream's header is never taken for
a record)."""


def _nacl(name: str) -> Any:
    age_library(name)  # one message for the whole extra
    try:
        import nacl.bindings as bindings
    except ImportError:
        from observer.crypto import MISSING

        raise InputError.one(name, "$", f"encryption {MISSING}") from None
    return bindings


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


class Sealer:
    """The encrypting half of one sealed file: its ``header`` bytes, then
    :meth:`seal` for each record, in order (each call advances the stream: a record
    that failed to be written is written again as the same bytes, never sealed again)."""

    def __init__(self, recipients: list[Any], name: str, passphrase: str | None = None) -> None:
        nacl = _nacl(name)
        self.recipients = recipients
        key = nacl.crypto_secretstream_xchacha20poly1305_keygen()
        wrapped = encrypt(key, recipients, name)
        by_passphrase = b""
        if passphrase is not None:
            by_passphrase = age_library(name).passphrase.encrypt(key, passphrase)
        self._state = nacl.crypto_secretstream_xchacha20poly1305_state()
        stream_header = nacl.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self.header = b"".join(
            (
                MAGIC,
                _LENGTH.pack(len(wrapped)),
                wrapped,
                _LENGTH.pack(len(by_passphrase)),
                by_passphrase,
                stream_header,
            )
        )
        self._push = nacl.crypto_secretstream_xchacha20poly1305_push

    def seal(self, record: bytes) -> bytes:
        """One record, encrypted and framed, ready to append."""
        sealed: bytes = self._push(self._state, record)
        return _LENGTH.pack(len(sealed)) + sealed


class StreamWriter:
    """A new sealed file: :meth:`append` a record, :meth:`fsync` to make every record
    appended so far durable. Created exclusively (never overwriting), mode 0600."""

    def __init__(self, path: Path, recipients: list[Any], passphrase: str | None = None) -> None:
        self.path = path
        self._sealer = Sealer(recipients, str(path), passphrase)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, jsonio.PRIVATE_MODE)
        durable.fchmod(self._fd, jsonio.PRIVATE_MODE)
        jsonio.write_all(self._fd, self._sealer.header)

    def append(self, record: bytes) -> None:
        data = memoryview(self._sealer.seal(record))
        while data:
            data = data[os.write(self._fd, data) :]

    def fsync(self) -> None:
        durable.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def open_writer(path: Path, recipients: list[Any], passphrase: str | None = None) -> StreamWriter:
    return StreamWriter(path, recipients, passphrase)


def _take(data: bytes, at: int, name: str) -> tuple[bytes, int] | None:
    """The length-prefixed block at ``at`` and the offset after it; None if cut short."""
    if at + _LENGTH.size > len(data):
        return None
    (size,) = _LENGTH.unpack_from(data, at)
    if size > MAX_RECORD:
        raise InputError.one(name, f"byte {at}", "not a sealed record (corrupt length)")
    end = at + _LENGTH.size + size
    if end > len(data):
        return None
    return data[at + _LENGTH.size : end], end


def _wrapped_keys(data: bytes, at: int, name: str) -> tuple[bytes, bytes, int] | None:
    """A header's two wrapped keys (to the recipients, to a passphrase: empty without
    one) from ``at``, and the offset after them; None if cut short."""
    first = _take(data, at, name)
    second = None if first is None else _take(data, first[1], name)
    if first is None or second is None:
        return None
    return first[0], second[0], second[1]


def _by_passphrase(by_passphrase: bytes, passphrase: str, name: str) -> bytes | None:
    """The key ``by_passphrase`` wraps, or None when ``passphrase`` does not open it."""
    known = _unwrapped.get((by_passphrase, passphrase))
    if known is not None:
        return known
    pyrage = age_library(name)
    try:
        key: bytes = pyrage.passphrase.decrypt(by_passphrase, passphrase)
    except pyrage.DecryptError:
        return None
    _unwrapped[(by_passphrase, passphrase)] = key
    return key


def passphrase_block(data: bytes, name: str) -> bytes | None:
    """The file key wrapped to a passphrase in the first header of the sealed file
    ``data`` (its beginning is enough); None when the file is not sealed, its header is
    cut short or it was written without a passphrase."""
    if not is_sealed(data):
        return None
    keys = _wrapped_keys(data, len(MAGIC), name)
    return None if keys is None else keys[1] or None


def passphrase_opens(block: bytes, passphrase: str, name: str) -> bool:
    """Whether ``passphrase`` opens the wrapped key ``block`` (:func:`passphrase_block`)."""
    return _by_passphrase(block, passphrase, name) is not None


def _key(wrapped: bytes, by_passphrase: bytes, name: str, passphrase: str | None) -> bytes:
    given = identities()
    if passphrase is None and not given:
        passphrase = given_passphrase()
    if passphrase is not None and by_passphrase:
        key = _by_passphrase(by_passphrase, passphrase, name)
        if key is None:
            raise InputError.one(name, "header", "wrong passphrase")
        return key
    if not given:
        raise InputError.one(
            name, "$", "is encrypted: give --identity FILE (or set $OBSERVER_IDENTITY) to read it"
        )
    return decrypt(wrapped, given, name)


def read_records(data: bytes, name: str, passphrase: str | None = None) -> tuple[list[bytes], bool]:
    """Every whole record of the sealed file ``data`` and whether a torn last one was
    left out. Opened with the identities given (``--identity``) or ``passphrase``.
    A file reopened to go on appending (a resumed consensus) holds a second stream,
    header and all, after the first: its records follow those of the first."""
    nacl = _nacl(name)
    records: list[bytes] = []
    at = 0
    while at < len(data):
        if not data.startswith(MAGIC, at):
            raise InputError.one(name, f"byte {at}", "not a sealed stream header")
        opened = _open_stream(nacl, data, at + len(MAGIC), name, passphrase)
        if opened is None:
            if at == 0:
                raise InputError.one(name, "header", "the header is incomplete")
            return records, True  # a crash while a resumed stream was being started
        state, at = opened
        while at < len(data) and not data.startswith(MAGIC, at):
            block = _take(data, at, name)
            if block is None:
                return records, True
            try:
                record, _tag = nacl.crypto_secretstream_xchacha20poly1305_pull(state, block[0])
            except Exception:  # nacl.exceptions.RuntimeError: not authentic here
                raise InputError.one(
                    name,
                    f"record {len(records) + 1}",
                    "does not authenticate: altered, reordered or a record before it removed",
                ) from None
            records.append(record)
            at = block[1]
    return records, False


def _open_stream(
    nacl: Any, data: bytes, at: int, name: str, passphrase: str | None
) -> tuple[Any, int] | None:
    """The pull state of the stream whose header (after its magic) starts at ``at``,
    and the offset of its first record; None when the header is cut short."""
    keys = _wrapped_keys(data, at, name)
    if keys is None:
        return None
    wrapped, by_passphrase, at = keys
    header_size = nacl.crypto_secretstream_xchacha20poly1305_HEADERBYTES
    if at + header_size > len(data):
        return None
    key = _key(wrapped, by_passphrase, name, passphrase)
    state = nacl.crypto_secretstream_xchacha20poly1305_state()
    nacl.crypto_secretstream_xchacha20poly1305_init_pull(state, data[at : at + header_size], key)
    return state, at + header_size


def open_sealed(data: bytes, name: str, passphrase: str | None = None) -> tuple[bytes, bool]:
    """A file's bytes as written: a sealed file's records joined (and whether a torn
    last record was left out), any other file's bytes as they are."""
    if not is_sealed(data):
        return data, False
    records, torn = read_records(data, name, passphrase)
    return b"".join(records), torn


def rewrap(data: bytes, name: str, recipients: list[Any]) -> bytes:
    """The sealed file ``data`` with each stream's key wrapped anew to ``recipients``
    (opened with the identities given); its records, its passphrase wrapping and a torn
    tail are kept byte for byte (the stream key is the same: nothing is decrypted but
    the key). InputError, naming the file, when no identity given opens a stream."""
    if not is_sealed(data):
        raise InputError.one(name, "$", "not a sealed stream")
    out: list[bytes] = []
    at = 0
    while at < len(data):
        if not data.startswith(MAGIC, at):
            raise InputError.one(name, f"byte {at}", "not a sealed stream header")
        start = at
        at += len(MAGIC)
        wrapped = _take(data, at, name)
        passphrased = None if wrapped is None else _take(data, wrapped[1], name)
        if wrapped is None or passphrased is None:
            out.append(data[start:])  # a header cut short by a crash: kept as it is
            break
        given = identities()
        if not given:
            raise InputError.one(
                name, "$", "is encrypted: give --identity FILE (or set $OBSERVER_IDENTITY)"
            )
        key = decrypt(wrapped[0], given, name)
        again = encrypt(key, recipients, name)
        out += [MAGIC, _LENGTH.pack(len(again)), again, data[wrapped[1] : passphrased[1]]]
        body = passphrased[1]  # the secretstream header, then the records: as they are
        at = min(len(data), body + _nacl(name).crypto_secretstream_xchacha20poly1305_HEADERBYTES)
        while at < len(data) and not data.startswith(MAGIC, at):
            block = _take(data, at, name)
            at = len(data) if block is None else block[1]  # a torn last record: kept
        out.append(data[body:at])
    return b"".join(out)
