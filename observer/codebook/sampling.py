"""The codebook's rules for time sampling inside continuous coding (``sampling``).

Every ``every_s`` seconds of session time (more than 0, at most a day) the coding
screen asks ``prompt``; the answers are codes from ``codes``: state codes (a scan
asks what is going on at an instant, which a point code cannot be), each known and
listed once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from observer.codebook.model import MAX_SAMPLING_S
from observer.codebook.raw import items, number, string
from observer.errors import Problem, ProblemAt


def check(raw: dict[str, Any], p: ProblemAt) -> Iterator[Problem]:
    """The sampling block, when there is one."""
    block = raw.get("sampling")
    if not isinstance(block, dict):
        return  # absent, null, or a fault of type (reported by the structuring)
    every = number(block, "every_s")
    if every is not None and not 0 < every <= MAX_SAMPLING_S:
        yield p("sampling.every_s", f"must be more than 0 and at most {MAX_SAMPLING_S} s (a day)")
    prompt = string(block, "prompt")
    if prompt is not None and not prompt.strip():
        yield p("sampling.prompt", "must not be empty")
    codes = block.get("codes")
    if not isinstance(codes, list):
        return
    if not codes:
        yield p("sampling.codes", "must list at least one code")
    known = {string(c, "id"): c for _, c in items(raw, "codes")}
    codes_known = isinstance(raw.get("codes"), list)
    seen: dict[str, int] = {}
    for k, code_id in enumerate(codes):
        if not isinstance(code_id, str):
            continue
        at = f"sampling.codes[{k}]"
        if code_id in seen:
            yield p(at, f"code {code_id!r} listed twice (also sampling.codes[{seen[code_id]}])")
            continue
        seen[code_id] = k
        code = known.get(code_id)
        if code is None:
            if codes_known:
                yield p(at, f"unknown code {code_id!r}")
        elif code.get("kind") == "point":
            yield p(
                at,
                f"{code_id!r} is a point code (a scan asks what is going on at an instant:"
                " sample state codes)",
            )
