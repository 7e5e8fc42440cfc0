"""The codebook's rules for its header, codes, modifiers and segments.

Each section is one function ``check(raw, p)`` yielding problems with JSON paths;
``observer.codebook.RULES`` lists them (a new block of the format is one module of
rules and one line there). A reference is checked only against a list that is a list
(else that is the fault).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from observer.codebook.model import (
    CONTROL,
    ID_PATTERN,
    MULTILINE_CONTROL,
    PROSE,
    RESERVED_KEYS,
)
from observer.codebook.raw import ids, items, number, string
from observer.errors import Problem, ProblemAt, join_path
from observer.filenames import portable_problem
from observer.structure import MAX_SECONDS

LISTS = (
    "actors",
    "groups",
    "codes",
    "modifiers",
    "ratings",
    "segments",
    "composites",
    "criteria",
)
NOT_EMPTY = ("actors", "groups", "codes")


def check_header(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Version, title and id; every list's ids and labels; control characters anywhere."""
    for name in ("version", "title"):
        value = string(raw, name)
        if value is not None and not value.strip():
            yield p(name, "must not be empty")
    cb_id = string(raw, "id")
    if cb_id is not None and not ID_PATTERN.fullmatch(cb_id):
        yield p("id", f"{cb_id!r} is not a valid id (use a-z, 0-9, '.', '_', '-')")
    elif cb_id is not None and (problem := portable_problem(cb_id)) is not None:
        yield p("id", problem)
    for name in LISTS:
        if name in NOT_EMPTY and raw.get(name) == []:
            yield p(name, "must list at least one entry")
        yield from check_ids(name, items(raw, name), p)
        for i, item in items(raw, name):
            label = string(item, "label")
            if label is not None and not label.strip():
                yield p(f"{name}[{i}].label", "must not be empty")
    yield from check_text(raw, "$", p)


def code_keys(raw: dict[str, Any]) -> dict[str, int]:
    """Each code key with the index of the first code that has it."""
    first: dict[str, int] = {}
    for i, code in items(raw, "codes"):
        key = string(code, "key")
        if key is not None and key not in first:
            first[key] = i
    return first


