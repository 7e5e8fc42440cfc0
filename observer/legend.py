"""A codebook as a plain-text legend that fits 80 columns: codes by actor and group
with their keys, kinds and modifiers, then the modifiers' value keys, the ratings
with their anchors, and the segments. Used by ``observer codebook show``."""

from __future__ import annotations

import textwrap

from observer.codebook import Code, Codebook, CriterionRule, Rating, Segment

WIDTH = 80
LABEL_WIDTH = 34


def _wrap(text: str, indent: str, first: str = "") -> list[str]:
    """``text`` wrapped to WIDTH, the first line starting with ``first`` (or ``indent``)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        start = indent if lines else first or indent
        wrapped = textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=start,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
        lines += wrapped or [start.rstrip()]
    return lines


def _number(value: float) -> str:
    return f"{value:g}"


def _scale(rating: Rating) -> str:
    if rating.kind == "check":
        return "yes/no"
    if rating.kind == "category":
        if rating.alternative_to is not None:
            return f"one of (the forced alternative to {rating.alternative_to})"
        return "one of"
    if rating.kind == "allocation":
        return f"{rating.total} points over " + ", ".join(p.label for p in rating.parts)
    step = "" if rating.step == 1 else f" in steps of {_number(rating.step)}"
    return f"{_number(rating.low)}-{_number(rating.high)}{step}"


def _scope(book: Codebook, rating: Rating) -> str:
    if rating.scope == "session":
        return "per session"
    if not rating.segments:
        return "per segment"
    return "in " + ", ".join(s.label for s in book.rating_segments(rating))


def _code_lines(code: Code, label_width: int) -> list[str]:
    labels = textwrap.wrap(code.label, label_width, break_on_hyphens=False) or [""]
    line = f"    {code.key}  {labels[0]:<{label_width}}  {code.kind:<5}  {code.id}"
    mods = f"+{', +'.join(code.modifiers)}" if code.modifiers else ""
    rest = [f"       {label}" for label in labels[1:]]
    if mods and len(line) + 2 + len(mods) <= WIDTH:
        return [line + "  " + mods, *rest]
    if mods:
        pad = " " * (7 + label_width + 2 + 5 + 2)
        if rest:
            rest[0] = f"{rest[0]:<{len(pad)}}{mods}"
        else:
            rest.append(pad + mods)
    return [line, *rest]


def _planned(segment: Segment) -> str:
    if segment.planned_s is None:
        return ""
    minutes, seconds = divmod(round(segment.planned_s), 60)
    ends = ", then it stops itself" if segment.ends == "planned" else ""
    return f"  {minutes}:{seconds:02d} planned{ends}"


def render_legend(book: Codebook) -> str:
    """The legend as text, lines at most 80 columns wide (save for very long ids)."""
    lines = [book.title, f"{book.id} {book.version}  sha256 {book.sha256[:16]}"]
    if book.description:
        lines += ["", *_wrap(book.description, "")]
    label_width = min(LABEL_WIDTH, max(len(c.label) for c in book.codes))
    lines += ["", "KEYS  (point: an instant; state: its key starts it and stops it)"]
    for actor in book.actors:
        streams = [s for s in book.streams if s.actor.id == actor.id]
        if not streams:
            continue
        lines += ["", actor.label.upper()]
        for stream in streams:
            note = " - exclusive: one at a time" if stream.group.exclusive else ""
            lines.append(f"  {stream.group.label}{note}")
            for code in stream.codes:
                lines += _code_lines(code, label_width)
    if book.modifiers:
        lines += ["", "MODIFIERS  (press a value's key right after the code)"]
        for mod in book.modifiers:
            required = ", required" if mod.required else ", optional"
            lines.append(f"  {mod.label} ({mod.id}{required})")
            values = "   ".join(f"{v.key} {v.label or v.id}" for v in mod.values)
            lines += _wrap(values, "    ")
    if book.ratings:
        lines += ["", "RATINGS"]
        for rating in book.ratings:
            scope = _scope(book, rating)
            who = f", {book.actor_by_id[rating.actor].label}" if rating.actor else ""
            lines += _wrap(
                f"{rating.label} ({rating.id})  {_scale(rating)}, {scope}{who}", "    ", "  "
            )
            width = max((len(point) for point in rating.anchors), default=0)
            for point, text in sorted(rating.anchors.items(), key=lambda kv: float(kv[0])):
                lines += _wrap(text, " " * (7 + width), f"      {point:<{width}} ")
            width = max((len(v.id) for v in rating.values), default=0)
            for v in rating.values:
                cls = f"  (class {v.class_})" if v.class_ and v.class_ != v.id else ""
                lines += _wrap(
                    f"{v.label or v.id}{cls}", " " * (7 + width), f"      {v.id:<{width}} "
                )
    if book.sampling is not None:
        sampling = book.sampling
        lines += ["", f"TIME SAMPLING  (every {_number(sampling.every_s)} s, momentary)"]
        lines += _wrap(sampling.prompt, "    ", "  ")
        keys = ", ".join(
            f"{book.code_by_id[c].key} {book.code_by_id[c].label}"
            for c in sampling.codes
            if c in book.code_by_id
        )
        lines += _wrap(f"answer with {keys}", "    ", "  ")
    if book.composites:
        lines += ["", "COMPOSITES  (computed, never rated)"]
        for c in book.composites:
            least = "" if c.min_items is None else f", at least {c.min_items} rated"
            items = ", ".join(i.rating + (" (reversed)" if i.reverse else "") for i in c.items)
            lines += _wrap(f"{c.label} ({c.id})  {c.rule} of {items}{least}", "    ", "  ")
    if book.criteria:
        lines += ["", "CRITERIA  (met when every rule is; points and state onsets counted)"]
        for criterion in book.criteria:
            where = f"in {criterion.segment}" if criterion.segment else "the whole session"
            lines += _wrap(f"{criterion.label} ({criterion.id}), {where}", "    ", "  ")
            for rule in criterion.rules:
                lines += _wrap(_rule(rule), "        ", "      ")
    if book.windows:
        lines += ["", "RESPONSE WINDOWS  (a response in time is linked to its command)"]
        for window in book.windows:
            label = book.code_by_id[window.after].label
            lines += _wrap(
                f"after {label} ({window.after}), {_number(window.within_s)} s:", "    ", "  "
            )
            answers = ", ".join(book.code_by_id[c].label for c in window.responses)
            lines += _wrap(f"responses: {answers}", "        ", "      ")
            if window.otherwise is not None:
                other = book.code_by_id[window.otherwise].label
                lines += _wrap(
                    f"otherwise (offered, one key adds it): {other}", "        ", "      "
                )
            if window.broken_by:
                lines += _wrap(f"broken by: {', '.join(window.broken_by)}", "        ", "      ")
    if book.segments:
        lines += ["", "SEGMENTS"]
        for i, segment in enumerate(book.segments, 1):
            lines.append(f"  {i}. {segment.label} ({segment.id}){_planned(segment)}")
    return "\n".join(lines)


def _rule(rule: CriterionRule) -> str:
    if rule.ratio is not None:
        of, to = " + ".join(rule.ratio.of), " + ".join(rule.ratio.to)
        return f"({of}) / ({to}) at least {rule.min:g}"
    what = " + ".join(rule.codes)
    if rule.min is not None and rule.max is not None:
        return f"{what}: {rule.min:g} to {rule.max:g}"
    if rule.min is not None:
        return f"{what}: at least {rule.min:g}"
    return f"{what}: at most {rule.max:g}"
