"""ELAN annotation documents (EAF 3.0), one per session.

The document follows the EAF 3.0 schema's element order: ``HEADER``,
``TIME_ORDER``, the tiers, ``LINGUISTIC_TYPE``, ``LANGUAGE``, ``CONSTRAINT``,
``CONTROLLED_VOCABULARY``. Times are whole milliseconds.

- One time-aligned tier per stream (``group/actor``), ``PARTICIPANT`` the actor,
  ``ANNOTATOR`` the observer; one annotation per event, its value the code id
  (linked to the controlled vocabulary entry). A point event spans 1 ms, as
  does a state event that rounds to no length.
- ELAN allows no overlapping annotations on one tier. Where a stream's events
  overlap (states of a non-exclusive group, a point inside a state), the later
  one goes to an overflow tier ``group/actor (2)``, ``(3)``... of the same kind.
- Modifiers: a dependent tier ``<tier> modifiers`` (Symbolic_Association) per
  stream tier whose codes take modifiers, one ``name=value;...`` annotation per
  event that has any.
- A session coded from (or lined up with) a video links it: ``MEDIA_DESCRIPTOR``
  with the file's name as a URL relative to the .eaf, its MIME type and
  ``TIME_ORIGIN``, the media offset in ms, so ELAN opens the coding with its video;
  header properties ``observer.media.*`` carry the rest of the session's ``media``
  record (size, duration, frame rate, quick hash, exact offset).
- Notes on a ``notes`` tier (1 ms each); segments, if any, on a ``segments`` tier.
- Ratings, if the codebook has any: a ``ratings`` tier with one annotation spanning
  the session, ``id=value; id=value`` for every session-wide item and composite,
  and a ``segment ratings`` tier with one such annotation spanning each coded
  segment for the items asked in it (a blank is ``id=``, a check ``yes``/``no``,
  a category its value id; composites computed).
- The codebook's codes form one controlled vocabulary (language ``und``), each
  entry's value the code id and its description the label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import attrs

from observer.export import modifier_text
from observer.media.identity import mime_type
from observer.scores import in_segment, plain, scores
from observer.sessionfile import Media, Session

LANG = "und"
LANG_DEF = "http://cdb.iso.org/lg/CDB-00130975-001"
CODE_TYPE, MODIFIER_TYPE, NOTE_TYPE, SEGMENT_TYPE = "code", "modifiers", "note", "segment"
RATING_TYPE = "rating"
CONSTRAINTS = (
    ("Time_Subdivision", "Time subdivision of parent annotation's time interval, no time gaps allowed within this interval"),
    ("Symbolic_Subdivision", "Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered"),
    ("Symbolic_Association", "1-1 association with a parent annotation"),
    ("Included_In", "Time alignable annotations within the parent annotation's time interval, gaps are allowed"),
)  # fmt: skip


def _span(start: float, end: float | None) -> tuple[int, int]:
    """Milliseconds, never empty: ELAN refuses annotations without length."""
    a = round(start * 1000)
    b = a + 1 if end is None else round(end * 1000)
    return a, max(b, a + 1)


@attrs.define
class _Tier:
    """One tier being gathered: time-aligned (``items`` hold ``(number, start ms,
    end ms, the rest of the annotation's XML)``, see :func:`_tail`) or referring
    (``(number, parent number, value XML)``). Values are stored already escaped."""

    fields: dict[str, str]
    aligned: bool
    items: list[tuple[Any, ...]] = attrs.field(factory=list)


class _Lanes:
    """Spread possibly overlapping spans over a base tier and overflow tiers."""

    def __init__(
        self, tiers: list[_Tier], counter: list[int], base: str, attrs: dict[str, str], mods: bool
    ) -> None:
        self.tiers, self.counter, self.base, self.attrs, self.mods = (
            tiers,
            counter,
            base,
            attrs,
            mods,
        )
        self.ends: list[int] = []
        self.lanes: list[tuple[_Tier, _Tier | None]] = []
        self._add_lane()

    def _add_lane(self) -> None:
        n = len(self.ends)
        tier_id = self.base if n == 0 else f"{self.base} ({n + 1})"
        tier = _Tier({"TIER_ID": tier_id, **self.attrs}, True)
        self.tiers.append(tier)
        ref: _Tier | None = None
        if self.mods:
            ref_attrs = {"TIER_ID": f"{tier_id} modifiers", "PARENT_REF": tier_id}
            ref_attrs["LINGUISTIC_TYPE_REF"] = MODIFIER_TYPE
            ref_attrs |= {k: v for k, v in self.attrs.items() if k in ("PARTICIPANT", "ANNOTATOR")}
            ref = _Tier(ref_attrs, False)
            self.tiers.append(ref)
        self.ends.append(-1)
        self.lanes.append((tier, ref))

    def put(self, a: int, b: int, tail: str, mods: str = "") -> None:
        """Add a span (``tail`` from :func:`_tail`, ``mods`` XML-safe)."""
        ends = self.ends
        lane = 0
        if ends[0] > a:
            lane = next((i for i, end in enumerate(ends) if end <= a), len(ends))
            if lane == len(ends):
                self._add_lane()
        ends[lane] = b
        tier, ref = self.lanes[lane]
        self.counter[0] += 1
        number = self.counter[0]
        tier.items.append((number, a, b, tail))
        if mods and ref is not None:
            self.counter[0] += 1
            ref.items.append((self.counter[0], number, mods))


def eaf_bytes(session: Session, *, now: datetime | None = None) -> bytes:
    """The session as an EAF 3.0 document (UTF-8 XML)."""
    return b"".join(eaf_chunks(session, now=now))


def eaf_chunks(session: Session, *, now: datetime | None = None) -> Iterator[bytes]:
    """:func:`eaf_bytes` in pieces, made as they are written: the annotations are
    gathered first (the time slots need every boundary), the text never whole."""
    book = session.book
    tiers: list[_Tier] = []
    counter = [0]
    observer = {"ANNOTATOR": session.observer}
    lanes: dict[str, _Lanes] = {}
    for stream in book.streams:
        fields = {"LINGUISTIC_TYPE_REF": CODE_TYPE, "PARTICIPANT": stream.actor.id, **observer}
        takes_modifiers = any(code.modifiers for code in stream.codes)
        lanes[stream.id] = _Lanes(tiers, counter, stream.id, fields, takes_modifiers)
    # Code and modifier ids match [a-z0-9._-]: nothing in them needs escaping.
    by_code = {c.id: (lanes[c.stream], c.modifiers, _tail(c.id, c.id)) for c in book.codes}
    for event in session.events:
        lane, order, tail = by_code[event.code]
        end = event.end
        a = round(event.start * 1000)
        b = a + 1 if end is None else max(round(end * 1000), a + 1)
        if event.modifiers:
            lane.put(a, b, tail, modifier_text(event.modifiers, order))
        elif lane.ends[0] <= a:  # the common case, inline: the stream's first tier is free
            lane.ends[0] = b
            counter[0] += 1
            lane.lanes[0][0].items.append((counter[0], a, b, tail))
        else:
            lane.put(a, b, tail)
    if session.segments:
        seg = _Lanes(
            tiers, counter, "segments", {"LINGUISTIC_TYPE_REF": SEGMENT_TYPE, **observer}, False
        )
        for span in session.segments:
            a, b = _span(span.start, session.duration if span.end is None else span.end)
            seg.put(a, b, _tail(_text(span.segment)))
    notes = _Lanes(tiers, counter, "notes", {"LINGUISTIC_TYPE_REF": NOTE_TYPE, **observer}, False)
    for note in session.notes:
        a, b = _span(note.t, None)
        notes.put(a, b, _tail(_text(note.text)))
    _ratings(session, tiers, counter, observer)
    return _serialise(session, tiers, counter[0], now or datetime.now(UTC))


def _ratings(
    session: Session, tiers: list[_Tier], counter: list[int], observer: dict[str, str]
) -> None:
    book = session.book
    if not book.ratings:
        return
    values = scores(book, session.ratings)
    fields = {"LINGUISTIC_TYPE_REF": RATING_TYPE, **observer}

    def text(items: list[tuple[str, Any]]) -> str:
        return _text("; ".join(f"{name}={plain(value)}" for name, value in items))

    whole = _Lanes(tiers, counter, "ratings", fields, False)
    session_items = in_segment(book, values, None)
    if session_items:
        whole.put(*_span(0.0, max(session.duration, 0.001)), _tail(text(session_items)))
    if any(r.scope == "segment" for r in book.ratings):
        per = _Lanes(tiers, counter, "segment ratings", fields, False)
        for span in session.segments:
            items = in_segment(book, values, span.segment)
            if items:
                end = session.duration if span.end is None else span.end
                per.put(*_span(span.start, end), _tail(text(items)))


_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# Characters XML 1.0 cannot carry at all, even escaped: replaced by U+FFFD.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _tail(value: str, cve: str = "") -> str:
    """An alignable annotation's XML after its time slot references (both arguments
    XML-safe): the vocabulary entry it stands for, if any, and its value."""
    cve_attr = f' CVE_REF="{cve}"' if cve else ""
    return (
        f"{cve_attr}><ANNOTATION_VALUE>{value}</ANNOTATION_VALUE>"
        "</ALIGNABLE_ANNOTATION></ANNOTATION>"
    )


def _attr(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value).translate(_ATTR)


def _text(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value).translate(_TEXT)


def _element(name: str, attrs: dict[str, str], text: str | None = None) -> str:
    fields = "".join(f' {k}="{_attr(v)}"' for k, v in attrs.items())
    if text is None:
        return f"<{name}{fields}/>"
    return f"<{name}{fields}>{_text(text)}</{name}>"


def _media(media: Media) -> dict[str, str]:
    """ELAN's link to the video: the file's name, relative to the .eaf (put them side
    by side); TIME_ORIGIN the media time of session time 0, in ms."""
    url = quote(media.file)
    return {
        "MEDIA_URL": url,
        "MIME_TYPE": mime_type(media.file),
        "RELATIVE_MEDIA_URL": f"./{url}",
        "TIME_ORIGIN": str(round(media.offset * 1000)),
    }


def _media_properties(media: Media) -> dict[str, str]:
    """The rest of the session's media record, which the descriptor has no place for
    (so that importing the document gives the same ``media``)."""
    return {
        "observer.media.file": media.file,
        "observer.media.bytes": str(media.bytes),
        "observer.media.duration": repr(media.duration),
        "observer.media.fps": "" if media.fps is None else repr(media.fps),
        "observer.media.sha256_head_tail": media.sha256_head_tail,
        "observer.media.offset": repr(media.offset),
    }


def _slots(tiers: list[_Tier]) -> tuple[list[int], list[int]]:
    """Time slots in time order, one per annotation boundary (never shared between
    annotations, so moving one in ELAN moves no other). Returns the slot times and,
    for boundary ``2k`` (start) and ``2k + 1`` (end) of the k-th annotation in tier
    order, its slot number."""
    times: list[int] = []
    for tier in tiers:
        if tier.aligned:
            for _number, a, b, _tail_xml in tier.items:
                times.append(a)
                times.append(b)
    order = sorted(range(len(times)), key=times.__getitem__)
    number = [0] * len(times)
    for rank, position in enumerate(order, 1):
        number[position] = rank
    return [times[i] for i in order], number


class _Lines:
    """Lines of the document, handed on as UTF-8 in batches of :data:`BATCH` lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def append(self, line: str) -> None:
        self.lines.append(line)

    def extend(self, lines: Iterable[str]) -> None:
        self.lines.extend(lines)

    def ready(self) -> bool:
        return len(self.lines) >= BATCH

    def take(self) -> bytes:
        data = ("\n".join(self.lines) + "\n").encode("utf-8")
        self.lines = []
        return data


BATCH = 4096
"""Lines of XML per chunk written."""


def _serialise(session: Session, tiers: list[_Tier], count: int, now: datetime) -> Iterator[bytes]:
    """The XML text, written directly: ElementTree needs seconds for 100,000 events.
    Every attribute and text goes through :func:`_attr` / :func:`_text`."""
    book = session.book
    out = _Lines()
    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    root = {
        "AUTHOR": session.observer,
        "DATE": now.astimezone(UTC).isoformat(timespec="seconds"),
        "FORMAT": "3.0",
        "VERSION": "3.0",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
    }
    out.append(_element("ANNOTATION_DOCUMENT", root)[:-2] + ">")
    out.append('    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">')
    if session.media is not None:
        out.append("        " + _element("MEDIA_DESCRIPTOR", _media(session.media)))
    properties = {
        "lastUsedAnnotationId": str(count),
        "observer.session": session.id,
        "observer.dyad": session.dyad,
        "observer.codebook": f"{book.id} {book.version}",
    }
    if session.media is not None:
        properties |= _media_properties(session.media)
    for name, value in properties.items():
        out.append("        " + _element("PROPERTY", {"NAME": name}, value))
    out.append("    </HEADER>")

    times, number = _slots(tiers)
    out.append("    <TIME_ORDER>")
    for i, ms in enumerate(times, 1):
        out.append(f'        <TIME_SLOT TIME_SLOT_ID="ts{i}" TIME_VALUE="{ms}"/>')
        if out.ready():
            yield out.take()
    del times
    out.append("    </TIME_ORDER>")

    boundary = 0
    for tier in tiers:
        if not tier.items:
            out.append("    " + _element("TIER", tier.fields))
            continue
        out.append("    " + _element("TIER", tier.fields)[:-2] + ">")
        if tier.aligned:
            for ann, _a, _b, tail in tier.items:
                ref1, ref2 = number[boundary], number[boundary + 1]
                boundary += 2
                out.append(
                    f'        <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{ann}"'
                    f' TIME_SLOT_REF1="ts{ref1}" TIME_SLOT_REF2="ts{ref2}"{tail}'
                )
                if out.ready():
                    yield out.take()
        else:
            for ann, parent, value in tier.items:
                out.append(
                    f'        <ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a{ann}" ANNOTATION_REF="a{parent}">'
                    f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION>"
                )
                if out.ready():
                    yield out.take()
        tier.items.clear()  # written: let it go
        out.append("    </TIER>")

    cv_attr = {"CONTROLLED_VOCABULARY_REF": book.id}
    for type_id, alignable, extra in (
        (CODE_TYPE, "true", cv_attr),
        (MODIFIER_TYPE, "false", {"CONSTRAINTS": "Symbolic_Association"}),
        (SEGMENT_TYPE, "true", {}),
        (NOTE_TYPE, "true", {}),
        *([(RATING_TYPE, "true", {})] if book.ratings else []),
    ):
        fields = {"LINGUISTIC_TYPE_ID": type_id, "TIME_ALIGNABLE": alignable}
        fields |= {"GRAPHIC_REFERENCES": "false"} | extra
        out.append("    " + _element("LINGUISTIC_TYPE", fields))
    language = {"LANG_DEF": LANG_DEF, "LANG_ID": LANG, "LANG_LABEL": "undetermined (und)"}
    out.append("    " + _element("LANGUAGE", language))
    for stereotype, description in CONSTRAINTS:
        fields = {"DESCRIPTION": description, "STEREOTYPE": stereotype}
        out.append("    " + _element("CONSTRAINT", fields))
    out.append("    " + _element("CONTROLLED_VOCABULARY", {"CV_ID": book.id})[:-2] + ">")
    description = f"{book.title} (codebook {book.id} {book.version})"
    out.append("        " + _element("DESCRIPTION", {"LANG_REF": LANG}, description))
    for code in book.codes:
        out.append("        " + _element("CV_ENTRY_ML", {"CVE_ID": code.id})[:-2] + ">")
        entry = {"DESCRIPTION": code.label, "LANG_REF": LANG}
        out.append("            " + _element("CVE_VALUE", entry, code.id))
        out.append("        </CV_ENTRY_ML>")
    out.append("    </CONTROLLED_VOCABULARY>")
    out.append("</ANNOTATION_DOCUMENT>")
    yield out.take()


def eaf_files(
    sessions: Iterable[Session], *, now: datetime | None = None
) -> Iterator[tuple[str, Iterator[bytes]]]:
    """``(file name, its bytes in pieces)`` for each session as it comes:
    ``<session id>.eaf``. Write one file's pieces before taking the next file.
    ``now``: the documents' ``DATE`` (default: the time of the export)."""
    now = now or datetime.now(UTC)
    for session in sessions:
        yield f"{session.id}.eaf", eaf_chunks(session, now=now)
