"""``observer replay SESSION.json [--speed X] [--compare B.json]``: replay and review.

Both files are loaded and validated before textual is imported, so a missing,
corrupt or foreign file exits 2 with one line per problem and no screen; the
files are only ever rewritten by adding review entries (atomically).
"""

from __future__ import annotations

import math
from pathlib import Path

import click


@click.command()
@click.argument("session_path", metavar="SESSION.json", type=click.Path(path_type=Path))
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="Playback speed, 0.5 to 16 (change it with < and > while replaying).",
)
@click.option(
    "--compare",
    "compare_path",
    metavar="B.json",
    type=click.Path(path_type=Path),
    default=None,
    help="Another observer's coding of the same session: lanes side by side, "
    "agreements and disagreements marked (SESSION.json is the reference, A).",
)
@click.option(
    "--tolerance",
    type=float,
    default=2.0,
    show_default=True,
    help="Compare mode: seconds two onsets may differ and still pair (as observer agree).",
)
def replay(session_path: Path, speed: float, compare_path: Path | None, tolerance: float) -> None:
    """Replay a coded session in time, review it, or compare two observers' codings."""
    from observer.replay.playhead import check_speed
    from observer.sessionfile import load_session

    try:
        check_speed(speed)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--speed") from None
    if not math.isfinite(tolerance) or tolerance < 0:
        raise click.BadParameter("must be a number of seconds, 0 or more", param_hint="--tolerance")
    session = load_session(session_path)
    other = None
    if compare_path is not None:
        from observer.analysis.agreement import check_pair

        other = load_session(compare_path)
        for warning in check_pair(session, other, str(session_path), str(compare_path)):
            click.echo(f"observer: warning: {warning}", err=True)

    from observer.tui.replay.app import ReplayApp

    ReplayApp(session_path, session, other=other, speed=speed, tolerance=tolerance).run()
