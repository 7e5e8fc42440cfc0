"""Shared helpers for the codebook tests: fixture paths and a mutable base codebook.

No tests here: the ``test_codebook_*`` modules import from it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from observer.codebook import Codebook, codebook_from_data
from observer.errors import InputError, Problem

FIXTURES = Path(__file__).parent.parent / "fixtures" / "codebooks"
BROKEN = FIXTURES / "broken"
VALID = FIXTURES / "valid"
REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "codebooks" / "codebook.schema.json"


def expected_table() -> dict[str, Any]:
    """fixture name -> {"problems": ["LOCATION: MESSAGE", ...], "schema": [paths] | None}."""
    table: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text("utf-8"))
    return table


def shown(file: object, line: str) -> str:
    """A table line ``LOCATION: MESSAGE`` of ``file`` as the command prints it (a problem
    of the whole file, location ``$``, as ``FILE: MESSAGE``)."""
    location, message = line.split(": ", 1)
    return str(Problem(str(file), location, message))


def tiny() -> dict[str, Any]:
    """A fresh copy of the small valid codebook every rule test mutates."""
    data: dict[str, Any] = json.loads((VALID / "tiny.json").read_text("utf-8"))
    return copy.deepcopy(data)


def problems_of(raw: Any, file: str = "t.json") -> list[str]:
    """``LOCATION: MESSAGE`` lines for ``raw``; [] when it is a valid codebook."""
    try:
        codebook_from_data(raw, file)
    except InputError as error:
        assert all(p.file == file for p in error.problems)
        return [f"{p.location}: {p.message}" for p in error.problems]
    return []


def load(raw: Any) -> Codebook:
    return codebook_from_data(raw, "t.json")
