"""Agreement across a study: each pair by the same code path as ``observer agree``,
then per observer over time and per code.

Pairs are compared one at a time (both sessions read, compared, let go) and handed on
as they are done, so memory stays flat in the number of pairs: what is kept is one
figure per pair and the pooled per-code tables. The *primary* method is the first one
asked for; its overall κ is the pair's figure for the threshold, the drift over time
and the per-code κ (2×2 tables pooled over the pairs).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson

from observer.analysis.agreement import check_pair, compare, method_dict
from observer.analysis.kappa import Tally, cohen, landis_koch
from observer.errors import InputError, Problem
from observer.sessionfile import Session, load_session, time_key
from observer.study.certify import Registry, uncertified
from observer.study.discover import Pair, Study

DEFAULT_THRESHOLD = 0.60


def _tally(table: dict[str, dict[str, int]]) -> Tally:
    return Counter({(row, col): n for row, cols in table.items() for col, n in cols.items()})


def _kappa(tally: Tally) -> dict[str, Any]:
    return cohen(tally).fields()


def band(kappa: float | None) -> str:
    return "-" if kappa is None else landis_koch(kappa)


ReadAs = Callable[[str, Session], Session]


def compare_pair(
    pair: Pair,
    methods: Sequence[str],
    tolerance: float | None,
    unit: float,
    read_as: ReadAs | None = None,
) -> dict[str, Any]:
    """One pair's entry: ``observer agree``'s ``methods`` plus who and what; with
    ``read_as``, each session as the command reads it (an older codebook version read
    as the newer, observer.study.versions), which the pair's warnings say."""
    a, b = load_session(pair.a.path), load_session(pair.b.path)
    warnings: list[str] = []
    if read_as is not None:
        read = [read_as(str(e.path), s) for e, s in ((pair.a, a), (pair.b, b))]
        for entry, before, after in zip((pair.a, pair.b), (a, b), read, strict=True):
            if after is not before:
                warnings.append(
                    f"{entry.path}: coded with {before.codebook.id}@{before.codebook.version}, "
                    f"read as {after.codebook.id}@{after.codebook.version}"
                )
        a, b = read
    warnings += check_pair(a, b, str(pair.a.path), str(pair.b.path))
    results = compare(a, b, methods, tolerance=tolerance, unit=unit)
    return {
        "a": str(pair.a.path),
        "b": str(pair.b.path),
        "dyad": pair.a.dyad,
        "label": pair.a.label,
        "observers": [pair.a.observer, pair.b.observer],
        "methods": {name: method_dict(r) for name, r in results.items()},
        "warnings": warnings,
    }


class StudyReport:
    """Iterate :meth:`pairs` once (each pair's entry, in order), then :meth:`summary`."""

    def __init__(
        self,
        study: Study,
        methods: Sequence[str],
        *,
        tolerance: float | None = None,
        unit: float = 1.0,
        threshold: float = DEFAULT_THRESHOLD,
        progress: Callable[[int, int], None] | None = None,
        read_as: ReadAs | None = None,
        certifications: Registry | None = None,
    ) -> None:
        self.study, self.methods = study, list(methods)
        self.read_as, self.certifications = read_as, certifications
        self.primary = self.methods[0]
        self.tolerance, self.unit, self.threshold = tolerance, unit, threshold
        self.progress = progress
        self.problems: list[Problem] = list(study.problems)
        self.kappas: list[float | None] = []
        self.paired: set[str] = set()
        self.drift: dict[str, list[list[Any]]] = defaultdict(list)
        self.by_code: dict[str, Tally] = {}
        self.by_code_observer: dict[str, dict[str, Tally]] = defaultdict(
            lambda: defaultdict(Counter)
        )

    def pairs(self) -> Iterator[dict[str, Any]]:
        total = len(self.study.pairs)
        for i, pair in enumerate(self.study.pairs, 1):
            try:
                entry = compare_pair(pair, self.methods, self.tolerance, self.unit, self.read_as)
            except InputError as error:
                self.problems.extend(error.problems)
                continue
            finally:
                if self.progress is not None:
                    self.progress(i, total)
            if self.certifications is not None:
                entry["uncertified"] = uncertified(self.certifications, pair)
            self._count(pair, entry["methods"][self.primary])
            yield entry

    def _count(self, pair: Pair, result: dict[str, Any]) -> None:
        self.kappas.append(result["kappa"])
        self.paired.update((str(pair.a.path), str(pair.b.path)))
        for side in (pair.a, pair.b):
            self.drift[side.observer].append([side.started_at, result["kappa"]])
        for code in result["codes"]:
            tally = _tally(code["table"])
            self.by_code.setdefault(code["code"], Counter()).update(tally)
            for observer in {pair.a.observer, pair.b.observer}:
                self.by_code_observer[code["code"]][observer].update(tally)

    def summary(self) -> dict[str, Any]:
        """Everything of the document but the pairs."""
        entries = self.study.entries
        return {
            "observers": [
                {
                    "observer": observer,
                    "pairs": len(points),
                    "kappa_over_time": sorted(points, key=lambda p: time_key(str(p[0]))),
                }
                for observer, points in sorted(self.drift.items())
            ],
            "codes": [
                {
                    "code": code,
                    **_kappa(tally),
                    "observers": {
                        obs: _kappa(t)["kappa"]
                        for obs, t in sorted(self.by_code_observer[code].items())
                    },
                }
                for code, tally in self.by_code.items()
            ],
            "sessions": len(entries),
            "double_coded": len(self.paired) / len(entries) if entries else None,
            "below_threshold": [
                i for i, k in enumerate(self.kappas) if k is not None and k < self.threshold
            ],
            "consensus": [
                {
                    "file": str(e.path),
                    "id": e.id,
                    "dyad": e.dyad,
                    "label": e.label,
                    "decided_by": e.observer,
                    "from": list(e.made_from),
                }
                for e in self.study.consensus
            ],
            "problems": [str(p) for p in self.problems],
        }

    def json_chunks(self) -> Iterator[bytes]:
        """The JSON document of docs/study.md, written as the pairs are compared."""
        head = {"method": self.primary, "threshold": self.threshold}
        yield orjson.dumps(head)[:-1] + b', "pairs": [\n'
        for i, entry in enumerate(self.pairs()):
            yield (b",\n" if i else b"") + orjson.dumps(entry)
        yield b"\n], " + orjson.dumps(self.summary())[1:] + b"\n"
