"""``observer keys``: age keys for encrypted session folders (docs/confidentiality.md)."""

from __future__ import annotations

from pathlib import Path

import click

from observer.textsafe import safe
from observer.wording import plural

_FILE = click.Path(dir_okay=False, path_type=Path)


def _with_identity(command: click.Command) -> click.Command:
    from observer.cli import identity_option

    command.params.append(identity_option())
    return command


@click.group()
def keys() -> None:
    """Keys for encrypted session folders, in the standard age format."""


@keys.command("new")
@click.option("--identity", type=_FILE, required=True, help="Secret key file to write (0600).")
@click.option(
    "--recipient", type=_FILE, default=None, help="File to write its public recipient line to."
)
def new(identity: Path, recipient: Path | None) -> None:
    """Make a new X25519 identity (AGE-SECRET-KEY-1...), never overwriting a file, and
    write its recipient line (age1...): the same files age-keygen makes."""
    from observer.crypto.keys import new_identity

    public = new_identity(identity, recipient)
    click.echo(f"Public key: {public}")


@keys.command("protect")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--recipient",
    "recipients_file",
    type=_FILE,
    required=True,
    help="Recipients file (one age1... a line) the folder is encrypted to.",
)
def protect(folder: Path, recipients_file: Path) -> None:
    """Encrypt a session folder: write its recipients.txt and encrypt what is already in
    it: every finished session (X.json becomes X.json.age; the plaintext is removed) and
    every journal and key log (sealed in place). Refused while a session is being coded
    there."""
    from observer.crypto.folder import protect as protect_folder

    warnings: list[str] = []
    written = protect_folder(folder, recipients_file, warnings)
    for line in warnings:
        click.echo(safe(line), err=True)
    sessions = sum(1 for path in written if path.name.endswith(".json.age"))
    streams = plural(len(written) - sessions, "journal or key log", "journals or key logs")
    click.echo(
        safe(f"{folder}: encrypted; {plural(sessions, 'session file')} encrypted, {streams} sealed")
    )


@_with_identity
@keys.command("rotate")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--recipient",
    "recipients_file",
    type=_FILE,
    required=True,
    help="The new recipients file (one age1... a line): it replaces recipients.txt.",
)
def rotate(folder: Path, recipients_file: Path) -> None:
    """Encrypt an encrypted session folder to new recipients instead of its own: its
    recipients.txt is replaced, every session is encrypted again and every journal and
    key log has its key wrapped again (each file replaced atomically). Needs --identity:
    an identity that opens the folder's files; nothing is changed unless all open. Run
    it where nobody is coding into that folder."""
    from observer.crypto.rotate import rotate as rotate_folder

    warnings: list[str] = []
    done = rotate_folder(folder, recipients_file, warnings)
    for line in warnings:
        click.echo(safe(line), err=True)
    click.echo(
        safe(
            f"{folder}: encrypted to {recipients_file}; {plural(len(done.sessions), 'session file')}"
            f" encrypted again, {plural(len(done.streams), 'journal or key log', 'journals or key logs')}"
            " given their key anew"
        )
    )
