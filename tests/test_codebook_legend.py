"""``observer codebook show`` text: the legend, exactly, and its 80-column layout."""

from __future__ import annotations

from support.codebook import VALID, load, tiny

from observer.codebook import load_codebook
from observer.legend import render_legend

FULL_LEGEND = """\
Tiny
full 1  sha256 {sha}

Every field.
Two lines,      tab.

KEYS  (point: an instant; state: its key starts it and stops it)

PARENT
  Touch
    h  Hug   point  hug  +force

CHILD
  Place - exclusive: one at a time
    n  Near  state  near
    f  Far   state  far

MODIFIERS  (press a value's key right after the code)
  Force (force, required)
    1 softly   2 hard

RATINGS
  Warmth (warmth)  1-7, per session
      1 cold
      7 warm
  Closeness (closeness)  0-1 in steps of 0.25, per segment, Child
      0   apart
      0.5 so-so
      1   close

SEGMENTS
  1. Play (play)  5:00 planned
  2. Rest (rest)
  3. Tidy (tidy)  0:12 planned"""


def test_full_legend_exactly() -> None:
    book = load_codebook(VALID / "full.json")
    assert render_legend(book) == FULL_LEGEND.format(sha=book.sha256[:16])


def test_actors_without_codes_and_empty_sections_are_left_out() -> None:
    raw = tiny()
    raw["actors"].append({"id": "sibling", "label": "Sibling"})
    raw.update(ratings=[], segments=[])
    text = render_legend(load(raw))
    assert "SIBLING" not in text
    assert "RATINGS" not in text and "SEGMENTS" not in text
    assert "MODIFIERS" in text


def test_long_labels_and_modifier_lists_wrap_within_80_columns() -> None:
    raw = tiny()
    raw["description"] = "word " * 60
    raw["codes"][0]["label"] = "Holds the child close in a long and warm embrace with both arms"
    raw["modifiers"].append(
        {
            "id": "duration-class",
            "label": "Duration class",
            "values": [
                {"id": f"v{i}", "key": str(i), "label": f"value number {i}"} for i in range(3, 10)
            ],
        }
    )
    raw["codes"][0]["modifiers"] = ["force", "duration-class"]
    raw["codes"][1]["modifiers"] = ["duration-class", "force"]
    raw["ratings"][0]["anchors"]["4"] = "a long anchor text " * 8
    lines = render_legend(load(raw)).splitlines()
    assert max(len(line) for line in lines) <= 80
    hug = next(i for i, line in enumerate(lines) if line.startswith("    h  "))
    assert lines[hug].startswith("    h  Holds the child close in a long  ")
    assert lines[hug + 1].strip() == "and warm embrace with both arms"
    assert "+force, +duration-class" in lines[hug]
    assert any(line.startswith("    3 value number 3") for line in lines)
    assert any(line.startswith("    7 value number 7") for line in lines)


def test_modifiers_move_to_the_next_line_when_the_row_is_full() -> None:
    raw = tiny()
    raw["codes"][0]["id"] = "hug-" + "x" * 30
    raw["codes"][0]["label"] = "H" * 34
    lines = render_legend(load(raw)).splitlines()
    hug = next(i for i, line in enumerate(lines) if line.startswith("    h  "))
    assert lines[hug].endswith("hug-" + "x" * 30)
    assert lines[hug + 1] == " " * 50 + "+force"
