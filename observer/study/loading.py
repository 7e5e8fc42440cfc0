"""Reading several sessions, one at a time: every command that reads more than one.

``load_sessions`` is an iterator: it reads a file, yields its session and lets it go
before reading the next, so a study of thousands of sessions is never held at once.
Every file is read and checked all the same; once one has a problem no more
sessions are yielded (what was computed would be thrown away), and when the files
are exhausted one ``InputError`` lists the problems of every file. A caller that
writes must therefore write nothing it cannot take back until the iteration ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from observer.errors import InputError, Problem
from observer.sessionfile import Session, load_session


def load_sessions(
    paths: Iterable[Path],
    *,
    corrected: bool = False,
    unique_ids: bool = True,
    check: Callable[[str, Session], Iterable[Problem]] | None = None,
    problems: list[Problem] | None = None,
    read_as: Callable[[str, Session], Session] | None = None,
) -> Iterator[tuple[str, Session]]:
    """``(file name, session)`` for each path in order, with reviewers' corrections
    applied in memory if ``corrected``; with ``unique_ids`` two files holding the same
    session id are a problem of the second; ``check`` adds a command's own problems
    of a readable session (a codebook other than the first's, say); ``read_as``
    turns each session, corrected, into the one the command reads (a session of an
    older codebook version read as the newer, observer.study.versions). Raises one
    InputError with every problem of every file after the last; given a
    ``problems`` list instead, a file's problems go into it, the other files'
    sessions are still yielded and nothing is raised (a study's survey lists its
    unreadable files and goes on)."""
    tolerant = problems is not None
    found: list[Problem] = problems if problems is not None else []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            session = load_session(path)
        except InputError as error:
            found.extend(error.problems)
            continue
        if unique_ids:
            if session.id in seen:
                message = f"session {session.id!r} is also in {seen[session.id]}"
                found.append(Problem(str(path), "id", message))
                continue
            seen[session.id] = path
        if check is not None:
            own = list(check(str(path), session))
            if own:
                found.extend(own)
                continue
        if found and not tolerant:
            continue
        if corrected:
            from observer.review import apply_corrections

            session = apply_corrections(session)
        if read_as is not None:
            try:
                session = read_as(str(path), session)
            except InputError as error:
                found.extend(error.problems)
                continue
        yield str(path), session
        del session  # the caller's copy is the only one left
    if found and not tolerant:
        raise InputError(found)
