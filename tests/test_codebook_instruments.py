"""Rating kinds, segment-restricted ratings and composites in the codebook format:
the rules with their exact problem lines, the normalised document and its hash
(unchanged for codebooks that use none of it), and the bundled instruments."""

from __future__ import annotations

import pytest
from support.codebook import load, problems_of, tiny
from support.instruments import book, doc

from observer.codebook import codebook_from_data, load_codebook

# SHA-256 of the bundled codebooks before rating kinds and composites existed:
# a codebook that uses none of the new fields keeps its identity.
UNCHANGED = {
    "cpp-attachment": "6f9c08c336472b73c4bf30c3eb968186e6756aac5a6fb6346dd4d00d99d1b0ee",
    "emotional-availability-style": (
        "6212253d912ccd771eb75727072d6883cece4bf9fe535bf7a66ddd139633aefd"
    ),
}
STRANGE_SITUATION_1_0_0 = "503b2cba01087b51086ed20f06b01b19a8d4d65e8f3443721bb828db645e68d1"
DPICS_1_0_0 = "429585bd446edba3d497cf2eea2bf12cca49ab780be20bccf631429477b1447d"


@pytest.mark.parametrize("cb_id", sorted(UNCHANGED))
def test_bundled_codebooks_without_the_new_fields_keep_their_hash(cb_id: str) -> None:
    assert load_codebook(cb_id).sha256 == UNCHANGED[cb_id]


def test_strange_situation_changed_content_and_version() -> None:
    book_ = load_codebook("strange-situation")
    assert book_.version == "1.2.0" and book_.sha256 != STRANGE_SITUATION_1_0_0


def test_dpics_gained_its_criteria_then_its_windows_with_new_versions() -> None:
    book_ = load_codebook("dpics-style")
    assert book_.version == "1.2.0" and book_.sha256 != DPICS_1_0_0
    assert [w.after for w in book_.windows] == ["pa-direct-command", "pa-indirect-command"]
    assert [s.id for s in book_.segments if s.ends == "planned"] == [
        "child-led-play", "parent-led-play"
    ]  # fmt: skip
    assert [c.id for c in book_.criteria] == [
        "cdi-labeled-praise", "cdi-reflections", "cdi-behavior-descriptions", "cdi-avoid"
    ]  # fmt: skip


def test_unused_new_fields_stay_out_of_the_normalised_document() -> None:
    document = load(tiny()).document
    assert "composites" not in document
    assert set(document["ratings"][0]) == {
        "id", "label", "min", "max", "step", "actor", "scope", "anchors", "description"
    }  # fmt: skip


def test_new_kinds_normalise_and_round_trip_with_the_same_hash() -> None:
    b = book()
    ratings = {r["id"]: r for r in b.document["ratings"]}
    assert ratings["class"]["values"][0] == {
        "id": "A1", "label": "Avoidant one", "class": "A", "description": ""
    }  # fmt: skip
    assert set(ratings["i1"]) == {"id", "label", "actor", "scope", "description", "kind"}
    assert ratings["seek"]["segments"] == ["reunion"]
    assert "segments" not in ratings["avoid"]
    assert b.document["composites"][0]["min_items"] == 2
    again = codebook_from_data(b.document, "again")
    assert again == b and again.sha256 == b.sha256


def test_kinds_accept_their_own_values() -> None:
    b = book()
    cls, check, warmth = b.rating_by_id["class"], b.rating_by_id["i1"], b.rating_by_id["warmth"]
    assert cls.accepts("B2") and not cls.accepts("b2") and not cls.accepts(2)
    assert cls.class_of("B2") == "B" and cls.classes == ("A", "B", "D")
    assert check.accepts(True) and check.accepts(False) and not check.accepts(1)
    assert warmth.accepts(3) and not warmth.accepts(True) and not warmth.accepts("3")
    assert check.problem(1) == "1 is not a check's answer (true, false or null)"
    assert cls.problem("E") == "'E' is not one of class's values (A1, A2, B1, B2, D)"
    assert [s.id for s in b.rating_segments(b.rating_by_id["seek"])] == ["reunion"]
    assert [s.id for s in b.rating_segments(b.rating_by_id["avoid"])] == [
        "play", "apart", "reunion"
    ]  # fmt: skip
    scope, spans = b.composite_scope(b.composite_by_id["seg-total"])
    assert scope == "segment" and [s.id for s in spans] == ["play", "apart", "reunion"]


