"""A BORIS project's ethogram → an observer codebook.

What maps to what (facts about the format: ../shared/research/boris.md):

- subjects → actors; an actor ``no-subject`` is added when the project has no
  subjects or an observation holds events without one.
- behaviours → codes, one per behaviour and actor (BORIS binds a behaviour to a
  subject only when coding; observer's codes belong to one actor), with the
  behaviour's name as label and its description as definition. Code ids are
  ``ACTOR.BEHAVIOUR`` (just ``BEHAVIOUR`` when there is one actor).
- behavioural categories → groups; behaviours without one go to ``behaviours``.
  A set of state behaviours that all exclude each other (the exclusion matrix)
  and nothing else becomes an exclusive group: the category itself when it is
  exactly that set, else a new group named after its members.
- single-choice modifier sets → modifiers (identical sets are shared); other
  set types (multiple choice, numeric, external) have no equivalent and are
  not kept: their values on events become notes.
- keys: a behaviour's key is kept for the first actor's code where it is one
  printable character, not reserved and not yet taken; every other code gets
  a free key. Modifier value keys (BORIS's ``value (k)``) are kept where they
  are free and differ from every code key; others are assigned (digits first).

Everything changed or dropped is reported as a notice (``FILE: LOCATION: MESSAGE``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from observer.codebook import SCHEMA, codebook_from_data
from observer.errors import InputError, Problem
from observer.interchange import unique_id
from observer.interchange.boris import (
    Behaviour,
    Mapping,
    ModifierSet,
    entries,
    split_key,
    subject_of,
    text,
    where,
)
from observer.interchange.boris_keys import assign_modifier_keys, code_documents, modifier_documents

NO_SUBJECT = "no-subject"
DEFAULT_GROUP = "behaviours"
SINGLE_CHOICE = 0
SET_TYPES = {1: "multiple-choice", 2: "numeric", 3: "external"}


def build_codebook(raw: dict[str, Any], path: Path, notices: list[Problem]) -> Mapping:
    """The codebook for the whole project (every observation shares it)."""
    file = str(path)

    def notice(location: str, message: str) -> None:
        notices.append(Problem(file, location, message))

    actors, actor_of = _actors(raw, file, notice)
    behaviours = _behaviours(raw, file, notice)
    groups = _groups(raw, behaviours, file, notice)
    modifiers = modifier_documents(behaviours)
    codes = code_documents(behaviours, actors, notice)
    assign_modifier_keys(modifiers, {c["key"] for c in codes}, notice)

    title = text(raw, "project_name") or path.stem
    description = text(raw, "project_description")
    provenance = (
        f"Imported from the BORIS project {path.name} (format {raw.get('project_format_version')})."
    )
    document = {
        "schema": SCHEMA,
        "id": unique_id(title, set(), "boris-project"),
        "version": "1.0.0",
        "title": title,
        "description": f"{description}\n\n{provenance}" if description else provenance,
        "actors": actors,
        "groups": groups,
        "codes": codes,
        "modifiers": [m for m, _ in modifiers.values()],
    }
    book = codebook_from_data(document, f"{file} (generated codebook)")
    return Mapping(book, actor_of, {b.name: b for b in behaviours})


def _actors(
    raw: dict[str, Any], file: str, notice: Any
) -> tuple[list[dict[str, str]], dict[str, str]]:
    taken: set[str] = set()
    actors: list[dict[str, str]] = []
    actor_of: dict[str, str] = {}
    for k, subject in entries(raw, "subjects_conf", file):
        name = text(subject, "name")
        if not name:
            notice(where("subjects_conf", k), "subject without a name: not kept")
            continue
        if name in actor_of:
            notice(where("subjects_conf", k, "name"), f"subject {name!r} is defined twice: merged")
            continue
        actor_of[name] = unique_id(name, taken, "subject")
        actors.append(
            {"id": actor_of[name], "label": name, "description": text(subject, "description")}
        )
    used: set[str] = set()
    for oid, obs in entries(raw, "observations", file):
        events = obs.get("events")
        for i, event in enumerate(events if isinstance(events, list) else []):
            if isinstance(event, list):
                name = subject_of(event)
                used.add(name)
                if name and name not in actor_of:
                    actor_of[name] = unique_id(name, taken, "subject")
                    actors.append({"id": actor_of[name], "label": name, "description": ""})
                    notice(
                        where("observations", oid, "events", i, 1),
                        f"subject {name!r} is not defined in the project: added as an actor",
                    )
    if not actors or "" in used:
        actor_of[""] = unique_id(NO_SUBJECT, taken, NO_SUBJECT)
        actors.append(
            {
                "id": actor_of[""],
                "label": "No subject",
                "description": "Events coded in BORIS without a subject.",
            }
        )
    return actors, actor_of


def _behaviours(raw: dict[str, Any], file: str, notice: Any) -> list[Behaviour]:
    taken: set[str] = set()
    out: list[Behaviour] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    for k, item in entries(raw, "behaviors_conf", file):
        name, kind_text = text(item, "code"), text(item, "type").lower()
        if not name:
            problems.append(
                Problem(file, where("behaviors_conf", k, "code"), "behaviour without a code")
            )
            continue
        if "point" in kind_text:
            kind = "point"
        elif "state" in kind_text:
            kind = "state"
        else:
            message = (
                f"unknown behaviour type {item.get('type')!r} (expected a point or state event)"
            )
            problems.append(Problem(file, where("behaviors_conf", k, "type"), message))
            continue
        if name in seen:
            notice(
                where("behaviors_conf", k, "code"),
                f"behaviour {name!r} is defined twice: the first is kept",
            )
            continue
        seen.add(name)
        excluded = item.get("excluded")
        out.append(
            Behaviour(
                name=name,
                id=unique_id(name, taken, "behaviour"),
                kind=kind,
                key=str(item.get("key") or ""),
                group=text(item, "category"),
                description=text(item, "description"),
                excluded=[e.strip() for e in excluded.split(",") if e.strip()]
                if isinstance(excluded, str)
                else [],
                sets=_sets(item, where("behaviors_conf", k), file, notice),
            )
        )
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError.one(file, "behaviors_conf", "the project defines no behaviours")
    return out


def _sets(item: dict[str, Any], at: str, file: str, notice: Any) -> list[ModifierSet]:
    """The behaviour's modifier sets, each with its values (stray spaces and keys parsed)."""
    raw_sets = item.get("modifiers")
    sets: list[ModifierSet] = []
    if not isinstance(raw_sets, dict):
        return sets
    for k, entry in entries({"modifiers": raw_sets}, "modifiers", file, at):
        name = text(entry, "name") or f"modifiers {len(sets) + 1}"
        set_type = entry.get("type", SINGLE_CHOICE)
        kind = "single" if set_type == SINGLE_CHOICE else f"type {set_type}"
        if isinstance(set_type, int):  # a list or object here is not a key of SET_TYPES
            kind = SET_TYPES.get(set_type, kind)
        modifier_set = ModifierSet(name, kind)
        values = entry.get("values")
        for value in values if isinstance(values, list) else []:
            if isinstance(value, str):
                label, key = split_key(value)
                if label and label not in modifier_set.values:
                    modifier_set.values[label] = key
        if kind != "single":
            notice(
                f'{at}.modifiers["{k}"]',
                f"{kind} modifier set {name!r} has no equivalent in observer:"
                " not kept as a modifier; its values on events become notes",
            )
        elif not modifier_set.values:
            notice(f'{at}.modifiers["{k}"]', f"modifier set {name!r} has no values: not kept")
            modifier_set.kind = "empty"
        sets.append(modifier_set)
    return sets


