"""A hostile codebook and session pair, derived from the models, and the checks that
a screen showed it as data.

Every string field of every attrs record a codebook or a session is made of (found by
walking ``attrs.fields`` of :class:`~observer.codebook.Codebook` and
:class:`~observer.sessionfile.Session`, so a field added to the models is filled too)
gets the most hostile text validation accepts there: Rich/Textual markup (``[/]``,
``[/b]``, a ``[link=file://…]`` and an ``[@click=app.quit]`` action) with control
characters (an OSC 52 clipboard write, a screen clear, a carriage return, a bidi
override), else the markup alone (fields that refuse control characters), else the
markup across lines (prose), else one ``[`` (a key), else it keeps its value (ids,
whose pattern admits no markup). Every number gets the largest value validation
accepts (found by bisection from 1e308 down). The base documents hold at least one
instance of every record, which :func:`reached` checks.

:func:`tripwire` records every string that reaches Rich's or Textual's markup parser
holding a piece of hostile text; :func:`screen_problems` reads what a screen draws
(control characters, links, click actions from data).
"""

from __future__ import annotations

import contextlib
import copy
import re
import types
import typing
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import orjson
import rich.console
import rich.markup
import textual.markup

from observer.codebook import Codebook, codebook_from_data
from observer.errors import InputError
from observer.live.recorder import Recorder, SessionMeta
from observer.sessionfile import (
    Event,
    SegmentSpan,
    Session,
    evaluated_criteria,
    session_from_data,
    unstructure,
    write_session,
)
from observer.structure import converter
from observer.textsafe import has_control
from support.minibook import document

LINK = "[link=file:///etc/passwd]x[/link]"
MARKUP = f"[/][/b][b]{LINK}[@click=app.quit]q[/]"
CONTROLS = "\x1b]52;c;aGk=\x07\x1b[2J\r\x9b\u202e"
TELLS = ("etc/passwd", "app.quit", "aGk=")
"""Pieces only hostile text holds: a markup parse of a string holding one is data read as markup."""


def candidates(n: int) -> list[str]:
    """The hostile texts for one field, most hostile first (numbered: labels may have to
    differ from one another)."""
    return [f"\x1b[2J\x9b{MARKUP}{CONTROLS}{n}", f"{MARKUP}{n}", f"{MARKUP}\n\t{MARKUP}{n}", "["]


def _args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _without_none(tp: Any) -> Any:
    if _is_union(tp):
        rest = [a for a in _args(tp) if a is not type(None)]
        return rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007
    return tp


def _number_kind(tp: Any) -> type | None:
    """int or float for a numeric field (Number: float), else None."""
    tp = _without_none(tp)
    if tp is int:
        return int
    if tp is float or (_is_union(tp) and set(_args(tp)) == {int, float}):
        return float
    return None


def records(cls: type) -> set[type]:
    """Every attrs record reachable from ``cls`` through its fields."""
    found: set[type] = set()

    def visit(tp: Any) -> None:
        if attrs.has(tp) and tp not in found:
            found.add(tp)
            hints = typing.get_type_hints(tp)
            for field in attrs.fields(tp):
                visit(hints[field.name])
        for arg in _args(tp):
            visit(arg)

    visit(cls)
    return found


