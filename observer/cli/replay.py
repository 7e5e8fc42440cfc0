"""``observer replay SESSION.json [--speed X] [--compare B.json]``: replay and review.

A missing or unreadable file exits 2 before any screen. The screen then shows its
first frame at once (for a large session, its first minute, read from the start of
the file: ``observer.replay.preview``) and parses and validates the whole file
behind it, so a 50,000-event session does not keep the terminal blank; a corrupt,
foreign or invalid file ends it with exit 2 and one line per problem. Files are only ever rewritten by adding, editing
or deleting review entries (atomically).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from observer.cli import options
from observer.replay.playhead import MAX_SPEED, MIN_SPEED

if TYPE_CHECKING:
    from observer.tui.replay.video import ReplayVideo


@click.command()
@click.argument("session_path", metavar="SESSION.json", type=click.Path(path_type=Path))
@options.number_option(
    "--speed",
    type=options.Number(MIN_SPEED, MAX_SPEED),
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
@options.tolerance(
    default=2.0,
    help="Compare mode: seconds two onsets may differ and still pair (as observer agree).",
)
@options.video(
    help="Play this recording with the replay: every jump seeks it, playing follows it.",
)
@options.number_option(
    "--offset",
    type=options.OFFSET,
    default=None,
    help="--video: media time (s) of session time 0 (default: the session's own, else 0).",
)
@options.mpv_args
def replay(
    session_path: Path,
    speed: float,
    compare_path: Path | None,
    tolerance: float,
    video_path: Path | None,
    offset: float | None,
    mpv_args: str | None,
) -> None:
    """Replay a coded session in time, review it, or compare two observers' codings."""
    from observer.errors import InputError
    from observer.sessionfile import read_session_bytes

    # A missing or unreadable file is reported before any screen. In a terminal,
    # parsing and validation run behind the first frame (a bad file still exits 2,
    # untouched); without one, they run first, and a bad file never starts the app.
    data = read_session_bytes(session_path)
    other_data = read_session_bytes(compare_path) if compare_path is not None else None
    video = None
    if video_path is not None:
        video = _video(video_path, data, offset, mpv_args)
    opened = None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from observer.replay.loading import open_replay

        opened = open_replay(
            session_path, data, other_path=compare_path, other_data=other_data, tolerance=tolerance
        )

    from observer.startup import hold_collection

    hold_collection()  # until the first frame (observer.startup)
    from observer.tui.replay.app import ReplayApp

    app = ReplayApp(
        session_path,
        opened=opened,
        data=data,
        other_path=compare_path,
        other_data=other_data,
        speed=speed,
        tolerance=tolerance,
        video=video,
    )
    problems = app.run()
    if app.crash is not None:
        raise app.crash  # observer's main: one line, the traceback logged, exit status 1
    if app.media_error:
        click.echo(f"observer: {app.media_error}", err=True)
        sys.exit(2)
    if problems:
        raise InputError(problems)
    if app.replay.opened is not None:
        for warning in app.replay.opened.warnings:
            click.echo(f"observer: warning: {warning}", err=True)


def _video(path: Path, data: bytes, offset: float | None, mpv_args: str | None) -> ReplayVideo:
    """Check mpv can be started (exit 2 with one line if not); the offset is the session's
    own ``media.offset`` unless given."""
    import orjson

    from observer.media.mpv import MediaError, preflight
    from observer.media.mpv import mpv_args as split_args
    from observer.tui.replay.video import ReplayVideo

    try:
        args = split_args(mpv_args)
        preflight(path, args)
    except MediaError as error:
        click.echo(f"observer: {error}", err=True)
        sys.exit(2)
    if offset is None:
        try:
            media = orjson.loads(data).get("media")
        except (orjson.JSONDecodeError, AttributeError):
            media = None  # the file's own problems are reported when it is opened
        value = media.get("offset") if isinstance(media, dict) else None
        offset = float(value) if isinstance(value, int | float) else 0.0
    return ReplayVideo(path, args, offset)
