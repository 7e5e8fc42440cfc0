"""``observer seq``: event lag-k tables, or time-window contingency with --window."""

from __future__ import annotations

import csv
import io
import itertools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from observer.analysis import sequential as sq
from observer.cli import options
from observer.cli.files import json_chunks, to_stdout
from observer.errors import Problem
from observer.sessionfile import Session
from observer.study.loading import load_sessions

Z_CRITICAL = 1.96
Z_NOTE = (
    "* |z| >= 1.96: this target follows this given more (z > 0) or less (z < 0) often "
    "than chance would make it, at p < .05 for that cell alone."
)


def _one_codebook() -> Callable[[str, Session], list[Problem]]:
    """A check for ``load_sessions``: every session of the first one's codebook."""
    first: list[tuple[str, str]] = []

    def check(name: str, session: Session) -> list[Problem]:
        if not first:
            first.append((name, session.codebook.id))
            return []
        first_name, first_id = first[0]
        if session.codebook.id == first_id:
            return []
        message = (
            f"codebook {session.codebook.id!r} differs from {first_id!r} of "
            f"{first_name}: sequential tables pool sessions of one codebook"
        )
        return [Problem(name, "codebook.id", message)]

    return check


def _choose_codes(
    session: Session, codes: tuple[str, ...] | None, streams: tuple[str, ...] | None
) -> list[str]:
    book = session.book
    known_streams = {s.id: s for s in book.streams}
    if streams is not None:
        unknown = [s for s in streams if s not in known_streams]
        if unknown:
            raise click.BadParameter(
                f"unknown stream {', '.join(map(repr, unknown))} in codebook {book.id} "
                f"(streams: {', '.join(known_streams)})",
                param_hint="'--streams'",
            )
        allowed = [c.id for s in streams for c in known_streams[s].codes]
    else:
        allowed = [c.id for c in book.codes]
    if codes is not None:
        _known(book.code_by_id, codes, "--codes", book.id)
        return [c.id for c in book.codes if c.id in codes and c.id in allowed]
    return allowed


def _known(table: dict[str, Any], codes: Sequence[str], option: str, book_id: str) -> None:
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise click.BadParameter(
            f"unknown code {', '.join(map(repr, unknown))} in codebook {book_id}",
            param_hint=f"'{option}'",
        )


