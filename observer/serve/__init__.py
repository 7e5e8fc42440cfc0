"""``observer serve``: the coding and replay screens in a web browser.

A small aiohttp server (``server.py``) answers only with a valid secret
(``secret.py``); its landing page (``pages.py``) starts ``observer code`` or
``observer replay`` as a child process under Textual's web driver, and a bridge
(``bridge.py``) carries the browser's keys and the screen's bytes between the
child and the page's terminal (the browser client of textual-serve). What a page
may start is decided here (``launches.py``), from choices the server offered,
never from a path or command typed into a request. Sessions are written by the
child exactly as in a terminal; the server never reads them back out over HTTP.
"""
