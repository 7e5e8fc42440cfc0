"""Sessions coded with two versions of one codebook, compared through a mapping file.

A codebook changes between the waves of a study: a code renamed, split off, dropped.
A mapping file says how the older version's codes read in the newer one::

    {"from": "dpics-style@1.0.0", "to": "dpics-style@1.1.0",
     "codes": {"pa-question": "pa-info-question", "pa-old": null}}

A session coded with ``from`` is read as if coded with ``to``: each event's code is
renamed through ``codes`` (a code mapped to ``null`` is left out; a code not named
keeps its id, which ``to`` must then have with the same kind and stream), and the
session then carries the ``to`` codebook, so it is checked again as a session of that
codebook (a modifier value or segment the new version lacks is a problem with its
path). Ratings whose items ``to`` does not have are left out and said so. The
``to`` codebook is a bundled one of that id and version, or else the codebook of the
first session given that is coded with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from observer import jsonio
from observer.codebook import ID_PATTERN, Codebook, bundled_paths, load_codebook
from observer.errors import InputError, Problem
from observer.sessionfile import Session, load_session, session_from_data, unstructure
from observer.wording import plural

MAX_MAP_BYTES = 1 << 20
_NAME = re.compile(rf"^({ID_PATTERN.pattern.strip('^$')})@([^@\s]{{1,64}})$")


@attrs.frozen
class VersionMap:
    """A validated mapping file (``--codebook-map``)."""

    file: str
    from_id: str
    from_version: str
    to_id: str
    to_version: str
    codes: dict[str, str | None]

    @property
    def source(self) -> str:
        return f"{self.from_id}@{self.from_version}"

    @property
    def target(self) -> str:
        return f"{self.to_id}@{self.to_version}"

    def applies_to(self, session: Session) -> bool:
        return (session.codebook.id, session.codebook.version) == (self.from_id, self.from_version)

    def is_target(self, session: Session) -> bool:
        return (session.codebook.id, session.codebook.version) == (self.to_id, self.to_version)


def load_map(path: Path) -> VersionMap:
    """Read and check a mapping file's shape; raise InputError listing every problem."""
    raw = jsonio.read_json(path, max_bytes=MAX_MAP_BYTES, unique_keys=True)
    file = str(path)
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise InputError.one(file, "$", "must be an object with from, to and codes")
    for key in raw:
        if key not in ("from", "to", "codes"):
            problems.append(Problem(file, key, "unknown field (from, to and codes are known)"))
    names: list[tuple[str, str]] = []
    for key in ("from", "to"):
        value = raw.get(key)
        match = _NAME.match(value) if isinstance(value, str) else None
        if match is None:
            problems.append(Problem(file, key, "must be a codebook as id@version"))
        else:
            names.append((match[1], match[2]))
    codes = raw.get("codes", {})
    if not isinstance(codes, dict):
        problems.append(Problem(file, "codes", "must be an object: old code id → new id or null"))
        codes = {}
    for old, new in codes.items():
        if new is not None and not isinstance(new, str):
            problems.append(Problem(file, f"codes.{old}", "must be a code id or null"))
    if len(names) == 2 and names[0][0] != names[1][0]:
        problems.append(Problem(file, "to", "must be a version of the same codebook as from"))
    if len(names) == 2 and names[0] == names[1]:
        problems.append(Problem(file, "to", "is the same version as from"))
    if problems:
        raise InputError(problems)
    (from_id, from_version), (to_id, to_version) = names
    return VersionMap(file, from_id, from_version, to_id, to_version, dict(codes))


def check_map(vmap: VersionMap, old: Codebook, new: Codebook) -> list[Problem]:
    """The mapping against the two codebooks: every code it names exists, and every
    code of the old version reads as a code of the new one of the same kind and stream."""
    problems: list[Problem] = []
    p = vmap.file
    for named, to in vmap.codes.items():
        if named not in old.code_by_id:
            problems.append(Problem(p, f"codes.{named}", f"not a code of {vmap.source}"))
        elif to is not None and to not in new.code_by_id:
            problems.append(Problem(p, f"codes.{named}", f"{to!r} is not a code of {vmap.target}"))
    for code in old.codes:
        if code.id in vmap.codes and vmap.codes[code.id] is None:
            continue
        target = vmap.codes.get(code.id) or code.id
        theirs = new.code_by_id.get(target)
        if theirs is None:
            if code.id not in vmap.codes:
                message = (
                    f"code {code.id!r} of {vmap.source} is not in {vmap.target}: "
                    "map it to a code, or to null to leave it out"
                )
                problems.append(Problem(p, "codes", message))
        elif (theirs.kind, theirs.stream) != (code.kind, code.stream):
            where = f"codes.{code.id}" if code.id in vmap.codes else "codes"
            message = (
                f"{code.id!r} ({code.kind}) reads as {target!r} ({theirs.kind}) "
                "of another kind or stream"
            )
            problems.append(Problem(p, where, message))
    return problems


class Mapper:
    """Reads sessions of the map's older version as sessions of its newer one."""

    def __init__(self, vmap: VersionMap, target: Codebook) -> None:
        self.vmap, self.target = vmap, target
        self.mapped = 0
        self.left_out: set[str] = set()

    def __call__(self, name: str, session: Session) -> Session:
        if not self.vmap.applies_to(session):
            return session
        problems = check_map(self.vmap, session.book, self.target)
        if problems:
            raise InputError(problems)
        data = unstructure(session)
        events = []
        for event in data["events"]:
            code = self.vmap.codes.get(event["code"], event["code"])
            if code is None:
                continue
            events.append({**event, "code": code})
        data["events"] = events
        kept = {r.id for r in self.target.ratings}
        self.left_out.update(k for k in data.get("ratings", {}) if k not in kept)
        data["ratings"] = {k: v for k, v in data.get("ratings", {}).items() if k in kept}
        book = self.target
        data["codebook"] = {
            "id": book.id,
            "version": book.version,
            "sha256": book.sha256,
            "document": book.document,
        }
        self.mapped += 1
        return session_from_data(data, f"{name} (read as {self.vmap.target})")

    def said(self) -> str:
        """What the mapping did, for the command's output ("" when it did nothing)."""
        if not self.mapped:
            return ""
        line = (
            f"{plural(self.mapped, 'session')} coded with {self.vmap.source} read as "
            f"{self.vmap.target} through {self.vmap.file}"
        )
        if self.left_out:
            line += (
                f"; ratings not in {self.vmap.target} left out: {', '.join(sorted(self.left_out))}"
            )
        return line


def mapper(vmap: VersionMap, paths: Iterable[Path]) -> Mapper:
    """The mapper of ``vmap``, its ``to`` codebook found among the bundled codebooks
    or else in the first of ``paths`` coded with it."""
    return Mapper(vmap, _target(vmap, paths))


def _target(vmap: VersionMap, paths: Iterable[Path]) -> Codebook:
    for path in bundled_paths():
        raw: Any = jsonio.read_json(path)
        if isinstance(raw, dict) and (raw.get("id"), raw.get("version")) == (
            vmap.to_id,
            vmap.to_version,
        ):
            return load_codebook(path)
    for path in paths:
        try:
            session = load_session(path)
        except InputError:
            continue  # its problems are reported when it is read
        if vmap.is_target(session):
            return session.book
    raise InputError.one(
        vmap.file,
        "to",
        f"no bundled codebook and none of the sessions given is {vmap.target}",
    )
