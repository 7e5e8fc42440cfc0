"""The HTML of ``observer serve``: the landing page and the page of one terminal.

Every text from a file or a request is escaped (``html.escape``); the pages load
nothing from elsewhere (no fonts, no scripts from the internet: a playroom's
tablet may be offline, and no third party learns that a session is being coded).
The terminal is textual-serve's browser client (``/static/js/textual.js``); observer's
own script (:data:`PAGE_SCRIPT`, ``/observer.js``: the Content-Security-Policy allows no
inline script) gives the terminal the keyboard as soon as it exists, and once the
session has ended puts what the command printed (``saved …``, from ``/ended/<id>``)
into the page's banner beside the link back.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as html_escape
from pathlib import Path

from observer.live.folder import FolderEntry
from observer.replay.clock import format_clock
from observer.serve.launches import REPLAYABLE, Offer
from observer.textsafe import safe

STYLE = """
body { background: #0f1a20; color: #e6edf0; font: 16px/1.45 system-ui, sans-serif;
       margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
label { display: block; margin: .6rem 0 .2rem; }
input, select, button { font: inherit; padding: .45rem .6rem; border-radius: .3rem;
       border: 1px solid #4a6170; background: #1b2b34; color: inherit; min-width: 18rem; }
button { background: #2d6a8a; border-color: #2d6a8a; cursor: pointer; min-width: 0; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left;
       padding: .3rem .5rem; border-bottom: 1px solid #2a3b45; }
.problem { color: #ffb4a8; } .note { color: #a9bcc6; font-size: .9rem; }
"""

TERMINAL_STYLE = """
@font-face { font-family: "Roboto Mono"; src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf"); }
html, body { margin: 0; height: 100%; background: #0c181f; overflow: hidden; }
.textual-terminal { position: absolute; inset: 0; }
.ended { display: none; position: absolute; top: 0; left: 0; right: 0; z-index: 10;
         padding: .6rem 1rem; background: #2d6a8a; color: #fff; font: 16px system-ui, sans-serif; }
.ended a { color: #fff; } .ended .said { white-space: pre-wrap; margin: 0 0 .3rem; }
body.-closed .ended { display: block; }
"""


def escape(text: str) -> str:
    """Text from a file or a request, for HTML: never markup, no control characters."""
    return html_escape(safe(text))


def _page(title: str, body: str, style: str = STYLE, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{style}</style>{head}</head>"
        f"<body>{body}</body></html>\n"
    )


def landing(
    books: Sequence[Offer],
    folder: Path,
    entries: Sequence[FolderEntry],
    problems: Sequence[str] = (),
    form: dict[str, str] | None = None,
) -> str:
    form = form or {}
    chosen = form.get("codebook", "cpp-attachment")
    options = "".join(
        f'<option value="{escape(o.key)}"{" selected" * (o.key == chosen)}>'
        f"{escape(o.title)}</option>"
        for o in books
    )
    said = "".join(f'<p class="problem">{escape(p)}</p>' for p in problems)

    def field(name: str, label: str) -> str:
        value = escape(form.get(name, ""))
        return (
            f'<label for="{name}">{label}</label>'
            f'<input id="{name}" name="{name}" value="{value}" autocomplete="off">'
        )

    body = (
        "<h1>observer</h1>"
        "<h2>Start coding</h2>"
        f'{said}<form method="post" action="/code">'
        f'<label for="codebook">Codebook</label><select id="codebook" name="codebook">'
        f"{options}</select>"
        f"{field('dyad', 'Dyad')}{field('observer', 'Observer')}{field('label', 'Label (optional)')}"
        '<p><button id="start" type="submit">Start coding</button></p>'
        "<h3>Two coders, one live session</h3>"
        f"{field('pair', 'Pair name')}"
        '<p><button id="pair-start" type="submit" name="pair_as" value="start">'
        "Start a paired session</button> "
        '<button id="pair-join" type="submit" name="pair_as" value="join">Join</button></p>'
        '<p class="note">Both coders give the same pair name and codebook: one space starts '
        "and pauses both clocks, and each codes blind. Who starts is the primary coder, "
        "who joins the reliability coder.</p>"
        '<p class="note">Dyad or observer left empty are asked on the next screen. '
        "An unfinished session in this folder is offered for recovery first.</p></form>"
        f"{_unfinished(entries)}{_replay(entries)}"
        f'<p class="note">Sessions are written on the serving machine, in '
        f"{escape(str(folder))}. A key's time is when that machine received it: "
        "the network's delay is in it, and the session says it was coded in a browser.</p>"
    )
    return _page("observer", body)


def _unfinished(entries: Sequence[FolderEntry]) -> str:
    rows = [e for e in entries if e.status in ("unfinished", "running")]
    if not rows:
        return ""
    items = "".join(
        f"<tr><td>{escape(e.id or e.path.name)}</td><td>{escape(e.dyad)}</td>"
        f"<td>{escape(e.observer)}</td><td>{'' if e.events is None else e.events}</td>"
        f"<td>{_state(e)}</td></tr>"
        for e in rows
    )
    return (
        '<h2>Unfinished sessions</h2><table id="unfinished"><tr><th>id</th><th>dyad</th>'
        f"<th>observer</th><th>events</th><th></th></tr>{items}</table>"
    )


def _state(entry: FolderEntry) -> str:
    if entry.status == "running":
        return "being coded now (in another page or a terminal)"
    return "left by a closed page or a crash: Start coding offers to recover it"


def _replay(entries: Sequence[FolderEntry]) -> str:
    rows = [e for e in entries if e.status in REPLAYABLE]
    if not rows:
        return '<h2>Replay a session</h2><p class="note">No finished sessions yet.</p>'
    items = "".join(
        f"<tr><td>{escape(e.id)}</td><td>{escape(e.dyad)}</td><td>{escape(e.observer)}</td>"
        f"<td>{e.events}</td><td>{'' if e.duration is None else format_clock(e.duration)}</td>"
        '<td><form method="post" action="/replay">'
        f'<input type="hidden" name="session" value="{escape(e.path.name)}">'
        '<button type="submit">Replay</button></form></td></tr>'
        for e in rows
    )
    return (
        '<h2>Replay a session</h2><table id="sessions"><tr><th>id</th><th>dyad</th>'
        f"<th>observer</th><th>events</th><th>duration</th><th></th></tr>{items}</table>"
    )


PAGE_SCRIPT = """
"use strict";
// Runs deferred, once the page is parsed. textual.js marks the body "-loaded" when its
// socket opens (focusing earlier would send on a socket still connecting) and
// "-closed" when it closes.
(() => {
  const body = document.body;
  const area = () => document.querySelector("#terminal .xterm-helper-textarea");
  let focused = false;
  let shown = false;
  const focus = () => {
    const target = area();
    if (target) { target.focus(); }
    focused = target !== null && document.activeElement === target;
  };
  const lastWords = () => {
    shown = true;
    fetch(document.getElementById("terminal").dataset.ended, { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : { lines: [] }))
      .then((what) => {
        document.querySelector(".ended .said").textContent = what.lines.join("\\n");
      })
      .catch(() => {});
  };
  const check = () => {
    if (body.classList.contains("-closed")) {
      if (!shown) { lastWords(); }
    } else if (body.classList.contains("-loaded") && !focused) {
      focus();
    }
  };
  new MutationObserver(check).observe(body, { attributes: true, attributeFilter: ["class"] });
  const retry = setInterval(() => {
    check();
    if (focused || shown) { clearInterval(retry); }
  }, 100);
})();
"""


def terminal(title: str, websocket_url: str, ended_url: str) -> str:
    body = (
        '<div class="ended"><p class="said"></p>This page\'s session has ended. '
        '<a href="/">Back to the start page</a></div>'
        f'<div id="terminal" class="textual-terminal" '
        f'data-session-websocket-url="{escape(websocket_url)}" '
        f'data-ended="{escape(ended_url)}" data-font-size="16"></div>'
    )
    head = (
        '<link rel="stylesheet" href="/static/css/xterm.css">'
        '<script src="/static/js/textual.js"></script>'
        '<script src="/observer.js" defer></script>'
    )
    return _page(title, body, TERMINAL_STYLE, head)


def message(title: str, text: str) -> str:
    return _page(
        title, f'<h1>{escape(title)}</h1><p>{escape(text)}</p><p><a href="/">The start page</a></p>'
    )
