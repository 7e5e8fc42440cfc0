"""The reliability report as text, for reading in a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from observer.analysis.kappa import LANDIS_KOCH_SOURCE
from observer.study.report import StudyReport, band
from observer.wording import plural


def _k(value: float | None) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def _pair_line(entry: dict[str, Any], method: str, threshold: float) -> str:
    k = entry["methods"][method]["kappa"]
    mark = "  BELOW" if k is not None and k < threshold else ""
    if entry.get("uncertified"):
        mark += f"  UNCERTIFIED {', '.join(entry['uncertified'])}"
    who = " vs ".join(entry["observers"])
    return f"  {_k(k)}  {band(k):<15} {entry['dyad']:<10} {entry['label'][:16]:<16} {who}{mark}\n"


def render(report: StudyReport) -> Iterator[str]:
    """The text, line by line, as the pairs are compared."""
    method, threshold = report.primary, report.threshold
    yield f"kappa: {method} method; threshold {threshold:.2f}; bands: {LANDIS_KOCH_SOURCE}\n"
    yield "\npairs\n"
    for entry in report.pairs():
        yield _pair_line(entry, method, threshold)
    summary = report.summary()
    share = summary["double_coded"]
    yield (
        f"\n{plural(summary['sessions'], 'session')}, "
        f"{plural(len(report.kappas), 'double-coded pair')}"
        + ("" if share is None else f" ({share:.0%} of the sessions double-coded)")
        + "\n"
    )
    yield "\nobservers (kappa over time, oldest first)\n"
    for entry in summary["observers"]:
        points = " ".join(_k(k).strip() for _, k in entry["kappa_over_time"])
        yield f"  {entry['observer']:<12} {plural(entry['pairs'], 'pair'):>9}  {points}\n"
    yield "\ncodes (pooled over the pairs)\n"
    for code in summary["codes"]:
        yield f"  {code['code']:<28} {_k(code['kappa'])}  {band(code['kappa'])}\n"
    agreed = summary["consensus"]
    if agreed:
        n = len(agreed)
        yield f"\n{n} consensus session{'s' * (n != 1)} (not a coder's coding: not paired)\n"
        for entry in agreed:
            made = " + ".join(entry["from"])
            yield f"  {entry['dyad']:<10} {entry['label'][:16]:<16} {entry['decided_by']:<12} from {made}  {entry['file']}\n"
    if summary["problems"]:
        yield f"\n{plural(len(summary['problems']), 'problem')} (these files were left out):\n"
        for problem in summary["problems"]:
            yield f"  {problem}\n"
