"""Shared helpers for the analysis tests: a small codebook, hand-made sessions, and
a minimal reader of the shared BORIS fixture (its observations as sessions)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from observer.codebook import Codebook, codebook_from_data
from observer.sessionfile import SCHEMA, Event, Session
from observer.synthetic import codebook_ref
from support import minibook

BORIS_FIXTURE = Path(__file__).resolve().parents[3] / "shared/fixtures/boris/synthetic_1000.boris"


def book_document(extra_actor: bool = False) -> dict[str, Any]:
    """The mini codebook (``support.minibook``) with the codes, ratings and segments the
    expected statistics are worked out on (three groups, two of states; no modifiers);
    ``extra_actor``: a sibling with a point code of its own as well."""
    doc = minibook.document(
        id="analysis-test",
        title="Analysis test codebook",
        modifiers=None,
        groups=[
            {"id": "mood", "label": "Mood", "exclusive": True},
            {"id": "acts", "label": "Acts"},
            {"id": "play", "label": "Play"},
        ],
        codes=[
            {
                "id": "calm",
                "label": "Calm",
                "group": "mood",
                "actor": "child",
                "kind": "state",
                "key": "c",
            },
            {
                "id": "upset",
                "label": "Upset",
                "group": "mood",
                "actor": "child",
                "kind": "state",
                "key": "u",
            },
            {
                "id": "praise",
                "label": "Praise",
                "group": "acts",
                "actor": "caregiver",
                "kind": "point",
                "key": "p",
            },
            {
                "id": "touch",
                "label": "Touch",
                "group": "acts",
                "actor": "caregiver",
                "kind": "point",
                "key": "t",
            },
            {
                "id": "toy",
                "label": "Toy",
                "group": "play",
                "actor": "child",
                "kind": "state",
                "key": "y",
            },
            {
                "id": "look",
                "label": "Look",
                "group": "play",
                "actor": "child",
                "kind": "state",
                "key": "l",
            },
        ],
        ratings=[
            {"id": "sens", "label": "Sensitivity", "min": 1, "max": 7},
            {"id": "prox", "label": "Proximity", "min": 1, "max": 7, "scope": "segment"},
        ],
        segments=[{"id": "s1", "label": "One"}, {"id": "s2", "label": "Two"}],
    )
    if extra_actor:
        doc["actors"].append({"id": "sibling", "label": "Sibling"})
        doc["groups"].append({"id": "sib", "label": "Sibling acts"})
        doc["codes"].append(
            {
                "id": "sib-wave",
                "label": "Wave",
                "group": "sib",
                "actor": "sibling",
                "kind": "point",
                "key": "w",
            }
        )
    return doc


BOOK: Codebook = codebook_from_data(book_document(), "analysis-test")


def session(
    events: Iterable[tuple[str, float, float | None]],
    *,
    duration: float = 10.0,
    observer: str = "obs1",
    dyad: str = "D001",
    book: Codebook = BOOK,
    ratings: dict[str, Any] | None = None,
) -> Session:
    evs = tuple(sorted((Event(c, s, e) for c, s, e in events), key=lambda e: e.start))
    return Session(
        schema=SCHEMA,
        id=f"S-{dyad}-{observer}",
        status="complete",
        codebook=codebook_ref(book),
        dyad=dyad,
        observer=observer,
        started_at="2026-01-05T10:00:00+00:00",
        ended_at="2026-01-05T10:01:00+00:00",
        duration=duration,
        events=evs,
        ratings=ratings or {},
    )


def with_book(s: Session, book: Codebook) -> Session:
    return attrs.evolve(s, codebook=codebook_ref(book))


def boris_sessions(path: Path = BORIS_FIXTURE) -> dict[str, Session]:
    """The fixture's live observations: start/stop pairs by counting per subject + code."""
    data = json.loads(path.read_text())
    subjects = [s["name"] for s in data["subjects_conf"].values()]
    behaviours = {b["code"]: b for b in data["behaviors_conf"].values()}
    keys = iter("abcdefghijklmnopqrstuvwxyz0123456789")
    codes = [
        {
            "id": f"{subject}.{name}",
            "label": name,
            "group": f"g-{subject}",
            "actor": subject,
            "kind": "state" if "State" in b["type"] else "point",
            "key": next(keys),
        }
        for subject in subjects
        for name, b in behaviours.items()
    ]
    doc = {
        "schema": "observer.codebook/1",
        "id": "boris-fixture",
        "version": "1",
        "title": "BORIS fixture",
        "actors": [{"id": s, "label": s} for s in subjects],
        "groups": [{"id": f"g-{s}", "label": s} for s in subjects],
        "codes": codes,
    }
    book = codebook_from_data(doc, "boris-fixture")
    out: dict[str, Session] = {}
    for name, observation in data["observations"].items():
        running: dict[str, float] = {}
        events: list[tuple[str, float, float | None]] = []
        for t, subject, code, _modifiers, _comment in sorted(
            observation["events"], key=lambda e: e[0]
        ):
            cid = f"{subject}.{code}"
            if "State" not in behaviours[code]["type"]:
                events.append((cid, float(t), None))
            elif cid in running:
                events.append((cid, running.pop(cid), float(t)))
            else:
                running[cid] = float(t)
        assert not running
        end = max(e if e is not None else s for _, s, e in events)
        out[name] = attrs.evolve(session(events, duration=end, observer=name, book=book), id=name)
    return out


def imported_boris(path: Path) -> dict[str, Session]:
    """A BORIS project's observations as observer's own importer makes them, by session id."""
    from observer.errors import Problem
    from observer.interchange.boris import read_project
    from observer.interchange.boris_codebook import build_codebook
    from observer.interchange.boris_sessions import build_sessions

    notices: list[Problem] = []
    raw = read_project(path, notices)
    mapping = build_codebook(raw, path, notices)
    return {s.id: s for s in build_sessions(raw, mapping, str(path), notices)}
