"""``observer certify CODER --reference DIR... --by ID``: certification against reference
codings, recorded in ``certifications/CODER.json`` (observer.study.certify)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import orjson

from observer import jsonio
from observer.cli import options
from observer.cli.files import make_folder, write_file
from observer.errors import InputError
from observer.sessionfile import valid_session_id
from observer.textsafe import safe
from observer.wording import plural


def _observer_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not valid_session_id(value):
        raise click.BadParameter(
            "must be an observer id: letters, digits, '.', '_' and '-', starting with a "
            "letter or digit",
            ctx,
            param,
        )
    return value


@click.command()
@click.argument("coder", callback=_observer_id)
@click.option(
    "--reference",
    "folders",
    multiple=True,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of sessions holding the coder's codings and the reference codings of "
    "the same sessions (repeat for several); they pair as in observer reliability.",
)
@click.option(
    "--reference-coder",
    callback=_observer_id,
    default=None,
    help="Compare only with this coder's sessions (default: any other coder's).",
)
@options.method(several=False, one="event", help="The kappa the threshold applies to.")
@options.number_option(
    "--threshold",
    type=options.Number(-1, 1),
    default=0.80,
    show_default=True,
    help="The kappa a session must reach.",
)
@options.number_option(
    "--consecutive",
    type=options.Number(1, 1000, integer=True),
    default=3,
    show_default=True,
    help="How many sessions in a row must reach it.",
)
@click.option(
    "--by",
    "by",
    required=True,
    callback=_observer_id,
    help="Who certifies (an observer id, stored in the record).",
)
@click.option(
    "--certifications",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder of records (default: certifications/ in the first --reference folder,"
    " where observer reliability finds it).",
)
@options.output_format("table", "json", help="table: the walk, session by session; json: it.")
def certify(
    coder: str,
    folders: tuple[Path, ...],
    reference_coder: str | None,
    method: str,
    threshold: float,
    consecutive: float,
    by: str,
    into: Path | None,
    fmt: str,
) -> None:
    """Certify CODER on each codebook version they coded: their sessions that pair with a
    reference coding, in the order they were coded, each compared with it (kappa by
    --method, the reference as A); certified at the session that makes --consecutive
    sessions in a row reach --threshold. The record certifications/CODER.json (0600)
    keeps, per codebook version (id, version, hash), the sessions used and their kappa,
    the date reached and who certified; a version already certified is kept as it is.
    Exit status 0 when certified on every version walked, 1 when not (nothing written for
    that version), 2 when fewer sessions pair than --consecutive."""
    from observer.study.certify import (
        certification,
        certified_on,
        read_record,
        record_path,
        walks,
        with_certification,
    )
    from observer.study.discover import discover

    needed = int(consecutive)
    study = discover(folders)
    for problem in study.problems:
        click.echo(safe(f"observer certify: left out: {problem}"), err=True)
    found = walks(
        study,
        coder,
        method=method,
        threshold=threshold,
        consecutive=needed,
        reference_coder=reference_coder,
    )
    for walk in found:
        if len(walk.steps) < needed:
            raise InputError.one(
                coder,
                walk.codebook.name,
                f"{plural(len(walk.steps), 'session')} pair with a reference coding; "
                f"--consecutive asks for {needed}",
            )
    path = record_path(folders[0] if into is None else into, coder, default=into is None)
    record = read_record(path)
    made_at = datetime.now(UTC).isoformat(timespec="seconds")
    added: list[dict[str, Any]] = []
    outcome: list[tuple[Any, str]] = []
    for walk in found:
        earlier = certified_on(record, walk.codebook)
        if earlier is not None:
            outcome.append((walk, f"already certified since {earlier['date']} (kept)"))
            continue
        reached = walk.reached
        if reached is None:
            outcome.append((walk, "not certified"))
            continue
        item = certification(walk, method=method, threshold=threshold, by=by, made_at=made_at)
        record = with_certification(record, coder, item)
        added.append(item)
        outcome.append((walk, f"certified on {item['date']} with {reached.session}"))
    if added:
        assert record is not None
        data = orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n"
        make_folder(path.parent)
        if path.exists():
            jsonio.replace(path, data)
        else:
            write_file(path, data)
    if fmt == "json":
        document = {
            "coder": coder,
            "method": method,
            "threshold": threshold,
            "consecutive": needed,
            "record": str(path) if added else None,
            "codebooks": [
                {
                    "codebook": {
                        "id": w.codebook.id,
                        "version": w.codebook.version,
                        "sha256": w.codebook.sha256,
                    },
                    "outcome": text,
                    "certified": w.reached is not None,
                    "sessions": [
                        {
                            "session": s.session,
                            "reference": s.reference,
                            "started_at": s.started_at,
                            "kappa": s.kappa,
                            "met": s.met,
                            "streak": s.streak,
                        }
                        for s in w.steps
                    ],
                }
                for w, text in outcome
            ],
        }
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        click.echo(safe(_table(coder, method, threshold, needed, outcome), lines=True))
    if added:
        click.echo(safe(f"wrote {path}"), err=True)
    if any(w.reached is None for w, _ in outcome):
        sys.exit(1)


def _table(coder: str, method: str, threshold: float, needed: int, outcome: list[Any]) -> str:
    lines = [f"{coder}: {method} kappa >= {threshold:.2f} on {needed} sessions in a row"]
    for walk, text in outcome:
        lines.append(f"\n{walk.codebook.name} (sha256 {walk.codebook.sha256[:12]}): {text}")
        for s in walk.steps:
            kappa = "   -  " if s.kappa is None else f"{s.kappa:6.3f}"
            mark = "met " if s.met else "    "
            lines.append(
                f"  {s.started_at[:16]}  {kappa}  {mark} {s.streak:>2}  {s.session}"
                f"  (reference {s.reference}, {s.reference_observer})"
            )
    return "\n".join(lines)
