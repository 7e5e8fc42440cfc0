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
from observer.serve.launches import REPLAYABLE, TOUCH_ON, Offer
from observer.textsafe import safe

STYLE = """
body { background: #0f1a20; color: #e6edf0; font: 16px/1.45 system-ui, sans-serif;
       margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
label { display: block; margin: .6rem 0 .2rem; }
input[type=checkbox] { min-width: 0; width: 1.4rem; height: 1.4rem; vertical-align: middle;
       margin-right: .5rem; }
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
body.-touch .textual-terminal { touch-action: none; user-select: none; -webkit-user-select: none;
         -webkit-touch-callout: none; -webkit-tap-highlight-color: transparent; }
"""


def escape(text: str) -> str:
    """Text from a file or a request, for HTML: never markup, no control characters."""
    return html_escape(safe(text))


VIEWPORT = "width=device-width, initial-scale=1"
TOUCH_VIEWPORT = (
    "width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no,"
    " interactive-widget=resizes-content"
)
"""A touch screen's terminal page: the page is the screen's own size in portrait and
landscape (the terminal fits it, textual.js refits on a turn), and never zooms (a quick
second tap is a tap, not a zoom); a soft keyboard, when it opens for a note, shrinks
the page rather than covering it."""


def _page(
    title: str,
    body: str,
    style: str = STYLE,
    head: str = "",
    viewport: str = VIEWPORT,
    body_class: str = "",
) -> str:
    classes = f' class="{body_class}"' if body_class else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="{viewport}">'
        f"<title>{escape(title)}</title><style>{style}</style>{head}</head>"
        f"<body{classes}>{body}</body></html>\n"
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
    touch = " checked" * (form.get("touch", "") in TOUCH_ON)

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
        f'<label for="touch"><input type="checkbox" id="touch" name="touch" value="1"{touch}>'
        "Touch screen: every code a large target to tap, no keyboard needed</label>"
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
  const touch = body.classList.contains("-touch");
  const area = () => document.querySelector("#terminal .xterm-helper-textarea");
  let focused = false;
  let shown = false;
  // A touch screen (body.-touch): the terminal's own socket, as textual.js opens it
  // (after this script), to send taps as mouse presses and hear when text is typed.
  let socket = null;
  let size = null;
  let textWanted = false;
  const keyboard = (wanted) => {
    // The soft keyboard opens only while text is typed (a note, a form's field):
    // inputmode "none" keeps the terminal's input focused without it.
    textWanted = wanted;
    const target = area();
    if (!target) { return; }
    target.setAttribute("inputmode", wanted ? "text" : "none");
    if (wanted) { target.blur(); target.focus(); }
  };
  if (touch) {
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        socket = this;
        this.addEventListener("message", (event) => {
          if (typeof event.data !== "string") { return; }
          let said = null;
          try { said = JSON.parse(event.data); } catch (error) { return; }
          if (Array.isArray(said) && said[0] === "observer_keyboard") { keyboard(said[1] === true); }
        });
      }
      send(data) {
        if (typeof data === "string" && data.startsWith('["resize"')) {
          try { size = JSON.parse(data)[1]; window.observerTerminal = size; } catch (error) {}
        }
        super.send(data);
      }
    };
    window.observerTaps = [];
    const held = new Map();
    const cell = (point) => {
      const screen = document.querySelector("#terminal .xterm-screen");
      if (!screen || !size) { return null; }
      const box = screen.getBoundingClientRect();
      const x = Math.floor((point.clientX - box.left) / (box.width / size.width)) + 1;
      const y = Math.floor((point.clientY - box.top) / (box.height / size.height)) + 1;
      return x < 1 || y < 1 || x > size.width || y > size.height ? null : [x, y];
    };
    const report = (at, end) => {
      socket.send(JSON.stringify(["stdin", `\\x1b[<0;${at[0]};${at[1]}${end}`]));
    };
    // A finger down is a mouse press at that cell, sent at once (its time is the
    // touch's), once however long it rests; lifting it is the release. The browser's
    // own handling (a click, focus, a zoom, the soft keyboard) is prevented, except
    // while text is typed: a tap then focuses the terminal and opens the keyboard.
    document.addEventListener("touchstart", (event) => {
      if (textWanted || !event.target.closest("#terminal")) { return; }
      if (!socket || socket.readyState !== 1) { return; }
      event.preventDefault();
      for (const point of event.changedTouches) {
        const at = cell(point);
        if (at === null) { continue; }
        held.set(point.identifier, at);
        window.observerTaps.push(performance.timeOrigin + event.timeStamp);
        report(at, "M");
      }
    }, { passive: false, capture: true });
    const lifted = (event) => {
      for (const point of event.changedTouches) {
        const at = held.get(point.identifier);
        if (at === undefined) { continue; }
        held.delete(point.identifier);
        event.preventDefault();
        if (socket && socket.readyState === 1) { report(at, "m"); }
      }
    };
    document.addEventListener("touchend", lifted, { passive: false, capture: true });
    document.addEventListener("touchcancel", lifted, { passive: false, capture: true });
    document.addEventListener("touchmove", (event) => {
      if (!textWanted && event.target.closest("#terminal")) { event.preventDefault(); }
    }, { passive: false, capture: true });
  }
  const focus = () => {
    const target = area();
    if (target && touch) { target.setAttribute("inputmode", textWanted ? "text" : "none"); }
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


def terminal(title: str, websocket_url: str, ended_url: str, *, touch: bool = False) -> str:
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
    if touch:
        return _page(title, body, TERMINAL_STYLE, head, TOUCH_VIEWPORT, "-touch")
    return _page(title, body, TERMINAL_STYLE, head)


def message(title: str, text: str) -> str:
    return _page(
        title, f'<h1>{escape(title)}</h1><p>{escape(text)}</p><p><a href="/">The start page</a></p>'
    )
