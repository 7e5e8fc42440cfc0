"""``observer serve``: the coding and replay screens in a web browser (observer.serve)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

import click

from observer.cli import apply_encrypt_to, check_recipients, encrypt_to_option, options

INSTALL = "observer serve needs the serve extra: pip install 'observer[serve]'"


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback is reachable from the network"
    " (put a TLS proxy in front: the traffic is not encrypted).",
)
@options.number_option(
    "--port",
    type=options.Number(0, 65535, integer=True),
    default=8000,
    show_default=True,
    help="Port (0: any free one).",
)
@options.file(
    "--token-file",
    help="Keep the secret in this file (made, mode 0600, if missing) so that an address"
    " survives a restart; without it a new secret is made at every start.",
)
@click.option(
    "--codebook",
    "codebooks",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A codebook file to offer beside the bundled ones (repeatable).",
)
@options.session_dir()
@encrypt_to_option
@options.id_style
def serve_command(
    host: str,
    port: int,
    token_file: Path | None,
    codebooks: tuple[Path, ...],
    session_dir: Path | None,
    encrypt_to: Path | None,
    id_style: str | None,
) -> None:
    """Serve the coding and replay screens to a web browser (a tablet in the playroom).

    Prints an address holding a random secret: every page needs it, anything else
    gets 403. Sessions are written on this machine, in the session folder, exactly
    as `observer code` writes them, and say they were coded in a browser."""
    try:
        from observer.serve.server import Config, is_loopback, serve
    except ImportError:
        click.echo(f"observer: {INSTALL}", err=True)
        sys.exit(2)
    from observer.serve.launches import offers
    from observer.serve.secret import new_token, token_from_file

    os.umask(0o077)  # as in the terminal: every file and folder private to this user
    folder = options.resolve_session_dir(session_dir).absolute()
    apply_encrypt_to(folder, encrypt_to)
    check_recipients(folder)
    from observer.live.ids import id_style as resolve_style

    style = resolve_style(folder, id_style)  # a bad ids.txt: exit 2 now, not at a launch
    books = offers(codebooks)
    token = new_token() if token_file is None else token_from_file(token_file)
    config = Config(
        host, port, folder, token, books, lambda line: click.echo(line, err=True), ids=style
    )
    if not is_loopback(host):
        click.echo(
            f"observer: warning: serving on {host}, reachable from the network; the traffic"
            " (keys, screens, the secret) is NOT encrypted unless a TLS proxy is in front"
            " (see docs/serve.md)",
            err=True,
        )

    def ready(address: str) -> None:
        shown = f"<the token in {token_file}>" if token_file is not None else token
        click.echo(f"observer serve: open {address}?token={shown}")
        click.echo(f"  sessions are written in {folder}; ctrl+c stops the server", err=True)

    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(serve(config, ready))
        except OSError as error:
            click.echo(f"observer: cannot listen on {host}:{port}: {error.strerror}", err=True)
            sys.exit(2)
