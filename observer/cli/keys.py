"""``observer keys``: age keys for encrypted session folders (docs/confidentiality.md)."""

from __future__ import annotations

from pathlib import Path

import click

from observer.textsafe import safe

_FILE = click.Path(dir_okay=False, path_type=Path)


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
    """Encrypt a session folder: write its recipients.txt and encrypt every finished
    session already in it (X.json becomes X.json.age; the plaintext is removed)."""
    from observer.crypto.folder import protect as protect_folder

    warnings: list[str] = []
    written = protect_folder(folder, recipients_file, warnings)
    for line in warnings:
        click.echo(safe(line), err=True)
    click.echo(safe(f"{folder}: encrypted; {len(written)} session file(s) encrypted"))
