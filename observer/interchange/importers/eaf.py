"""ELAN annotation documents (EAF 2.7 to 3.0) read as sessions, one per file.

Each time-aligned top-level tier is a stream: its annotations become state events
(points where an annotation has no length, or where ``--codebook`` names a point
code), its ``PARTICIPANT`` the actor. A ``Symbolic_Association`` tier written by
``observer export --format eaf`` (``<tier> modifiers``) gives the modifiers of
the annotation it depends on; observer's ``notes`` tier becomes notes. Without
``--codebook`` the codebook is derived: each distinct value of a tier a code of that
tier's stream (a point where every annotation of the value has no length), the
tier's controlled vocabulary giving its description, and every other
``Symbolic_Association`` tier on a code tier a modifier. Every other tier (and so
every annotation without a time value on a dependent tier) is reported as left out.
A DTD or entity declaration is refused before parsing. The first media descriptor
gives the session's ``media``: the record observer's own export carries in its header,
else a :class:`~observer.interchange.importers.MediaLink` the command resolves (the
video found beside the document, measured).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import attrs

from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.interchange.importers import (
    Imported,
    MediaLink,
    new_session,
    origin,
    session_id,
)
from observer.interchange.importers.derive import Found, derived_codebook, slug, unique
from observer.sessionfile import (
    Event,
    Media,
    Note,
    session_from_data,
    unstructure,
)

OWN_TIERS = ("segments", "ratings", "segment ratings")
ASSOCIATION = "Symbolic_Association"


@attrs.frozen
class Annotation:
    aid: str
    where: str
    t1: int
    t2: int
    value: str
    cve: str


@attrs.frozen
class Tier:
    tid: str
    participant: str
    vocabulary: str
    annotations: tuple[Annotation, ...]


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


def _slots(root: ET.Element, name: str, problems: list[Problem]) -> dict[str, int | None]:
    slots: dict[str, int | None] = {}
    last = -1
    for i, slot in enumerate(root.iter("TIME_SLOT")):
        value = slot.get("TIME_VALUE")
        t = int(value) if value is not None and value.isdigit() else None
        if t is not None and t < last:
            message = f"time {t} ms is before the previous slot's {last} ms"
            problems.append(Problem(name, f"TIME_ORDER.TIME_SLOT[{i}]", message))
        last = t if t is not None else last
        slots[slot.get("TIME_SLOT_ID", "")] = t
    return slots


def _tier(
    tier: ET.Element, vocabulary: str, slots: dict[str, int | None], name: str,
    problems: list[Problem],
) -> Tier:  # fmt: skip
    tid = tier.get("TIER_ID", "")
    kept: list[Annotation] = []
    previous_end = -1
    for a in tier.findall("ANNOTATION/ALIGNABLE_ANNOTATION"):
        aid = a.get("ANNOTATION_ID", "")
        where = f"TIER[{tid!r}].ANNOTATION[{aid!r}]"
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
        kept.append(Annotation(aid, where, t1, t2, value, a.get("CVE_REF", "")))
    return Tier(tid, tier.get("PARTICIPANT") or "", vocabulary, tuple(kept))


def _vocabularies(root: ET.Element) -> dict[str, dict[str, str]]:
    """CV id -> {entry value or CVE id: its description} (EAF 2.7's CV_ENTRY and the
    multilingual CV_ENTRY_ML of 2.8 and later)."""
    out: dict[str, dict[str, str]] = {}
    for cv in root.iter("CONTROLLED_VOCABULARY"):
        entries = out.setdefault(cv.get("CV_ID", ""), {})
        for entry in cv.findall("CV_ENTRY"):
            entries.setdefault((entry.text or "").strip(), entry.get("DESCRIPTION") or "")
        for entry in cv.findall("CV_ENTRY_ML"):
            for value in entry.findall("CVE_VALUE"):
                description = value.get("DESCRIPTION") or ""
                entries.setdefault((value.text or "").strip(), description)
                entries.setdefault(entry.get("CVE_ID", ""), description)
    return out


def import_eaf(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    name = str(path)
    root = _parse(data, name)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise InputError.one(name, "$", "not an ELAN annotation document")
    problems: list[Problem] = []
    slots = _slots(root, name, problems)
    types = {t.get("LINGUISTIC_TYPE_ID", ""): t for t in root.iter("LINGUISTIC_TYPE")}
    derived = book is None
    tiers: list[Tier] = []
    dependent: list[ET.Element] = []
    for tier in root.iter("TIER"):
        tid = tier.get("TIER_ID", "")
        kind = types.get(tier.get("LINGUISTIC_TYPE_REF", ""))
        aligned = tier.find("ANNOTATION/ALIGNABLE_ANNOTATION") is not None
        if tier.get("PARENT_REF") or not aligned or tid in OWN_TIERS:
            dependent.append(tier)
        else:
            vocabulary = "" if kind is None else kind.get("CONTROLLED_VOCABULARY_REF", "")
            tiers.append(_tier(tier, vocabulary, slots, name, problems))
    if problems:
        raise InputError(problems)
    code_tiers = {t.tid for t in tiers if t.tid != "notes"}
    used: set[str] = set()
    associations: dict[str, dict[str, str]] = {}
    for tier in dependent:
        tid, kind = tier.get("TIER_ID", ""), types.get(tier.get("LINGUISTIC_TYPE_REF", ""))
        refs = tier.findall("ANNOTATION/REF_ANNOTATION")
        if tid.endswith(" modifiers") or (
            derived and tier.get("PARENT_REF") in code_tiers and kind is not None
            and kind.get("CONSTRAINTS") == ASSOCIATION and refs
        ):  # fmt: skip
            used.add(tid)
            values = {r.get("ANNOTATION_REF", ""): (r.findtext("ANNOTATION_VALUE") or "").strip()
                      for r in refs}  # fmt: skip
            associations[tid] = {ref: v for ref, v in values.items() if v}
    if book is None:
        book, chosen, modifiers = _derive(path, tiers, associations, _vocabularies(root))
    else:
        chosen, modifiers = _chosen(name, tiers, book, codes or {}, problems), _own(associations)
    if problems:
        raise InputError(problems)
    events: list[Event] = []
    notes: list[Note] = []
    for t in tiers:
        for a in t.annotations:
            if t.tid == "notes":
                notes.append(Note(a.t1 / 1000, a.value))
                continue
            code = book.code_by_id[chosen[a.aid]]
            end = None if code.kind == "point" else a.t2 / 1000
            events.append(Event(code.id, a.t1 / 1000, end, modifiers.get(a.aid, {})))
    stamp = root.get("DATE") or datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    observer = next((t.get("ANNOTATOR") for t in root.iter("TIER") if t.get("ANNOTATOR")), "") or ""
    session = new_session(
        book, origin("eaf", path, data), session_id=session_id(path), dyad=path.stem,
        stamp=stamp, events=events, notes=notes, observer=observer,
    )  # fmt: skip
    notices = [_left_out(name, t, slots) for t in dependent if t.get("TIER_ID", "") not in used
               and t.find("ANNOTATION") is not None]  # fmt: skip
    media, links, media_notices = _media(root, path, session.id)
    notices += media_notices
    if media is not None:
        session = attrs.evolve(session, media=media)
    checked = session_from_data(unstructure(session), name)
    return Imported((checked,), book, derived, tuple(notices), tuple(links))


def _media(
    root: ET.Element, path: Path, sid: str
) -> tuple[Media | None, list[MediaLink], list[Problem]]:
    """The session's ``media`` from the document's first ``MEDIA_DESCRIPTOR``.

    Where the header's ``observer.media.*`` properties (written by observer's own
    export) give the rest of the record (the file's size, duration, frame rate and
    quick hash, which the descriptor has no place for), the record itself;
    ``TIME_ORIGIN`` is the offset (in ms; the exact ``observer.media.offset`` where it
    agrees within 1 ms, so an offset changed in ELAN is kept). Otherwise a link to look
    for: the relative URL from the document's folder, the absolute ``file:`` URL, the
    file's name beside the document. Every further descriptor is reported, not linked
    (a session has one video)."""
    name = str(path)
    header = root.find("HEADER")
    if header is None:
        return None, [], []
    descriptors = header.findall("MEDIA_DESCRIPTOR")
    if not descriptors:
        return None, [], []
    properties = {
        p.get("NAME", ""): (p.text or "").strip()
        for p in header.findall("PROPERTY")
        if p.get("NAME", "").startswith("observer.media.")
    }
    first, rest = descriptors[0], descriptors[1:]
    notices = [
        Problem(name, "HEADER.MEDIA_DESCRIPTOR", f"media {_url(d)!r} not linked"
                " (a session has one video: the first is linked)")
        for d in rest
    ]  # fmt: skip
    media = _own_media(first, properties) if properties else None
    if media is not None:
        return media, [], notices
    try:
        offset = float(first.get("TIME_ORIGIN") or 0) / 1000
    except ValueError:
        offset = 0.0
    where = "HEADER.MEDIA_DESCRIPTOR"
    link = MediaLink(sid, name, _url(first), _candidates(first, path), offset, where)
    return None, [link], notices


def _url(descriptor: ET.Element) -> str:
    return descriptor.get("RELATIVE_MEDIA_URL") or descriptor.get("MEDIA_URL") or ""


def _candidates(descriptor: ET.Element, path: Path) -> tuple[Path, ...]:
    """Where the linked file may be, in order, without duplicates."""
    folder = path.parent
    out: list[Path] = []
    relative = descriptor.get("RELATIVE_MEDIA_URL") or ""
    if relative:
        text = unquote(relative.removeprefix("file:"))
        if text and not text.startswith("/"):
            out.append(folder / text)
    absolute = urlparse(descriptor.get("MEDIA_URL") or "")
    if absolute.scheme == "file" and absolute.path:
        out.append(Path(unquote(absolute.path)))
    for url in (relative, descriptor.get("MEDIA_URL") or ""):
        base = unquote(url.rsplit("/", 1)[-1]) if url else ""
        if base and base not in (".", ".."):
            out.append(folder / base)
    return tuple(dict.fromkeys(out))


def _own_media(descriptor: ET.Element, properties: Mapping[str, str]) -> Media | None:
    url = descriptor.get("MEDIA_URL") or ""
    file = properties.get("observer.media.file", "")
    if not file or unquote(url.rsplit("/", 1)[-1]) != file:
        return None  # the descriptor now names another file
    try:
        size = int(properties["observer.media.bytes"])
        duration = float(properties["observer.media.duration"])
        fps_text = properties.get("observer.media.fps", "")
        fps = float(fps_text) if fps_text else None
        digest = properties["observer.media.sha256_head_tail"]
        exact = float(properties.get("observer.media.offset", "nan"))
        origin_ms = float(descriptor.get("TIME_ORIGIN") or 0)
    except (KeyError, ValueError):
        return None
    offset = exact if abs(exact * 1000 - origin_ms) <= 1 else origin_ms / 1000
    return Media(file, size, duration, fps, digest, offset)


def _left_out(name: str, tier: ET.Element, slots: dict[str, int | None]) -> Problem:
    message = "left out (not a time-aligned code tier)"
    untimed = sum(
        1
        for a in tier.findall("ANNOTATION/ALIGNABLE_ANNOTATION")
        if slots.get(a.get("TIME_SLOT_REF1", "")) is None
        or slots.get(a.get("TIME_SLOT_REF2", "")) is None
    )
    if untimed:
        message += f"; {untimed} of its annotations have no time value"
    return Problem(name, f"TIER[{tier.get('TIER_ID', '')!r}]", message)


def _chosen(
    name: str, tiers: list[Tier], book: Codebook, codes: Mapping[str, str],
    problems: list[Problem],
) -> dict[str, str]:  # fmt: skip
    """annotation id -> the code of ``book`` its value names (by id, label or ``--map``)."""
    by_label = {c.label: c for c in book.codes}
    out: dict[str, str] = {}
    for t in tiers:
        for a in t.annotations if t.tid != "notes" else ():
            wanted = codes.get(a.value, a.value)
            code = book.code_by_id.get(wanted) or by_label.get(wanted)
            if code is None:
                problems.append(Problem(name, a.where, f"{a.value!r} is not a code of {book.id}"))
            else:
                out[a.aid] = code.id
    return out


def _own(associations: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """annotation id -> modifiers, from observer's own ``<tier> modifiers`` tiers."""
    out: dict[str, dict[str, str]] = {}
    for tid, values in associations.items():
        if tid.endswith(" modifiers"):
            for ref, text in values.items():
                pairs = (p.split("=", 1) for p in text.split(";") if "=" in p)
                out.setdefault(ref, {}).update({k: v for k, v in pairs})
    return out


