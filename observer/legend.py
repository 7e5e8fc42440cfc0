"""A codebook as a plain-text legend: keys by actor and group, then modifiers,
ratings and segments. Used by ``observer codebook show``."""

from __future__ import annotations

from observer.codebook import Codebook, Rating


def _scale(rating: Rating) -> str:
    step = "" if rating.step == 1 else f" step {rating.step}"
    return f"{rating.min}-{rating.max}{step}"


def render_legend(book: Codebook) -> str:
    lines = [f"{book.title}  ({book.id} {book.version})"]
    if book.description:
        lines.append(book.description)
    for actor in book.actors:
        streams = [s for s in book.streams if s.actor.id == actor.id]
        if not streams:
            continue
        lines += ["", actor.label.upper()]
        for stream in streams:
            exclusive = "  [exclusive: one at a time]" if stream.group.exclusive else ""
            lines.append(f"  {stream.group.label}{exclusive}")
            for code in stream.codes:
                mods = f"  +{','.join(code.modifiers)}" if code.modifiers else ""
                lines.append(f"    {code.key}  {code.label:<36} {code.kind:<5}  {code.id}{mods}")
    if book.modifiers:
        lines += ["", "MODIFIERS (the key right after the code)"]
        for mod in book.modifiers:
            required = " (required)" if mod.required else ""
            values = "  ".join(f"{v.key}={v.label or v.id}" for v in mod.values)
            lines.append(f"  {mod.label}{required}: {values}")
    if book.ratings:
        lines += ["", "RATINGS"]
        for rating in book.ratings:
            scope = "per segment" if rating.scope == "segment" else "per session"
            lines.append(f"  {rating.label}  {_scale(rating)}, {scope}  ({rating.id})")
            for point, text in sorted(rating.anchors.items(), key=lambda kv: float(kv[0])):
                lines.append(f"      {point}: {text}")
    if book.segments:
        lines += ["", "SEGMENTS"]
        for i, segment in enumerate(book.segments, 1):
            planned = f"  {segment.planned_s:g} s planned" if segment.planned_s else ""
            lines.append(f"  {i}. {segment.label}{planned}  ({segment.id})")
    return "\n".join(lines)