@attrs.define
class Walk:
    """Fills a raw document field by field; ``accept`` says whether it still validates."""

    root: Any
    accept: Callable[[Any], bool]
    skip: frozenset[tuple[str, str]] = frozenset()
    reached: set[type] = attrs.field(factory=set)
    filled: dict[str, Any] = attrs.field(factory=dict)
    """JSON path → the hostile value it took."""
    n: int = 0

    def record(self, cls: type, data: dict[str, Any], path: str) -> None:
        self.reached.add(cls)
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            if (cls.__name__, field.name) in self.skip:
                continue
            name = field.metadata.get("json", field.name)
            self.value(hints[field.name], data, name, f"{path}.{name}")

    def value(self, tp: Any, holder: Any, key: Any, path: str) -> None:
        inner = _without_none(tp)
        present = (key in holder) if isinstance(holder, dict) else key < len(holder)
        current = holder[key] if present else None
        if _is_union(inner) and isinstance(current, dict):  # ``str | CompositeItem``: the record
            member = next((a for a in _args(inner) if attrs.has(a)), None)
            if member is not None:
                self.record(member, current, path)
                return
        if attrs.has(inner):
            if isinstance(current, dict):
                self.record(inner, current, path)
        elif inner is str:
            self._text(holder, key, path)
        elif _number_kind(inner) is not None:
            self._number(_number_kind(inner), holder, key, path)
        elif typing.get_origin(inner) is tuple and _args(inner)[0] is str and current is None:
            holder[key] = [""]  # a list of texts not in the base: one hostile item, if taken
            self._text(holder[key], 0, f"{path}[0]", drop=True)
            if not holder[key]:
                del holder[key]
        elif typing.get_origin(inner) is tuple and isinstance(current, list):
            for i in range(len(current)):
                self.value(_args(inner)[0], current, i, f"{path}[{i}]")
            if not current and _args(inner)[0] is str:
                current.append("")
                self._text(current, 0, f"{path}[0]", drop=True)
        elif (
            typing.get_origin(inner) is dict
            and isinstance(current, dict)
            and _args(inner)[1] is str
        ):
            for k in list(current):
                self._text(current, k, f"{path}.{k}")

    def _try(self, holder: Any, key: Any, value: Any) -> bool:
        holder[key] = value
        return self.accept(self.root)

    def _first(
        self, holder: Any, key: Any, path: str, values: Iterator[Any], *, drop: bool
    ) -> None:
        """Keep the first of ``values`` the document accepts at ``holder[key]``, else
        put back what was there (``drop``: a list item added for the walk, removed)."""
        was = key in holder if isinstance(holder, dict) else not drop
        before = holder[key] if was else None
        for value in values:
            if self._try(holder, key, value):
                self.filled[path] = value
                return
        if was:
            holder[key] = before
        else:
            holder.pop(key)

    def _text(self, holder: Any, key: Any, path: str, *, drop: bool = False) -> None:
        self.n += 1
        self._first(holder, key, path, iter(candidates(self.n)), drop=drop)

    def _number(self, kind: type | None, holder: Any, key: Any, path: str) -> None:
        make: Callable[[float], Any] = int if kind is int else float
        self._first(holder, key, path, self._largest(holder, key, make), drop=False)

    def _largest(self, holder: Any, key: Any, make: Callable[[float], Any]) -> Iterator[Any]:
        """1e308, else the largest number accepted (a power of ten found by bisection,
        then the next digits), else nothing."""
        yield make(1e308)
        low_k, high_k = 0, 307
        while low_k < high_k:
            mid_k = (low_k + high_k + 1) // 2
            accepted = self._try(holder, key, make(10.0**mid_k))
            low_k, high_k = (mid_k, high_k) if accepted else (low_k, mid_k - 1)
        if not self._try(holder, key, make(10.0**low_k)):
            return
        lo, hi = 10.0**low_k, 10.0 ** (low_k + 1)
        for _ in range(20):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self._try(holder, key, make(mid)) else (lo, mid)
        yield make(lo)


def _accepts(check: Callable[[Any, str], object], crashes: list[str]) -> Callable[[Any], bool]:
    def accept(raw: Any) -> bool:
        try:  # as a file holds it: what JSON (orjson) cannot write, no file holds
            data = orjson.loads(orjson.dumps(raw))
        except TypeError:
            return False
        try:
            check(data, "hostile.json")
        except InputError:
            return False
        except Exception as error:  # a crash in validation: reported by the test
            crashes.append(f"{type(error).__name__}: {error}")
            return False
        return True

    return accept


def _base_book() -> dict[str, Any]:
    """The mini codebook with what it lacks (anchors, a category and a check rating, a
    forced alternative, an allocation, a composite with a reverse-keyed item, time
    sampling, a criterion with a count and a ratio rule, a response window), so every record and field of
    the format is there to fill."""
    raw = document()
    raw["ratings"][0]["anchors"] = {"1": "low", "7": "high"}
    raw["ratings"] += [
        {
            "id": "classification",
            "label": "c",
            "kind": "category",
            "values": [{"id": "B", "label": "b", "class": "secure"}, {"id": "A", "class": "x"}],
        },
        {
            "id": "forced",
            "label": "f",
            "kind": "category",
            "alternative_to": "classification",
            "values": [{"id": "B", "label": "b"}, {"id": "A", "label": "a"}],
        },
        {"id": "checked", "label": "c", "kind": "check"},
        {
            "id": "pattern",
            "label": "p",
            "kind": "allocation",
            "total": 14,
            "parts": [
                {"id": "warm", "label": "w", "description": "d"},
                {"id": "cold", "label": "c", "max": 14, "description": "d"},
            ],
        },
    ]
    raw["composites"] = [
        {
            "id": "total",
            "label": "t",
            "of": ["cg-sensitivity", {"rating": "checked", "reverse": True}],
        }
    ]
    raw["sampling"] = {"every_s": 5, "codes": ["ch-avoid"], "prompt": "p", "bell": True}
    first, second = (c["id"] for c in raw["codes"][:2])
    raw["criteria"] = [
        {
            "id": "target",
            "label": "t",
            "segment": raw["segments"][0]["id"],
            "rules": [
                {"codes": [first], "min": 1, "max": 50},
                {"ratio": {"of": [first], "to": [second]}, "min": 0.5},
            ],
        }
    ]
    raw["windows"] = [
        {"after": "cg-praise", "within_s": 5, "responses": ["ch-cry"], "broken_by": ["cg-touch"]}
    ]
    return raw


