"""From journal to session file: at a normal finish, and after a crash.

Normal finish (``finish``): the session file is written atomically from the
recorder's memory (mode 0600, never overwriting), and only once it is durable is
the journal writer stopped and the journal *removed*: everything it held is in
the session file. If it cannot be written, nothing changes (the journal writer
keeps retrying); ``save_copy`` writes it into another folder instead.

Recovery (``recover``): an unfinished journal (``find_journals``; a journal that
a running ``observer code`` holds locked is never touched) is replayed
through the very ``Recorder.apply`` that produced it, so the events are exactly
those the observer saw. States still running are closed at the last action's
time and flagged ``closed-at-recovery``; the session gets status ``recovered``.
The session file is written durably first; only then is the journal renamed
aside to ``<id>.journal.jsonl.recovered`` (never deleted). A journal whose clock
never started holds no coding: it is renamed to ``<id>.journal.jsonl.empty``.
A journal whose session file already exists is compared with it: when the file
holds what the journal holds (the same codebook, dyad, observer and start; every
event and note of the journal) it was a crash between writing the file and
removing the journal, and the journal is renamed aside with ``.recovered``.
Otherwise the file is another session that happens to have the id: the
recovered session is written under a new id (``<id>-recovered``, then
``-recovered-2``, ...), and ``Recovery.renamed_from`` says so.

The raw key log (:mod:`observer.live.keylog`, ``<id>.keys.jsonl``) beside a
journal is used too: keys that reached it but never the journal are replayed
(:mod:`observer.live.keyrecovery`) before the session is built, reported in
``Recovery.keys``, and the log is set aside with the journal. A key log whose
journal is gone is recovered on its own (its header is the journal's): every key
is replayed. ``Recovery.from_keys`` counts the session's events that came only from
the key log.

The complete copy (:mod:`observer.live.copies`) that a session which could not be
saved left in the fallback folder is looked for by the session id. When it is the
same session (codebook, dyad, observer, label, start) and holds every event the
journal gives, or more events than it, the copy's very bytes become the session file
(status ``complete``, as the observer ended it); otherwise the journal is used and
the copy kept. Either way ``Recovery.copy`` says what each held and which was used. A
copy whose bytes are those of the session file now in the folder is removed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, Literal, get_args

import attrs

from observer import jsonio
from observer.codebook import Codebook, codebook_from_data
from observer.crypto import AGE_SUFFIX, is_age
from observer.crypto.folder import is_encrypted
from observer.errors import InputError
from observer.live.copies import Copy, find_copy, remove_if_saved
from observer.live.journal import (
    SUFFIX,
    JournalContents,
    JournalWriter,
    journal_in_use,
    read_journal,
)
from observer.live.keylog import KEYS_SUFFIX, KeyLog, KeyReplay, keylog_path
from observer.live.recorder import CLOSED_AT_RECOVERY, Recorder, ReplayError, SessionMeta
from observer.sessionfile import (
    Media,
    Session,
    Stamper,
    Via,
    load_session,
    round_time,
    session_file,
    session_to_bytes,
    valid_session_id,
    write_session,
)
from observer.stopsignals import pid_runs
from observer.structure import structure
from observer.textsafe import safe

RECOVERED_SUFFIX = ".recovered"
EMPTY_SUFFIX = ".empty"


def find_journals(folder: Path, *, in_use: bool = False) -> list[Path]:
    """Unfinished journals in ``folder``, oldest id first; those a running
    ``observer code`` is writing are left out unless ``in_use``."""
    if not folder.is_dir():
        return []
    found = sorted(p for p in folder.glob(f"*{SUFFIX}") if p.is_file())
    found += _lone_keylogs(folder)
    return found if in_use else [p for p in found if not journal_in_use(p)]


def parse_header(header: dict[str, Any], file: str) -> tuple[SessionMeta, Codebook]:
    def fail(message: str) -> InputError:
        return InputError.one(file, "line 1", message)

    session_id = header.get("session")
    if not isinstance(session_id, str) or not valid_session_id(session_id):
        raise fail(f"invalid session id {session_id!r}")
    fields = {}
    for name in ("dyad", "observer", "label"):
        value = header.get(name, "")
        if not isinstance(value, str):
            raise fail(f"{name!r} must be a string")
        fields[name] = value
    ref = header.get("codebook")
    if not isinstance(ref, dict) or not isinstance(ref.get("document"), dict):
        raise fail("the codebook document is missing")
    try:
        book = codebook_from_data(ref["document"], file)
    except InputError as exc:
        raise fail(f"the embedded codebook is invalid: {exc.problems[0]}") from None
    if ref.get("sha256") != book.sha256:
        raise fail("the codebook's sha256 does not match its document")
    media = None
    if header.get("media") is not None:
        try:
            media = structure(header["media"], Media, file=file)
        except InputError as exc:
            raise fail(f"the media description is invalid: {exc.problems[0]}") from None
    via = header.get("via", "terminal")
    if via not in get_args(Via):
        raise fail(f'\'via\' must be "terminal" or "browser", not {via!r}')
    stamper = header.get("stamper")
    if stamper is not None and stamper not in get_args(Stamper):
        raise fail(f"'stamper' must be one of {', '.join(get_args(Stamper))}, not {stamper!r}")
    meta = SessionMeta(
        session_id, fields["dyad"], fields["observer"], fields["label"], media, via, stamper
    )
    return meta, book


@attrs.frozen
class Replayed:
    contents: JournalContents
    recorder: Recorder

    @property
    def meta(self) -> SessionMeta:
        return self.recorder.meta


def replay_journal(path: Path) -> Replayed:
    """Read a journal and replay its actions; InputError (with the line) if it is bad."""
    contents = read_journal(path)
    meta, book = parse_header(contents.header, str(path))
    recorder = Recorder(book, meta)
    expected = 1
    for number, action in zip(contents.lines, contents.actions, strict=True):
        seq = action.get("seq")
        if seq != expected:
            raise InputError.one(
                str(path), f"line {number}", f"seq {seq!r} where {expected} was expected"
            )
        try:
            recorder.replay_one(action)
        except (ReplayError, ArithmeticError, ValueError) as exc:
            raise InputError.one(str(path), f"line {number}", str(exc)) from None
        expected += 1
    return Replayed(contents, recorder)


@attrs.frozen
class Recovery:
    journal: Path
    outcome: Literal["recovered", "already-saved", "empty"]
    session_path: Path | None
    set_aside: Path
    """Where the journal now is."""
    events: int = 0
    closed: int = 0
    """State events closed at recovery."""
    torn: int | None = None
    """Line number of a torn last line that was ignored."""
    keys: KeyReplay | None = None
    """What the raw key log added (None: no key log)."""
    keys_aside: Path | None = None
    """Where the key log now is."""
    renamed_from: str | None = None
    """The journal's session id, when a different session file already had it and the
    recovered session was given a new id."""
    from_keys: int = 0
    """Events of the session that came only from the key log (not from the journal)."""
    copy: CopyUse | None = None
    """The complete copy of this session found in the fallback folder, if any."""


@attrs.frozen
class CopyUse:
    """What recovery did with the complete copy of the session it found."""

    path: Path
    events: int | None
    """Its events (None: it cannot be read, or is another session)."""
    journal_events: int
    used: bool
    removed: bool
    why_kept: str = ""


def recover(path: Path, copies: Path | None = None) -> Recovery:
    """Turn one unfinished journal (or a key log whose journal is gone) into a session
    file; see the module docstring. ``copies``: where to look for a complete copy of the
    session (default: the fallback folder)."""
    if journal_in_use(path):
        raise InputError.one(str(path), "$", "in use by a running `observer code`: not recovered")
    keys: KeyReplay | None
    if path.name.endswith(KEYS_SUFFIX):
        replayed, keys = _replay_keylog_alone(path)
        keylog: Path | None = None
        from_keys = len(replayed.recorder.events)
    else:
        replayed = replay_journal(path)
        keylog = keylog_path(path.parent, replayed.meta.id)
        journaled = Counter(_event_keys(replayed.recorder))
        keys = _replay_keylog(keylog, replayed)
        added = Counter(_event_keys(replayed.recorder))
        added.subtract(journaled)
        from_keys = sum(n for n in added.values() if n > 0)
    folder = path.parent
    recorder = replayed.recorder
    torn = replayed.contents.torn
    copy = find_copy(recorder.meta.id, copies)
    existing = session_file(folder, recorder.meta.id)
    renamed_from = None
    if existing is not None:
        saved = load_session(existing)  # a bad file is an error, and the journal stays put
        if holds(saved, recorder):
            aside = _set_aside(path, RECOVERED_SUFFIX)
            return Recovery(
                path, "already-saved", existing, aside, torn=torn, keys=keys,
                keys_aside=_aside_keylog(keylog, RECOVERED_SUFFIX),
                copy=_settle(copy, existing, recorder, len(saved.events), used=False),
            )  # fmt: skip
        renamed_from = recorder.meta.id
    journal_events = len(recorder.recovered_session().events) if recorder.clock.started else 0
    if renamed_from is None and copy is not None and _copy_wins(copy, recorder, journal_events):
        existing = _restore(folder, copy)
        aside = _set_aside(path, RECOVERED_SUFFIX)
        keys_aside = _aside_keylog(keylog, RECOVERED_SUFFIX)
        assert copy.session is not None
        n = len(copy.session.events)
        return Recovery(
            path, "recovered", existing, aside, n, 0, torn, keys, keys_aside,
            copy=_settle(copy, existing, recorder, journal_events, used=True),
        )  # fmt: skip
    if not recorder.clock.started:
        aside = _set_aside(path, EMPTY_SUFFIX)
        return Recovery(
            path, "empty", None, aside, torn=torn, keys=keys,
            keys_aside=_aside_keylog(keylog, EMPTY_SUFFIX),
            copy=_settle(copy, None, recorder, 0, used=False),
        )  # fmt: skip
    session = recorder.recovered_session()
    if renamed_from is not None:
        session = attrs.evolve(session, id=_free_id(folder, renamed_from))
    written = write_session(folder, session)
    closed = sum(1 for e in session.events if CLOSED_AT_RECOVERY in e.flags)
    aside = _set_aside(path, RECOVERED_SUFFIX)
    keys_aside = _aside_keylog(keylog, RECOVERED_SUFFIX)
    return Recovery(
        path, "recovered", written, aside, len(session.events), closed, torn, keys, keys_aside,
        renamed_from=renamed_from, from_keys=from_keys,
        copy=_settle(copy, written, recorder, len(session.events), used=False),
    )  # fmt: skip


def _restore(folder: Path, copy: Copy) -> Path:
    """The copy written into ``folder`` as its session file, durably: exactly its bytes
    (an encrypted copy as ``<id>.json.age``), unless the folder is encrypted and the
    copy is not: then encrypted to the folder's recipients like any session there."""
    data = copy.path.read_bytes()
    assert copy.session is not None
    if not is_age(data) and is_encrypted(folder):
        return write_session(folder, copy.session)
    name = copy.path.name if is_age(data) else f"{copy.session.id}.json"
    target = folder / name
    jsonio.write_new(target, data)
    return target


