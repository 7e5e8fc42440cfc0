"""The review trail: review entries linked by SHA-256, so a change made to a session's
reviews outside observer shows.

Every time observer saves a session's reviews it links them in order. Each entry's
``link`` holds three digests (SHA-256 of canonical JSON: sorted keys, no spaces):

- ``entry``: of the entry's own fields (everything but ``link``);
- ``prev``: the ``entry`` digest of the entry before it (``""`` for the first);
- ``events``: of the session's events when the entry was linked.

and the session's ``trail`` holds how many entries were linked and the last one's
digest. :func:`check` recomputes the digests and names each entry that was changed,
moved, inserted or left out since, and whether the events are those the reviews were
made on. It works on plain data (the session file's JSON), below the session model.

What it shows and what it cannot: an entry edited by hand or by another program, one
deleted, inserted or moved, and events changed under the reviews, are found. Someone
who recomputes every digest (the method is public and takes no key) can forge a whole
trail; in an encrypted folder only holders of the study's key can write a session
that decrypts at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import orjson


def digest(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def entry_digest(entry: dict[str, Any]) -> str:
    """The digest of one review entry's own fields (everything but its ``link``)."""
    return digest({k: v for k, v in entry.items() if k != "link"})


def link(
    entries: Sequence[dict[str, Any]], events: str
) -> tuple[list[dict[str, str]], dict[str, Any] | None]:
    """The ``link`` of each entry, in order, and the session's ``trail`` (None when
    there are no entries); ``events`` is the events' digest."""
    links, prev = [], ""
    for entry in entries:
        own = entry_digest(entry)
        links.append({"entry": own, "prev": prev, "events": events})
        prev = own
    head = {"entries": len(entries), "last": prev} if entries else None
    return links, head


Finding = Literal["changed", "moved", "removed before", "inserted", "other events", "removed"]


@attrs.frozen
class Break:
    """One place where the trail does not hold: ``index`` into the reviews (for a
    removed last entry: the number of entries)."""

    index: int
    finding: Finding
    message: str


@attrs.frozen
class Report:
    """What :func:`check` found: ``none`` (no trail: reviews made before trails, or no
    reviews), ``whole`` or ``broken`` (see ``breaks``)."""

    state: Literal["none", "whole", "broken"]
    entries: int
    breaks: tuple[Break, ...] = ()


def check(entries: Sequence[dict[str, Any]], events: str, head: dict[str, Any] | None) -> Report:
    """Check the trail of ``entries`` (review entries as in the file) against the
    events' digest and the session's ``trail``."""
    if head is None and not any(isinstance(e.get("link"), dict) for e in entries):
        return Report("none", len(entries))
    marks = [e.get("link") if isinstance(e.get("link"), dict) else None for e in entries]
    at = {str(m.get("entry")): i for i, m in enumerate(marks) if m is not None}
    breaks: list[Break] = []
    for i, (entry, mark) in enumerate(zip(entries, marks, strict=True)):
        if mark is None:
            breaks.append(Break(i, "inserted", "inserted: it carries no link to the trail"))
            continue
        if mark.get("entry") != entry_digest(entry):
            breaks.append(Break(i, "changed", "changed since it was linked (its fields differ)"))
        prev = mark.get("prev")
        if prev != "" and prev not in at:
            breaks.append(Break(i, "removed before", "an entry before it was removed"))
    depth = _depths(marks, at)
    for i in _out_of_order(depth):
        message = f"moved: it was linked as entry {depth[i]}"
        breaks.append(Break(i, "moved", message))
    stale = next(
        (i for i, m in enumerate(marks) if m is not None and m.get("events") != events), None
    )
    if stale is not None:
        message = "made on other events than the file now holds (the events were changed)"
        breaks.append(Break(stale, "other events", message))
    if head is not None:
        explained = any(b.finding in ("removed before", "inserted") for b in breaks)
        if head.get("last") not in at and entries:
            breaks.append(Break(len(entries), "removed", "the last entry was removed"))
        elif head.get("entries") != len(entries) and not explained:
            message = "the trail's count differs from its entries (an entry was removed)"
            breaks.append(Break(len(entries), "removed", message))
    breaks.sort(key=lambda b: b.index)
    return Report("broken" if breaks else "whole", len(entries), tuple(breaks))


def _depths(marks: Sequence[dict[str, Any] | None], at: dict[str, int]) -> list[int | None]:
    """Each entry's place in the trail as linked (0 for the first), following ``prev``
    back; None where the way back is cut (a removal) or there is no link."""
    depth: list[int | None] = [None] * len(marks)
    for i in range(len(marks)):
        seen, j, steps = set(), i, 0
        while True:
            mark = marks[j]
            if mark is None or j in seen:
                break
            seen.add(j)
            prev = mark.get("prev")
            if prev == "":
                depth[i] = steps
                break
            if prev not in at:
                break
            j, steps = at[prev], steps + 1
    return depth


def _out_of_order(depth: Sequence[int | None]) -> list[int]:
    """Indexes of entries outside the longest run in linked order (what moved)."""
    known = [(i, d) for i, d in enumerate(depth) if d is not None]
    best: list[int] = []  # per position in ``known``: the longest increasing run ending there
    back: list[int] = []
    for k, (_, d) in enumerate(known):
        best.append(1)
        back.append(-1)
        for m in range(k):
            if known[m][1] < d and best[m] + 1 > best[k]:
                best[k], back[k] = best[m] + 1, m
    keep: set[int] = set()
    k = max(range(len(known)), key=best.__getitem__, default=-1)
    while k >= 0:
        keep.add(known[k][0])
        k = back[k]
    return [i for i, _ in known if i not in keep]
