"""Recovery's use of the raw key log: keys that reached it but never the journal.

The input thread logs a key (write + fsync) as the screen gets it; its journal
action (if it makes one) is written once the screen has handled it. A crash, a hung
screen or a kill between the two leaves keys in the log only (and a kill between
an action's fsync and its key's leaves the key in the journal only: it is
journaled, and no later key is in the log, which is written in reading order). Which ones: every key of a read
later than the last journaled action that carries a key time (``mono``); of the
keys read together with that action's key, those past the ones that made the
journaled actions (found by running them again from the journal just before).
Keys that a saved note consumed (``ctrl+n`` up to its ``enter``) are skipped.
Those keys are then run through the recorder by :func:`replay_keys`, the coding
screen's rules; the first one it cannot replay ends the replay and is reported
with everything after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from observer.codebook import Codebook
from observer.live.keylog import KeyReplay, LoggedKey, read_keylog, replay_keys
from observer.live.recorder import Recorder, SessionMeta


def unjournaled(
    actions: Sequence[dict[str, Any]], keys: Sequence[LoggedKey], book: Codebook, meta: SessionMeta
) -> list[LoggedKey]:
    """The logged keys that the journal's ``actions`` do not account for."""
    timed = [i for i, a in enumerate(actions) if isinstance(a.get("mono"), (int, float))]
    if not timed:
        return list(keys)
    anchor = actions[timed[-1]]["mono"]
    first = next(i for i in timed if actions[i]["mono"] == anchor)
    made = sum(1 for a in actions if a.get("mono") == anchor)
    group = [k for k in keys if k.mono == anchor]
    later = [k for k in keys if k.mono > anchor]
    rest = _past_made(actions[:first], group, made, book, meta)
    tail = rest + later
    for _ in (a for a in actions[timed[-1] + 1 :] if a.get("a") == "note"):
        tail = _after_note(tail)
    return tail


def _past_made(
    prefix: Sequence[dict[str, Any]],
    group: Sequence[LoggedKey],
    made: int,
    book: Codebook,
    meta: SessionMeta,
) -> list[LoggedKey]:
    rec = Recorder(book, meta)
    for action in prefix:
        rec.replay_one(action)
    base = rec.seq
    for index, key in enumerate(group):
        if rec.seq - base >= made:
            return list(group[index:])
        if replay_keys(rec, [key]).not_replayed:
            return []  # not replayable: take the read as handled (never apply a key twice)
    return []


def _after_note(tail: list[LoggedKey]) -> list[LoggedKey]:
    opened = next((i for i, k in enumerate(tail) if k.key == "ctrl+n"), None)
    if opened is None:
        return tail
    closed = next((i for i in range(opened, len(tail)) if tail[i].key == "enter"), None)
    return [] if closed is None else tail[closed + 1 :]


def replay_logged(path: Path, rec: Recorder, actions: Sequence[dict[str, Any]]) -> KeyReplay:
    """Replay into ``rec`` (rebuilt from ``actions``) the keys of the key log at
    ``path`` that never reached the journal."""
    contents = read_keylog(path)
    tail = unjournaled(actions, contents.keys, rec.book, rec.meta)
    return replay_keys(rec, tail).read_from(contents)


def report(keys: KeyReplay | None) -> list[str]:
    """What the key log added to a recovery, one line each (nothing when it added
    nothing)."""
    if keys is None:
        return []
    lines = []
    if keys.replayed:
        n, changed = keys.replayed, keys.changed
        lines.append(
            f"  {n} key{'s' * (n != 1)} found only in the key log replayed"
            f" ({changed} action{'s' * (changed != 1)})"
        )
    if keys.torn:
        lines.append("  the key log's last line was torn (the crash came while it was written)")
    if keys.corrupt_at is not None:
        n = keys.left_out
        lines.append(
            f"  the key log is unreadable from line {keys.corrupt_at}: {n} line{'s' * (n != 1)}"
            " from there left out (kept in the set-aside key log); every key before it used"
        )
    if keys.not_replayed:
        first, n = keys.not_replayed[0], len(keys.not_replayed)
        why = keys.refused or "a note, a dialog or a choice the screen would have opened"
        lines.append(
            f"  {n} key{'s' * (n != 1)} found only in the key log not replayed, from"
            f" {first.key!r} (key {first.n}; {why}): they are kept in the set-aside key log"
        )
    return lines