def notes(result: Recovery) -> list[str]:
    """What recovery says beyond its outcome: the events only the key log gave, and the
    complete copy it found (what each held, which was used, whether it was removed)."""
    lines = []
    if result.from_keys:
        n = result.from_keys
        lines.append(
            f"  {n} event{'s' * (n != 1)} came only from the key log"
            " (not from the journal: check them against the video or your notes)"
        )
    use = result.copy
    if use is None:
        return lines
    if use.events is not None and result.outcome != "already-saved":
        which = "the copy" if use.used else "the journal"
        lines.append(
            f"  the complete copy {use.path} holds {use.events} event{'s' * (use.events != 1)},"
            f" the journal {use.journal_events}: {which} was used"
        )
    if use.removed:
        lines.append(f"  copy {use.path} removed: it is saved as {result.session_path}")
    else:
        lines.append(f"  copy {use.path} kept: {use.why_kept}")
    return lines


def _event_keys(recorder: Recorder) -> list[tuple[str, float]]:
    return [(e.code, round_time(e.start)) for e in recorder.events]


def _copy_wins(copy: Copy, recorder: Recorder, journal_events: int) -> bool:
    saved = copy.session
    if saved is None or saved.id != recorder.meta.id or not _same_session(saved, recorder):
        return False
    return holds(saved, recorder) or len(saved.events) > journal_events


