"""``observer code``: the live coding screen.

The codebook is loaded (a bad one exits 2 with the loader's lines before any
screen) and unfinished journals are looked up before textual is imported, so
the command starts fast and fails fast.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from observer.cli import (
    apply_encrypt_to,
    check_recipients,
    encrypt_to_option,
    options,
    passphrase_option,
)


@click.command()
@click.option(
    "--codebook",
    "codebook_arg",
    metavar="PATH_OR_ID",
    default=None,
    help="Codebook file or bundled id (default: cpp-attachment; asked in the form if omitted).",
)
@click.option("--dyad", metavar="ID", default=None, help="Dyad id (asked in the form if omitted).")
@click.option(
    "--observer",
    "observer_id",
    metavar="ID",
    default=None,
    help="Your observer id (asked in the form if omitted).",
)
@click.option("--label", default=None, help="Free text stored with the session.")
@options.video(
    help="Code from this recording: mpv plays it and the session clock is its position.",
)
@options.mpv_args
@click.option(
    "--touch",
    is_flag=True,
    help="The touch layout: every code and the screen's keys as large targets to tap"
    " (a tablet, observer serve's touch screen); clicks work in either layout.",
)
@options.session_dir()
@click.option(
    "--pair",
    "pair_name",
    metavar="NAME",
    default=None,
    help="Code live with a second coder in the same session folder: the first process"
    " with NAME hosts, the second joins; one space starts and pauses both clocks.",
)
@click.option(
    "--role",
    type=click.Choice(["primary", "reliability"]),
    default=None,
    help="With --pair: your role (default: the host is primary, the one who joins reliability).",
)
@encrypt_to_option
@options.id_style
@passphrase_option(
    "on the form, typed twice: the journal and key log are also wrapped to it, so this"
    " laptop can recover a crash with `observer recover --passphrase`"
)
def code(
    codebook_arg: str | None,
    dyad: str | None,
    observer_id: str | None,
    label: str | None,
    video_path: Path | None,
    mpv_args: str | None,
    touch: bool,
    session_dir: Path | None,
    pair_name: str | None,
    role: str | None,
    encrypt_to: Path | None,
    id_style: str | None,
    ask_passphrase: bool,
) -> None:
    """Code a session live (or from a recording with --video): form, clock, keys, end, file."""
    from observer.startup import hold_collection

    hold_collection()  # until the first frame (observer.startup)
    from observer.codebook import load_codebook
    from observer.errors import InputError
    from observer.live.ids import typed_problems

    for name, problem in typed_problems(dyad=dyad, observer=observer_id, label=label):
        flag = "--observer" if name == "observer" else f"--{name}"
        raise click.BadParameter(problem, param_hint=flag)
    if pair_name is not None:
        from observer.live.pairing import name_problem

        if (unsafe := name_problem(pair_name)) is not None:
            raise click.BadParameter(unsafe, param_hint="--pair")
        if video_path is not None:
            raise click.UsageError("--pair codes live: it does not go with --video")
    elif role is not None:
        raise click.UsageError("--role needs --pair")
    folder = options.resolve_session_dir(session_dir)
    from observer.crypto.folder import is_encrypted
    from observer.live.ids import id_style as resolve_style

    style = resolve_style(folder, id_style)

    if ask_passphrase and encrypt_to is None and not is_encrypted(folder):
        raise click.UsageError("--passphrase needs an encrypted folder (--encrypt-to FILE)")
    book = load_codebook(codebook_arg) if codebook_arg is not None else None
    if book is None and (pair_name is not None or (dyad and observer_id)):
        book = load_codebook("cpp-attachment")  # a pair codes with one codebook, fixed here
    link = None
    if pair_name is not None:
        assert book is not None
        from observer.live.pairing import PairError, open_link

        try:
            link = open_link(
                folder,
                pair_name,
                book.sha256,
                f"{book.id} {book.version}",
                "primary" if role == "primary" else "reliability" if role else None,
            )
        except PairError as error:
            click.echo(f"observer: {error}", err=True)
            sys.exit(2)

    video = None
    if video_path is not None:
        from observer.media.mpv import MediaError, preflight
        from observer.media.mpv import mpv_args as split_args

        try:
            args = split_args(mpv_args)
            preflight(video_path, args)  # no mpv, no display, no file: exit 2 before any screen
        except MediaError as error:
            click.echo(f"observer: {error}", err=True)
            sys.exit(2)
        from observer.tui.coding.video import VideoControl

        video = VideoControl(video_path, args)
    # Everything checked: only now may the folder be made encrypted (recipients.txt).
    apply_encrypt_to(folder, encrypt_to)
    check_recipients(folder)

    from observer.tui.ascii import wants_ascii
    from observer.tui.coding.app import CodingApp

    app = CodingApp(
        folder,
        book=book,
        dyad=dyad,
        observer=observer_id,
        label=label,
        video=video,
        ascii_only=wants_ascii(),
        ids=style,
        ask_passphrase=ask_passphrase,
        touch=touch,
        pair=link,
    )
    app.install_stop_signals()  # before the first frame: no window without them
    try:
        app.run()
    finally:
        if link is not None:
            link.close()
        left = app.close_unfinished()
        if left is not None and not app.result.failure:
            stopped = "" if app.signalled is None else f"stopped by {app.signalled.name}: "
            _say(
                f"observer: {stopped}the session was not finished; every saved action is"
                f" in {left} — run `observer recover` to make it a session file"
            )
    if app.signalled is not None:
        if left is None and app.result.path is None:
            _say(f"observer: stopped by {app.signalled.name} before anything was coded")
        elif left is None:
            _say(f"observer: stopped by {app.signalled.name}; the session is in {app.result.path}")
        sys.exit(128 + app.signalled)
    if app.crash is not None:
        raise app.crash  # observer's main: one line, the traceback logged, exit status 1
    result = app.result
    if result.media_error:
        click.echo(f"observer: {result.media_error}", err=True)
        sys.exit(2)
    if result.problems:
        raise InputError(result.problems)
    if result.failure:
        click.echo(f"observer: {result.failure}", err=True)
        sys.exit(1)
    if result.path is not None and result.session is not None:
        s = result.session
        click.echo(f"saved {result.path} ({len(s.events)} events, {s.duration:.1f} s)")
        if result.elsewhere:
            click.echo(f"observer: the session file is {result.elsewhere}", err=True)
    if app.return_code:
        sys.exit(app.return_code)


def _say(line: str) -> None:
    """A line on standard error; a terminal that hung up (SIGHUP) takes none, and the
    journal it would name is kept all the same."""
    with contextlib.suppress(OSError):
        click.echo(line, err=True)
