"""Helpers shared by the interchange tests (no tests here): an in-process command runner,
a reader of SDIS timed-event files, and a checker of the EAF 3.0 schema's structure."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

NAME = r"[A-Za-z][A-Za-z0-9_]*"
TOKEN = re.compile(
    rf"^(?P<code>{NAME})?,(?P<on>\d+\.\d{{3}})(?:-(?P<off>\d+\.\d{{3}}))?(?P<end>/)?$"
)


def parse_sdis(
    text: str,
) -> tuple[dict[str, list[str]], dict[str, str], list[tuple[str, list[dict[str, str]]]]]:
    """A small recursive-descent reader of SDIS timed-event files: the declaration
    ``Timed ($set = code ...) ...;``, then sessions ``<label> tokens... ,end/``.
    Returns the sets, the comment header's name → code map and the sessions."""
    mapping = dict(re.findall(rf"^%\s+({NAME}) = (\S+)$", text, flags=re.M))
    body = re.sub(r"%[^\n]*", "", text)
    pos = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(body) and body[pos].isspace():
            pos += 1

    def expect(pattern: str) -> str:
        nonlocal pos
        skip()
        match = re.compile(pattern).match(body, pos)
        assert match, f"expected {pattern!r} at {body[pos : pos + 40]!r}"
        pos = match.end()
        return match.group(0)

    expect("Timed")
    sets: dict[str, list[str]] = {}
    skip()
    while body[pos] == "(":
        expect(r"\(")
        name = expect(rf"\${NAME}")[1:]
        expect("=")
        codes = []
        skip()
        while body[pos] != ")":
            codes.append(expect(NAME))
            skip()
        expect(r"\)")
        sets[name] = codes
        skip()
    expect(";")
    sessions = []
    skip()
    while pos < len(body):
        label = expect(r"<[^>]+>")[1:-1]
        tokens = []
        while True:
            token = expect(r"\S+")
            match = TOKEN.match(token)
            assert match, f"bad token {token!r}"
            tokens.append(match.groupdict())
            if match["end"]:
                break
        sessions.append((label, tokens))
        skip()
    return sets, mapping, sessions


# What EAFv3.0.xsd requires, as facts: the root's child sequence, each element's
# required attributes, the ID-typed attributes (unique in the whole document) and
# the references that must resolve.
ROOT_SEQUENCE = ["LICENSE", "HEADER", "TIME_ORDER", "TIER", "LINGUISTIC_TYPE", "LOCALE", "LANGUAGE",
                 "CONSTRAINT", "CONTROLLED_VOCABULARY", "LEXICON_REF", "REF_LINK_SET", "EXTERNAL_REF"]  # fmt: skip
REQUIRED = {
    "ANNOTATION_DOCUMENT": {"DATE", "AUTHOR", "VERSION"},
    "TIME_SLOT": {"TIME_SLOT_ID"},
    "TIER": {"TIER_ID", "LINGUISTIC_TYPE_REF"},
    "ALIGNABLE_ANNOTATION": {"ANNOTATION_ID", "TIME_SLOT_REF1", "TIME_SLOT_REF2"},
    "REF_ANNOTATION": {"ANNOTATION_ID", "ANNOTATION_REF"},
    "LINGUISTIC_TYPE": {"LINGUISTIC_TYPE_ID"},
    "LANGUAGE": {"LANG_ID"},
    "CONSTRAINT": {"STEREOTYPE"},
    "CONTROLLED_VOCABULARY": {"CV_ID"},
    "CV_ENTRY_ML": {"CVE_ID"},
    "CVE_VALUE": {"LANG_REF"},
    "DESCRIPTION": {"LANG_REF"},
    "PROPERTY": set(),
    "MEDIA_DESCRIPTOR": {"MEDIA_URL", "MIME_TYPE"},
}
HEADER_SEQUENCE = ["MEDIA_DESCRIPTOR", "LINKED_FILE_DESCRIPTOR", "PROPERTY"]
ID_ATTRIBUTES = {"TIME_SLOT_ID", "ANNOTATION_ID", "LANG_ID", "STEREOTYPE"}
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
NC_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")


