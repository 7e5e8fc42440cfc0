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
from typing import Any, NamedTuple

import click

from observer import __version__
from observer.errors import WHOLE, InputError, Problem
from observer.textsafe import safe
from observer.wording import plural


class Entry(NamedTuple):
    """One command: where it lives and the sentence ``observer --help`` lists it by (its
    help's first sentence, kept here so the list imports no command: a test checks the
    two agree)."""

    target: str
    """"module:attribute" of the click command."""
    summary: str


# name -> its entry, in the order ``observer --help`` lists them.
COMMANDS: dict[str, Entry] = {
    "codebook": Entry(
        "observer.cli.codebook:codebook",
        "Validate, show and list codebooks.",
    ),
    "sessions": Entry(
        "observer.cli.sessions:sessions",
        "List the sessions in the session folder: finished ones, unfinished journals (a "
        "session still running, or one that crashed: see `observer recover`), and files that "
        "cannot be read, with the reason.",
    ),
    "recover": Entry(
        "observer.cli.recover:recover_command",
        "Turn every unfinished journal in the session folder into a session file (status "
        '"recovered"), with the keys its raw key log holds that never reached it (and a key '
        "log whose journal is gone, on its own).",
    ),
    "code": Entry(
        "observer.cli.code:code",
        "Code a session live (or from a recording with --video): form, clock, keys, end, file.",
    ),
    "replay": Entry(
        "observer.cli.replay:replay",
        "Replay a coded session in time, review it, or compare two observers' codings.",
    ),
    "stats": Entry(
        "observer.cli.stats:stats",
        "Per-code statistics of each SESSION: count, rate per minute, latency to the first "
        "occurrence, and for state codes total, mean and SD (n - 1) of bout durations and the"
        " proportion of session time.",
    ),
    "agree": Entry(
        "observer.cli.agree:agree",
        "Inter-observer agreement of two sessions of the same codebook (A is the reference): "
        "time-unit, event-based and BORIS-compatible time-slice kappa, overall, per stream "
        "and per code.",
    ),
    "export": Entry(
        "observer.cli.export:export",
        "Write sessions as CSV/TSV (R, pandas, spreadsheets), SDIS (GSEQ), EAF (ELAN), SPSS "
        ".sav, Stata .dta, Parquet, NWB (Neurodata Without Borders) or BIDS events, or their "
        "ratings as CSV/TSV (composites computed) or as SPSS/Stata (one row per session).",
    ),
    "import": Entry(
        "observer.cli.import_:import_command",
        "Turn coded events from other tools (or observer's own CSV/TSV export) into session "
        'files, one per source session, with "imported_from" naming the file.',
    ),
    "import-boris": Entry(
        "observer.cli.import_boris:import_boris",
        "Turn a BORIS project (plain or gzipped) into a codebook and one session per live or "
        "media observation.",
    ),
    "seq": Entry(
        "observer.cli.seq:seq",
        "Sequential analysis of SESSIONs (one codebook), per session and pooled.",
    ),
    "intervals": Entry(
        "observer.cli.intervals:intervals",
        "The continuous record of each SESSION cut into intervals of --interval seconds from "
        "time 0 (the last one shorter): one row per session, interval and code with 1 or 0 by"
        " --rule and the count of onsets.",
    ),
    "reliability": Entry(
        "observer.cli.reliability:reliability",
        "Inter-observer agreement across a study: every double-coded pair under the folders, "
        "each observer's kappa over time, each code's kappa (the 'report', which is the "
        "default), or a plan of the sessions to double-code next ('assign').",
    ),
    "consensus": Entry(
        "observer.cli.consensus:consensus",
        "Walk each disagreement of two codings of one session (aligned as replay's compare "
        "mode) and take A's event, B's, both, neither or an edited one; the decisions are "
        "journaled as they are made (quit or crash, and the next start resumes) and ctrl+s "
        "writes a new session with status consensus and every event's provenance.",
    ),
    "verify": Entry(
        "observer.cli.verify:verify",
        "Check the review trail of each session FILE: every review entry is linked to the one"
        " before it and to the events it was made on, each time observer saves reviews.",
    ),
    "progress": Entry(
        "observer.cli.progress:progress",
        "A dyad's progress across sessions against its codebook's criteria: one row per "
        "session (and segment the criteria apply to) in the order they were coded.",
    ),
    "certify": Entry(
        "observer.cli.certify:certify",
        "Certify CODER on each codebook version they coded: their sessions that pair with a "
        "reference coding, in the order they were coded, each compared with it (kappa by "
        "--method, the reference as A); certified at the session that makes --consecutive "
        "sessions in a row reach --threshold.",
    ),
    "serve": Entry(
        "observer.cli.serve:serve_command",
        "Serve the coding and replay screens to a web browser (a tablet in the playroom).",
    ),
    "keys": Entry(
        "observer.cli.keys:keys",
        "Keys for encrypted session folders, in the standard age format.",
    ),
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
        "verify",
        "certify",
        "progress",
        "serve",
    }
)
"""The commands that read session files, and so take ``--identity`` (identity_option)."""


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with the nearest one it has
    (``observer exprt``: did you mean 'export'?), as click does for options."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib  # only on a mistake

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)


class LazyGroup(SuggestingGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list as click writes it, from the table: no command is imported."""
        if not COMMANDS:
            return
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=entry.summary).get_short_help_str(limit))
            for name, entry in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry.target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        if cmd_name in READERS and not any(p.name == "identity" for p in command.params):
            command.params.append(identity_option())
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


def passphrase_option(what: str) -> Callable[[Any], Any]:
    """``--passphrase`` (a flag, its value ``ask_passphrase``): the passphrase itself is
    asked for (on the coding form, at a prompt), never taken from the command line."""
    option: Callable[[Any], Any] = click.option(
        "--passphrase",
        "ask_passphrase",
        is_flag=True,
        help=f"Ask for a passphrase ({what}); never given on the command line.",
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


def check_recipients(folder: Path) -> None:
    """An encrypted ``folder``'s ``recipients.txt`` read before anything is written
    there (InputError when it holds no recipient or a bad line); a warning on stderr
    when others can read or change it."""
    from observer.crypto.folder import folder_recipients, recipients_path

    if not recipients_path(folder).is_file():
        return
    warnings: list[str] = []
    folder_recipients(folder, warnings)
    for line in warnings:
        click.echo(safe(line), err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="observer")
def cli() -> None:
    """Live coding of parent-child play observations, and what comes after:
    replay and review, statistics, inter-observer agreement, export."""


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
        more = Problem(last.file, WHOLE, f"{plural(hidden, 'more problem')} not shown")
        click.echo(safe(str(more)), err=True)


def _log_crash() -> str:
    import tempfile  # only on a crash: tempfile alone costs ~20 ms of start-up
    import traceback

    from observer.settings import state_dir

    folder = state_dir()
    try:
        from observer.jsonio import make_folders

        make_folders(folder)  # 0700 whatever the umask: a traceback can quote a session
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
