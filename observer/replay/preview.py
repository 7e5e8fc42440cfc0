"""The beginning of a large session, read without parsing the rest of the file.

A 50,000-event session file is several megabytes; parsing and validating all of it
takes longer than a replay may keep the terminal waiting. :func:`read_beginning`
reads the document's top-level fields in order with the standard library's
incremental JSON decoder and stops inside ``events`` once it has every event that
starts in the first ``until`` seconds (and at least ``rows`` of them). Events are
stored sorted by start, so nothing later can belong to that stretch.

What it returns is a session document in its own right (the fields read so far,
the events cut short, review entries on later events left out), validated by
``observer.sessionfile`` like any other. It is only ever a preview: the whole file
is still parsed and validated afterwards, and that result (or its problems)
replaces it. Anything unexpected makes it return None, and the caller simply
waits for the whole file.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from observer.errors import InputError

if TYPE_CHECKING:
    from observer.sessionfile import Session

_SPACE = re.compile(r"[ \t\n\r]*")


def _refuse(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _skip(text: str, i: int) -> int:
    """Past the whitespace at ``i``."""
    space = _SPACE.match(text, i)
    return space.end() if space else i


_decode = json.JSONDecoder(parse_constant=_refuse).raw_decode


class _Cut(Exception):
    """The events needed were read: stop reading."""


def first_fields(text: str, *, until: float, rows: int) -> dict[str, Any] | None:
    """The top-level fields of the session document ``text`` up to the cut in
    ``events``, or None if the document was read to its end without a cut (a small
    file: nothing to gain) or is not a plain JSON object."""
    fields: dict[str, Any] = {}
    try:
        i = _skip(text, 0)
        if text[i] != "{":
            return None
        i += 1
        while True:
            i = _skip(text, i)
            if text[i] == "}":
                return None
            key, i = _decode(text, i)
            i = _skip(text, i)
            if not isinstance(key, str) or text[i] != ":":
                return None
            i = _skip(text, i + 1)
            if key == "events" and text[i] == "[":
                events: list[Any] = []
                fields[key] = events
                i = _events(text, i + 1, events, until, rows)
            else:
                fields[key], i = _decode(text, i)
            i = _skip(text, i)
            if text[i] == ",":
                i += 1
            elif text[i] != "}":
                return None
    except _Cut:
        return fields
    except (ValueError, IndexError, RecursionError):
        return None


def _events(text: str, i: int, events: list[Any], until: float, rows: int) -> int:
    """Read array elements into ``events`` from ``i``; raise _Cut when enough are read."""
    while True:
        i = _skip(text, i)
        if text[i] == "]":
            return i + 1
        if len(events) >= rows:
            event, end = _decode(text, i)
            start = event.get("start") if isinstance(event, dict) else None
            if isinstance(start, int | float) and start > until:
                raise _Cut
            events.append(event)
            i = end
        else:
            event, i = _decode(text, i)
            events.append(event)
        i = _skip(text, i)
        if text[i] == ",":
            i += 1
        elif text[i] != "]":
            raise ValueError("expected , or ]")


def read_beginning(data: bytes, file: str, *, until: float, rows: int) -> Session | None:
    """The session in ``data`` cut to its events starting by ``until`` seconds (at
    least ``rows`` of them), validated; None when that is not possible or not worth
    it (a small or malformed file; the full load then says what is wrong)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    fields = first_fields(text, until=until, rows=rows)
    if fields is None:
        return None
    shown = len(fields.get("events", ()))
    reviews = fields.get("reviews")
    if isinstance(reviews, list):
        fields["reviews"] = [
            r
            for r in reviews
            if not isinstance(r, dict) or not isinstance(r.get("event"), int) or r["event"] < shown
        ]
    from observer.sessionfile import session_from_data

    try:
        return session_from_data(fields, file)
    except InputError:
        return None