def check_eaf_structure(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == "ANNOTATION_DOCUMENT"
    assert DATE_TIME.fullmatch(root.get("DATE", ""))
    ranks = [ROOT_SEQUENCE.index(child.tag) for child in root]
    assert ranks == sorted(ranks), "root children out of the schema's sequence"
    assert ranks.count(1) == 1 and ranks.count(2) == 1  # exactly one HEADER, TIME_ORDER
    (header,) = root.findall("HEADER")
    header_ranks = [HEADER_SEQUENCE.index(child.tag) for child in header]
    assert header_ranks == sorted(header_ranks), "HEADER children out of the schema's sequence"
    for media in header.findall("MEDIA_DESCRIPTOR"):
        assert re.fullmatch(r"-?\d+", media.get("TIME_ORIGIN", "0")), "TIME_ORIGIN is an xsd:long"
    ids: set[str] = set()
    for element in root.iter():
        assert REQUIRED.get(element.tag, set()) <= set(element.attrib), element.tag
        for name in ID_ATTRIBUTES & set(element.attrib):
            value = element.get(name, "")
            assert NC_NAME.fullmatch(value) and value not in ids, value
            ids.add(value)
    slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE", "-1")) for s in root.iter("TIME_SLOT")}
    assert all(v >= 0 for v in slots.values())
    assert list(slots.values()) == sorted(slots.values())
    tiers = {t.get("TIER_ID"): t for t in root.findall("TIER")}
    assert len(tiers) == len(root.findall("TIER"))
    types = {t.get("LINGUISTIC_TYPE_ID"): t for t in root.findall("LINGUISTIC_TYPE")}
    stereotypes = {c.get("STEREOTYPE") for c in root.findall("CONSTRAINT")}
    cvs = {c.get("CV_ID") for c in root.findall("CONTROLLED_VOCABULARY")}
    languages = {lang.get("LANG_ID") for lang in root.findall("LANGUAGE")}
    aligned = {a.get("ANNOTATION_ID") for a in root.iter("ALIGNABLE_ANNOTATION")}
    for type_ in types.values():
        assert type_.get("CONSTRAINTS") in stereotypes | {None}
        assert type_.get("CONTROLLED_VOCABULARY_REF") in cvs | {None}
    for element in root.iter():
        if "LANG_REF" in element.attrib:
            assert element.get("LANG_REF") in languages
    for tier_id, tier in tiers.items():
        type_ = types[tier.get("LINGUISTIC_TYPE_REF")]
        parent = tier.get("PARENT_REF")
        assert parent is None or parent in tiers
        spans = []
        for annotation in tier.findall("ANNOTATION"):
            (inner,) = list(annotation)
            assert [c.tag for c in inner] == ["ANNOTATION_VALUE"]
            if inner.tag == "ALIGNABLE_ANNOTATION":
                assert type_.get("TIME_ALIGNABLE") == "true"
                a, b = slots[inner.get("TIME_SLOT_REF1")], slots[inner.get("TIME_SLOT_REF2")]
                assert a < b
                spans.append((a, b))
            else:
                assert inner.tag == "REF_ANNOTATION" and parent is not None
                assert inner.get("ANNOTATION_REF") in aligned
        spans.sort()
        assert all(x[1] <= y[0] for x, y in itertools.pairwise(spans)), f"overlap on {tier_id}"
    for cv in root.findall("CONTROLLED_VOCABULARY"):
        children = [c.tag for c in cv]
        assert children == sorted(children, key=["DESCRIPTION", "CV_ENTRY_ML"].index)
        entries = [e.get("CVE_ID") for e in cv.findall("CV_ENTRY_ML")]
        assert len(entries) == len(set(entries))
        assert all(e.findall("CVE_VALUE") for e in cv.findall("CV_ENTRY_ML"))
