"""The bundled codebooks: what each promises, the default's key layout, and that a
wheel built from the repository carries them."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.codebook import REPO

from observer.codebook import Codebook, bundled_paths, load_codebook
from observer.legend import render_legend

LEFT_HAND = set("qwertasdfgzxcvb12345`")
RIGHT_HAND = set("yuiophjkl;nm,./67890-=[]'")
BOTTOM_ROW = "zxcvbnm"


@pytest.fixture(scope="module")
def cpp() -> Codebook:
    return load_codebook("cpp-attachment")


def test_the_docs_count_the_bundled_codebooks() -> None:
    words = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    text = (REPO / "docs" / "codebooks.md").read_text()
    assert f"observer ships {words[len(bundled_paths())]} (see" in text


def test_the_bundled_codebooks_each_named_by_its_id() -> None:
    paths = bundled_paths()
    assert {p.stem for p in paths} >= {
        "cpp-attachment",
        "dpics-style",
        "strange-situation",
        "emotional-availability-style",
    }
    for path in paths:
        assert load_codebook(path).id == path.stem


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_every_code_is_defined_with_an_example(path: Path) -> None:
    book = load_codebook(path)
    assert book.description
    for code in book.codes:
        assert len(code.definition) >= 40, code.id
        assert code.examples, code.id
    for rating in book.ratings:
        assert rating.description, rating.id
        if rating.kind == "scale":
            assert len(rating.anchors) >= 2, rating.id
        elif rating.kind == "category":
            assert len(rating.values) >= 2 and all(v.label for v in rating.values), rating.id


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_legend_fits_80_columns(path: Path) -> None:
    assert max(len(line) for line in render_legend(load_codebook(path)).splitlines()) <= 80


def test_instrument_shaped_codebooks_do_not_claim_to_be_the_instrument() -> None:
    for cb_id in (
        "dpics-style",
        "strange-situation",
        "emotional-availability-style",
        "piccolo-style",
        "crowell-style",
        "cib-style",
        "care-index-style",
    ):
        text = load_codebook(cb_id).description
        assert "shaped like" in text and "our own" in text


# --- the default: cpp-attachment -----------------------------------------------------


def test_cpp_has_caregiver_and_child(cpp: Codebook) -> None:
    assert [a.id for a in cpp.actors] == ["caregiver", "child"]


def test_cpp_has_point_and_state_codes_and_an_exclusive_proximity_group(cpp: Codebook) -> None:
    assert {c.kind for c in cpp.codes} == {"point", "state"}
    proximity = cpp.group_by_id["ch-proximity"]
    assert proximity.exclusive
    labels = {c.label for c in cpp.codes if c.group == "ch-proximity"}
    assert {"Approaches caregiver", "Seeks contact", "Maintains contact"} <= labels


def test_cpp_disorganized_codes_follow_the_seven_index_groups_along_the_bottom_row(
    cpp: Codebook,
) -> None:
    codes = [c for c in cpp.codes if c.group == "ch-disorganized"]
    assert [c.label.split()[0] for c in codes] == [
        f"D-{n}" for n in ["I", "II", "III", "IV", "V", "VI", "VII"]
    ]
    assert "".join(c.key for c in codes) == BOTTOM_ROW
    assert {c.kind for c in codes} == {"point"}


def test_cpp_keys_by_hand(cpp: Codebook) -> None:
    """Caregiver on the left hand, child on the right, disorganized along the bottom row."""
    for code in cpp.codes:
        if code.group == "ch-disorganized":
            continue
        hand = LEFT_HAND if code.actor == "caregiver" else RIGHT_HAND
        assert code.key in hand, f"{code.id} key {code.key!r}"


def test_cpp_intensity_is_on_the_digits(cpp: Codebook) -> None:
    intensity = cpp.modifier_by_id["intensity"]
    assert [v.key for v in intensity.values] == ["1", "2", "3"]
    assert not {v.key for v in intensity.values} & set(cpp.code_by_key)
    assert any("intensity" in c.modifiers for c in cpp.codes)


def test_cpp_ratings_and_segments(cpp: Codebook) -> None:
    sensitivity = cpp.rating_by_id["cg-sensitivity"]
    assert (sensitivity.min, sensitivity.max, sensitivity.actor) == (1, 7, "caregiver")
    assert "ch-involvement" in cpp.rating_by_id
    assert [s.id for s in cpp.segments] == [
        "warm-up",
        "free-play",
        "clean-up",
        "separation",
        "reunion",
    ]


# --- the others ----------------------------------------------------------------------


def test_dpics_style_counts_with_three_situations() -> None:
    book = load_codebook("dpics-style")
    assert {c.kind for c in book.codes} == {"point"}
    parent = [c.label for c in book.codes if c.actor == "parent"]
    assert {"Labeled praise", "Unlabeled praise", "Direct command", "Indirect command"} <= set(
        parent
    )
    assert [c.label for c in book.codes if c.actor == "child"] == [
        "Complies",
        "Does not comply",
        "No opportunity to comply",
    ]
    assert [s.id for s in book.segments] == ["child-led-play", "parent-led-play", "clean-up"]


def test_strange_situation_rates_interactive_scales_per_episode() -> None:
    book = load_codebook("strange-situation")
    assert len(book.segments) == 8
    assert book.segments[4].id == "reunion-1" and book.segments[7].id == "reunion-2"
    per_episode = [r for r in book.ratings if r.scope == "segment"]
    assert {r.id for r in per_episode} >= {
        "ch-proximity-seeking",
        "ch-contact-maintaining",
        "ch-resistance",
        "ch-avoidance",
    }
    assert all((r.min, r.max, r.step) == (1, 7, 1) for r in per_episode)


def test_emotional_availability_style_rates_six_dimensions_once() -> None:
    book = load_codebook("emotional-availability-style")
    assert len(book.ratings) == 6
    assert {r.scope for r in book.ratings} == {"session"}
    assert [r.actor for r in book.ratings].count("adult") == 4
    assert book.codes


# --- packaging -----------------------------------------------------------------------


def _can_build() -> str | None:
    if importlib.util.find_spec("pip") is None:
        return "pip is not installed in this environment"
    if importlib.util.find_spec("hatchling") is None:
        return "hatchling (in the test extra) is not installed"
    return None


@pytest.mark.skipif(_can_build() is not None, reason=_can_build() or "")
def test_a_wheel_built_from_the_repository_carries_the_codebooks(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("observer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in bundled_paths():
        assert f"observer/_bundled/{path.name}" in names
    assert "observer/_bundled/codebook.schema.json" in names
    assert "observer/codebook/__init__.py" in names
    for sheet in ("coding", "coding-screens", "replay", "consensus"):  # the screens' stylesheets
        assert f"observer/tui/styles/{sheet}.tcss" in names


# --- the instrument-shaped codebooks of allocations, reverse keys and episodes ---------


def test_piccolo_style_has_29_items_0_to_2_in_four_domains_summed_apart() -> None:
    book = load_codebook("piccolo-style")
    assert len(book.ratings) == 29
    assert {(r.min, r.max, r.kind) for r in book.ratings} == {(0, 2, "scale")}
    domains = [r.id.split(".")[0] for r in book.ratings]
    assert list(dict.fromkeys(domains)) == [
        "affection",
        "responsiveness",
        "encouragement",
        "teaching",
    ]
    assert [len(c.of) for c in book.composites] == [7, 7, 7, 8]
    assert {c.rule for c in book.composites} == {"sum"}
    assert not any("total" in c.id for c in book.composites)  # the domains, no total


def test_crowell_style_episodes_have_planned_lengths_and_episode_ratings() -> None:
    book = load_codebook("crowell-style")
    assert [s.id for s in book.segments][:3] == ["free-play", "clean-up", "bubbles"]
    assert all(s.planned_s for s in book.segments)
    assert {r.scope for r in book.ratings} == {"segment"}
    instruction = book.rating_by_id["cg-instruction"]
    assert [s.id for s in book.rating_segments(instruction)] == [
        "task-1", "task-2", "task-3", "task-4"
    ]  # fmt: skip


def test_cib_style_composites_reverse_the_items_that_point_the_other_way() -> None:
    from observer.scores import scores

    book = load_codebook("cib-style")
    assert {(r.min, r.max) for r in book.ratings} == {(1, 5)}
    reversed_items = {i.rating for c in book.composites for i in c.items if i.reverse}
    assert reversed_items == {
        "parent.anxious", "parent.follows-pace", "child.withdrawn", "child.negative",
        "dyad.tense", "dyad.constricted",
    }  # fmt: skip
    given = {"dyad.reciprocal": 4, "dyad.fluent": 5, "dyad.tense": 2, "dyad.constricted": 1}
    assert scores(book, given)["dyadic-reciprocity"] == (4 + 5 + (6 - 2) + (6 - 1)) / 4


def test_care_index_style_spreads_14_points_over_each_actors_patterns() -> None:
    book = load_codebook("care-index-style")
    adult, child = book.rating_by_id["adult-pattern"], book.rating_by_id["child-pattern"]
    assert (adult.kind, adult.total, [p.id for p in adult.parts]) == (
        "allocation", 14, ["sensitive", "controlling", "unresponsive"]
    )  # fmt: skip
    assert (child.total, [p.id for p in child.parts]) == (
        14, ["cooperative", "compulsive", "difficult", "passive"]
    )  # fmt: skip
    assert adult.accepts({"sensitive": 8, "controlling": 4, "unresponsive": 2})
    assert not adult.accepts({"sensitive": 8, "controlling": 4, "unresponsive": 1})


def test_strange_situation_has_the_forced_alternative_beside_the_classification() -> None:
    book = load_codebook("strange-situation")
    forced = book.rating_by_id["forced-classification"]
    assert forced.alternative_to == "classification" and book.version == "1.2.0"
    assert forced.classes == ("A", "B", "C") and "D" not in forced.value_by_id
