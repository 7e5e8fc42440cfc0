"""ELAN annotation documents (EAF 2.7 to 3.0) read as sessions, one per file.

Each time-aligned top-level tier is a stream: its annotations become state events
(points where an annotation has no length, or where ``--codebook`` names a point
code), its ``PARTICIPANT`` the actor. A ``Symbolic_Association`` tier written by
``observer export --format eaf`` (``<tier> modifiers``) gives the modifiers of
the annotation it depends on; observer's ``notes`` tier becomes notes; every other
tier is reported as left out. A DTD or entity declaration is refused before parsing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.interchange.importers import Imported, new_session, origin, session_id
from observer.sessionfile import (
    Event,
    Note,
    session_from_data,
    unstructure,
)

OWN_TIERS = ("segments", "ratings", "segment ratings")


def _parse(data: bytes, name: str) -> ET.Element:
    """The document's root; a DTD or entity declaration is refused before parsing (XML
    spells both in upper case only), so no entity can expand and nothing is fetched."""
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise InputError.one(name, "$", "not an EAF (ELAN writes UTF-8 XML)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError.one(name, "$", "has a DTD or entity declaration: refused (not an EAF)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        where = f"line {line}, column {column}"
        raise InputError.one(name, where, "not well-formed XML") from None


def import_eaf(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    name = str(path)
    root = _parse(data, name)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise InputError.one(name, "$", "not an ELAN annotation document")
    if book is None:
        raise InputError.one(
            name, "$", "--from eaf needs --codebook (a derived codebook is not made from EAF yet)"
        )
    problems: list[Problem] = []
    slots: dict[str, int | None] = {}
    last = -1
    for i, slot in enumerate(root.iter("TIME_SLOT")):
        value = slot.get("TIME_VALUE")
        t = int(value) if value is not None and value.isdigit() else None
        if t is not None and t < last:
            problems.append(
                Problem(
                    name,
                    f"TIME_ORDER.TIME_SLOT[{i}]",
                    f"time {t} ms is before the previous slot's {last} ms",
                )
            )
        last = t if t is not None else last
        slots[slot.get("TIME_SLOT_ID", "")] = t
    events: dict[str, tuple[str, int, Event]] = {}
    notes: list[Note] = []
    left: list[str] = []
    by_label = {c.label: c for c in book.codes}
    for tier in root.iter("TIER"):
        tid = tier.get("TIER_ID", "")
        at = f"TIER[{tid!r}]"
        aligned = tier.findall("ANNOTATION/ALIGNABLE_ANNOTATION")
        if tier.get("PARENT_REF") or not aligned or tid in OWN_TIERS:
            if not tid.endswith(" modifiers") and tier.find("ANNOTATION") is not None:
                left.append(tid)
            continue
        previous_end = -1
        for a in aligned:
            aid = a.get("ANNOTATION_ID", "")
            where = f"{at}.ANNOTATION[{aid!r}]"
            t1, t2 = slots.get(a.get("TIME_SLOT_REF1", "")), slots.get(a.get("TIME_SLOT_REF2", ""))
            if t1 is None or t2 is None:
                problems.append(Problem(name, where, "a time slot without a time value"))
                continue
            if t2 < t1:
                problems.append(Problem(name, where, f"ends ({t2} ms) before it starts ({t1} ms)"))
                continue
            if t1 < previous_end:
                problems.append(Problem(name, where, "overlaps the tier's previous annotation"))
            previous_end = t2
            value = (a.findtext("ANNOTATION_VALUE") or "").strip()
            if tid == "notes":
                notes.append(Note(t1 / 1000, value))
                continue
            wanted = (codes or {}).get(value, value)
            code = book.code_by_id.get(wanted) or by_label.get(wanted)
            if code is None:
                problems.append(Problem(name, where, f"{value!r} is not a code of {book.id}"))
                continue
            point = code.kind == "point"
            events[aid] = (tid, t1, Event(code.id, t1 / 1000, None if point else t2 / 1000))
    for tier in root.iter("TIER"):
        if tier.get("TIER_ID", "").endswith(" modifiers"):
            for r in tier.findall("ANNOTATION/REF_ANNOTATION"):
                ref = events.get(r.get("ANNOTATION_REF", ""))
                text = (r.findtext("ANNOTATION_VALUE") or "").strip()
                if ref is not None and text:
                    mods = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
                    events[r.get("ANNOTATION_REF", "")] = (
                        ref[0],
                        ref[1],
                        Event(ref[2].code, ref[2].start, ref[2].end, mods),
                    )
    if problems:
        raise InputError(problems)
    stamp = root.get("DATE") or datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    observer = next((t.get("ANNOTATOR") for t in root.iter("TIER") if t.get("ANNOTATOR")), "") or ""
    session = new_session(
        book, origin("eaf", path, data), session_id=session_id(path), dyad=path.stem,
        stamp=stamp, events=(e for _, _, e in events.values()), notes=notes, observer=observer,
    )  # fmt: skip
    notices = [
        Problem(name, f"TIER[{t!r}]", "left out (not a time-aligned code tier)") for t in left
    ]
    for media in root.iter("MEDIA_DESCRIPTOR"):
        url = media.get("RELATIVE_MEDIA_URL") or media.get("MEDIA_URL") or ""
        notices.append(
            Problem(
                name,
                "HEADER.MEDIA_DESCRIPTOR",
                f"media {url!r} not linked (open it with observer replay --video to line it up)",
            )
        )
    return Imported((session_from_data(unstructure(session), name),), book, False, tuple(notices))