def test_a_class_on_some_values_only_is_refused_at_the_first_without() -> None:
    raw = doc()
    del raw["ratings"][1]["values"][3]["class"]
    assert problems_of(raw) == [
        "ratings[1].values[3]: has no class while ratings[1].values[0] has one"
        " (give every value a class, or none)"
    ]


def test_composite_rules_with_exact_lines() -> None:
    raw = doc()
    raw["composites"] += [
        {"id": "bad", "label": "Bad", "of": ["class", "nope", "i1", "seek"], "min_items": 9},
        {"id": "i1", "label": "Clash", "of": ["i1"]},
    ]
    assert problems_of(raw) == [
        "composites[3].of[0]: 'class' is a category rating (a composite takes scale and check"
        " items)",
        "composites[3].of[1]: unknown rating 'nope'",
        "composites[3].of[3]: mixes session and segment-scoped items (a composite's items share"
        " one scope)",
        "composites[3].min_items: must be between 1 and 4 (the number of items)",
        "composites[4].id: 'i1' is also the id of ratings[2]",
    ]


def test_a_check_with_scale_fields_and_unknown_segments_are_refused() -> None:
    raw = doc()
    raw["ratings"][2].update(min=0, max=1)
    raw["ratings"][5]["segments"] = ["reunion", "lunch"]
    raw["ratings"][6]["kind"] = "ranking"
    assert problems_of(raw) == [
        "ratings[2].min: a check rating has no min (a check is yes or no, not a scale)",
        "ratings[2].max: a check rating has no max (a check is yes or no, not a scale)",
        "ratings[5].segments[1]: unknown segment 'lunch'",
        "ratings[6].kind: must be one of 'scale', 'category', 'check', 'allocation' (got 'ranking')",
    ]


def test_strange_situation_classifies_with_subgroups_in_classes() -> None:
    b = load_codebook("strange-situation")
    cls = b.rating_by_id["classification"]
    assert cls.kind == "category" and cls.scope == "session"
    assert [v.id for v in cls.values] == [
        "A1", "A2", "B1", "B2", "B3", "B4", "C1", "C2", "D"
    ]  # fmt: skip
    assert cls.classes == ("A", "B", "C", "D")
    assert [v.class_ for v in cls.values] == ["A", "A", "B", "B", "B", "B", "C", "C", "D"]


def test_strange_situation_scales_only_in_their_episodes() -> None:
    b = load_codebook("strange-situation")
    present = ["caregiver-child", "stranger-joins", "reunion-1", "reunion-2"]
    for rating in b.ratings:
        if rating.scope != "segment":
            continue
        asked = [s.id for s in b.rating_segments(rating)]
        if rating.id == "ch-search":
            assert asked == ["separation-1", "alone", "stranger-returns"]
        else:
            assert asked == present, rating.id


def test_cpp_fidelity_checklist_has_subscale_composites() -> None:
    b = load_codebook("cpp-fidelity-style")
    checks = [r for r in b.ratings if r.kind == "check"]
    assert len(checks) == 14
    subscales = [c for c in b.composites if c.id.endswith("-total")]
    assert [c.id for c in subscales] == [
        "emotional-total", "dyadic-total", "trauma-total", "procedural-total"
    ]  # fmt: skip
    assert sorted(i for c in subscales for i in c.of) == sorted(r.id for r in checks)
    share = b.composite_by_id["fidelity-share"]
    assert share.rule == "mean" and share.min_items == 12 and len(share.of) == 14
