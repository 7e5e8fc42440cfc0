"""observer.structure: the strict converter, and the walk over the detailed converter's
exceptions that turns every fault into a problem with its JSON path."""

from __future__ import annotations

from typing import Any, Literal

import attrs
import pytest

from observer.errors import InputError
from observer.structure import (
    Invalid,
    Number,
    check_schema,
    problems_of,
    sort_problems,
    structure,
)


@attrs.frozen
class Leaf:
    name: str
    size: int = 0
    class_: str | None = attrs.field(default=None, metadata={"json": "class"})


@attrs.frozen
class Tree:
    id: str
    leaves: tuple[Leaf, ...] = ()
    tags: dict[str, int] = attrs.field(factory=dict)
    root: Leaf | None = None
    kind: Literal["a", "b"] = "a"
    weight: Number | None = None
    score: bool | str | dict[str, int] | None = None


def problems(raw: Any, path: str = "$") -> list[str]:
    with pytest.raises(InputError) as caught:
        structure(raw, Tree, file="t.json", path=path)
    return [str(p) for p in caught.value.problems]


def test_a_valid_document_is_structured_with_its_types_kept() -> None:
    tree = structure(
        {"id": "t", "leaves": [{"name": "x", "class": "c"}], "weight": 1, "score": {"a": 2}},
        Tree,
        file="t.json",
    )
    assert tree == Tree("t", (Leaf("x", class_="c"),), weight=1, score={"a": 2})
    assert type(tree.weight) is int  # a JSON number stays as written


def test_faults_in_list_items_are_located_by_index() -> None:
    raw = {"id": "t", "leaves": [{"name": "x"}, {"name": 5, "size": "big"}, 7]}
    assert problems(raw) == [
        "t.json: leaves[1].name: expected a string, got 5",
        "t.json: leaves[1].size: expected an integer, got 'big'",
        "t.json: leaves[2]: expected an object, got 7",
    ]


def test_faults_in_an_object_of_values_are_located_by_key() -> None:
    raw = {"id": "t", "tags": {"a": 1, "b": "two", "c.d": True}}
    assert problems(raw) == [
        "t.json: tags.b: expected an integer, got 'two'",
        "t.json: tags.c.d: expected an integer, got true",
    ]


def test_unknown_fields_come_first_in_the_files_order_then_the_fields_in_model_order() -> None:
    raw = {"zeta": 1, "kind": "c", "id": 3, "alpha": 2, "leaves": [{"name": "x", "class": 4}]}
    assert problems(raw) == [
        "t.json: zeta: unknown field",
        "t.json: alpha: unknown field",
        "t.json: id: expected a string, got 3",
        "t.json: leaves[0].class: expected a string, got 4",  # the name in the file
        "t.json: kind: must be one of 'a', 'b' (got 'c')",
    ]


def test_missing_fields_are_named_at_every_depth() -> None:
    assert problems({"leaves": [{}], "root": {"size": 1}}) == [
        "t.json: id: missing required field",
        "t.json: leaves[0].name: missing required field",
        "t.json: root.name: missing required field",
    ]


def test_an_optional_object_reports_its_own_precise_problems() -> None:
    assert problems({"id": "t", "root": 5}) == ["t.json: root: expected an object, got 5"]
    assert problems({"id": "t", "root": {"name": "r", "sise": 1}}) == [
        "t.json: root.sise: unknown field"
    ]


def test_a_union_of_several_kinds_names_them_all() -> None:
    assert problems({"id": "t", "weight": "heavy", "score": [1]}) == [
        "t.json: weight: expected a number or null, got 'heavy'",
        "t.json: score: expected true or false or a string or an object or null, got a list",
    ]


def test_a_list_is_never_taken_from_a_string_or_an_object() -> None:
    assert problems({"id": "t", "leaves": "ab"}) == ["t.json: leaves: expected a list, got 'ab'"]
    assert problems({"id": "t", "leaves": {"a": 1}}) == [
        "t.json: leaves: expected a list, got an object"
    ]


def test_the_path_given_is_where_the_problems_are_located() -> None:
    assert problems([], path="items[3]") == ["t.json: items[3]: expected an object, got a list"]
    assert problems({"id": 1}, path="items[3]") == ["t.json: items[3].id: expected a string, got 1"]


def test_anything_but_a_fault_of_the_input_is_raised_not_reported() -> None:
    with pytest.raises(ZeroDivisionError):
        list(problems_of(ZeroDivisionError(), {}, "$", "t.json"))
    assert [str(p) for p in problems_of(Invalid("wrong"), 1, "x", "t.json")] == ["t.json: x: wrong"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "t.json: a tree must be a JSON object"),
        ({}, "t.json: schema: missing required field (expected 'observer.tree/1')"),
        (
            {"schema": "observer.tree/2"},
            "t.json: schema: unsupported version 'observer.tree/2':"
            " this observer reads 'observer.tree/1'",
        ),
        (
            {"schema": 5},
            "t.json: schema: not an observer tree (expected 'observer.tree/1', got 5)",
        ),
    ],
)
def test_check_schema_names_what_the_document_is_instead(raw: Any, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        check_schema(raw, "observer.tree/1", "t.json")
    assert [str(p) for p in caught.value.problems] == [problem]
    check_schema({"schema": "observer.tree/1"}, "observer.tree/1", "t.json")


def test_problems_are_sorted_in_document_order() -> None:
    raw = {"zeta": 1, "leaves": [{}, {}], "id": 3}
    with pytest.raises(InputError) as caught:
        structure(raw, Tree, file="t.json")
    shuffled = list(reversed(caught.value.problems))
    assert [p.location for p in sort_problems([*shuffled, shuffled[0]], raw, Tree)] == [
        "id",
        "leaves[0].name",
        "leaves[1].name",
        "zeta",
    ]
