"""Plain-text views of agreement results, rendered from the same dicts as the JSON.

Every κ is printed as a number with its Landis & Koch (1977) band beside it; an
undefined κ is printed as "—" with its reason. Nothing here hides a number.
"""

from __future__ import annotations

from typing import Any

from observer.analysis.agreement import BY_NAME
from observer.analysis.kappa import LANDIS_KOCH_SOURCE, landis_koch
from observer.wording import plural

BANDS_NOTE = (
    f"Bands after {LANDIS_KOCH_SOURCE}: < 0 poor, 0-0.20 slight, 0.21-0.40 fair, "
    "0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1 almost perfect. "
    "A band is a convention, not a verdict: report the kappa itself."
)


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _kappa(entry: dict[str, Any], key: str = "kappa") -> str:
    value = entry.get(key)
    if value is None:
        return f"kappa —      ({entry.get(f'{key}_reason') or 'undefined'})"
    return f"kappa {value:6.3f}  {landis_koch(value):<14}"


def _agreement(entry: dict[str, Any]) -> str:
    p = entry.get("agreement")
    share = "—" if p is None else f"{100 * p:5.1f}%"
    return f"agreement {share:>6}  N {entry['n']}"


def _parameters(method: str, parameters: dict[str, float]) -> str:
    parts = [f"{name} {value:g} s" for name, value in parameters.items()]
    if method == "time":
        parts.append("A is the reference")
    return ", ".join(parts)


MATRIX_LABELS = 8
TOP_CELLS = 8


def _table(table: dict[str, dict[str, int]], indent: str) -> list[str]:
    """A small table as a matrix; a large one as its most frequent disagreements."""
    labels = list(table)
    if len(labels) > MATRIX_LABELS:
        agreeing = sum(table[label][label] for label in labels)
        cells = sorted(
            ((count, row, col) for row, cols in table.items() for col, count in cols.items()),
            key=lambda cell: (-cell[0], cell[1], cell[2]),
        )
        off = [cell for cell in cells if cell[1] != cell[2] and cell[0]]
        lines = [
            f"{indent}{len(labels)} labels; {agreeing} on the diagonal; the "
            f"{min(TOP_CELLS, len(off))} most frequent disagreements (all cells: --format json):"
        ]
        lines += [f"{indent}  {row} -> {col}: {count}" for count, row, col in off[:TOP_CELLS]]
        return lines
    width = max(len(label) for label in labels)
    col = max(
        [len(label) for label in labels] + [len(str(v)) for r in table.values() for v in r.values()]
    )
    lines = [indent + " " * (width + 2) + " ".join(f"{label:>{col}}" for label in labels)]
    for row in labels:
        values = " ".join(f"{table[row][c]:>{col}}" for c in labels)
        lines.append(f"{indent}{row:<{width}}  {values}")
    return lines


def render_method(name: str, result: dict[str, Any]) -> list[str]:
    lines = [f"{name}: {BY_NAME[name].title} ({_parameters(name, result['parameters'])})"]
    lines.append(f"  overall  {_kappa(result)}  {_agreement(result)}")
    restricted = result.get("restricted_to") or {}
    for kind in ("codes", "actors"):
        if restricted.get(kind) is not None:
            lines.append(f"  restricted to {kind}: {', '.join(restricted[kind])}")
    if name == "event":
        lines.append(
            "  agreements {agreements}, disagreements {disagreements}, omissions (in A, not B) "
            "{omissions}, commissions (in B, not A) {commissions}".format(**result)
        )
    if name == "timeslice":
        lines.append(
            f"  actors: {', '.join(result['actors']) or '(none)'}; {result['empty_both']} of"
            f" {result['n']} (t, actor) cells are empty for both observers and count as"
            " agreement: they raise kappa (see docs/analysis.md)"
        )
    width = max(
        [len(s["stream"]) for s in result["streams"]] + [len(c["code"]) for c in result["codes"]]
    )
    lines.append("  streams")
    for s in result["streams"]:
        lines.append(f"    {s['stream']:<{width}}  {_kappa(s)}  {_agreement(s)}")
        if s.get("note"):
            lines.append(f"    {'':<{width}}  ({s['note']})")
    lines.append("  codes (2x2: does each observer's label contain the code)")
    for c in result["codes"]:
        lines.append(f"    {c['code']:<{width}}  {_kappa(c)}  {_agreement(c)}")
    lines.append("  agreement tables (rows A, columns B)")
    for s in result["streams"]:
        if s["n"]:
            lines.append(f"    {s['stream']}")
            lines.extend(_table(s["table"], "      "))
    return lines


def render_pair(document: dict[str, Any]) -> str:
    lines = [f"A (reference): {document['a']}", f"B:             {document['b']}", ""]
    for name, result in document["methods"].items():
        lines.extend(render_method(name, result))
        lines.append("")
    lines.append(BANDS_NOTE)
    return "\n".join(lines)


