"""A codebook derived from what a source file names, for imports without ``--codebook``.

The importers gather each code (its label, actor, group, kind and modifiers), each
modifier's values and each segment as they read; :func:`derived_codebook` turns them
into a valid codebook: ids made safe (:func:`slug`), a key for every code and every
modifier value (never a reserved key; a used modifier's value keys are not code keys),
labels kept as the source spelled them.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from observer.codebook import RESERVED_KEYS, Codebook, codebook_from_data
from observer.errors import InputError

MAX_ID = 40
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


@functools.lru_cache(maxsize=4096)  # called for each cell / row: a source repeats its names
def slug(text: str, fallback: str = "x") -> str:
    """``text`` as a codebook id: lower case, ``[a-z0-9._-]``, at most 40 characters,
    starting with a letter or digit."""
    out = _UNSAFE.sub("-", text.lower()).strip("._-")[:MAX_ID].strip("._-")
    return out or fallback


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` ... the first not in ``taken`` (then taken)."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base[: MAX_ID - 1 - len(str(n))]}-{n}"
    taken.add(candidate)
    return candidate


@attrs.define
class Found:
    """What a source file names, gathered while it is read (ids already safe)."""

    codes: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    modifiers: dict[str, dict[str, str]] = attrs.field(factory=dict)
    """modifier id -> {value id: label}"""
    segments: dict[str, str] = attrs.field(factory=dict)

    def code(
        self, code_id: str, *, label: str, actor: str, group: str, kind: str = "state"
    ) -> dict[str, Any]:
        return self.codes.setdefault(
            code_id,
            {"id": code_id, "label": label, "actor": actor, "group": group, "kind": kind,
             "modifiers": []},
        )  # fmt: skip

    _ids: dict[str, dict[str, str]] = attrs.field(factory=dict, init=False, repr=False)
    """modifier id -> {label: the first value id spelled so}, kept by :meth:`value`."""
    _taken: dict[str, set[str]] = attrs.field(factory=dict, init=False, repr=False)
    """modifier id -> its value ids, and one :meth:`value_id` just gave out."""

    def value(self, code_id: str, modifier: str, value_id: str, label: str) -> None:
        """Record that ``code_id`` took ``value_id`` (spelled ``label``) of ``modifier``."""
        known = self.modifiers.setdefault(modifier, {})
        if value_id not in known:
            known[value_id] = label
            self._ids.setdefault(modifier, {}).setdefault(label, value_id)
            self._taken.setdefault(modifier, set()).add(value_id)
        mods = self.codes[code_id]["modifiers"]
        if modifier not in mods:
            mods.append(modifier)

    def value_id(self, modifier: str, label: str, base: str) -> str:
        """The id of ``modifier``'s value spelled ``label``: the one recorded, else ``base``
        made unique among its values' (for :meth:`value` to record next). A dictionary
        lookup each, not a scan of the values: a source may give thousands."""
        known = self._ids.get(modifier, {}).get(label)
        if known is not None:
            return known
        return unique(base, self._taken.setdefault(modifier, set()))


def _keys(exclude: Iterable[str] = ()) -> list[str]:
    skip = set(RESERVED_KEYS) | set(exclude)
    pool = string.ascii_lowercase + string.ascii_uppercase + string.digits + string.punctuation
    extra = (chr(c) for c in range(0xC0, 0x2B0) if chr(c).isprintable())
    return [c for c in (*pool, *extra) if c not in skip]


def derived_codebook(source: Path, found: Found) -> Codebook:
    """The codebook holding everything ``found`` names, with keys given out in order."""
    codes = [dict(c) for c in found.codes.values()]
    pool = _keys()
    if len(codes) > len(pool):
        raise InputError.one(
            str(source), "$", f"names {len(codes)} different codes, more than a derived"
            f" codebook has keys for ({len(pool)}): give --codebook",
        )  # fmt: skip
    keys = iter(pool)
    for code in codes:
        code["key"] = next(keys)
        if not code["modifiers"]:
            del code["modifiers"]
    code_keys = {c["key"] for c in codes}
    document: dict[str, Any] = {
        "schema": "observer.codebook/1",
        "id": "imported-" + slug(source.stem),
        "version": "1.0.0",
        "title": f"Codes found in {source.name}",
        "actors": [{"id": a, "label": a} for a in dict.fromkeys(c["actor"] for c in codes)],
        "groups": [{"id": g, "label": g} for g in dict.fromkeys(c["group"] for c in codes)],
        "codes": codes,
    }
    room = len(_keys(code_keys))
    for m, values in found.modifiers.items():
        if len(values) > room:
            raise InputError.one(
                str(source), "$", f"modifier {m!r} takes {len(values)} different values, more"
                f" than a derived codebook has keys for ({room}): give --codebook",
            )  # fmt: skip
    if found.modifiers:
        document["modifiers"] = [
            {"id": m, "label": m, "values": [
                {"id": v, "label": label, "key": key}
                for (v, label), key in zip(values.items(), _keys(code_keys), strict=False)
            ]}
            for m, values in found.modifiers.items()
        ]  # fmt: skip
    if found.segments:
        document["segments"] = [{"id": s, "label": label} for s, label in found.segments.items()]
    return codebook_from_data(document, f"{source} (derived codebook)")
