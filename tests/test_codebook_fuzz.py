"""No input makes the codebook loader raise anything but InputError.

Arbitrary bytes go through the file reader; valid codebooks are mutated (values
replaced by other JSON values, fields dropped or added, list items duplicated) and
must either load or fail with problems that each name the file and a location.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.codebook import SCHEMA_FILE, VALID, tiny
from support.mutations import json_values, mutate

from observer.codebook import Codebook, codebook_from_data, load_codebook
from observer.errors import InputError
from observer.jsonio import parse_json


@st.composite
def mutated_codebooks(draw: st.DrawFn) -> Any:
    return mutate(draw, draw(st.sampled_from(BASES)))


BASES = [tiny(), json.loads((VALID / "full.json").read_text("utf-8"))]


try:
    import jsonschema

    SCHEMA: Any = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))
except ImportError:  # the schema half of the property is then skipped
    SCHEMA = None


def _check(doc: Any) -> None:
    """The loader either accepts ``doc`` (and then so does the JSON Schema) or reports
    clean problems; it never raises anything else."""
    try:
        book = codebook_from_data(doc, "fuzz.json")
    except InputError as error:
        assert error.problems
        assert all(p.file == "fuzz.json" and p.location and p.message for p in error.problems)
        assert len(set(error.problems)) == len(error.problems)
    else:
        assert isinstance(book, Codebook)
        if SCHEMA is not None:
            assert list(SCHEMA.iter_errors(doc)) == []
        assert len(book.sha256) == 64
        assert codebook_from_data(book.document, "again") == book


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_codebooks())
def test_mutated_codebooks_load_or_fail_cleanly(doc: Any) -> None:
    _check(doc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(tiny())), json_values, max_size=8))
def test_arbitrary_objects_load_or_fail_cleanly(doc: dict[str, Any]) -> None:
    _check({**doc, "schema": "observer.codebook/1"})


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_fail_cleanly(data: bytes) -> None:
    try:
        doc = parse_json(data, "bytes.json")
    except InputError as error:
        assert len(error.problems) == 1
        return
    _check(doc)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=120))
def test_bytes_spliced_into_a_valid_file_fail_cleanly(data: bytes) -> None:
    text = (VALID / "tiny.json").read_bytes()
    cut = len(data) % len(text)
    try:
        doc = parse_json(text[:cut] + data + text[cut:], "spliced.json")
    except InputError:
        return
    _check(doc)


def test_deep_nesting_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"schema": "observer.codebook/1", "x": ' + "[" * 5000 + "]" * 5000 + "}")
    try:
        load_codebook(path)
    except InputError as error:
        assert all(p.file == str(path) for p in error.problems)
    deep = tmp_path / "deep-known.json"
    doc = tiny()
    doc["codes"][0]["examples"] = json.loads("[" * 900 + "]" * 900)
    deep.write_text(json.dumps(doc))
    try:
        load_codebook(deep)
    except InputError as error:
        assert [p.location for p in error.problems] == ["codes[0].examples[0]"]


# (name, setter, same): with same=True the field has only rules of its own, and the
# schema and the loader accept exactly the same strings; otherwise the loader also
# applies rules across fields (unique keys, anchors on the scale) and is the stricter.
TEXT_FIELDS = [
    ("title", lambda d, s: d.update(title=s), True),
    ("version", lambda d, s: d.update(version=s), True),
    ("codebook id", lambda d, s: d.update(id=s), True),
    ("segment id", lambda d, s: d["segments"][0].update(id=s), True),
    ("code label", lambda d, s: d["codes"][0].update(label=s), True),
    ("modifier value label", lambda d, s: d["modifiers"][0]["values"][0].update(label=s), True),
    ("definition", lambda d, s: d["codes"][0].update(definition=s), True),
    ("example", lambda d, s: d["codes"][0].update(examples=[s]), True),
    ("anchor text", lambda d, s: d["ratings"][0].update(anchors={"1": s}), True),
    ("code id", lambda d, s: d["codes"][1].update(id=s), False),
    ("code key", lambda d, s: d["codes"][0].update(key=s), False),
    ("modifier value key", lambda d, s: d["modifiers"][0]["values"][0].update(key=s), False),
    ("anchor key", lambda d, s: d["ratings"][0].update(anchors={s: "x"}), False),
]
texts = st.text(max_size=3) | st.sampled_from(
    [
        "\n",
        "\t",
        " ",
        "\u00a0",
        "\u2028",
        "\x85",
        "\x1b",
        "1.5",
        "07",
        "-0",
        "1e0",
        "h",
        "a\n",
        "1\n",
        "\x1c",
        "A",
        "a.b-c_d",
        "-a",
    ]
)


@pytest.mark.skipif(SCHEMA is None, reason="jsonschema (test extra) is not installed")
@settings(max_examples=500, deadline=None)
@given(st.sampled_from(TEXT_FIELDS), texts)
def test_schema_and_loader_agree_on_text_fields(field: Any, text: str) -> None:
    """One string field at a time: what the loader accepts, the schema accepts."""
    doc = tiny()
    field[1](doc, text)
    try:
        codebook_from_data(doc, "t.json")
        loader_ok = True
    except InputError:
        loader_ok = False
    schema_ok = list(SCHEMA.iter_errors(doc)) == []
    name, _, same = field
    assert schema_ok == loader_ok if same else schema_ok or not loader_ok, name