def _fmt(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _matrix(
    title: str, codes: list[str], rows: list[list[Any]], mark: list[list[bool]]
) -> list[str]:
    cells = [
        [_fmt(v) + ("*" if m else "") for v, m in zip(r, mr, strict=True)]
        for r, mr in zip(rows, mark, strict=True)
    ]
    width = max([len(c) for c in codes] + [len(title)])
    col = max([len(c) for c in codes] + [len(v) for r in cells for v in r] + [1])
    lines = [f"  {title:<{width}}  " + " ".join(f"{c:>{col}}" for c in codes)]
    for code, r in zip(codes, cells, strict=True):
        lines.append(f"  {code:<{width}}  " + " ".join(f"{v:>{col}}" for v in r))
    return lines


def _lag_text(name: str, d: dict[str, Any]) -> str:
    codes = d["codes"]
    k = len(codes)
    no_mark = [[False] * k for _ in range(k)]
    z_mark = [[v is not None and abs(v) >= Z_CRITICAL for v in r] for r in d["z"]]
    head = f"{name}: lag {d['lag']}, N = {d['n']} transitions" + (
        ", no repeats" if d["no_repeats"] else ""
    )
    if d["chi2"] is None:
        chi = f"  likelihood-ratio chi2: - ({d['chi2_reason']})"
    else:
        chi = f"  likelihood-ratio chi2 = {d['chi2']:.2f}, df = {d['df']}, p = {d['p']:.4g}"
    lines = [head, chi, "  rows: given; columns: target"]
    for title, key, mark in (
        ("counts", "counts", no_mark),
        ("expected", "expected", no_mark),
        ("P(T|G)", "probabilities", no_mark),
        ("z", "z", z_mark),
        ("Yule's Q", "yules_q", z_mark),
    ):
        if codes:
            lines.extend(_matrix(title, codes, d[key], mark))
    lines.extend(f"  note: {n}" for n in d["notes"])
    return "\n".join(lines)


def _window_text(name: str, d: dict[str, Any]) -> str:
    a, b = d["window"]
    lat = d["latency"]
    (ta, tb), (tc, td) = d["table"]
    lines = [
        f"{name}: {d['given']} followed by {d['target']} within {a:g} to {b:g} s of its {d['from']}",
        f"  {d['n']} {d['given']} events, {d['followed']} followed, proportion {_fmt(d['proportion'], 3)}",
        f"  latency median {_fmt(lat['median'], 3)} s, quartiles {_fmt(lat['q1'], 3)} to "
        f"{_fmt(lat['q3'], 3)} s",
        f"  time units of {d['unit']:g} s:      target onset   none",
        f"    inside a window   {ta:>12}  {tb:>6}",
        f"    outside           {tc:>12}  {td:>6}",
        f"  Yule's Q {_fmt(d['yules_q'], 3)}, odds ratio {_fmt(d['odds_ratio'], 3)} "
        "(against the base rate of target onsets outside the windows)",
    ]
    lines.extend(f"  note: {n}" for n in d["notes"])
    return "\n".join(lines)


WINDOW_HEAD = ["session", "given", "target", "window_a", "window_b", "from", "n", "followed",
               "proportion", "latency_median", "latency_q1", "latency_q3", "a", "b", "c", "d",
               "yules_q", "odds_ratio"]  # fmt: skip
LAG_HEAD = ["session", "lag", "given", "target", "count", "expected", "probability", "z",
            "yules_q", "chi2", "df", "p"]  # fmt: skip


def _csv_rows(name: str, d: dict[str, Any], window: bool) -> Iterator[list[Any]]:
    if window:
        lat = d["latency"]
        yield [name, d["given"], d["target"], *d["window"], d["from"], d["n"], d["followed"],
               d["proportion"], lat["median"], lat["q1"], lat["q3"],
               *d["table"][0], *d["table"][1], d["yules_q"], d["odds_ratio"]]  # fmt: skip
        return
    for i, given in enumerate(d["codes"]):
        for j, target in enumerate(d["codes"]):
            yield [name, d["lag"], given, target, d["counts"][i][j], d["expected"][i][j],
                   d["probabilities"][i][j], d["z"][i][j], d["yules_q"][i][j],
                   d["chi2"], d["df"], d["p"]]  # fmt: skip


def _csv(results: Results, window: bool) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WINDOW_HEAD if window else LAG_HEAD)
    entries = itertools.chain(
        ((d["id"], d) for d in results.sessions), [("pooled", None)]
    )  # the pooled figures exist once the sessions are through
    for name, d in entries:
        for values in _csv_rows(name, results.pooled if d is None else d, window):
            writer.writerow(["" if v is None else v for v in values])
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()


def _text(results: Results, window: bool) -> Iterator[bytes]:
    render = _window_text if window else _lag_text
    gap = ""
    for d in results.sessions:
        yield (gap + render(d["id"], d)).encode()
        gap = "\n\n"
    if results.count > 1:
        yield ("\n\n" + render(f"pooled over {results.count} sessions", results.pooled)).encode()
    yield ("" if window else "\n\n" + Z_NOTE).encode() + b"\n"


class Results:
    """The per-session figures, made as they are iterated, then the pooled ones."""

    def __init__(self, entries: Callable[[Results], Iterator[dict[str, Any]]]) -> None:
        self.count = 0
        self.pooled: dict[str, Any] = {}
        self._entries = entries

    @property
    def sessions(self) -> Iterator[dict[str, Any]]:
        for entry in self._entries(self):
            self.count += 1
            yield entry


def _contingency(stream: Iterable[tuple[str, Session]], w: sq.Window) -> Results:
    def entries(results: Results) -> Iterator[dict[str, Any]]:
        kept: list[sq.Contingency] = []  # small: counts and one latency per given event
        for _, session in stream:
            if not kept:
                _known(session.book.code_by_id, [w.given], "--given", session.book.id)
                _known(session.book.code_by_id, [w.target], "--target", session.book.id)
            options.check_units(session.duration, w.unit)
            kept.append(sq.contingency(session, w))
            yield {"id": session.id, **sq.contingency_stats(kept[-1], w)}
        results.pooled = {"id": "pooled", **sq.contingency_stats(sq.pooled_contingency(kept), w)}

    return Results(entries)


