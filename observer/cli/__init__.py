"""The ``observer`` command: a click group whose subcommands load lazily.

Each subcommand lives in its own module here and is imported only when named,
so ``observer code`` does not pay for the analysis or export code at start-up.

Exit status: 0 success; 2 bad usage or bad input, every problem on its
own stderr line as ``FILE: LOCATION: MESSAGE``; 1 the environment failed: standard
output could not be written (a full disk, an I/O error: one line saying so), or an
unexpected internal error (one line plus the path of the logged traceback).
"""

from __future__ import annotations

import importlib
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from observer import __version__
from observer.errors import InputError
from observer.textsafe import safe

# name -> "module:attribute", in the order ``observer --help`` lists them.
COMMANDS: dict[str, str] = {
    "codebook": "observer.cli.codebook:codebook",
    "sessions": "observer.cli.sessions:sessions",
    "recover": "observer.cli.recover:recover_command",
    "code": "observer.cli.code:code",
    "replay": "observer.cli.replay:replay",
    "stats": "observer.cli.stats:stats",
    "agree": "observer.cli.agree:agree",
    "export": "observer.cli.export:export",
    "import": "observer.cli.import_:import_command",
    "import-boris": "observer.cli.import_boris:import_boris",
    "seq": "observer.cli.seq:seq",
    "intervals": "observer.cli.intervals:intervals",
    "reliability": "observer.cli.reliability:reliability",
    "consensus": "observer.cli.consensus:consensus",
    "serve": "observer.cli.serve:serve_command",
    "keys": "observer.cli.keys:keys",
}

READERS = frozenset(
    {
        "sessions",
        "recover",
        "replay",
        "stats",
        "agree",
        "export",
        "seq",
        "intervals",
        "reliability",
        "consensus",
        "serve",
    }
)
"""The commands that read session files, and so take ``--identity`` (identity_option)."""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        if cmd_name in READERS and not any(p.name == "identity" for p in command.params):
            command.params.append(identity_option())
            if cmd_name == "recover":
                passphrase_option("open the journals with")(command)
        return command


def _use_identities(ctx: click.Context, param: click.Parameter, value: tuple[Path, ...]) -> None:
    from observer.crypto.agefile import use_identities

    use_identities(list(value))  # also forgets those of an earlier command in this process


def identity_option() -> click.Option:
    """``--identity FILE`` (repeatable; else $OBSERVER_IDENTITY): the age identities
    that open encrypted sessions, journals and key logs; every reader takes it."""
    return click.Option(
        ["--identity"],
        type=click.Path(dir_okay=False, path_type=Path),
        multiple=True,
        envvar="OBSERVER_IDENTITY",
        expose_value=False,
        callback=_use_identities,
        help="age identity file opening encrypted sessions (default: $OBSERVER_IDENTITY).",
    )


def _ask_passphrase(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    from observer.crypto.agefile import use_passphrase

    use_passphrase(None)
    if value and not ctx.resilient_parsing:
        ask = "Passphrase" if ctx.info_name == "recover" else "Recovery passphrase for this laptop"
        typed = click.prompt(ask, hide_input=True, confirmation_prompt=ctx.info_name != "recover")
        if not typed:
            raise click.BadParameter(
                "an empty passphrase protects nothing", param_hint="--passphrase"
            )
        use_passphrase(typed)


def passphrase_option(what: str) -> Callable[[Any], Any]:
    """``--passphrase``: asked at a prompt, never taken from the command line. A
    decorator (also of a command already made)."""
    option: Callable[[Any], Any] = click.option(
        "--passphrase",
        is_flag=True,
        expose_value=False,
        callback=_ask_passphrase,
        help=f"Ask for a passphrase (at a prompt, never on the command line) to {what}.",
    )
    return option


def encrypt_to_option(function: Any) -> Any:
    """``--encrypt-to FILE``: else $OBSERVER_ENCRYPT_TO (see :func:`apply_encrypt_to`)."""
    return click.option(
        "--encrypt-to",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="OBSERVER_ENCRYPT_TO",
        help="Encrypt the session folder to this age recipients file (default:"
        " $OBSERVER_ENCRYPT_TO; a folder holding recipients.txt is always encrypted).",
    )(function)


def apply_encrypt_to(folder: Path, recipients: Path | None) -> None:
    """Make ``folder`` encrypted to ``recipients`` (when given); warnings on stderr."""
    if recipients is None:
        return
    from observer.crypto.folder import encrypt_to

    warnings: list[str] = []
    encrypt_to(folder, recipients, warnings)
    for line in warnings:
        click.echo(safe(line), err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="observer")
def cli() -> None:
    """Live coding of parent-child play observations, and what comes after:
    replay and review, statistics, inter-observer agreement, export."""


def session_dir_option(function: Any) -> Any:
    """``--session-dir DIR``: else $OBSERVER_SESSION_DIR, else ./sessions."""
    return click.option(
        "--session-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Session folder (default: $OBSERVER_SESSION_DIR, else ./sessions).",
    )(function)


def resolve_session_dir(value: Path | None) -> Path:
    if value is not None:
        return value
    env = os.environ.get("OBSERVER_SESSION_DIR")
    return Path(env) if env else Path("sessions")


MAX_REPORTED = 200
"""Past this many problems the rest are counted, not listed: a corrupt 50,000-event
session would otherwise print a line for every event."""


def report_problems(error: InputError) -> None:
    problems = error.problems
    for problem in problems[:MAX_REPORTED]:
        click.echo(safe(str(problem)), err=True)
    if len(problems) > MAX_REPORTED:
        last = problems[MAX_REPORTED]
        hidden = len(problems) - MAX_REPORTED
        click.echo(safe(f"{last.file}: $: {hidden} more problems not shown"), err=True)


def _log_crash() -> str:
    import tempfile  # only on a crash: tempfile alone costs ~20 ms of start-up
    import traceback

    folder = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "observer"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="crash-", suffix=".log", dir=folder)
    except OSError:
        handle, name = tempfile.mkstemp(prefix="observer-crash-", suffix=".log")
    with os.fdopen(handle, "w") as out:
        traceback.print_exc(file=out)
    return name