def _settle(
    copy: Copy | None, saved: Path | None, recorder: Recorder, journal_events: int, *, used: bool
) -> CopyUse | None:
    """What became of the copy: removed when the session file ``saved`` holds its very
    bytes, else kept (and why)."""
    if copy is None:
        return None
    removed = saved is not None and remove_if_saved(copy.path, saved)
    if removed:
        why = ""
    elif copy.session is None:
        why = f"it cannot be read: {safe(copy.problem)}"
    elif copy.session.id != recorder.meta.id or not _same_session(copy.session, recorder):
        why = "it is another session with this id"
    elif saved is None:
        why = "no session file was written"
    else:
        why = "it is not what the session file holds"
    events = None if copy.session is None else len(copy.session.events)
    return CopyUse(copy.path, events, journal_events, used, removed, why)


def holds(saved: Session, recorder: Recorder) -> bool:
    """Whether the session file ``saved`` holds everything the replayed journal does."""
    if not _same_session(saved, recorder):
        return False
    events = Counter((e.code, round_time(e.start)) for e in saved.events)
    events.subtract((e.code, round_time(e.start)) for e in recorder.events)
    notes = Counter((n.text, round_time(n.t)) for n in saved.notes)
    notes.subtract((n.text, min(round_time(n.t), saved.duration)) for n in recorder.notes)
    return min(events.values(), default=0) >= 0 and min(notes.values(), default=0) >= 0