def render_alpha(result: dict[str, Any]) -> str:
    lines = [
        f"Krippendorff's alpha (nominal) on time units of {result['parameters']['unit']:g} s, "
        f"{len(result['sessions'])} observers",
    ]

    def one(entry: dict[str, Any]) -> str:
        if entry["alpha"] is None:
            return f"alpha —  ({entry['alpha_reason']})"
        return f"alpha {entry['alpha']:6.3f}  N {entry['n']} values in {entry['units']} units"

    lines.append(f"  overall  {one(result)}")
    width = max(len(s["stream"]) for s in result["streams"])
    for s in result["streams"]:
        lines.append(f"    {s['stream']:<{width}}  {one(s)}")
    lines.append(
        "  Krippendorff (2004): alpha >= 0.800 for conclusions, 0.667-0.800 tentative only."
    )
    return "\n".join(lines)


def render_ratings(document: dict[str, Any]) -> str:
    lines = [
        f"Rating agreement: raters {', '.join(document['raters'])}; "
        f"{plural(len(document['targets']), 'target')}",
    ]
    for t in document["targets"]:
        sessions = ", ".join(f"{r}: {s}" for r, s in t["sessions"].items())
        lines.append(f"  {t['target']}: {sessions}")
    lines.append("")
    for item in document["items"]:
        lines += _rating_item(item)
    lines.append("")
    lines.append(BANDS_NOTE)
    return "\n".join(lines)


def _rating_item(item: dict[str, Any]) -> list[str]:
    name = item["rating"] + (f" / {item['segment']}" if item["segment"] else "")
    kind = item.get("kind", "scale")
    if kind in ("scale", "allocation-part"):
        part = "points " if kind == "allocation-part" else "scale "
        what = f"{part}{item['scale']['min']:g}-{item['scale']['max']:g}"
    else:
        what = {
            "composite": "composite, computed",
            "check": "check",
            "pair": "classification with its forced alternative",
            "allocation": f"allocation of {item.get('total')} points",
        }.get(kind, "category")
    lines = [
        f"{name}  ({what}; {item['complete']} of {item['targets']} targets complete, "
        f"{item['missing']} with a missing rating)"
    ]
    if kind == "allocation":
        for pair in item["pairs"]:
            share = pair["points_agreement"]
            text = (
                _share(share).strip()
                if share is not None
                else f"— ({pair['points_agreement_reason']})"
            )
            lines.append(f"  {pair['a']} vs {pair['b']}: points in agreement {text}  N {pair['n']}")
        return lines
    if kind in ("category", "check", "pair"):
        lines += _nominal_lines(item, "")
        if "classes" in item:
            lines += _nominal_lines(item["classes"], "class level: ")
        return lines
    icc = item["icc_a1"]
    icc_text = _num(icc) if icc is not None else f"— ({item['icc_a1_reason']})"
    lines.append(f"  ICC(A,1) {icc_text}")
    for pair in item["pairs"]:
        lines.append(
            f"  {pair['a']} vs {pair['b']}: weighted {_kappa(pair, 'weighted_kappa')}  N {pair['n']}"
        )
    alpha = item["alpha_interval"]
    alpha_text = _num(alpha) if alpha is not None else f"— ({item['alpha_interval_reason']})"
    lines.append(f"  Krippendorff's alpha (interval) {alpha_text}")
    return lines


def _nominal_lines(entry: dict[str, Any], prefix: str) -> list[str]:
    return [
        f"  {prefix}{pair['a']} vs {pair['b']}: {_kappa(pair)}  {_agreement(pair)}"
        for pair in entry["pairs"]
    ]


# --- interval agreement (IOA family) ------------------------------------------------

IOA_FIELDS = (
    ("total_count", "total count"),
    ("total_duration", "total duration"),
    ("mean_count_per_interval", "mean count-per-interval"),
    ("exact_count_per_interval", "exact count-per-interval"),
    ("interval_by_interval", "interval-by-interval"),
    ("scored_interval", "scored-interval"),
    ("unscored_interval", "unscored-interval"),
)


def _share(value: float | None) -> str:
    return "     —" if value is None else f"{100 * value:5.1f}%"


def render_interval(document: dict[str, Any]) -> str:
    """The IOA family of one pair: overall, then one row per code."""
    result = document["methods"]["interval"]
    seconds = result["parameters"]["interval"]
    lines = [
        f"A: {document['a']}",
        f"B: {document['b']}",
        (
            f"interval agreement (IOA) on the time-sampling scans, every {seconds:g} s,"
            f" {result['intervals']} (code, instant) cells both answered; momentary"
            if result["parameters"].get("source") == "scans"
            else f"interval agreement (IOA), intervals of {seconds:g} s, {result['intervals']} "
            "(code, interval) cells overall; partial-interval scoring"
        ),
    ]
    head = ["code", *(label for _, label in IOA_FIELDS)]
    rows = [["overall", *(_share(result[key]) for key, _ in IOA_FIELDS)]]
    rows += [[c["code"], *(_share(c[key]) for key, _ in IOA_FIELDS)] for c in result["codes"]]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        cells = [
            f"{r[0]:<{widths[0]}}",
            *(f"{v:>{w}}" for v, w in zip(r[1:], widths[1:], strict=True)),
        ]
        lines.append("  " + "  ".join(cells))
    lines.append(
        "  — : undefined (see --format json for the reason); definitions: docs/sequential.md"
    )
    return "\n".join(lines)