def _groups(
    raw: dict[str, Any], behaviours: list[Behaviour], file: str, notice: Any
) -> list[dict[str, Any]]:
    """Categories → groups, and exclusive groups from the exclusion matrix; sets ``Behaviour.group``
    to the group id."""
    taken: set[str] = set()
    group_of: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for b in behaviours:
        category = b.group
        if category not in group_of:
            label = category or "Behaviours (no category)"
            group_of[category] = unique_id(category or DEFAULT_GROUP, taken, "category")
            groups[group_of[category]] = {
                "id": group_of[category],
                "label": label,
                "exclusive": False,
            }
        b.group = group_of[category]
    for exclusive in _exclusive_sets(behaviours, file, notice):
        names = [b.name for b in exclusive]
        home = {b.group for b in exclusive}
        members = [b for b in behaviours if b.group in home]
        if len(home) == 1 and len(members) == len(exclusive):
            groups[home.pop()]["exclusive"] = True
            continue
        group_id = unique_id("-".join(b.id for b in exclusive)[:60], taken, "exclusive")
        groups[group_id] = {"id": group_id, "label": " / ".join(names), "exclusive": True}
        for b in exclusive:
            if groups[b.group]["label"] != "Behaviours (no category)":
                notice(
                    "behaviors_conf",
                    f"behaviour {b.name!r} moved from category {groups[b.group]['label']!r} into"
                    f" the exclusive group {group_id!r} (its exclusion set)",
                )
            b.group = group_id
    used = {b.group for b in behaviours}
    return [g for g in groups.values() if g["id"] in used]


def _exclusive_sets(behaviours: list[Behaviour], file: str, notice: Any) -> list[list[Behaviour]]:
    """Connected sets of the exclusion graph in which every state behaviour excludes every
    other (both ways) and nothing outside; other exclusions are reported, not kept."""
    by_name = {b.name: b for b in behaviours}
    links: dict[str, set[str]] = {b.name: set() for b in behaviours}
    for b in behaviours:
        for other in b.excluded:
            if other not in by_name:
                notice(
                    "behaviors_conf",
                    f"behaviour {b.name!r} excludes unknown behaviour {other!r}: ignored",
                )
            elif "point" in (b.kind, by_name[other].kind):
                point = b.name if b.kind == "point" else other
                notice(
                    "behaviors_conf",
                    f"exclusion between {b.name!r} and {other!r} ignored: {point!r} is a point"
                    " event, which never runs",
                )
            elif other != b.name:
                links[b.name].add(other)
                links[other].add(b.name)
    done: set[str] = set()
    sets: list[list[Behaviour]] = []
    for b in behaviours:
        if b.name in done or not links[b.name]:
            continue
        component, stack = [], [b.name]
        while stack:
            name = stack.pop()
            if name not in done:
                done.add(name)
                component.append(name)
                stack.extend(links[name] - done)
        members = [x for x in behaviours if x.name in component]
        complete = all(set(m.excluded) >= {o.name for o in members if o is not m} for m in members)
        if complete:
            sets.append(members)
        else:
            notice(
                "behaviors_conf",
                "the exclusions among " + ", ".join(repr(m.name) for m in members) + " do not form"
                " one set of behaviours that all exclude each other: not kept"
                " (observer stops states only within an exclusive group)",
            )
    return sets