class OutputError(OSError):
    """Standard output could not be written: a full disk, a quota, an I/O error."""


class ReaderLeft(Exception):
    """Standard output is a pipe whose reader has gone. Not an ``OSError``: click would
    take it for its own and exit 1."""


class _GuardedOutput(io.FileIO):
    """Standard output's file descriptor, whose write failures are ``OutputError``s (a
    command's own files fail with plain ``OSError``s, which it reports itself), or
    ``ReaderLeft`` for a pipe nobody reads any more."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise ReaderLeft from None
        except (InterruptedError, BlockingIOError):
            raise
        except OSError as error:
            raise OutputError(error.errno, error.strerror) from None


def guard_stdout() -> io.TextIOWrapper | None:
    """Write standard output through ``_GuardedOutput`` (when it is a real file
    descriptor: not when a test captures it in memory); returns the stream replaced."""
    stream = sys.stdout
    if stream is None or not isinstance(stream, io.TextIOWrapper):
        return None
    try:
        fd = stream.fileno()
        stream.flush()
    except (OSError, ValueError):
        return None
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(_GuardedOutput(fd, "w", closefd=False)),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
    )
    return stream


def _output_failed(error: OSError | ReaderLeft) -> None:
    """A full disk, an I/O error: one line, exit status 1. The reader of a pipe left
    (`| head`): not our failure, exit status 0. What is still buffered goes nowhere (it
    cannot be written, and Python would try again at exit, with a second report)."""
    if isinstance(error, OSError):
        reason = error.strerror or os.strerror(error.errno or 0)
        click.echo(f"observer: cannot write to standard output: {reason}", err=True)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass
    sys.exit(0 if isinstance(error, ReaderLeft) else 1)


def _flush_stdout() -> None:
    """Write what a command left buffered now, where a failure is reported."""
    try:
        sys.stdout.flush()
    except (OutputError, ReaderLeft) as error:
        _output_failed(error)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the group, map errors onto the documented exit statuses."""
    replaced = guard_stdout()
    try:
        _run(argv)
    finally:
        if replaced is not None:  # a caller in this process gets its stream back
            sys.stdout = replaced


def _run(argv: list[str] | None) -> None:
    try:
        try:
            cli.main(args=argv, prog_name="observer", standalone_mode=False)
        except SystemExit:
            _flush_stdout()
            raise
        _flush_stdout()
    except (OutputError, ReaderLeft) as error:
        _output_failed(error)
    except InputError as error:
        report_problems(error)
        sys.exit(2)
    except click.exceptions.UsageError as error:
        # One line, naming the command and the problem (no usage block).
        command = error.ctx.command_path if error.ctx else "observer"
        message = " ".join(error.format_message().split())  # click lists choices on lines
        click.echo(safe(f"{command}: {message}"), err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("observer: aborted", err=True)
        sys.exit(1)
    except click.exceptions.Exit as done:
        _flush_stdout()
        sys.exit(done.exit_code)
    except click.ClickException as error:
        click.echo(safe(f"observer: {error.format_message()}", lines=True), err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        # `observer ... | head` where standard output is not ours to guard (a test's).
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # the last resort: one line and a log
        log = _log_crash()
        click.echo(safe(f"observer: internal error: {error!r} (traceback in {log})"), err=True)
        sys.exit(1)
