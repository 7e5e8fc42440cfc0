"""``observer recover``: turn every unfinished journal into a session file."""

from __future__ import annotations

from pathlib import Path

import click

from observer.cli import options, passphrase_option
from observer.errors import InputError, Problem
from observer.live.journal import failure_reason
from observer.live.keyrecovery import report
from observer.live.recovery import Recovery, clean_temporaries, find_journals, notes, recover
from observer.wording import plural

TRIES = 3
"""Passphrases typed before ``observer recover --passphrase`` gives up (exit 2)."""


def describe(result: Recovery) -> list[str]:
    name = result.journal.name
    aside = result.set_aside.name
    if result.outcome == "recovered":
        n, closed = result.events, result.closed
        still = f", {plural(closed, 'running state')} closed at the last action" if closed else ""
        lines = [
            f"{name}: recovered {plural(n, 'event')}{still} -> {result.session_path}",
            f"  journal kept as {aside}",
        ]
        if result.renamed_from is not None:
            lines.insert(
                1,
                f"  {result.renamed_from}.json is a different session: the recovered one"
                " was given a new id",
            )
    elif result.outcome == "already-saved":
        lines = [f"{name}: already saved as {result.session_path}; journal set aside as {aside}"]
    else:
        lines = [f"{name}: nothing was coded (the clock never started); set aside as {aside}"]
    lines += report(result.keys)
    lines += notes(result)
    if result.torn is not None:
        lines.append(
            f"  line {result.torn} was torn (the crash came while it was being written)"
            " and was left out"
        )
    return lines


@click.command(name="recover")
@click.option(
    "--ratings",
    "ask_ratings",
    is_flag=True,
    help="Then ask for the ratings of every recovered session in the folder whose"
    " ratings are all blank (a form per session; escape skips one).",
)
@options.session_dir()
@passphrase_option(
    f"at a prompt, {TRIES} tries: the one `observer code --passphrase` wrapped this"
    " laptop's journals to, opening them without an identity"
)
def recover_command(session_dir: Path | None, ask_ratings: bool, ask_passphrase: bool) -> None:
    """Turn every unfinished journal in the session folder into a session file
    (status "recovered"), with the keys its raw key log holds that never reached it
    (and a key log whose journal is gone, on its own). Run it only when no `observer code` is coding in that
    folder: a running session's journal is unfinished too."""
    folder = options.resolve_session_dir(session_dir)
    if ask_passphrase:  # before anything changes on disk
        ask_for_passphrase(folder)
    for path in clean_temporaries(folder):
        click.echo(f"removed {path.name}: a copy left by an interrupted write")
    journals = find_journals(folder)
    problems: list[Problem] = []
    if not journals:
        click.echo(f"Nothing to recover in {folder}.")
    for path in journals:
        try:
            result = recover(path)
        except InputError as error:  # one bad journal never stops the others
            problems.extend(error.problems)
            continue
        except OSError as error:
            problems.append(
                Problem(str(path), "$", f"cannot be recovered: {failure_reason(error)}")
            )
            continue
        for line in describe(result):
            click.echo(line)
    if ask_ratings:
        rate(folder, problems)
    elif journals:
        hint_ratings(folder)
    if problems:
        raise InputError(problems)


def ask_for_passphrase(folder: Path) -> None:
    """Ask for the passphrase of the folder's unfinished journals, at most :data:`TRIES`
    times, and keep it for this process (``agefile.use_passphrase``); one that opens
    none of them that many times is an InputError: nothing was read, nothing changed."""
    from observer.crypto.agefile import use_passphrase
    from observer.crypto.stream import passphrase_block, passphrase_opens

    use_passphrase(None)
    journals = find_journals(folder)
    if not journals:
        return  # nothing to open: "Nothing to recover"
    blocks: list[tuple[str, bytes]] = []
    for path in journals:
        try:
            with path.open("rb") as file:
                block = passphrase_block(file.read(1 << 16), str(path))
        except OSError:
            continue  # recovery itself says why it cannot be read
        if block is not None:
            blocks.append((str(path), block))
    if not blocks:
        raise InputError.one(
            str(folder),
            "$",
            "no unfinished journal here was wrapped to a passphrase"
            " (`observer code --passphrase`): give --identity FILE instead",
        )
    for attempt in range(1, TRIES + 1):
        typed = click.prompt("Passphrase", hide_input=True, default="", show_default=False)
        if typed and any(passphrase_opens(block, typed, name) for name, block in blocks):
            use_passphrase(typed)
            return
        left = TRIES - attempt
        if left:
            click.echo(f"Wrong passphrase; {plural(left, 'try', 'tries')} left.", err=True)
    raise InputError.one(
        str(folder),
        "$",
        f"wrong passphrase typed {TRIES} times: nothing was recovered, nothing changed",
    )


def hint_ratings(folder: Path) -> None:
    from observer.live.late_ratings import unrated

    found, _ = unrated(folder)
    if found:
        n = len(found)
        click.echo(
            f"{n} recovered session{'s' * (n != 1)} without ratings:"
            " `observer recover --ratings` asks for them"
        )


def rate(folder: Path, problems: list[Problem]) -> None:
    from observer.live.late_ratings import unrated

    found, unreadable = unrated(folder)
    for error in unreadable:
        problems.extend(error.problems)
    if not found:
        click.echo("No recovered session is waiting for its ratings.")
        return
    from observer.tui.coding.rate import RateApp

    app = RateApp(found)
    app.run()
    for line in app.lines:
        click.echo(line)