def _derive(
    path: Path, tiers: list[Tier], associations: Mapping[str, Mapping[str, str]],
    vocabularies: Mapping[str, Mapping[str, str]],
) -> tuple[Codebook, dict[str, str], dict[str, dict[str, str]]]:  # fmt: skip
    """The codebook the tiers name, each annotation's code and each one's modifiers."""
    found, taken, chosen = Found(), set[str](), {}
    for t in tiers:
        if t.tid == "notes":
            continue
        stream, actor = slug(t.tid, "tier"), slug(t.participant or t.tid, "actor")
        entries = vocabularies.get(t.vocabulary, {})
        points = {a.value for a in t.annotations if a.t1 == a.t2}
        points -= {a.value for a in t.annotations if a.t1 != a.t2}
        ids: dict[str, str] = {}
        for a in t.annotations:
            if a.value not in ids:
                ids[a.value] = unique(slug(f"{stream}.{a.value}", stream), taken)
                label = " ".join(a.value.split()) or "(empty)"
                code = found.code(ids[a.value], label=label, actor=actor, group=stream,
                                  kind="point" if a.value in points else "state")  # fmt: skip
                definition = entries.get(a.value) or entries.get(a.cve) or ""
                if definition:
                    code["definition"] = definition
            chosen[a.aid] = ids[a.value]
    modifiers: dict[str, dict[str, str]] = {}
    for tid, values in associations.items():
        pairs = _own({tid: values}) if tid.endswith(" modifiers") else {
            ref: {tid: v} for ref, v in values.items()}  # fmt: skip
        for ref, mods in pairs.items():
            if ref not in chosen:
                continue
            for modifier_name, value in mods.items():
                modifier = slug(modifier_name, "modifier")
                known = found.modifiers.get(modifier, {})
                value_id = next(
                    (v for v, label in known.items() if label == " ".join(value.split())), None
                )
                value_id = value_id or unique(slug(value, "value"), set(known))
                found.value(chosen[ref], modifier, value_id, " ".join(value.split()))
                modifiers.setdefault(ref, {})[modifier] = value_id
    return derived_codebook(path, found), chosen, modifiers
