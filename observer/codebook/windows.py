"""The codebook's rules for its response ``windows``.

A window opens after a code (``after``: a command, say) for ``within_s`` seconds (more
than 0, at most an hour); a code of ``responses`` coded inside it answers the command,
a code of ``broken_by`` first breaks it, and ``otherwise`` is the code the screen offers
when no response came (a point code: it is added at the instant the window closed).
Responses and ``otherwise`` are codes of another actor than the one the window follows;
each code opens at most one window.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from observer.codebook.raw import items, number, string
from observer.errors import Problem, ProblemAt

MAX_WINDOW_S = 3600
"""The longest response window (an hour: far above any instrument's few seconds)."""


def check(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    codes = {string(c, "id"): c for _, c in items(raw, "codes")}
    codes_known = isinstance(raw.get("codes"), list)
    opened: dict[str, int] = {}
    for i, window in items(raw, "windows"):
        at = f"windows[{i}]"
        after = string(window, "after")
        command = codes.get(after) if after is not None else None
        if after is not None and command is None and codes_known:
            yield p(f"{at}.after", f"unknown code {after!r}")
        if after is not None and after in opened:
            yield p(f"{at}.after", f"{after!r} already opens windows[{opened[after]}]")
        elif after is not None:
            opened[after] = i
        within = number(window, "within_s")
        if within is not None and not 0 < within <= MAX_WINDOW_S:
            yield p(f"{at}.within_s", f"must be more than 0 and at most {MAX_WINDOW_S} s")
        actor = string(command, "actor") if command is not None else None
        responses = window.get("responses")
        if responses == []:
            yield p(f"{at}.responses", "must list at least one code")
        answers: set[str] = set()
        for where, code_id in (yield from _listed(window, "responses", at, p)):
            answers.add(code_id)
            yield from _other_actor(codes, codes_known, code_id, actor, after, where, p)
        otherwise = string(window, "otherwise")
        if otherwise is not None:
            where = f"{at}.otherwise"
            if otherwise in answers:
                yield p(where, f"{otherwise!r} is also a response (otherwise is what came instead)")
            elif string(codes.get(otherwise) or {}, "kind") == "state":
                yield p(where, f"{otherwise!r} is a state code: otherwise is added at an instant")
            else:
                yield from _other_actor(codes, codes_known, otherwise, actor, after, where, p)
        for where, code_id in (yield from _listed(window, "broken_by", at, p)):
            if code_id not in codes and codes_known:
                yield p(where, f"unknown code {code_id!r}")
            elif code_id in answers or code_id == otherwise:
                yield p(where, f"{code_id!r} answers the window: it cannot also break it")


def _listed(
    window: dict[str, Any], name: str, at: str, p: ProblemAt
) -> Generator[Problem, None, list[tuple[str, str]]]:
    """Yields a problem for each code listed again; returns (path, code) for each code
    of list ``name`` (a repeat too, so its other checks still run)."""
    value = window.get(name)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for k, code_id in enumerate(value if isinstance(value, list) else []):
        if not isinstance(code_id, str):
            continue
        where = f"{at}.{name}[{k}]"
        if code_id in seen:
            yield p(where, f"{code_id!r} is listed twice")
        seen.add(code_id)
        out.append((where, code_id))
    return out


def _other_actor(
    codes: dict[str | None, dict[str, Any]],
    codes_known: bool,
    code_id: str,
    actor: str | None,
    after: str | None,
    where: str,
    p: ProblemAt,
) -> Iterator[Problem]:
    """A response (or the otherwise code) is a known code of another actor."""
    code = codes.get(code_id)
    if code is None:
        if codes_known:
            yield p(where, f"unknown code {code_id!r}")
    elif actor is not None and string(code, "actor") == actor:
        yield p(
            where,
            f"{code_id!r} is a code of {actor!r}, who gives {after!r}: a response is the"
            " other actor's",
        )