def _lags(
    stream: Iterable[tuple[str, Session]],
    codes: tuple[str, ...] | None,
    streams: tuple[str, ...] | None,
    lag: int,
    no_repeats: bool,
) -> Results:
    """Which codes the tables show depends on every session (those that occur), so the
    sessions are read first and each kept only as its sequence, a byte per event."""
    chosen: list[str] = []
    ids: list[str] = []
    compact: list[array[int]] = []
    for _, session in stream:
        if not ids:
            chosen = _choose_codes(session, codes, streams)
            index = {c: i for i, c in enumerate(chosen)}
            kind = "B" if len(chosen) <= 256 else "I"
        ids.append(session.id)
        compact.append(array(kind, [index[c] for c in sq.sequence(session, chosen)]))
    present = set().union(*map(set, compact)) if codes is None else set(range(len(chosen)))
    table_codes = [c for i, c in enumerate(chosen) if i in present]

    def entries(results: Results) -> Iterator[dict[str, Any]]:
        pooled: sq.LagTable | None = None
        for session_id, sequence in zip(ids, compact, strict=True):
            table = sq.lag_table([chosen[i] for i in sequence], table_codes, lag, no_repeats)
            pooled = table if pooled is None else sq.pooled_table([pooled, table])
            yield {"id": session_id, **sq.lag_stats(table)}
        assert pooled is not None
        results.pooled = {"id": "pooled", **sq.lag_stats(pooled)}

    return Results(entries)


@click.command()
@options.sessions_argument
@options.number_option(
    "--lag", type=options.Number(1, 10_000, integer=True), default=1, show_default=True,
    help="Lag K (1: the next event).",
)  # fmt: skip
@options.ids("--codes", help="Only these codes, others dropped from the sequence.")
@options.ids("--streams", help="Only the codes of these streams (GROUP/ACTOR).")
@click.option("--no-repeats", is_flag=True, help="Drop code-to-itself transitions (GSEQ's option).")
@click.option("--given", help="Time-window contingency: the given code (needs --target, --window).")
@click.option("--target", help="Time-window contingency: the target code.")
@options.number_option(
    "--window", type=options.NumberPair(options.OFFSET),
    help="Seconds A,B after the given event's onset (or offset).",
)  # fmt: skip
@click.option("--from", "anchor", type=click.Choice(["onset", "offset"]), default="onset",
              show_default=True, help="Windows start from the given event's onset or its offset.")  # fmt: skip
@options.unit(help="Seconds per time unit of the contingency's time-based 2x2 table.")
@options.output_format("table", "csv", "json")
@options.corrected
def seq(
    sessions: tuple[Path, ...],
    lag: int,
    codes: tuple[str, ...] | None,
    streams: tuple[str, ...] | None,
    no_repeats: bool,
    given: str | None,
    target: str | None,
    window: tuple[float, float] | None,
    anchor: str,
    unit: float,
    fmt: str,
    corrected: bool,
) -> None:
    """Sequential analysis of SESSIONs (one codebook), per session and pooled.

    Lag: the given x target table of event pairs K apart, with expected counts,
    transitional probabilities P(T|G), adjusted residuals z, Yule's Q per cell
    and the likelihood-ratio chi-square. With --given, --target and --window:
    how many given events are followed by a target onset inside the window, the
    latencies, and the time-based 2x2 table with Yule's Q and the odds ratio."""
    if no_repeats and lag != 1:
        raise click.BadParameter(sq.NO_REPEATS_LAG, param_hint="'--no-repeats'")
    contingency_mode = window is not None or given is not None or target is not None
    if contingency_mode and (window is None or given is None or target is None):
        raise click.UsageError("time-window contingency needs --given, --target and --window")
    stream = load_sessions(sessions, corrected=corrected, check=_one_codebook())
    if contingency_mode:
        assert given is not None and target is not None and window is not None
        w = sq.Window(given, target, window[0], window[1], anchor, unit)
        results = _contingency(stream, w)
    else:
        results = _lags(stream, codes, streams, lag, no_repeats)
    if fmt == "json":
        fields = [("sessions", results.sessions), ("pooled", lambda: results.pooled)]
        to_stdout(json_chunks(fields), escape=False)
    elif fmt == "csv":
        to_stdout(_csv(results, contingency_mode), escape=False)
    else:
        to_stdout(_text(results, contingency_mode), escape=False)
