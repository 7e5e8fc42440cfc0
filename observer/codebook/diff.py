"""What changed between two versions of a codebook (``observer codebook diff A B``).

The comparison runs on the two normalised documents (defaults filled in), section by
section, so a block added to the format later is compared without a line here:

- a section that is a list of objects with ids (actors, groups, codes, modifiers,
  ratings, segments, composites, and any later one; windows, by the code that opens
  each) is matched by id: each id is
  added, removed, or changed field by field (a nested list of objects with ids, such
  as a modifier's values, is matched by id too: ``values[calm].label``);
- any other section (the header's id, version, title, description; a block that is
  one object) is compared as a value, field by field.

Keys get a section of their own, ``keys``, because an observer's fingers know them: a
key that now means another code (or modifier value) is listed even when no code was
added or removed. A code key is named as typed (``d``); a modifier value's key with
its modifier (``tone: g``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import attrs
import orjson

from observer.codebook.model import Codebook

ChangeKind = Literal["added", "removed", "changed"]
HEADER = "header"
KEYS = "keys"
_HEADER_FIELDS = ("schema", "id", "version", "title", "description")
_IDENTITY = {"windows": "after"}
"""A section whose items are named by another field than ``id`` (a window by its command)."""


@attrs.frozen
class Change:
    """One difference: an item ``added``, ``removed`` or ``changed`` in a section.

    ``field`` is the changed field's path inside the item ("" for a whole item);
    ``before`` and ``after`` are the JSON values (None where there is none)."""

    section: str
    id: str
    change: ChangeKind
    field: str = ""
    before: Any = None
    after: Any = None


@attrs.frozen
class Version:
    id: str
    version: str
    sha256: str

    @classmethod
    def of(cls, book: Codebook) -> Version:
        return cls(book.id, book.version, book.sha256)

    @property
    def name(self) -> str:
        return f"{self.id}@{self.version}"


@attrs.frozen
class CodebookDiff:
    a: Version
    b: Version
    changes: tuple[Change, ...]

    @property
    def same(self) -> bool:
        return not self.changes

    def sections(self) -> list[str]:
        """The sections that changed, in the order of the documents."""
        return list(dict.fromkeys(c.section for c in self.changes))


def diff(a: Codebook, b: Codebook) -> CodebookDiff:
    """Every difference from ``a`` to ``b``."""
    da, db = a.document, b.document
    changes: list[Change] = []
    for name in _HEADER_FIELDS:
        if da.get(name) != db.get(name):
            changes.append(Change(HEADER, name, "changed", "", da.get(name), db.get(name)))
    sections = [k for k in (*da, *(k for k in db if k not in da)) if k not in _HEADER_FIELDS]
    for section in sections:
        before, after = da.get(section), db.get(section)
        if before == after:
            continue
        key = _IDENTITY.get(section, "id")
        if _is_id_list(before, key) and _is_id_list(after, key):
            changes.extend(_id_list(section, before or [], after or [], key))
        else:
            changes.extend(
                Change(section, "", "changed", path, old, new)
                for path, old, new in _fields(before, after, "")
            )
    changes.extend(_keys(da, db))
    return CodebookDiff(Version.of(a), Version.of(b), tuple(changes))


def _is_id_list(value: Any, key: str = "id") -> bool:
    return value is None or (
        isinstance(value, list)
        and all(isinstance(x, dict) and isinstance(x.get(key), str) for x in value)
    )


def _id_list(section: str, before: list[Any], after: list[Any], key: str) -> Iterator[Change]:
    old = {x[key]: x for x in before}
    new = {x[key]: x for x in after}
    for item_id, item in old.items():
        if item_id not in new:
            yield Change(section, item_id, "removed", "", item, None)
    for item_id, item in new.items():
        if item_id not in old:
            yield Change(section, item_id, "added", "", None, item)
        elif item != old[item_id]:
            for path, a, b in _fields(old[item_id], item, ""):
                yield Change(section, item_id, "changed", path, a, b)


def _fields(a: Any, b: Any, path: str) -> Iterator[tuple[str, Any, Any]]:
    """``(path, before, after)`` for each leaf that differs."""
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in (*a, *(k for k in b if k not in a)):
            yield from _fields(a.get(key), b.get(key), f"{path}.{key}" if path else key)
    elif (
        isinstance(a, list)
        and isinstance(b, list)
        and a
        and b
        and _is_id_list(a)
        and _is_id_list(b)
    ):
        old = {x["id"]: x for x in a}
        new = {x["id"]: x for x in b}
        for item_id in (*old, *(k for k in new if k not in old)):
            yield from _fields(old.get(item_id), new.get(item_id), f"{path}[{item_id}]")
    else:
        yield path, a, b


def _key_map(document: dict[str, Any]) -> dict[str, str]:
    """Each key as typed (a modifier value's with its modifier) → what it codes."""
    keys = {c["key"]: c["id"] for c in document.get("codes", [])}
    for m in document.get("modifiers", []):
        for v in m.get("values", []):
            if v.get("key"):
                keys[f"{m['id']}: {v['key']}"] = f"{m['id']}.{v['id']}"
    return keys


def _keys(da: dict[str, Any], db: dict[str, Any]) -> Iterator[Change]:
    old, new = _key_map(da), _key_map(db)
    for key in (*old, *(k for k in new if k not in old)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change: ChangeKind = "added" if a is None else "removed" if b is None else "changed"
        yield Change(KEYS, key, change, "", a, b)


def to_data(result: CodebookDiff) -> dict[str, Any]:
    """The diff as JSON data (``--format json``)."""

    def version(v: Version) -> dict[str, str]:
        return {"id": v.id, "version": v.version, "sha256": v.sha256}

    return {
        "a": version(result.a),
        "b": version(result.b),
        "same": result.same,
        "changes": [attrs.asdict(c) for c in result.changes],
    }


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def render(result: CodebookDiff) -> str:
    """The diff for reading: the sections that changed, one line per change (file text
    is shown as JSON strings, so a label's quotes and spaces are visible)."""
    head = f"{result.a.name} -> {result.b.name}: "
    if result.same:
        return head + "the same codebook"
    lines = [head + _count(len(result.changes))]
    for section in result.sections():
        lines.append(section)
        for c in (c for c in result.changes if c.section == section):
            lines.append(f"  {_MARK[c.change]} {_describe(c)}")
    return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n} change" if n == 1 else f"{n} changes"


def _describe(c: Change) -> str:
    if c.section == KEYS:
        if c.change == "added":
            return f"{c.id}  now {c.after}"
        if c.change == "removed":
            return f"{c.id}  no longer used (was {c.before})"
        return f"{c.id}  {c.before} -> {c.after}"
    if c.change != "changed":
        item = c.after if c.change == "added" else c.before
        label = item.get("label") if isinstance(item, dict) else None
        return c.id + (f"  {_json(label)}" if isinstance(label, str) else "")
    where = ".".join(x for x in (c.id, c.field) if x)
    return f"{where}: {_json(c.before)} -> {_json(c.after)}"


def _json(value: Any) -> str:
    if value is None:
        return "(none)"
    return orjson.dumps(value).decode()
