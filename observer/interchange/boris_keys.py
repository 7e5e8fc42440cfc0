"""Codes and modifiers of an imported BORIS ethogram, with their keys.

A behaviour's key is kept for the first actor's code where it is one printable
character, not reserved and not yet taken; every other code gets a free key,
never one that a later behaviour keeps. Modifier value keys (BORIS's
``value (k)``) are kept where free within the modifier and different from
every code key (the key after a code would be ambiguous); the rest are
assigned, digits first. Every reassignment is reported.
"""

from __future__ import annotations

import string
from typing import Any

from observer.codebook import RESERVED_KEYS
from observer.interchange import unique_id
from observer.interchange.boris import Behaviour


def modifier_documents(
    behaviours: list[Behaviour],
) -> dict[tuple[str, tuple[str, ...], int], tuple[dict[str, Any], dict[str, str]]]:
    """Single-choice sets → modifiers; identical sets (name and values) share one.

    Returns signature → (modifier document, value text → BORIS key); sets
    ``ModifierSet.modifier`` and its ``values`` (text → value id).
    """
    taken: set[str] = set()
    out: dict[tuple[str, tuple[str, ...], int], tuple[dict[str, Any], dict[str, str]]] = {}
    for b in behaviours:
        repeats: dict[tuple[str, tuple[str, ...]], int] = {}
        for s in b.sets:
            if s.kind != "single":
                continue
            signature = (s.name, tuple(s.values))
            n = repeats[signature] = repeats.get(signature, -1) + 1
            key = (*signature, n)
            if key not in out:
                value_ids: set[str] = set()
                values = [
                    {"id": unique_id(text_, value_ids, "value"), "key": "", "label": text_}
                    for text_ in s.values
                ]
                document: dict[str, Any] = {
                    "id": unique_id(s.name, taken, "modifier"),
                    "label": s.name,
                    "values": values,
                }
                out[key] = (document, dict(s.values))
            kept = out[key][0]
            s.modifier = kept["id"]
            s.values = {v["label"]: v["id"] for v in kept["values"]}
    return out


_KEY_POOL = (
    string.ascii_lowercase
    + string.ascii_uppercase
    + "".join(c for c in string.punctuation)
    + string.digits
    + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isprintable())
)


def valid_key(key: str) -> bool:
    return len(key) == 1 and key.isprintable() and not key.isspace() and key not in RESERVED_KEYS


def code_documents(
    behaviours: list[Behaviour], actors: list[dict[str, str]], notice: Any
) -> list[dict[str, Any]]:
    single = len(actors) == 1
    taken_ids: set[str] = set()
    used_keys: set[str] = set()
    # Keys BORIS gave behaviours: a reassigned key never takes one a later behaviour keeps.
    wanted = {b.key for b in behaviours if valid_key(b.key)}
    codes: list[dict[str, Any]] = []
    for actor in actors:
        changed: list[str] = []
        for b in behaviours:
            code_id = b.id if single else unique_id(f"{actor['id']}.{b.id}", taken_ids, "code")
            key = b.key
            if not (valid_key(key) and key not in used_keys):
                free = (c for c in _KEY_POOL if c not in used_keys and valid_key(c))
                key = next((c for c in free if c not in wanted), None) or next(
                    c for c in _KEY_POOL if c not in used_keys and valid_key(c)
                )
                changed.append(f"{code_id}={key}" + (f" (was {b.key!r})" if b.key else ""))
            used_keys.add(key)
            b.codes[actor["id"]] = code_id
            code: dict[str, Any] = {
                "id": code_id,
                "label": b.name,
                "group": b.group,
                "actor": actor["id"],
                "kind": b.kind,
                "key": key,
                "definition": b.description,
            }
            mods = [s.modifier for s in b.sets if s.modifier is not None]
            if mods:
                code["modifiers"] = mods
            codes.append(code)
        if changed:
            notice(
                "behaviors_conf",
                f"keys of {actor['label']!r} codes reassigned (BORIS key invalid, missing or"
                " already taken; keys belong to one code here): " + ", ".join(changed),
            )
    return codes


def assign_modifier_keys(
    modifiers: dict[Any, tuple[dict[str, Any], dict[str, str]]], code_keys: set[str], notice: Any
) -> None:
    """Keep BORIS's value keys where free and not a code key; assign the rest (digits first)."""
    pool = string.digits[1:] + "0" + "".join(c for c in _KEY_POOL if not c.isdigit())
    for document, boris_keys in modifiers.values():
        used: set[str] = set()
        assigned: list[str] = []
        for value in document["values"]:
            key = boris_keys.get(value["label"], "")
            if not (valid_key(key) and key not in used and key not in code_keys):
                new = next(c for c in pool if c not in used and c not in code_keys and valid_key(c))
                assigned.append(f"{value['label']}={new}" + (f" (was {key!r})" if key else ""))
                key = new
            used.add(key)
            value["key"] = key
        if assigned:
            notice(f"modifiers.{document['id']}", "keys assigned: " + ", ".join(assigned))