def check_codes(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Each code's actor, group, key and modifiers."""
    actors = ids(raw, "actors")
    groups = {string(g, "id"): g for _, g in items(raw, "groups")}
    groups_known = isinstance(raw.get("groups"), list)
    modifiers = ids(raw, "modifiers", default=[])
    first_key = code_keys(raw)
    for i, code in items(raw, "codes"):
        at = f"codes[{i}]"
        actor, group_id, key = string(code, "actor"), string(code, "group"), string(code, "key")
        if actor is not None and actors is not None and actor not in actors:
            yield p(f"{at}.actor", f"unknown actor {actor!r}")
        if group_id is not None and groups_known:
            group = groups.get(group_id)
            if group is None:
                yield p(f"{at}.group", f"unknown group {group_id!r}")
            elif group.get("exclusive") is True and code.get("kind") == "point":
                yield p(f"{at}.kind", f"exclusive group {group_id!r} holds only state codes")
        if key is not None:
            yield from check_key(f"{at}.key", key, p)
            if first_key[key] != i:
                yield p(f"{at}.key", f"duplicate key {key!r} (also codes[{first_key[key]}])")
        yield from _code_modifiers(at, code, modifiers, p)


def _code_modifiers(
    at: str, code: dict[str, Any], modifiers: set[str | None] | None, p: ProblemAt
) -> Iterator[Problem]:
    mods = code.get("modifiers")
    seen: set[str] = set()
    for k, mod in enumerate(mods if isinstance(mods, list) else []):
        if not isinstance(mod, str):
            continue
        if modifiers is not None and mod not in modifiers:
            yield p(f"{at}.modifiers[{k}]", f"unknown modifier {mod!r}")
        if mod in seen:
            yield p(f"{at}.modifiers[{k}]", f"modifier {mod!r} listed twice")
        seen.add(mod)


def used_modifiers(raw: dict[str, Any]) -> set[str]:
    """The modifier ids some code lists."""
    used: set[str] = set()
    for _, code in items(raw, "codes"):
        mods = code.get("modifiers")
        used.update(m for m in (mods if isinstance(mods, list) else []) if isinstance(m, str))
    return used


def check_modifiers(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Each modifier's values and their keys (a used modifier's key is no code key)."""
    first_key = code_keys(raw)
    used = used_modifiers(raw)
    for i, modifier in items(raw, "modifiers"):
        at = f"modifiers[{i}]"
        values = items(modifier, "values")
        if modifier.get("values") == []:
            yield p(f"{at}.values", "must list at least one value")
        yield from check_ids(f"{at}.values", values, p)
        keys: dict[str, int] = {}
        for k, entry in values:
            key = string(entry, "key")
            if key is None:
                continue
            vat = f"{at}.values[{k}].key"
            yield from check_key(vat, key, p)
            if key in keys:
                yield p(vat, f"duplicate key {key!r} (also {at}.values[{keys[key]}])")
            else:
                keys[key] = k
            if key in first_key and string(modifier, "id") in used:
                yield p(
                    vat,
                    f"key {key!r} is also the key of codes[{first_key[key]}]"
                    " (the key after a code would be ambiguous)",
                )


def check_segments(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """Each segment's planned length; one that ends itself has one."""
    for i, segment in items(raw, "segments"):
        planned = number(segment, "planned_s")
        if segment.get("ends") == "planned" and segment.get("planned_s") is None:
            yield p(f"segments[{i}].ends", "'planned' needs planned_s (the length it stops at)")
        if planned is not None and planned <= 0:
            yield p(f"segments[{i}].planned_s", "must be greater than 0")
        elif planned is not None and not planned <= MAX_SECONDS:
            yield p(f"segments[{i}].planned_s", f"must be at most {MAX_SECONDS} s (one week)")


def check_ids(
    list_path: str, entries: Iterable[tuple[int, dict[str, Any]]], p: ProblemAt
) -> Iterator[Problem]:
    """Each id is valid and appears once in its list."""
    first: dict[str, int] = {}
    for i, item in entries:
        item_id = string(item, "id")
        if item_id is None:
            continue
        at = f"{list_path}[{i}].id"
        if not ID_PATTERN.fullmatch(item_id):
            yield p(at, f"{item_id!r} is not a valid id (use a-z, 0-9, '.', '_', '-')")
        if item_id in first:
            yield p(at, f"duplicate id {item_id!r} (also {list_path}[{first[item_id]}])")
        else:
            first[item_id] = i


def check_text(
    value: Any, path: str, p: ProblemAt, multiline: bool = False, depth: int = 0
) -> Iterator[Problem]:
    """Control characters (escape sequences could drive the terminal) are refused;
    descriptions, definitions, examples and anchors may hold line breaks and tabs.
    The format nests five levels deep (``modifiers[0].values[1].label``): no further."""
    if isinstance(value, str):
        bad = (MULTILINE_CONTROL if multiline else CONTROL).search(value)
        if bad:
            yield p(path, f"contains a control character (U+{ord(bad.group()):04X})")
    elif depth < 5 and isinstance(value, list):
        for i, item in enumerate(value):
            yield from check_text(item, join_path(path, i), p, multiline, depth + 1)
    elif depth < 5 and isinstance(value, dict):
        for name, item in value.items():
            if name == "key":
                continue  # keys have their own rule (check_key)
            wrap = multiline or name in PROSE
            yield from check_text(item, join_path(path, name), p, wrap, depth + 1)


def check_key(location: str, key: str, p: ProblemAt) -> Iterator[Problem]:
    """A key is one printable character, not white space, not one the screen keeps."""
    if len(key) != 1:
        yield p(location, f"{key!r} must be exactly one character")
    elif key in RESERVED_KEYS:
        yield p(location, f"{key!r} is reserved by the coding screen")
    elif not key.isprintable() or key.isspace():
        yield p(location, f"{key!r} is not a printable character")