BOOK_FIXED = frozenset({("Sampling", "every_s")})
"""Left as made: the sampling interval (the sessions' scans fall on its instants)."""


@attrs.frozen
class Hostile:
    book: Codebook
    sessions: tuple[dict[str, Any], ...]
    """Raw: A (complete, with media and reviews of every kind), B (imported, another
    observer), C (a consensus of the two)."""
    walks: tuple[Walk, ...]
    """The codebook's walk, then each session's."""
    crashes: tuple[str, ...]
    """Exceptions other than InputError that validation raised on a hostile value."""

    def files(self, folder: Path) -> tuple[Path, ...]:
        """The sessions written in ``folder`` (A, B, C)."""
        folder.mkdir(parents=True, exist_ok=True)
        return tuple(
            write_session(folder, session_from_data(copy.deepcopy(raw), "hostile.json"))
            for raw in self.sessions
        )


def _session(book: Codebook, observer: str, seed: int) -> dict[str, Any]:
    rec = Recorder(book, SessionMeta(f"20260101T100000Z-D1-{observer}", "D1", observer))
    rec.toggle_clock(100.0)
    rec.segment("free-play", 100.5)
    for i, key in enumerate("[1nc" + "t2h" * seed + "pv"):
        rec.key(key, 101.0 + i)
    rec.end(120.0)
    raw: dict[str, Any] = orjson.loads(orjson.dumps(unstructure(rec.session())))
    return raw


WHEN = "2026-01-05T11:00:00+00:00"


def _dress(raw: dict[str, Any], kind: str, book: Codebook) -> None:
    """Every optional block of a session, so each record is reached."""
    raw["label"] = "l"
    raw["notes"] = [{"t": 3.0, "text": "n"}, {"t": 4.0, "text": "s", "kind": "sync"}]
    raw["pauses"] = [{"at": 2.0, "wall_s": 1.0}]
    raw["pair"] = {
        "id": "clinic-a-0f1e2d",
        "role": "primary",
        "partner": "o2",
    }  # coded live in a pair
    raw["segments"] = [
        {"segment": "free-play", "start": 0.0, "end": 10.0},
        {"segment": "cleanup", "start": 10.0, "end": None},
    ]
    raw["ratings"] = {
        "cg-sensitivity": 7,
        "ch-proximity": {"free-play": 5},
        "classification": "B",
        "forced": "A",
        "checked": True,
        "pattern": _allocated(book),
    }
    raw["scans"] = [
        {"t": 5.0, "stream": "proximity/child", "code": "ch-avoid"},
        {"t": 10.0, "stream": "proximity/child", "code": None},
    ]
    fix = {"action": "add", "code": "cg-praise", "start": 2.0, "end": None, "modifiers": {}}
    raw["reviews"] = [
        {
            "id": "r1",
            "kind": "comment",
            "reviewer": "s",
            "created_at": WHEN,
            "t": 1.0,
            "text": "c",
            "link": {"entry": "0" * 64, "prev": "", "events": "0" * 64},
        },
        {"id": "r2", "kind": "flag", "reviewer": "s", "created_at": WHEN, "t": 1.0, "event": 0},
        {
            "id": "r3",
            "kind": "correction",
            "reviewer": "s",
            "created_at": WHEN,
            "t": 1.0,
            "text": "x",
            "event": 1,
            "correction": {"action": "recode", "code": "cg-near"},
            "edited_at": WHEN,
        },
        {
            "id": "r4",
            "kind": "correction",
            "reviewer": "s",
            "created_at": WHEN,
            "t": 2.0,
            "correction": fix,
        },
    ]
    raw["trail"] = {"entries": 1, "last": "0" * 64}  # the review trail's end (a broken one)
    raw["media"] = {
        "file": "v.mp4",
        "bytes": 10,
        "duration": 30.0,
        "fps": 25.0,
        "sha256_head_tail": "0" * 64,
    }
    if kind == "imported":
        raw["status"] = "imported"
        raw["imported_from"] = {"format": "csv", "file": "x.csv", "sha256": "0" * 64}
    if kind == "consensus":
        raw["id"] += "-consensus"
        raw["status"] = "consensus"
        source = {"id": raw["id"], "observer": "o", "sha256": "0" * 64}
        raw["consensus"] = {
            "a": source,
            "b": dict(source),
            "tolerance": 2.0,
            "events": [
                {"source": "a", "a": i, "b": None, "decided_by": "s", "decided_at": WHEN}
                for i in range(len(raw["events"]))
            ],
        }


