"""The codebook: actors, groups, codes, modifiers, ratings, segments, criteria and windows.

``load_codebook`` reads a file (or a bundled id) and returns a :class:`Codebook`,
or raises :class:`InputError` listing every problem at once, each with its JSON
path. The rules are those of the codebook format (docs/codebooks.md), plus two that live coding
needs: a modifier value key may not also be a code key (the key after a code
would be ambiguous), and a key may not be white space.

The package: ``model`` (the records and the format's constants), ``raw`` (reading the
raw document), ``rules``, ``ratings``, ``criteria``, ``sampling`` and ``windows`` (the rules, a module per block of the
format) and, here, loading. A new block of the format is a module of rules and one
line in ``RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from observer import jsonio
from observer.codebook import cache
from observer.codebook.model import (
    CONTROL,
    ID_PATTERN,
    MAX_ALLOCATION_TOTAL,
    MAX_CODEBOOK_BYTES,
    MAX_SAMPLING_S,
    MAX_SCALE_POINTS,
    MULTILINE_CONTROL,
    NUMBER_PATTERN,
    PROSE,
    RESERVED_KEYS,
    SCHEMA,
    VALUE_PATTERN,
    Actor,
    Allocation,
    AllocationPart,
    CategoryValue,
    Code,
    Codebook,
    Composite,
    CompositeItem,
    CompositeRule,
    Criterion,
    CriterionRule,
    Group,
    Kind,
    Modifier,
    ModifierValue,
    Rating,
    RatingKind,
    RatingScalar,
    Sampling,
    Scope,
    Segment,
    Stream,
    Window,
)
from observer.errors import InputError, Problem, ProblemAt

__all__ = [
    "CONTROL",
    "ID_PATTERN",
    "MAX_ALLOCATION_TOTAL",
    "MAX_CODEBOOK_BYTES",
    "MAX_SAMPLING_S",
    "MAX_SCALE_POINTS",
    "MULTILINE_CONTROL",
    "NUMBER_PATTERN",
    "PROSE",
    "RESERVED_KEYS",
    "RULES",
    "SCHEMA",
    "VALUE_PATTERN",
    "Actor",
    "Allocation",
    "AllocationPart",
    "CategoryValue",
    "Code",
    "Codebook",
    "Composite",
    "CompositeItem",
    "CompositeRule",
    "Criterion",
    "CriterionRule",
    "Group",
    "Kind",
    "Modifier",
    "ModifierValue",
    "Rating",
    "RatingKind",
    "RatingScalar",
    "Sampling",
    "Scope",
    "Segment",
    "Stream",
    "Window",
    "bundled_dir",
    "bundled_paths",
    "check",
    "codebook_from_data",
    "load_codebook",
    "resolve",
]

Rule = Callable[[dict[str, Any], ProblemAt], Iterator[Problem]]


def rules_in_order() -> tuple[Rule, ...]:
    """Every section of the format's semantic rules, in the order they are reported
    (imported here, when a codebook is validated: one from the cache is not)."""
    from observer.codebook import criteria, ratings, rules, sampling, windows

    return (
        rules.check_header,
        rules.check_codes,
        rules.check_modifiers,
        ratings.check,
        rules.check_segments,
        criteria.check,
        sampling.check,
        windows.check,
    )


def __getattr__(name: str) -> Any:
    if name == "RULES":  # the rules, as a constant (imported when asked for)
        return rules_in_order()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check(raw: dict[str, Any], file: str) -> Iterator[Problem]:
    """Every semantic rule of the codebook format, as problems with paths."""

    def p(location: str, message: str) -> Problem:
        return Problem(file, location, message)

    for section in rules_in_order():
        yield from section(raw, p)


def bundled_dir() -> Path:
    """The folder of bundled codebooks: inside an installed wheel, or the repository's."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_bundled"
    return installed if installed.is_dir() else here.parent / "codebooks"


def bundled_paths() -> list[Path]:
    """Every bundled codebook file, sorted by name (the JSON Schema is not one)."""
    return sorted(p for p in bundled_dir().glob("*.json") if not p.name.endswith(".schema.json"))


def resolve(path_or_id: str) -> Path:
    """A path as given, or the bundled codebook with that id."""
    candidate = Path(path_or_id)
    if candidate.suffix == ".json" or candidate.exists() or "/" in path_or_id:
        return candidate
    bundled = bundled_dir() / f"{path_or_id}.json"
    if bundled.is_file():
        return bundled
    known = ", ".join(p.stem for p in bundled_paths())
    raise InputError.one(
        path_or_id, "$", f"no such file, and no bundled codebook has this id (bundled: {known})"
    )


def load_codebook(path_or_id: str | Path) -> Codebook:
    """Load and validate a codebook file or bundled id; raise InputError on any problem.
    A file validated before (by this version of observer) comes from the cache of
    validated codebooks (observer.codebook.cache)."""
    path = path_or_id if isinstance(path_or_id, Path) else resolve(path_or_id)
    data = jsonio.read_bytes(path, max_bytes=MAX_CODEBOOK_BYTES)
    cached = cache.get(data)
    if cached is not None:
        return cached
    raw = jsonio.parse_json(data, str(path), unique_keys=True)
    book = codebook_from_data(raw, str(path))
    cache.put(data, book)
    return book


def codebook_from_data(raw: Any, file: str) -> Codebook:
    """Validate parsed JSON as a codebook; raise InputError listing every problem."""
    from observer.codebook.model import structure_hooks
    from observer.structure import check_schema, sort_problems, structure

    structure_hooks()
    check_schema(raw, SCHEMA, file)
    problems: list[Problem] = []
    codebook: Codebook | None = None
    try:
        codebook = structure(raw, Codebook, file=file)
    except InputError as exc:
        problems.extend(exc.problems)
    # The rules run on the raw document so that they are reported even beside
    # structural faults; each skips values of the wrong type (already reported).
    problems.extend(check(raw, file))
    if problems:
        raise InputError(sort_problems(problems, raw, Codebook))
    assert codebook is not None
    return codebook
