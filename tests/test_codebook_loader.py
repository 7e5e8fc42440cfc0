"""The codebook loader: the model, every rule of the format, and every way a file can be bad."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.codebook import BROKEN, VALID, expected_table, load, problems_of, shown, tiny

from observer import codebook as cb
from observer.codebook import Codebook, Rating, codebook_from_data, load_codebook, resolve
from observer.errors import InputError


def lines(path_or_id: str | Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_codebook(path_or_id)
    return [str(p) for p in caught.value.problems]


# --- the corpus of broken files ----------------------------------------------------


def test_the_corpus_is_large_and_every_file_is_in_the_table() -> None:
    table = expected_table()
    assert len(table) >= 25
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(table)


@pytest.mark.parametrize("name", sorted(expected_table()))
def test_broken_codebook_gives_exactly_its_problems(name: str) -> None:
    path = BROKEN / name
    expected = [shown(path, line) for line in expected_table()[name]["problems"]]
    assert lines(path) == expected


# --- valid files and the model -----------------------------------------------------


@pytest.mark.parametrize("name", ["tiny.json", "minimal.json", "full.json", "bom.json"])
def test_valid_fixtures_load(name: str) -> None:
    assert isinstance(load_codebook(VALID / name), Codebook)


def test_defaults_are_filled_in() -> None:
    book = load_codebook(VALID / "minimal.json")
    assert (book.description, book.modifiers, book.ratings, book.segments) == ("", (), (), ())
    code = book.codes[0]
    assert (code.definition, code.examples, code.modifiers) == ("", (), ())
    assert book.groups[0].exclusive is False


def test_lookups_and_streams() -> None:
    book = load_codebook(VALID / "tiny.json")
    assert book.code_by_key["n"].id == "near"
    assert book.code_by_id["hug"].stream == "touch/parent"
    assert book.modifier_by_id["force"].value_by_key("2") is not None
    assert book.modifier_by_id["force"].value_by_key("3") is None
    assert [s.id for s in book.streams] == ["touch/parent", "place/child"]
    assert [c.id for c in book.streams[1].codes] == ["near", "far"]
    assert book.rating_by_id["warmth"].scale() == [1, 2, 3, 4, 5, 6, 7]
    assert book.segment_by_id["play"].planned_s == 300


def test_full_fixture_keeps_every_field() -> None:
    book = load_codebook(VALID / "full.json")
    assert book.codes[0].examples == ("A hug", "A cuddle")
    assert book.modifiers[0].required is True
    closeness = book.rating_by_id["closeness"]
    assert (closeness.scope, closeness.actor) == ("segment", "child")
    assert closeness.scale() == [0, 0.25, 0.5, 0.75, 1.0]
    assert book.segment_by_id["rest"].planned_s is None


def test_document_round_trips_with_the_same_sha256() -> None:
    book = load_codebook(VALID / "full.json")
    again = codebook_from_data(json.loads(json.dumps(book.document)), "again")
    assert again == book
    assert again.sha256 == book.sha256
    assert len(book.sha256) == 64


def test_sha256_ignores_layout_and_key_order_but_not_content() -> None:
    raw = tiny()
    shuffled = dict(reversed(list(raw.items())))
    assert load(shuffled).sha256 == load(raw).sha256
    raw["codes"][0]["label"] = "Hugs"
    assert load(raw).sha256 != load(tiny()).sha256


def test_defaults_written_out_or_left_out_give_the_same_identity() -> None:
    raw = tiny()
    raw["groups"][0]["exclusive"] = False
    raw["ratings"][0]["step"] = 1
    assert load(raw).sha256 == load(tiny()).sha256


@pytest.mark.parametrize(
    ("scale", "value", "ok"),
    [
        ((1, 7, 1), 4, True),
        ((1, 7, 1), 4.5, False),
        ((1, 7, 1), 0, False),
        ((1, 7, 1), 8, False),
        ((1, 7, 1), True, False),
        ((0, 1, 0.1), 0.3, True),  # 0.3 / 0.1 is 2.9999999999999996 in floating point
        ((0, 1, 0.25), 0.3, False),
        ((-3, 3, 1), -2, True),
        ((-1.5, 1.5, 0.5), -0.5, True),
    ],
)
def test_rating_accepts_values_on_the_scale(
    scale: tuple[float, float, float], value: float, ok: bool
) -> None:
    low, high, step = scale
    assert Rating(id="r", label="R", min=low, max=high, step=step).accepts(value) is ok


def test_rating_accepts_never_overflows() -> None:
    rating = Rating(id="r", label="R", min=-1e308, max=1e308, step=1e-300)
    assert rating.accepts(1e308) is False


# --- every rule, one at a time ------------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def _add_code(**fields: Any) -> Mutation:
    code = {"id": "new", "label": "New", "group": "touch", "actor": "child", "kind": "point"}
    return lambda d: d["codes"].append({**code, **fields})


RULES: list[tuple[str, Mutation, list[str]]] = [
    (
        "kind point or state",
        lambda d: d["codes"][0].update(kind="event"),
        ["codes[0].kind: must be one of 'point', 'state' (got 'event')"],
    ),
    (
        "exclusive groups hold state codes only",
        _add_code(group="place", key="p"),
        ["codes[3].kind: exclusive group 'place' holds only state codes"],
    ),
    (
        "exclusive groups may hold any number of state codes",
        _add_code(group="place", key="p", kind="state"),
        [],
    ),
    (
        "key is one character",
        lambda d: d["codes"][0].update(key="hh"),
        ["codes[0].key: 'hh' must be exactly one character"],
    ),
    ("key is case-sensitive", _add_code(key="H"), []),
    (
        "punctuation and non-ASCII keys are fine",
        lambda d: (_add_code(key=";")(d), _add_code(id="e", key="é")(d)),
        [],
    ),
    (
        "key unique across codes",
        _add_code(key="n"),
        ["codes[3].key: duplicate key 'n' (also codes[1])"],
    ),
    (
        "key not reserved",
        lambda d: d["codes"][0].update(key=" "),
        ["codes[0].key: ' ' is reserved by the coding screen"],
    ),
    (
        "key printable",
        lambda d: d["codes"][0].update(key="\n"),
        ["codes[0].key: '\\n' is not a printable character"],
    ),
    (
        "key not white space",
        lambda d: d["codes"][0].update(key="\u3000"),
        ["codes[0].key: '\\u3000' is not a printable character"],
    ),
    (
        "modifier value keys unique within their modifier",
        lambda d: d["modifiers"][0]["values"].append({"id": "firm", "key": "1"}),
        ["modifiers[0].values[2].key: duplicate key '1' (also modifiers[0].values[0])"],
    ),
    (
        "modifier value keys may repeat across modifiers",
        lambda d: d["modifiers"].append(
            {"id": "speed", "label": "Speed", "values": [{"id": "slow", "key": "1"}]}
        ),
        [],
    ),
    (
        "a used modifier's value key is not a code key",
        lambda d: d["modifiers"][0]["values"][0].update(key="f"),
        [
            "modifiers[0].values[0].key: key 'f' is also the key of codes[2]"
            " (the key after a code would be ambiguous)"
        ],
    ),
    (
        "an unused modifier's value key may be a code key",
        lambda d: (d["codes"][0].pop("modifiers"), d["modifiers"][0]["values"][0].update(key="f")),
        [],
    ),
    (
        "modifier value keys obey the key rules",
        lambda d: d["modifiers"][0]["values"][0].update(key=" "),
        ["modifiers[0].values[0].key: ' ' is reserved by the coding screen"],
    ),
    (
        "a modifier has values",
        lambda d: d["modifiers"][0].update(values=[]),
        ["modifiers[0].values: must list at least one value"],
    ),
    (
        "code references an existing actor",
        lambda d: d["codes"][0].update(actor="dad"),
        ["codes[0].actor: unknown actor 'dad'"],
    ),
    (
        "code references an existing group",
        lambda d: d["codes"][0].update(group="talk"),
        ["codes[0].group: unknown group 'talk'"],
    ),
    (
        "code references existing modifiers",
        lambda d: d["codes"][1].update(modifiers=["mood"]),
        ["codes[1].modifiers[0]: unknown modifier 'mood'"],
    ),
    (
        "code lists a modifier once",
        lambda d: d["codes"][0].update(modifiers=["force", "force"]),
        ["codes[0].modifiers[1]: modifier 'force' listed twice"],
    ),
    (
        "code modifiers need a modifiers list",
        lambda d: d.pop("modifiers"),
        ["codes[0].modifiers[0]: unknown modifier 'force'"],
    ),
    (
        "rating references an existing actor",
        lambda d: d["ratings"][0].update(actor="dad"),
        ["ratings[0].actor: unknown actor 'dad'"],
    ),
    ("rating actor may be null", lambda d: d["ratings"][0].update(actor=None), []),
    (
        "ids unique: actors",
        lambda d: d["actors"].append({"id": "child", "label": "C"}),
        ["actors[2].id: duplicate id 'child' (also actors[1])"],
    ),
    (
        "ids unique: groups",
        lambda d: d["groups"].append({"id": "touch", "label": "T"}),
        ["groups[2].id: duplicate id 'touch' (also groups[0])"],
    ),
    (
        "ids unique: codes",
        _add_code(id="hug", key="u"),
        ["codes[3].id: duplicate id 'hug' (also codes[0])"],
    ),
    (
        "ids unique: modifier values",
        lambda d: d["modifiers"][0]["values"].append({"id": "soft", "key": "3"}),
        ["modifiers[0].values[2].id: duplicate id 'soft' (also modifiers[0].values[0])"],
    ),
    (
        "ids unique: segments",
        lambda d: d["segments"].append({"id": "play", "label": "P"}),
        ["segments[1].id: duplicate id 'play' (also segments[0])"],
    ),
    (
        "ids may repeat across lists",
        lambda d: d["segments"].append({"id": "hug", "label": "Hug"}),
        [],
    ),
    (
        "id pattern",
        lambda d: d["groups"][0].update(id="Touch"),
        [
            "groups[0].id: 'Touch' is not a valid id (use a-z, 0-9, '.', '_', '-')",
            "codes[0].group: unknown group 'touch'",
        ],
    ),
    ("id pattern allows . _ - and digits", lambda d: d["segments"][0].update(id="0.play_a-b"), []),
    (
        "codebook id pattern",
        lambda d: d.update(id="a/b"),
        ["id: 'a/b' is not a valid id (use a-z, 0-9, '.', '_', '-')"],
    ),
    (
        "unknown fields refused",
        lambda d: d["segments"][0].update(length=3),
        ["segments[0].length: unknown field"],
    ),
    (
        "min < max",
        lambda d: d["ratings"][0].update(min=7, max=7),
        ["ratings[0].max: max (7) must be greater than min (7)"],
    ),
    (
        "max - min a multiple of step",
        lambda d: d["ratings"][0].update(step=5),
        ["ratings[0].step: max - min (6) is not a multiple of step (5)"],
    ),
    (
        "step may be a fraction",
        lambda d: d["ratings"][0].update(min=0, max=1, step=0.1, anchors={"0.3": "x"}),
        [],
    ),
    (
        "step positive",
        lambda d: d["ratings"][0].update(step=-1),
        ["ratings[0].step: must be greater than 0"],
    ),
    (
        "at most 1001 points",
        lambda d: d["ratings"][0].update(min=0, max=1001),
        ["ratings[0].step: the scale has 1002 points (at most 1001)"],
    ),
    ("1001 points are fine", lambda d: d["ratings"][0].update(min=0, max=1000, anchors={}), []),
    (
        "anchors on the scale",
        lambda d: d["ratings"][0].update(anchors={"8": "x"}),
        ["ratings[0].anchors.8: 8 is not on the scale 1-7"],
    ),
    (
        "anchor keys are plain numbers",
        lambda d: d["ratings"][0].update(anchors={" 7": "x", "1_0": "y"}),
        [
            "ratings[0].anchors. 7: an anchor's key must be a number on the scale",
            "ratings[0].anchors.1_0: an anchor's key must be a number on the scale",
        ],
    ),
    (
        "scope session or segment",
        lambda d: d["ratings"][0].update(scope="dyad"),
        ["ratings[0].scope: must be one of 'session', 'segment' (got 'dyad')"],
    ),
    (
        "segment scope needs segments",
        lambda d: (d.pop("segments"), d["ratings"][0].update(scope="segment")),
        ["ratings[0].scope: segment-scoped rating, but the codebook has no segments"],
    ),
    (
        "planned_s positive",
        lambda d: d["segments"][0].update(planned_s=0),
        ["segments[0].planned_s: must be greater than 0"],
    ),
    ("planned_s may be null", lambda d: d["segments"][0].update(planned_s=None), []),
    (
        "at least one actor, group, code",
        lambda d: d.update(actors=[], groups=[], codes=[]),
        [
            "actors: must list at least one entry",
            "groups: must list at least one entry",
            "codes: must list at least one entry",
        ],
    ),
    (
        "modifiers, ratings, segments may be empty",
        lambda d: (d.update(modifiers=[], ratings=[], segments=[]), d["codes"][0].pop("modifiers")),
        [],
    ),
    (
        "labels not blank",
        lambda d: d["groups"][1].update(label=" "),
        ["groups[1].label: must not be empty"],
    ),
    (
        "a modifier value's label may be empty",
        lambda d: d["modifiers"][0]["values"][0].update(label=""),
        [],
    ),
    (
        "no control characters in labels",
        lambda d: d["actors"][0].update(label="P\x1b[31m"),
        ["actors[0].label: contains a control character (U+001B)"],
    ),
    (
        "line breaks allowed in prose",
        lambda d: d["codes"][0].update(definition="a\nb\tc", examples=["x\ny"]),
        [],
    ),
    (
        "no other control characters in prose",
        lambda d: d["ratings"][0]["anchors"].update({"7": "w\x08"}),
        ["ratings[0].anchors.7: contains a control character (U+0008)"],
    ),
    (
        "strict types: no strings for numbers",
        lambda d: d["ratings"][0].update(max="7"),
        ["ratings[0].max: expected a number, got '7'"],
    ),
    (
        "strict types: no numbers for strings",
        lambda d: d["codes"][0].update(label=1),
        ["codes[0].label: expected a string, got 1"],
    ),
    (
        "strict types: booleans are not numbers",
        lambda d: d["segments"][0].update(planned_s=True),
        ["segments[0].planned_s: expected a number or null, got true"],
    ),
    (
        "a list is a list, not a string",
        lambda d: d["codes"][0].update(examples="a hug"),
        ["codes[0].examples: expected a list, got 'a hug'"],
    ),
    (
        "a list is a list, not an object",
        lambda d: d["modifiers"][0].update(values={}),
        ["modifiers[0].values: expected a list, got an object"],
    ),
    (
        "required fields",
        lambda d: d["codes"][0].pop("key"),
        ["codes[0].key: missing required field"],
    ),
    (
        "version and title not blank",
        lambda d: d.update(version=" ", title=""),
        ["version: must not be empty", "title: must not be empty"],
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "expected"), RULES, ids=[r[0] for r in RULES])
def test_rule(rule: str, mutate: Mutation, expected: list[str]) -> None:
    raw = tiny()
    mutate(raw)
    assert problems_of(raw) == expected


def test_problems_from_structure_and_rules_come_together_in_document_order() -> None:
    raw = tiny()
    raw["segments"][0]["planned_s"] = -1
    raw["codes"][2]["key"] = "h"
    raw["codes"][0]["kind"] = 3
    raw["actors"][1]["id"] = "Child"
    assert problems_of(raw) == [
        "actors[1].id: 'Child' is not a valid id (use a-z, 0-9, '.', '_', '-')",
        "codes[0].kind: must be one of 'point', 'state' (got 3)",
        "codes[1].actor: unknown actor 'child'",
        "codes[2].actor: unknown actor 'child'",
        "codes[2].key: duplicate key 'h' (also codes[0])",
        "segments[0].planned_s: must be greater than 0",
    ]


# --- schema and top level ----------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (None, "missing required field (expected 'observer.codebook/1')"),
        (
            "observer.codebook/2",
            "unsupported version 'observer.codebook/2': this observer reads 'observer.codebook/1'",
        ),
        (
            "observer.codebook/0.9",
            "unsupported version 'observer.codebook/0.9': this observer reads 'observer.codebook/1'",
        ),
        (
            "observer.session/1",
            "not an observer codebook (expected 'observer.codebook/1', got 'observer.session/1')",
        ),
        ([1], "not an observer codebook (expected 'observer.codebook/1', got [1])"),
    ],
)
def test_schema_is_checked_first(schema: Any, message: str) -> None:
    raw = tiny()
    raw["codes"] = "many other faults"
    raw.pop("schema")
    if schema is not None:
        raw["schema"] = schema
    assert problems_of(raw) == [f"schema: {message}"]


@pytest.mark.parametrize("value", [[], "text", 3, None, True])
def test_top_level_must_be_an_object(value: Any) -> None:
    assert problems_of(value) == ["$: a codebook must be a JSON object"]


# --- files ---------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    assert lines(path) == [f"{path}: no such file"]
    assert lines(str(path)) == [f"{path}: no such file"]


def test_a_folder_is_not_a_codebook(tmp_path: Path) -> None:
    assert lines(tmp_path) == [f"{tmp_path}: is a folder, not a file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.json"
    path.write_text("{}")
    path.chmod(0)
    assert lines(path) == [f"{path}: permission denied"]


def test_absurdly_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(cb.MAX_CODEBOOK_BYTES + 1)
    size = cb.MAX_CODEBOOK_BYTES + 1
    assert lines(path) == [
        f"{path}: file is too large ({size:,} bytes; the limit is {cb.MAX_CODEBOOK_BYTES:,})"
    ]


def test_the_cap_applies_to_real_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cb, "MAX_CODEBOOK_BYTES", 1000)
    path = tmp_path / "big.json"
    raw = tiny()
    raw["description"] = "x" * 2000
    path.write_text(json.dumps(raw))
    assert lines(path) == [
        f"{path}: file is too large ({path.stat().st_size:,} bytes; the limit is 1,000)"
    ]
    raw["description"] = "x" * 10
    path.write_text(json.dumps(raw))
    assert load_codebook(path).description == "x" * 10


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(tiny()).encode())
    assert load_codebook(path) == load(tiny())


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "id": "x",\n  "title" "y"\n}\n')
    assert lines(path) == [
        f"{path}: line 3, column 11: invalid JSON: unexpected character, expected ':' after key"
    ]


def test_non_utf8_names_the_first_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "Crèche"}'.encode("latin-1"))
    assert lines(path) == [f"{path}: line 1, column 14: not UTF-8 text (save the file as UTF-8)"]


# --- bundled codebooks by id ---------------------------------------------------------


def test_bundled_codebooks_resolve_by_id() -> None:
    ids = [p.stem for p in cb.bundled_paths()]
    assert {
        "cpp-attachment",
        "dpics-style",
        "strange-situation",
        "emotional-availability-style",
    } <= set(ids)
    assert "codebook.schema" not in ids
    for cb_id in ids:
        assert load_codebook(cb_id).id == cb_id
        assert resolve(cb_id) == cb.bundled_dir() / f"{cb_id}.json"


def test_a_path_is_taken_as_given() -> None:
    path = str(VALID / "tiny.json")
    assert resolve(path) == Path(path)


def test_unknown_id_lists_the_bundled_ones() -> None:
    known = ", ".join(p.stem for p in cb.bundled_paths())
    assert lines("no-such-book") == [
        f"no-such-book: no such file, and no bundled codebook has this id (bundled: {known})"
    ]


def test_a_missing_json_path_is_not_looked_up_as_an_id() -> None:
    assert lines("cpp-attachment.json") == ["cpp-attachment.json: no such file"]
