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
A DTD or entity declaration is refused (before parsing, and by the parser where the
document's encoding hides it from that check). The document is read in one pass of the
standard library's expat, no element tree built. The first media descriptor
gives the session's ``media``: the record observer's own export carries in its header,
else a :class:`~observer.interchange.importers.MediaLink` the command resolves (the
video found beside the document, measured).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlparse
from xml.parsers import expat

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
REFUSED = "has a DTD or entity declaration: refused (not an EAF)"


class Annotation(NamedTuple):
    """A time-aligned annotation of a code tier, its slots' times looked up (ms)."""

    aid: str
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


def _where(tid: str, aid: str) -> str:
    return f"TIER[{tid!r}].ANNOTATION[{aid!r}]"


# What one pass of the XML parser keeps of a document. Each element that has text to
# keep is a list whose last item is that text (None until the element is seen).


class _TierElement:
    """A ``TIER`` as written: its attributes and its annotations' raw fields."""

    __slots__ = ("annotated", "attributes", "refs", "timed")

    def __init__(self, attributes: dict[str, str]) -> None:
        self.attributes = attributes
        self.timed: list[list[Any]] = []
        """Each ``ANNOTATION/ALIGNABLE_ANNOTATION``: [id, its first and second slot's time
        (ms, None without one), CVE_REF, value]."""
        self.refs: list[list[Any]] = []
        """Each ``ANNOTATION/REF_ANNOTATION``: [ANNOTATION_REF, value]."""
        self.annotated = False
        """Whether it has an ``ANNOTATION`` at all."""


class _Vocabulary:
    """A ``CONTROLLED_VOCABULARY``: [DESCRIPTION, text] of each ``CV_ENTRY``, and each
    ``CV_ENTRY_ML``'s CVE_ID with [DESCRIPTION, text] of each of its ``CVE_VALUE``."""

    __slots__ = ("cv_id", "entries", "multilingual")

    def __init__(self, cv_id: str) -> None:
        self.cv_id = cv_id
        self.entries: list[list[Any]] = []
        self.multilingual: list[_Entry] = []


class _Entry:
    __slots__ = ("cve_id", "values")

    def __init__(self, cve_id: str) -> None:
        self.cve_id = cve_id
        self.values: list[list[Any]] = []


class _Header:
    """The first ``HEADER`` of the document element: its media descriptors' attributes
    and its properties' [NAME, text]."""

    __slots__ = ("descriptors", "properties")

    def __init__(self) -> None:
        self.descriptors: list[dict[str, str]] = []
        self.properties: list[list[Any]] = []


class _InTier:
    """Marks an ``ANNOTATION`` element directly inside a ``TIER``."""


_IN_TIER = _InTier()


@attrs.define
class _Document:
    """What one pass of the parser keeps of a document (:func:`_read`)."""

    root_tag: str = ""
    root: dict[str, str] = attrs.field(factory=dict)
    """The document element's attributes."""
    problems: list[Problem] = attrs.field(factory=list)
    """Time slots out of order."""
    types: dict[str, dict[str, str]] = attrs.field(factory=dict)
    """LINGUISTIC_TYPE_ID -> the type's attributes."""
    tiers: list[_TierElement] = attrs.field(factory=list)
    vocabularies: list[_Vocabulary] = attrs.field(factory=list)
    header: _Header | None = None


def _refuse(*_: object) -> None:
    raise _Refused


class _Refused(Exception):
    """A document type or entity declaration met while parsing."""


def _read(data: bytes, name: str, early: bool = True) -> _Document:
    """The document read in one pass of the standard library's XML parser (expat),
    nothing of it kept as a tree. A DTD or entity declaration is refused before parsing
    (XML spells both in upper case only), and one the parser meets all the same (in
    another encoding) as it reads, so no entity can expand and nothing is fetched.

    Every element open at the moment has an entry on ``opened``: the record it fills (a
    tier, an annotation, a vocabulary, the header), else its tag. An element's text is
    what comes before its first child, as ElementTree's ``text``: the character data the
    parser hands over from its start to the next start or end of an element."""
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        raise InputError.one(name, "$", "not an EAF (ELAN writes UTF-8 XML)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError.one(name, "$", REFUSED)
    doc = _Document()
    problems, tiers = doc.problems, doc.tiers
    opened: list[Any] = []
    push, pop = opened.append, opened.pop
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    slots: dict[str, int | None] = {}  # TIME_SLOT_ID -> its time (ms), None without one
    last_slot, slot_count = -1, 0
    late = False  # a time slot after an annotation looked its slots up (``early``)
    looked_up = False
    text: list[str] | None = None
    into: list[Any] = []

    def begin_text(record: list[Any]) -> list[Any]:
        """Keep the text that follows as the last item of ``record``."""
        nonlocal text, into
        record[-1] = ""
        text, into = [], record
        parser.CharacterDataHandler = text.append
        return record

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal text, last_slot, slot_count, late, looked_up
        if text is not None:
            parser.CharacterDataHandler = None
            into[-1], text = "".join(text), None
        if tag == "TIME_SLOT":
            late = late or looked_up
            value = attributes.get("TIME_VALUE")
            t = int(value) if value is not None and value.isdecimal() else None
            if t is not None:
                if t < last_slot:
                    message = f"time {t} ms is before the previous slot's {last_slot} ms"
                    problems.append(Problem(name, f"TIME_ORDER.TIME_SLOT[{slot_count}]", message))
                last_slot = t
            slot_count += 1
            slots[attributes.get("TIME_SLOT_ID", "")] = t
            push(tag)
            return
        parent = opened[-1] if opened else None
        entry: Any = tag
        if tag == "ANNOTATION":
            if type(parent) is _TierElement:
                parent.annotated = True
                entry = _IN_TIER
        elif tag == "ALIGNABLE_ANNOTATION":
            if parent is _IN_TIER:
                get = attributes.get
                ref1: Any = get("TIME_SLOT_REF1", "")
                ref2: Any = get("TIME_SLOT_REF2", "")
                if early:
                    ref1, ref2, looked_up = slots.get(ref1), slots.get(ref2), True
                entry = [get("ANNOTATION_ID", ""), ref1, ref2, get("CVE_REF", ""), None]
                opened[-2].timed.append(entry)
        elif tag == "ANNOTATION_VALUE":
            if type(parent) is list and parent[-1] is None:
                begin_text(parent)
        elif tag == "REF_ANNOTATION":
            if parent is _IN_TIER:
                entry = [attributes.get("ANNOTATION_REF", ""), None]
                opened[-2].refs.append(entry)
        elif parent is None:
            doc.root_tag, doc.root = tag, attributes
        elif tag == "TIER":
            entry = _TierElement(attributes)
            tiers.append(entry)
        elif tag == "LINGUISTIC_TYPE":
            doc.types[attributes.get("LINGUISTIC_TYPE_ID", "")] = attributes
        elif tag == "CONTROLLED_VOCABULARY":
            entry = _Vocabulary(attributes.get("CV_ID", ""))
            doc.vocabularies.append(entry)
        elif tag == "CV_ENTRY" and type(parent) is _Vocabulary:
            parent.entries.append(begin_text([attributes.get("DESCRIPTION") or "", None]))
        elif tag == "CV_ENTRY_ML" and type(parent) is _Vocabulary:
            entry = _Entry(attributes.get("CVE_ID", ""))
            parent.multilingual.append(entry)
        elif tag == "CVE_VALUE" and type(parent) is _Entry:
            parent.values.append(begin_text([attributes.get("DESCRIPTION") or "", None]))
        elif tag == "HEADER" and len(opened) == 1 and doc.header is None:
            entry = doc.header = _Header()
        elif tag == "MEDIA_DESCRIPTOR" and type(parent) is _Header:
            parent.descriptors.append(attributes)
        elif tag == "PROPERTY" and type(parent) is _Header:
            parent.properties.append(begin_text([attributes.get("NAME", ""), None]))
        push(entry)

    def end(tag: str) -> None:
        nonlocal text
        pop()
        if text is not None:
            parser.CharacterDataHandler = None
            into[-1], text = "".join(text), None

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        where = f"line {exc.lineno}, column {exc.offset}"
        raise InputError.one(name, where, "not well-formed XML") from None
    except _Refused:
        raise InputError.one(name, "$", REFUSED) from None
    finally:  # the handlers refer to the parser: no cycle left for the collector
        parser.StartElementHandler = parser.EndElementHandler = None
        parser.CharacterDataHandler = None
    if late:  # not as ELAN writes: read again, looking the slots up once all are known
        return _read(data, name, early=False)
    if not early:
        for tier in tiers:
            for record in tier.timed:
                record[1], record[2] = slots.get(record[1]), slots.get(record[2])
    return doc


def _tier(
    tier: _TierElement, vocabulary: str, name: str, problems: list[Problem],
) -> Tier:  # fmt: skip
    tid = tier.attributes.get("TIER_ID", "")
    kept: list[Annotation] = []
    previous_end = -1
    for aid, t1, t2, cve, value in tier.timed:
        if t1 is None or t2 is None:
            problems.append(Problem(name, _where(tid, aid), "a time slot without a time value"))
            continue
        if t2 < t1:
            message = f"ends ({t2} ms) before it starts ({t1} ms)"
            problems.append(Problem(name, _where(tid, aid), message))
            continue
        if t1 < previous_end:
            message = "overlaps the tier's previous annotation"
            problems.append(Problem(name, _where(tid, aid), message))
        previous_end = t2
        kept.append(Annotation(aid, t1, t2, (value or "").strip(), cve))
    participant = tier.attributes.get("PARTICIPANT") or ""
    return Tier(tid, participant, vocabulary, tuple(kept))


def _vocabularies(document: _Document) -> dict[str, dict[str, str]]:
    """CV id -> {entry value or CVE id: its description} (EAF 2.7's CV_ENTRY and the
    multilingual CV_ENTRY_ML of 2.8 and later)."""
    out: dict[str, dict[str, str]] = {}
    for cv in document.vocabularies:
        entries = out.setdefault(cv.cv_id, {})
        for description, text in cv.entries:
            entries.setdefault((text or "").strip(), description or "")
        for entry in cv.multilingual:
            for description, text in entry.values:
                entries.setdefault((text or "").strip(), description or "")
                entries.setdefault(entry.cve_id, description or "")
    return out


def import_eaf(
    path: Path, data: bytes, book: Codebook | None, codes: Mapping[str, str] | None = None
) -> Imported:
    name = str(path)
    document = _read(data, name)
    if document.root_tag != "ANNOTATION_DOCUMENT":
        raise InputError.one(name, "$", "not an ELAN annotation document")
    problems = document.problems
    types = document.types
    derived = book is None
    tiers: list[Tier] = []
    dependent: list[_TierElement] = []
    for tier in document.tiers:
        tid = tier.attributes.get("TIER_ID", "")
        kind = types.get(tier.attributes.get("LINGUISTIC_TYPE_REF", ""))
        if tier.attributes.get("PARENT_REF") or not tier.timed or tid in OWN_TIERS:
            dependent.append(tier)
        else:
            vocabulary = "" if kind is None else kind.get("CONTROLLED_VOCABULARY_REF", "")
            tiers.append(_tier(tier, vocabulary, name, problems))
    if problems:
        raise InputError(problems)
    code_tiers = {t.tid for t in tiers if t.tid != "notes"}
    used: set[str] = set()
    associations: dict[str, dict[str, str]] = {}
    for tier in dependent:
        get = tier.attributes.get
        tid, kind, refs = get("TIER_ID", ""), types.get(get("LINGUISTIC_TYPE_REF", "")), tier.refs
        if tid.endswith(" modifiers") or (
            derived and get("PARENT_REF") in code_tiers and kind is not None
            and kind.get("CONSTRAINTS") == ASSOCIATION and refs
        ):  # fmt: skip
            used.add(tid)
            values = {ref: (value or "").strip() for ref, value in refs}
            associations[tid] = {ref: v for ref, v in values.items() if v}
    if book is None:
        book, chosen, modifiers = _derive(path, tiers, associations, _vocabularies(document))
    else:
        chosen, modifiers = _chosen(name, tiers, book, codes or {}, problems), _own(associations)
    if problems:
        raise InputError(problems)
    sid = session_id(path)
    stamp = (
        document.root.get("DATE") or datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
    )
    observer = next(
        (t.attributes["ANNOTATOR"] for t in document.tiers if t.attributes.get("ANNOTATOR")), ""
    )
    notices = [_left_out(name, t) for t in dependent
               if t.attributes.get("TIER_ID", "") not in used and t.annotated]  # fmt: skip
    media, links, media_notices = _media(document.header, path, sid)
    notices += media_notices
    del document, dependent  # what is left of the document is ``tiers``: free the rest
    events: list[Event] = []
    notes: list[Note] = []
    point = {c.id: c.kind == "point" for c in book.codes}
    for t in tiers:
        if t.tid == "notes":
            notes.extend(Note(a.t1 / 1000, a.value) for a in t.annotations)
            continue
        for aid, t1, t2, _, _ in t.annotations:
            code_id = chosen[aid]
            end = None if point[code_id] else t2 / 1000
            events.append(Event(code_id, t1 / 1000, end, modifiers.get(aid, {})))
    del tiers, chosen, modifiers
    session = new_session(
        book, origin("eaf", path, data), session_id=sid, dyad=path.stem,
        stamp=stamp, events=events, notes=notes, observer=observer,
    )  # fmt: skip
    if media is not None:
        session = attrs.evolve(session, media=media)
    del events
    raw = unstructure(session)
    del session  # checked from ``raw`` alone: the events are not held three times over
    checked = session_from_data(raw, name)
    return Imported((checked,), book, derived, tuple(notices), tuple(links))


def _media(
    header: _Header | None, path: Path, sid: str
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
    if header is None or not header.descriptors:
        return None, [], []
    descriptors = header.descriptors
    properties = {
        key: (text or "").strip()
        for key, text in header.properties
        if key.startswith("observer.media.")
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


def _url(descriptor: Mapping[str, str]) -> str:
    return descriptor.get("RELATIVE_MEDIA_URL") or descriptor.get("MEDIA_URL") or ""


def _candidates(descriptor: Mapping[str, str], path: Path) -> tuple[Path, ...]:
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


def _own_media(descriptor: Mapping[str, str], properties: Mapping[str, str]) -> Media | None:
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


def _left_out(name: str, tier: _TierElement) -> Problem:
    message = "left out (not a time-aligned code tier)"
    untimed = sum(1 for _, t1, t2, *_ in tier.timed if t1 is None or t2 is None)
    if untimed:
        message += f"; {untimed} of its annotations have no time value"
    return Problem(name, f"TIER[{tier.attributes.get('TIER_ID', '')!r}]", message)


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
                message = f"{a.value!r} is not a code of {book.id}"
                problems.append(Problem(name, _where(t.tid, a.aid), message))
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
                label = " ".join(value.split())
                value_id = found.value_id(modifier, label, slug(value, "value"))
                found.value(chosen[ref], modifier, value_id, label)
                modifiers.setdefault(ref, {})[modifier] = value_id
    return derived_codebook(path, found), chosen, modifiers