def _same_session(saved: Session, recorder: Recorder) -> bool:
    """The same codebook, dyad, observer, label and start (when the journal has one)."""
    book, meta, clock = recorder.book, recorder.meta, recorder.clock
    started = clock.started_wall.isoformat() if clock.started_wall is not None else None
    return (saved.codebook.sha256, saved.dyad, saved.observer, saved.label) == (
        book.sha256,
        meta.dyad,
        meta.observer,
        meta.label,
    ) and (started is None or saved.started_at == started)


def _free_id(folder: Path, session_id: str) -> str:
    candidate, n = f"{session_id}-recovered", 1
    while any(folder.glob(f"{candidate}.*")):
        n += 1
        candidate = f"{session_id}-recovered-{n}"
    return candidate


_TEMPORARY = re.compile(r"\.(?P<name>.+\.json(?:\.age)?)\.(?P<pid>\d+)\.\d+\.tmp")


def clean_temporaries(folder: Path) -> list[Path]:
    """Remove the hidden temporary copies (``.<id>.json.<pid>.<n>.tmp``) that a kill
    during a session file's write left behind, when their process is gone and the
    session is safe elsewhere (its file or its journal exists). Returns those removed."""
    removed = []
    for path in sorted(folder.glob(".*.tmp")) if folder.is_dir() else []:
        match = _TEMPORARY.fullmatch(path.name)
        if match is None or pid_runs(int(match["pid"])):
            continue
        name = match["name"]
        journal = folder / (name.removesuffix(AGE_SUFFIX).removesuffix(".json") + SUFFIX)
        if (folder / name).exists() or journal.exists():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _set_aside(path: Path, suffix: str) -> Path:
    target = path.with_name(path.name + suffix)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{suffix}.{n}")
    os.rename(path, target)
    jsonio.fsync_dir(path.parent)
    return target


def finish(
    folder: Path, recorder: Recorder, writer: JournalWriter, *, keys: KeyLog | None = None
) -> Path:
    """Normal end: write the session file durably (into ``folder``, re-created 0700 if it
    was deleted), then stop the journal writer and remove the journal (and the key log).

    The session file is built from what the recorder holds in memory, so it never waits
    for the journal to catch up. If it cannot be written (OSError: disk full, I/O error,
    read-only), nothing is given up: the writer keeps running and retrying, the journal
    stays, and the caller keeps the recorder (and can try again, or ``save_copy``).
    """
    session: Session = recorder.session()
    jsonio.make_folders(folder)
    path = write_session(folder, session)
    if keys is not None:  # first: a journal left alone still recovers as already saved
        keys.close(remove=True)
    writer.abandon()
    with contextlib.suppress(OSError):  # the journal may be gone with a deleted folder
        writer.path.unlink()
    jsonio.fsync_dir(folder)
    return path


def save_copy(folder: Path, recorder: Recorder, recipients: list[Any] | None = None) -> Path:
    """Write the finished session into another folder (created 0700), durably, never
    overwriting: a copy the observer can point to when the session folder cannot be
    written. OSError if this fails too. ``recipients``: those of an encrypted session
    folder, so the copy is encrypted as the session file would have been."""
    session = recorder.session()
    jsonio.make_folders(folder)
    try:
        return write_session(folder, session, recipients)
    except FileExistsError:
        if recipients is not None:
            return folder / f"{session.id}.json.age"  # written before: a new one is refused
        path = folder / f"{session.id}.json"
        if path.read_bytes() == session_to_bytes(session):
            return path  # this very copy was written before
        raise


# --- the raw key log (observer.live.keylog) -------------------------------------------


def _lone_keylogs(folder: Path) -> list[Path]:
    """Key logs whose journal is gone."""
    logs = sorted(p for p in folder.glob(f"*{KEYS_SUFFIX}") if p.is_file())
    stem = len(KEYS_SUFFIX)
    return [p for p in logs if not (folder / f"{p.name[:-stem]}{SUFFIX}").exists()]


def _replay_keylog(path: Path, replayed: Replayed) -> KeyReplay | None:
    if not path.is_file():
        return None
    from observer.live.keyrecovery import replay_logged

    return replay_logged(path, replayed.recorder, replayed.contents.actions)


def _replay_keylog_alone(path: Path) -> tuple[Replayed, KeyReplay]:
    from observer.live.keylog import read_keylog, replay_keys

    contents = read_keylog(path)
    meta, book = parse_header(contents.header, str(path))
    recorder = Recorder(book, meta)
    keys = replay_keys(recorder, contents.keys).read_from(contents)
    header = {**contents.header, "journal": "observer.journal/1"}
    journal = JournalContents(path, header, [], [], None)
    return Replayed(journal, recorder), keys


def _aside_keylog(path: Path | None, suffix: str) -> Path | None:
    if path is None or not path.is_file():
        return None
    return _set_aside(path, suffix)
