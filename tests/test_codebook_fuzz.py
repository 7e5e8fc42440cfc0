"""No input makes the codebook loader raise anything but InputError.

Arbitrary bytes go through the file reader; valid codebooks are mutated (values
replaced by other JSON values, fields dropped or added, list items duplicated) and
must either load or fail with problems that each name the file and a location.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_codebook_support import VALID, tiny

from observer.codebook import Codebook, codebook_from_data, load_codebook
from observer.errors import InputError
from observer.jsonio import parse_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*path, i))
    return out


@st.composite
def mutated_codebooks(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "drop", "add", "duplicate", "text"]))
        if action == "replace":
            parent[last] = draw(json_values)
        elif action == "drop":
            del parent[last]
        elif action == "add" and isinstance(parent, dict):
            # min_size=1: an empty top-level key gets the empty location (errors.join_path)
            parent[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif action == "text":
            parent[last] = draw(st.text(max_size=4))
    return doc


BASES = [tiny(), json.loads((VALID / "full.json").read_text("utf-8"))]


def _check(doc: Any) -> None:
    try:
        book = codebook_from_data(doc, "fuzz.json")
    except InputError as error:
        assert error.problems
        assert all(p.file == "fuzz.json" and p.location and p.message for p in error.problems)
        assert len(set(error.problems)) == len(error.problems)
    else:
        assert isinstance(book, Codebook)
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
