"""BORIS projects (``.boris``, plain or gzipped JSON): reading them, and the pieces the
codebook and session builders share (``boris_codebook``, ``boris_keys``,
``boris_sessions``). Facts about the format: ../shared/research/boris.md.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path
from typing import Any

import attrs

from observer import jsonio
from observer.codebook import Codebook
from observer.errors import InputError, Problem
from observer.interchange.boris_formats import upgrade, version_tuple

SUPPORTED_MAJOR = (1, 2, 3, 4, 5, 6, 7, 8)
"""BORIS project format versions read here: every one BORIS itself still opens
(BORIS 7 to 9 write "7.0" and "8.x"; older ones are converted by ``boris_formats``)."""
NO_FOCAL_SUBJECT = "No focal subject"
"""BORIS-App's name for no subject."""
MAX_PROJECT_BYTES = 256 * 1024 * 1024
_KEYED_VALUE = re.compile(r"^(.*?)\s*\((.)\)$")


def where(*parts: str | int) -> str:
    """A JSON path such as ``observations["live 1"].events[3]``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "$"


def read_project(path: Path, notices: list[Problem] | None = None) -> dict[str, Any]:
    """The project's JSON (gunzipped when gzipped), its format version checked and an
    older format converted (what was converted goes to ``notices``)."""
    name = str(path)
    data = jsonio.read_bytes(path, max_bytes=MAX_PROJECT_BYTES)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name)
    raw = _parse(data, name)
    if not isinstance(raw, dict) or "behaviors_conf" not in raw:
        raise InputError.one(name, "$", "not a BORIS project (no behaviors_conf)")
    version = raw.get("project_format_version")
    parsed = version_tuple(version) if "project_format_version" in raw else (0,)
    if parsed is None or (parsed != (0,) and parsed[0] not in SUPPORTED_MAJOR):
        raise InputError.one(
            name,
            "project_format_version",
            f"unsupported BORIS project format version {version!r} (this observer reads"
            " 1.x to 8.x; open and save the project in a recent BORIS first)",
        )
    for message in upgrade(raw):
        if notices is not None:
            notices.append(Problem(name, "project_format_version", f"format {version}: {message}"))
    return raw


def _parse(data: bytes, name: str) -> Any:
    """JSON, or JSON with the bare ``NaN`` BORIS writes (for image-observation times)."""
    try:
        return jsonio.parse_json(data, name)
    except InputError:
        if b"NaN" not in data:
            raise
        try:
            return json.loads(data.decode("utf-8-sig"))
        except (ValueError, RecursionError):
            pass
        raise


def _gunzip(data: bytes, name: str) -> bytes:
    """The gzip member's content; a clear error when it is corrupt, cut short or too large."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, MAX_PROJECT_BYTES + 1)
    except zlib.error as exc:
        raise InputError.one(name, "$", f"not a readable gzip file ({exc})") from None
    if len(out) > MAX_PROJECT_BYTES or inflater.unconsumed_tail:
        limit = f"{MAX_PROJECT_BYTES:,}"
        raise InputError.one(name, "$", f"unpacks to more than {limit} bytes: too large")
    if not inflater.eof:
        raise InputError.one(name, "$", "gzip file is cut short (truncated)")
    return out


def entries(
    raw: dict[str, Any], name: str, file: str, at: str = ""
) -> list[tuple[str, dict[str, Any]]]:
    """A BORIS collection (``{"0": {...}, "1": {...}}``) in index order; ``at`` is the
    JSON path of ``raw`` when it is nested (problems are located from there)."""

    def located(*parts: str) -> str:
        path = where(name, *parts)
        return f"{at}.{path}" if at else path

    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise InputError.one(file, located(), "must be an object")
    bad = [
        Problem(file, located(k), "must be an object")
        for k, v in value.items()
        if not isinstance(v, dict)
    ]
    if bad:
        raise InputError(bad)

    def order(key: str) -> tuple[int, str]:
        return (int(key), "") if key.isdigit() else (1 << 30, key)

    return [(k, value[k]) for k in sorted(value, key=order)]


def subject_of(event: list[Any]) -> str:
    """An event's subject name, '' for none (BORIS writes '' or leaves it out)."""
    subject = event[1] if len(event) > 1 else ""
    name = subject.strip() if isinstance(subject, str) else ""
    return "" if name == NO_FOCAL_SUBJECT else name


def text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    return value.strip() if isinstance(value, str) else ""


@attrs.define
class ModifierSet:
    """One modifier set of one behaviour: kept as ``modifier`` (its values by text) or not."""

    name: str
    kind: str
    modifier: str | None = None
    values: dict[str, str] = attrs.field(factory=dict)


@attrs.define
class Behaviour:
    name: str
    id: str
    kind: str
    key: str
    group: str
    description: str
    excluded: list[str]
    sets: list[ModifierSet]
    codes: dict[str, str] = attrs.field(factory=dict)
    """actor id → code id"""


@attrs.define
class Mapping:
    """How the project's names became the codebook's ids: what the sessions need."""

    codebook: Codebook
    actors: dict[str, str]
    """subject name ('' for none) → actor id"""
    behaviours: dict[str, Behaviour]


def split_key(value: str) -> tuple[str, str]:
    """``"happy (h)"`` → ``("happy", "h")``; stray spaces trimmed; ``""`` when no key."""
    value = value.strip()
    match = _KEYED_VALUE.match(value)
    if match and match.group(1).strip():
        return match.group(1).strip(), match.group(2)
    return value, ""
