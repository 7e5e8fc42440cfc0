"""``observer consensus A.json B.json``: a consensus session from two codings."""

from __future__ import annotations

from pathlib import Path

import click

from observer.cli import options
from observer.cli.files import make_folder
from observer.errors import InputError


@click.command()
@click.argument("a_path", metavar="A.json", type=click.Path(path_type=Path))
@click.argument("b_path", metavar="B.json", type=click.Path(path_type=Path))
@click.option(
    "--by",
    "decided_by",
    required=True,
    help="Your id (the supervisor deciding), recorded with every decision.",
)
@options.tolerance(
    default=2.0,
    help="The alignment's onset tolerance in seconds (as observer agree --method event).",
)
@click.option(
    "--agreements",
    is_flag=True,
    help="Show the agreements too (without it they are taken as they stand, marked auto).",
)
@options.session_dir(help="Where the consensus session is written (default: A's folder).")
def consensus(
    a_path: Path,
    b_path: Path,
    decided_by: str,
    tolerance: float,
    agreements: bool,
    session_dir: Path | None,
) -> None:
    """Walk each disagreement of two codings of one session (aligned as replay's compare
    mode) and take A's event, B's, both, neither or an edited one; the decisions are
    journaled as they are made (quit or crash, and the next start resumes) and ctrl+s
    writes a new session with status consensus and every event's provenance. A and B
    are never changed."""
    from observer.analysis.agreement import check_pair
    from observer.sessionfile import valid_session_id
    from observer.study.consensus import (
        Decision,
        DecisionJournal,
        align_items,
        file_sha256,
        read_journal,
    )
    from observer.study.loading import load_sessions

    if not valid_session_id(decided_by):
        raise click.BadParameter(
            "letters, digits, '.', '_' and '-', starting with a letter or digit", param_hint="--by"
        )
    (_, a), (_, b) = load_sessions((a_path, b_path), unique_ids=False)
    for warning in check_pair(a, b, str(a_path), str(b_path)):
        click.echo(warning, err=True)
    target = session_dir if session_dir is not None else a_path.parent
    make_folder(target)  # with its parents, each 0700 whatever the umask
    sha = (file_sha256(a_path), file_sha256(b_path))
    journal_path = target / f"{a.id}--{b.id}.consensus.jsonl"
    decided: list[Decision] = []
    if journal_path.exists():
        header, decided = read_journal(journal_path)
        if (header.get("a_sha256"), header.get("b_sha256")) != sha or header.get(
            "tolerance"
        ) != tolerance:
            raise InputError.one(
                str(journal_path),
                "line 1",
                "an unfinished consensus of other versions of these files (or another "
                "--tolerance): finish it with the same files, or move it away",
            )
        click.echo(f"resuming: {len(decided)} decisions from {journal_path}", err=True)
    journal = DecisionJournal(
        journal_path,
        {
            "a": str(a_path),
            "b": str(b_path),
            "a_sha256": sha[0],
            "b_sha256": sha[1],
            "tolerance": tolerance,
        },
    )
    from observer.tui.consensus.app import ConsensusApp

    app = ConsensusApp(
        a,
        b,
        align_items(a, b, tolerance),
        decided=decided,
        journal=journal,
        folder=target,
        decided_by=decided_by,
        tolerance=tolerance,
        sha256=sha,
        agreements=agreements,
    )
    written = app.run()
    if written is None:
        click.echo(
            f"not finished: the decisions are kept in {journal_path}; "
            "run the same command to resume",
            err=True,
        )
        return
    click.echo(str(written))