def _allocated(book: Codebook) -> dict[str, int]:
    """The hostile codebook's allocation, its total spread over the parts in order."""
    rating = book.rating_by_id["pattern"]
    left = rating.total or 0
    out = {}
    for part in rating.parts:
        out[part.id] = min(left, rating.part_max(part))
        left -= out[part.id]
    return out


def _reevaluate(raw: dict[str, Any], book: Codebook) -> None:
    """The stored ``criteria`` of the dressed session (its segments changed): what its
    events give, as the recorder writes them (loading checks them against the events)."""
    events = [Event(e["code"], e["start"], e["end"]) for e in raw["events"]]
    spans = [SegmentSpan(s["segment"], s["start"], s["end"]) for s in raw["segments"]]
    figures = evaluated_criteria(book, events, spans, raw["duration"])
    raw["criteria"] = orjson.loads(orjson.dumps(converter.unstructure(figures)))


FIXED = frozenset({("Session", "codebook"), ("Session", "id"), ("Session", "schema")})
"""Left as made: the embedded codebook (the hostile one already), the id (the file's
name), the schema."""


@cache
def hostile() -> Hostile:
    """The hostile set (made once per test process: the walk validates many times)."""
    crashes: list[str] = []
    raw = _base_book()
    book_walk = Walk(raw, _accepts(codebook_from_data, crashes), skip=BOOK_FIXED)
    assert book_walk.accept(raw), "the base codebook must validate"
    book_walk.record(Codebook, raw, "$")
    book = codebook_from_data(raw, "hostile.json")
    sessions, walks = [], [book_walk]
    for observer, seed, kind in (
        ("obs1", 1, ""),
        ("obs2", 2, "imported"),
        ("obs1", 1, "consensus"),
    ):
        session = _session(book, observer, seed)
        _dress(session, kind, book)
        _reevaluate(session, book)
        walk = Walk(session, _accepts(session_from_data, crashes), skip=FIXED)
        assert walk.accept(session), "a base session must validate"
        walk.record(Session, session, "$")
        sessions.append(session)
        walks.append(walk)
    return Hostile(book, tuple(sessions), tuple(walks), tuple(crashes))


# --- what reached the markup parser, and what a screen draws -----------------------------


@contextlib.contextmanager
def tripwire() -> Iterator[list[str]]:
    """Every string holding hostile text that Rich or Textual parsed as markup."""
    parsed: list[str] = []
    to_content, render = textual.markup.to_content, rich.markup.render

    def watch(markup: Any) -> None:
        if isinstance(markup, str) and any(tell in markup for tell in TELLS):
            parsed.append(markup)

    def to_content_watched(markup: str, *args: Any, **kwargs: Any) -> Any:
        watch(markup)
        return to_content(markup, *args, **kwargs)

    def render_watched(markup: str, *args: Any, **kwargs: Any) -> Any:
        watch(markup)
        return render(markup, *args, **kwargs)

    patches = [
        (textual.markup, "to_content", to_content_watched),
        (rich.markup, "render", render_watched),
        (rich.console, "render_markup", render_watched),
    ]
    with contextlib.ExitStack() as stack:
        for module, name, new in patches:
            old = getattr(module, name)
            setattr(module, name, new)
            stack.callback(setattr, module, name, old)
        yield parsed


_KEY_NAME = re.compile(r"[a-z0-9_+]+|[^\s]")
"""What a target presses: a Textual key name (ctrl+z, f2, space, comma) or a character."""


def screen_problems(app: Any) -> list[str]:
    """What the app's screen draws that data must never make: a control character, a
    link, a click action. Empty when the screen is clean."""
    problems = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text, style = segment.text, segment.style
            if has_control(text):
                problems.append(f"row {y}: control character in {text!r}")
            if style is not None and style.link:
                problems.append(f"row {y}: link {style.link!r}")
            if style is not None and "app.quit" in repr(style.meta):
                problems.append(f"row {y}: click action {style.meta!r}")
            if style is not None and "@click" in style.meta:
                problems.append(f"row {y}: click action {style.meta!r}")
            press = style.meta.get("observer_press") if style is not None else None
            if press is not None and not _KEY_NAME.fullmatch(str(press)):
                problems.append(f"row {y}: a target pressing {press!r}, not a key")
    return problems


def screen_text(app: Any) -> str:
    return "\n".join(
        "".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()
    )
