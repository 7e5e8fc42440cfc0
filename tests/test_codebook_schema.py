"""codebooks/codebook.schema.json agrees with the loader.

Every bundled and valid codebook validates; every broken fixture fails the loader
(test_codebook_loader) and the schema flags exactly the places the table says: the
faults JSON Schema can express (types, required and unknown fields, ids, enums,
one-character keys) and none it cannot (references, duplicates, scale arithmetic).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.codebook import BROKEN, SCHEMA_FILE, VALID, expected_table, tiny

from observer.codebook import bundled_paths, load_codebook
from observer.errors import join_path

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def flagged(validator: Any, doc: Any) -> list[str]:
    """The JSON paths (in the loader's notation) where the schema finds a fault."""
    out = set()
    for error in validator.iter_errors(doc):
        location = "$"
        for part in error.absolute_path:
            location = join_path(location, part)
        out.add(location)
    return sorted(out)


def test_schema_declares_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_FILE.read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_is_not_a_bundled_codebook() -> None:
    assert SCHEMA_FILE.name not in [p.name for p in bundled_paths()]


@pytest.mark.parametrize(
    "path",
    [*bundled_paths(), *sorted(VALID.glob("*.json"))],
    ids=lambda p: p.name,
)
def test_every_valid_codebook_validates(validator: Any, path: Path) -> None:
    load_codebook(path)
    doc = json.loads(path.read_text("utf-8-sig"))
    assert flagged(validator, doc) == []


@pytest.mark.parametrize("name", sorted(expected_table()))
def test_schema_flags_what_it_can_express(validator: Any, name: str) -> None:
    expected = expected_table()[name]["schema"]
    if expected is None:
        pytest.skip("not JSON: only the loader can read it")
    doc = json.loads((BROKEN / name).read_bytes())
    assert flagged(validator, doc) == expected


def test_most_broken_fixtures_also_fail_the_schema() -> None:
    table = expected_table()
    json_fixtures = [e for e in table.values() if e["schema"] is not None]
    assert sum(1 for e in json_fixtures if e["schema"]) >= 20


def test_the_schema_knows_every_field_the_loader_knows(validator: Any) -> None:
    """A field added to the model but not to the schema would be refused by the schema."""
    book = load_codebook(VALID / "full.json")
    assert flagged(validator, book.document) == []
    doc = tiny()
    doc["codes"][0]["definition"] = "x"
    assert flagged(validator, doc) == []


def test_allocations_reverse_items_alternatives_and_sampling_validate(validator: Any) -> None:
    """The instruments of the third wave, as written and normalised; and the schema
    refuses a scale's fields on an allocation, as the loader does."""
    from support.instruments3 import book, doc

    assert flagged(validator, doc()) == []
    assert flagged(validator, book().document) == []
    wrong = doc()
    wrong["ratings"][0]["min"] = 1
    wrong["sampling"]["every_s"] = 0
    assert flagged(validator, wrong) == ["ratings[0]", "sampling"]  # anyOf: the block
